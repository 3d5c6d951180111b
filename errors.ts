// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The errors a pool call can reject with. Invalid arguments get the built-in
 * `TypeError` or `RangeError`; these classes are for conditions that a
 * caller is expected to catch and tell apart.
 *
 * @module
 */

/**
 * A task threw (or rejected) while it ran in a worker. The call rejects with
 * this error, the rest of that call's queued work is dropped, and the pool
 * stays usable.
 *
 * @example Usage
 * ```ts
 * import { Pool, TaskError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1 });
 * const error = await pool
 *   .map((x: number) => {
 *     if (x === 2) throw new RangeError(`${x} is too big`);
 *     return x;
 *   }, [1, 2, 3])
 *   .catch((e) => e);
 * assert.ok(error instanceof TaskError);
 * assert.equal(error.index, 1);
 * assert.ok(error.cause instanceof RangeError);
 * assert.equal(error.cause.message, "2 is too big");
 * ```
 */
export class TaskError extends Error {
  /** The position of the failing item in the call's input. */
  readonly index: number;
  /** The task's name: the export's name, or the inline function's name. */
  readonly task: string;
  /**
   * The error the task threw, rebuilt from the worker with its `name`,
   * `message`, `stack`, own fields (such as `code`) and `cause` chain.
   */
  override readonly cause: Error;

  /**
   * Creates the error for the item at `index` of a call.
   *
   * @param task The task's name.
   * @param index The position of the failing item in the input.
   * @param cause The error the task threw.
   */
  constructor(task: string, index: number, cause: Error) {
    super(
      `Task '${task}' failed on item ${index}: ${cause.name}: ${cause.message}`,
      { cause },
    );
    this.name = "TaskError";
    this.task = task;
    this.index = index;
    this.cause = cause;
  }
}

/**
 * The pool was closed or terminated: a call made after `close()` or
 * `terminate()`, or a call still pending when `terminate()` ran, rejects with
 * this error.
 *
 * @example Usage
 * ```ts
 * import { Pool, PoolClosedError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const pool = new Pool({ size: 1 });
 * pool.close();
 * await assert.rejects(pool.map((x: number) => x, [1]), PoolClosedError);
 * await pool.join();
 * ```
 */
export class PoolClosedError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was refused or stopped, and why.
   */
  constructor(message: string) {
    super(message);
    this.name = "PoolClosedError";
  }
}

/**
 * The details of a {@linkcode WorkerCrashedError}.
 *
 * @example Usage
 * ```ts
 * import { type WorkerCrashedDetails, WorkerCrashedError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const details: WorkerCrashedDetails = {
 *   task: "sleep",
 *   index: 3,
 *   workerId: 1,
 *   reason: "the task called Deno.exit(1)",
 *   exitCode: 1,
 * };
 * assert.equal(new WorkerCrashedError(details).index, 3);
 * ```
 */
export interface WorkerCrashedDetails {
  /** The task's name. */
  task: string;
  /** The position in the call's input of the item that was running. */
  index: number;
  /** The pool's number for the worker, counting from 1 as workers start. */
  workerId: number;
  /** What stopped the worker, as far as it is known. */
  reason: string;
  /** The exit code the task passed to `Deno.exit()`, or null if none. */
  exitCode: number | null;
}

/**
 * A worker stopped while it ran an item: a task called `Deno.exit()` or
 * `self.close()`, or an error escaped every task (a throw in a timer, an
 * unhandled rejection). Only the items that were on that worker fail; the
 * pool starts a new worker for the work that is left.
 *
 * @example Usage
 * ```ts
 * import { Pool, WorkerCrashedError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1 });
 * const error = await pool.apply(() => Deno.exit(3)).catch((e) => e);
 * assert.ok(error instanceof WorkerCrashedError);
 * assert.equal(error.exitCode, 3);
 * assert.equal(await pool.apply((a: number, b: number) => a + b, [1, 2]), 3);
 * ```
 */
export class WorkerCrashedError extends Error {
  /** The task's name. */
  readonly task: string;
  /** The position in the call's input of the item that was running. */
  readonly index: number;
  /** The pool's number for the worker. */
  readonly workerId: number;
  /** What stopped the worker, as far as it is known. */
  readonly reason: string;
  /** The exit code passed to `Deno.exit()`, or null if none is known. */
  readonly exitCode: number | null;

  /**
   * Creates the error.
   *
   * @param details Which item, which worker, and why it stopped.
   */
  constructor(details: WorkerCrashedDetails) {
    super(
      `Worker ${details.workerId} stopped while it ran task '${details.task}' on item ${details.index}: ${details.reason}`,
    );
    this.name = "WorkerCrashedError";
    this.task = details.task;
    this.index = details.index;
    this.workerId = details.workerId;
    this.reason = details.reason;
    this.exitCode = details.exitCode;
  }
}

/**
 * The details of a {@linkcode TaskTimeoutError}.
 *
 * @example Usage
 * ```ts
 * import { type TaskTimeoutDetails, TaskTimeoutError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const details: TaskTimeoutDetails = { task: "sleep", index: 0, workerId: 2, timeoutMs: 100 };
 * assert.equal(new TaskTimeoutError(details).name, "TimeoutError");
 * ```
 */
export interface TaskTimeoutDetails {
  /** The task's name. */
  task: string;
  /** The position in the call's input of the item that ran too long. */
  index: number;
  /** The pool's number for the worker that was stopped. */
  workerId: number;
  /** The limit it went over, in milliseconds. */
  timeoutMs: number;
}

/**
 * A task ran longer than its `timeout`, counted from when it started: the
 * worker running it was stopped and replaced, and the call rejects with this
 * error (the rest of its queued work is dropped, as for any failed task).
 * Its `name` is `"TimeoutError"`, as for other timeouts on the platform.
 *
 * @example Usage
 * ```ts
 * import { Pool, TaskTimeoutError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1 });
 * const slow = () => new Promise((resolve) => setTimeout(resolve, 60_000));
 * const error = await pool.apply(slow, [], { timeout: 50 }).catch((e) => e);
 * assert.ok(error instanceof TaskTimeoutError);
 * assert.equal(error.name, "TimeoutError");
 * assert.equal(error.timeoutMs, 50);
 * ```
 */
export class TaskTimeoutError extends Error {
  /** The task's name. */
  readonly task: string;
  /** The position in the call's input of the item that ran too long. */
  readonly index: number;
  /** The pool's number for the worker that was stopped. */
  readonly workerId: number;
  /** The limit, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param details Which item, which worker, and the limit.
   */
  constructor(details: TaskTimeoutDetails) {
    super(
      `Task '${details.task}' on item ${details.index} ran longer than its timeout of ${details.timeoutMs} ms: its worker (${details.workerId}) was stopped and replaced`,
    );
    this.name = "TimeoutError";
    this.task = details.task;
    this.index = details.index;
    this.workerId = details.workerId;
    this.timeoutMs = details.timeoutMs;
  }
}

/**
 * A call would have queued more items than the pool's `maxQueue` allows. It
 * is rejected whole, before any of its work starts; nothing is dropped
 * silently. (`imap` never gets this error: it waits for room instead.)
 *
 * @example Usage
 * ```ts
 * import { Pool, QueueFullError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1, maxQueue: 10 });
 * const items = Array.from({ length: 100 }, (_, i) => i);
 * await assert.rejects(pool.map((x: number) => x, items), QueueFullError);
 * ```
 */
export class QueueFullError extends Error {
  /** How many items the call wanted to queue. */
  readonly requested: number;
  /** The pool's `maxQueue`. */
  readonly maxQueue: number;

  /**
   * Creates the error.
   *
   * @param requested How many items the call wanted to queue.
   * @param queued How many were queued already.
   * @param maxQueue The pool's limit.
   */
  constructor(requested: number, queued: number, maxQueue: number) {
    super(
      `Cannot queue ${requested} more items as the pool already has ${queued} queued and 'maxQueue' is ${maxQueue}: wait for queued work to finish, raise 'maxQueue', or use imap(), which waits for room`,
    );
    this.name = "QueueFullError";
    this.requested = requested;
    this.maxQueue = maxQueue;
  }
}

/**
 * The pool's module could not be loaded in a worker (it does not exist,
 * does not compile, or the worker may not read it). It arrives as the
 * `cause` of the {@linkcode TaskError} of each call that needed it.
 *
 * @example Usage
 * ```ts
 * import { ModuleLoadError, Pool, TaskError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool(new URL("file:///no/such/tasks.ts"), { size: 1 });
 * const error = await pool.map("double" as never, [1]).catch((e) => e);
 * assert.ok(error instanceof TaskError);
 * assert.ok(error.cause instanceof ModuleLoadError);
 * assert.match(error.cause.message, /Cannot load the pool's module/);
 * ```
 */
export class ModuleLoadError extends Error {
  /**
   * Creates the error.
   *
   * @param message What could not be loaded, and why.
   * @param options The `cause`: the error that the import threw.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ModuleLoadError";
  }
}

/**
 * The pool's `initializer` failed in a worker. Every call sent to that
 * worker fails with it, as the `cause` of its {@linkcode TaskError}: the
 * worker is not restarted in a loop.
 *
 * @example Usage
 * ```ts
 * import { InitializerError, Pool, TaskError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({
 *   size: 1,
 *   initializer: () => {
 *     throw new Error("no database");
 *   },
 * });
 * const error = await pool.map((x: number) => x, [1]).catch((e) => e);
 * assert.ok(error instanceof TaskError);
 * assert.ok(error.cause instanceof InitializerError);
 * assert.match(error.cause.message, /no database/);
 * ```
 */
export class InitializerError extends Error {
  /**
   * Creates the error.
   *
   * @param message Which initializer failed, and how.
   * @param options The `cause`: the error that the initializer threw.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InitializerError";
  }
}
