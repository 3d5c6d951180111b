// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Types that give pool calls the feel of local calls: a task named by a
 * string is checked against the module's exports, and its arguments and
 * result are typed from them.
 *
 * @module
 */

/** Any function: what an inline task, or an export used as a task, must be. */
export type TaskFunction = (...args: never[]) => unknown;

/** The module type of a pool that was created without a module. */
export type NoModule = Record<never, never>;

/**
 * The names of the exports of module `M` that are functions.
 *
 * @typeParam M The module's type, as in `typeof import("./tasks.ts")`.
 */
export type TaskName<M> = {
  [K in keyof M & string]: M[K] extends TaskFunction ? K : never;
}[keyof M & string];

/**
 * The parameters of the task that module `M` exports as `K`.
 *
 * @typeParam M The module's type.
 * @typeParam K The export's name.
 */
export type TaskParameters<M, K extends TaskName<M>> = M[K] extends
  (...args: infer P) => unknown ? P : never;

/**
 * What the task that module `M` exports as `K` resolves to.
 *
 * @typeParam M The module's type.
 * @typeParam K The export's name.
 */
export type TaskResult<M, K extends TaskName<M>> = M[K] extends
  (...args: never[]) => infer R ? Awaited<R> : never;

/** The input of a call: any iterable or async iterable of items. */
export type Items<T> = Iterable<T> | AsyncIterable<T>;
