// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Types that give pool calls the feel of local calls: a task named by a
 * string is checked against the module's exports, and its arguments and
 * result are typed from them.
 *
 * @module
 */

/**
 * Any function: what an inline task, or an export used as a task, must be.
 *
 * @example Usage
 * ```ts
 * import type { TaskFunction } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const task: TaskFunction = (x: number) => x * 2;
 * assert.equal(typeof task, "function");
 * ```
 */
export type TaskFunction = (...args: never[]) => unknown;

/**
 * The module type of a pool that was created without a module.
 *
 * @example Usage
 * ```ts
 * import { type NoModule, Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const pool: Pool<NoModule> = new Pool({ size: 1 });
 * assert.equal(pool.size, 1);
 * pool.close();
 * ```
 */
export type NoModule = Record<never, never>;

/**
 * The names of the exports of module `M` that are functions.
 *
 * @typeParam M The module's type, as in `typeof import("./tasks.ts")`.
 *
 * @example Usage
 * ```ts
 * import type { TaskName } from "jsr:@paralelo/pool";
 * import type * as tasks from "./workers/sleep.ts";
 * import assert from "node:assert/strict";
 *
 * const name: TaskName<typeof tasks> = "sleep";
 * assert.equal(name, "sleep");
 * ```
 */
export type TaskName<M> = {
  [K in keyof M & string]: M[K] extends TaskFunction ? K : never;
}[keyof M & string];

/**
 * The parameters of the task that module `M` exports as `K`.
 *
 * @typeParam M The module's type.
 * @typeParam K The export's name.
 *
 * @example Usage
 * ```ts
 * import type { TaskParameters } from "jsr:@paralelo/pool";
 * import type * as tasks from "./workers/sleep.ts";
 * import assert from "node:assert/strict";
 *
 * const args: TaskParameters<typeof tasks, "sleep"> = [0.5];
 * assert.deepEqual(args, [0.5]);
 * ```
 */
export type TaskParameters<M, K extends TaskName<M>> = M[K] extends
  (...args: infer P) => unknown ? P : never;

/**
 * What the task that module `M` exports as `K` resolves to.
 *
 * @typeParam M The module's type.
 * @typeParam K The export's name.
 *
 * @example Usage
 * ```ts
 * import type { TaskResult } from "jsr:@paralelo/pool";
 * import type * as tasks from "./workers/sleep.ts";
 * import assert from "node:assert/strict";
 *
 * const seconds: TaskResult<typeof tasks, "sleep"> = 0.5;
 * assert.equal(seconds, 0.5);
 * ```
 */
export type TaskResult<M, K extends TaskName<M>> = M[K] extends
  (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * The input of a call: any iterable or async iterable of items.
 *
 * @example Usage
 * ```ts
 * import type { Items } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * async function* numbers() {
 *   yield* [1, 2];
 * }
 * const inputs: Items<number>[] = [[1, 2], new Set([1, 2]), numbers()];
 * assert.equal(inputs.length, 3);
 * ```
 */
export type Items<T> = Iterable<T> | AsyncIterable<T>;
