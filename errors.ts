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
  /**
   * The exit code the task passed to `Deno.exit()` or `process.exit()`, or
   * that the runtime reported, or null if none.
   */
  exitCode: number | null;
}

/**
 * A worker stopped while it ran an item: a task called `Deno.exit()`,
 * `process.exit()` or `self.close()`, its thread ended by itself (Bun's
 * `close` event, node's `exit`), or an error escaped every task (a throw in
 * a timer, an unhandled rejection). Only the items that were on that worker fail; the
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
  /**
   * The exit code passed to `Deno.exit()` or `process.exit()`, or that the
   * runtime reported, or null if none is known.
   */
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
 * What kept the pool's module from loading: a {@linkcode ModuleLoadError}'s
 * `kind`.
 *
 * - `"not-found"`: nothing is at its URL, or at the URL of a module it
 *   imports.
 * - `"syntax-error"`: it, or a module it imports, does not parse.
 * - `"permission-denied"`: the workers may not read or import it (run with
 *   `--allow-read`, or `--allow-import` for a remote module).
 * - `"threw"`: its top-level code threw as a worker imported it.
 * - `"other"`: anything else the loader refused (an unreachable host, a
 *   file that is not a module).
 *
 * @example Usage
 * ```ts
 * import type { ModuleLoadErrorKind } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const kind: ModuleLoadErrorKind = "not-found";
 * assert.equal(kind, "not-found");
 * ```
 */
export type ModuleLoadErrorKind =
  | "not-found"
  | "syntax-error"
  | "permission-denied"
  | "threw"
  | "other";

/**
 * The details of a {@linkcode ModuleLoadError}.
 *
 * @example Usage
 * ```ts
 * import { type ModuleLoadDetails, ModuleLoadError } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const details: ModuleLoadDetails = {
 *   module: "./tasks.ts",
 *   url: "file:///home/me/tasks.ts",
 *   resolution: "relative to the working directory /home/me",
 *   kind: "not-found",
 *   detail: "No such file or directory",
 * };
 * assert.match(new ModuleLoadError(details).message, /new URL\("\.\/tasks\.ts", import\.meta\.url\)/);
 * ```
 */
export interface ModuleLoadDetails {
  /** The module as `new Pool()` was given it: the string, or the URL's `href`. */
  module: string;
  /** The absolute URL that the workers import. */
  url: string;
  /**
   * How `module` became `url`: `"relative to the working directory
   * /home/me/project"` for a string path that is not absolute, `"as an
   * absolute path"`, or `"as given, a URL"`.
   */
  resolution: string;
  /** What kept it from loading. */
  kind: ModuleLoadErrorKind;
  /** What the loader said, in its words (the full error is the `cause`). */
  detail: string;
}

/**
 * The pool's module could not be loaded: it does not exist, does not
 * parse, throws as it loads, or the workers may not read it. The message
 * says what was given, the URL it resolved to and how, what went wrong, and
 * what to do; the fields say the same for code, and `cause` is the error
 * the import threw.
 *
 * A module that cannot load is not an item's failure, so this is not a
 * {@linkcode TaskError} and names no item. `new Pool()` throws it at once
 * for a `file:` URL where no file is (when the program may read it, so that
 * the check never asks for a permission); otherwise each call of a named
 * task rejects with it, `map`, `apply` and `imap` alike, as soon as a worker
 * has tried to import the module. The pool stays usable: inline functions
 * still run, and the workers are not restarted in a loop, as each keeps
 * the failed import. Fix the module and create a new pool.
 *
 * @example Usage
 * ```ts
 * import { ModuleLoadError, Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => new Pool(new URL("file:///no/such/tasks.ts"), { size: 1 }),
 *   (error) =>
 *     error instanceof ModuleLoadError && error.kind === "not-found" &&
 *     error.url === "file:///no/such/tasks.ts",
 * );
 * ```
 */
export class ModuleLoadError extends Error {
  /** The module as `new Pool()` was given it: the string, or the URL's `href`. */
  readonly module: string;
  /** The absolute URL that the workers import. */
  readonly url: string;
  /** How `module` became `url`, as in `"relative to the working directory /x"`. */
  readonly resolution: string;
  /** What kept it from loading. */
  readonly kind: ModuleLoadErrorKind;
  /** What the loader said, in its words. */
  readonly detail: string;

  /**
   * Creates the error.
   *
   * @param details What was given, where it resolved to, and what failed.
   * @param options The `cause`: the error that the import or the check threw.
   */
  constructor(details: ModuleLoadDetails, options?: ErrorOptions) {
    super(moduleLoadMessage(details), options);
    this.name = "ModuleLoadError";
    this.module = details.module;
    this.url = details.url;
    this.resolution = details.resolution;
    this.kind = details.kind;
    this.detail = details.detail;
  }
}

/** The message of a {@linkcode ModuleLoadError}: what, where, why, what to do. */
function moduleLoadMessage(details: ModuleLoadDetails): string {
  const { module, url, resolution, kind, detail } = details;
  const given = module === url
    ? `'${url}' (a URL, used as given)`
    : `'${module}' (resolved ${resolution}, to ${url})`;
  const relative = resolution.startsWith("relative to the working directory");
  const page = resolution.startsWith("relative to the page's location");
  const name = url.slice(url.lastIndexOf("/") + 1) || "tasks.ts";
  const instead = `name it relative to that file instead, new Pool(new URL("${
    /^\.\.?\//.test(module) ? module : `./${module}`
  }", import.meta.url))`;
  const beside = relative
    ? `a path in a string is resolved against the directory the program runs in, not against the file that creates the pool: ${instead}`
    : page
    ? `a path in a string is resolved against the page's location, not against the script that creates the pool: ${instead}`
    : `check the path; to name a module beside the file that creates the pool, write new Pool(new URL("./${name}", import.meta.url))`;
  const remote = !url.startsWith("file:");
  let why: string;
  let fix: string;
  switch (kind) {
    case "not-found": {
      const missing = /Module not found "([^"]+)"/.exec(detail)?.[1];
      if (missing !== undefined && missing !== url) {
        why = `a module it imports was not found (${detail})`;
        fix = "fix that import in the module";
      } else if (detail.startsWith("it is a directory")) {
        why = detail;
        fix = "name the module's file itself, such as tasks.ts in it";
      } else {
        why = remote
          ? `nothing was found there (${detail})`
          : "no file is there";
        fix = beside;
      }
      break;
    }
    case "syntax-error":
      why = `it does not parse (${detail})`;
      fix = `fix the syntax error; \`deno check ${url}\` shows it`;
      break;
    case "permission-denied":
      why = `the workers may not ${remote ? "import" : "read"} it (${detail})`;
      fix = remote
        ? `run with --allow-import=${hostOf(url)}`
        : `run with --allow-read=${
          pathOf(url)
        } (the workers import the module as the program runs, which needs read access, unlike the program's own static imports)`;
      break;
    case "threw":
      why = `its top-level code threw as a worker imported it (${detail})`;
      fix =
        "fix the module's top-level code, which every worker runs as it imports the module (the stack is in the error's cause)";
      break;
    default:
      why = `the module loader refused it (${detail})`;
      fix = remote ? "check the URL and the network" : beside;
  }
  return `Cannot load the pool's module ${given} as ${why}: ${fix}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

function pathOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
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
