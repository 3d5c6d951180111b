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
 * The module type of a pool that has no named tasks, only inline functions:
 * with it, naming a task is a compile error. Give it to a pool created
 * without a module to have that check, as `new Pool({ size: 2 })` alone
 * gives {@linkcode UntypedModule}, like `new Pool(url)` without a type.
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
 * The module type of a pool whose module's type was not given, as in
 * `new Pool(new URL("./tasks.ts", import.meta.url))`: any name is a task
 * (the workers check it, and a name the module does not export fails the
 * call with the names it does), and its arguments and result are
 * `unknown`. Pass the module's type to have names, arguments and results
 * checked: `new Pool<typeof tasks>(url)`.
 *
 * @example Usage
 * ```ts
 * import { Pool, type UntypedModule } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool: Pool<UntypedModule> = new Pool(
 *   new URL("./workers/sleep.ts", import.meta.url),
 *   { size: 1 },
 * );
 * const results: unknown[] = await pool.map("sleep", [0.01]);
 * assert.deepEqual(results, [0.01]);
 * ```
 */
export interface UntypedModule {
  /** Every export is taken to be a task, of unknown arguments and result. */
  [name: string]: (...args: unknown[]) => unknown;
}

/**
 * The names of the exports of module `M` that are functions: the task names
 * that a `Pool<M>` accepts. For {@linkcode UntypedModule}, any string.
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
export type TaskName<M> =
  // Spelled out key by key, rather than as a lookup in a mapped type, so
  // that a type error shows the names themselves ("sleep" | "double"), not
  // `TaskName<typeof import("file:///...")>`.
  Extract<keyof M, string> extends infer K
    ? K extends keyof M ? M[K] extends TaskFunction ? K : never : never
    : never;

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
