// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `Pool`: Python's `multiprocessing.Pool` on Web Workers or
 * `node:worker_threads`, in Deno, Bun, Node and browsers.
 *
 * @module
 */
import { AsyncResult } from "./async_result.ts";
import { Call, type CallMode } from "./_call.ts";
import { Engine, type PoolState } from "./_engine.ts";
import { checkCallOptions, poolSettings } from "./_options.ts";
import { toTaskRef } from "./_task_ref.ts";
import type { Backend, WorkerPermissions } from "./_backend.ts";
import type { PoolStats, PoolTrace } from "./trace.ts";
import type {
  Items,
  TaskName,
  TaskParameters,
  TaskResult,
  UntypedModule,
} from "./types.ts";

export type { PoolState } from "./_engine.ts";
export type { Backend, WorkerPermissions } from "./_backend.ts";

/**
 * Options for {@linkcode Pool}.
 *
 * @example Usage
 * ```ts
 * import { Pool, type PoolOptions } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const options: PoolOptions = { size: 2, timeout: 10_000, maxTasksPerWorker: 100 };
 * await using pool = new Pool(options);
 * assert.equal(pool.size, 2);
 * ```
 */
export interface PoolOptions {
  /**
   * How many workers the pool runs at most. Workers start when work needs
   * them, not before. More workers than CPUs pay off only for tasks that
   * wait (timers, network), not for tasks that compute.
   *
   * @default {cpuCount()}
   */
  size?: number;
  /**
   * Which threads run the tasks: `"web"`, Web Workers (Deno, Bun,
   * browsers), or `"node"`, `node:worker_threads` (Node, Deno, Bun). A
   * `"node"` worker costs about 35-50 ms to start in Deno, against 13-15
   * ms, but a timeout or an abort really stops a task stuck in a
   * synchronous loop, an idle pool does not keep the script alive, and
   * `maxHeapMb` can bound each worker's heap. `permissions` need `"web"`.
   * See "Choosing a backend" in the README.
   *
   * @default {"web"; "node" in Node, which has no Web Workers}
   */
  backend?: Backend;
  /**
   * Stop a worker that has had no work for this many milliseconds; the next
   * call starts workers again. On `"web"` this is what lets a script that
   * forgets `close()` exit by itself, about a second after its last call
   * (an idle Web Worker keeps the process alive); calls closer together
   * than that reuse their workers. `Infinity` keeps idle workers. On
   * `"node"` idle workers never keep the process alive, so they are kept.
   *
   * @default {1000 on "web", Infinity on "node"}
   */
  idleTimeout?: number;
  /**
   * The most heap each worker may use, in MiB (V8's old generation, as
   * `resourceLimits.maxOldGenerationSizeMb`): a task that goes over it fails
   * its call with a `WorkerCrashedError` that names the limit, the worker is
   * replaced, and the program goes on. Needs `backend: "node"`: a Web Worker
   * that runs out of memory ends the whole process. Refused in Bun, whose
   * `node:worker_threads` ignores `resourceLimits`.
   *
   * @default {undefined, V8's own limit}
   */
  maxHeapMb?: number;
  /**
   * Record a span per chunk (worker, items, enqueue, start and end times),
   * for `pool.trace()`, `timelineSvg()` and `traceEvents()`.
   *
   * @default {false}
   */
  trace?: boolean;
  /**
   * Called with advice and warnings, such as "these items cost more in
   * messages than in work". Pass `() => {}` to silence it.
   *
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
  /**
   * The default `timeout` of every call, in milliseconds: a task that runs
   * longer, counted from when it starts (not from when it was queued), fails
   * its call with a `TaskTimeoutError`, and its worker is replaced.
   *
   * @default {undefined, no limit}
   */
  timeout?: number;
  /**
   * Replace a worker after it has run about this many tasks (Python's
   * `maxtasksperchild`), to bound what a leaky task can hold. As in Python,
   * a chunk of a `map` counts as one task (pass `chunkSize: 1` to count
   * items). Each worker's limit is drawn between 80% and 100% of it, so that
   * workers started together do not all restart at once.
   *
   * @default {undefined, never}
   */
  maxTasksPerWorker?: number;
  /**
   * How many chunks one worker runs at once, for async tasks that wait
   * (fetch, timers, file I/O), as piscina's `concurrentTasksPerWorker`:
   * while a chunk awaits, its worker starts the next one. The items of one
   * chunk still run one after another, so pass `chunkSize: 1` to overlap
   * items. A worker counts as busy once it holds this many chunks, the
   * automatic chunk size and a stream's read-ahead are made for `size` ×
   * `concurrency` chunks at once, and results still come back in order. A
   * synchronous task gains nothing: its chunks run one after another.
   *
   * With more than 1, what stops a worker touches every chunk running on
   * it, as they share its thread: a crash or `Deno.exit()` fails each with
   * a `WorkerCrashedError` at the exact item each was on; an error that
   * escapes a task (a timer, an unhandled rejection) fails every chunk that
   * was running then, as it cannot be traced to one; a timeout fails the
   * overdue item with a `TaskTimeoutError`, and an abort its call, while
   * the other calls' chunks that were running beside it fail with a
   * `WorkerCrashedError` whose `reason` says so (an item that has started
   * is never run twice). Chunks sent but not started run on another worker.
   *
   * @default {1}
   */
  concurrency?: number;
  /**
   * The most items the pool keeps queued (read but not yet sent to a
   * worker). A `map` that would go over it is refused whole with a
   * `QueueFullError`; an `imap` waits for room instead.
   *
   * @default {undefined, no limit}
   */
  maxQueue?: number;
  /**
   * A task run once in each new worker before any other, with `initArgs`
   * (Python's `initializer`/`initargs`): the name of an export of the pool's
   * module, or a self-contained function. If it fails, the calls sent to that
   * worker fail with its error.
   *
   * @default {undefined}
   */
  initializer?: string | ((...args: never[]) => unknown);
  /**
   * The arguments of `initializer`.
   *
   * @default {[]}
   */
  initArgs?: unknown[];
  /**
   * Run the workers with fewer Deno permissions than the program, such as
   * `"none"` (no files, network, environment or subprocesses). Deno allows
   * this only with `--unstable-worker-options`, and otherwise kills the whole
   * process; the pool checks for the flag first and throws instead. A worker
   * is not a sandbox for untrusted code: it shares the process. Deno only:
   * in another runtime `new Pool()` throws a `TypeError`, as its workers
   * cannot be given fewer rights than the program.
   *
   * @default {undefined, the program's own permissions}
   */
  permissions?: WorkerPermissions;
  /**
   * Tells the pool that Deno runs with `--unstable-worker-options` (from the
   * command line or from `"unstable": ["worker-options"]` in `deno.json`).
   * The pool can see the flag itself only when it may read its own command
   * line, which Deno allows with `--allow-all`; otherwise it refuses
   * `permissions` rather than risk the process, unless this is `true`.
   * Deno only: `true` in another runtime is a `TypeError`.
   *
   * @default {false}
   */
  unstableWorkerOptions?: boolean;
}

/**
 * Options for `map`, `starmap`, `imap` and their variants.
 *
 * @example Usage
 * ```ts
 * import { type CallOptions, Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * let done = 0;
 * const options: CallOptions = { chunkSize: 2, onProgress: (n) => (done = n) };
 * await pool.map((x: number) => x, [1, 2, 3, 4], options);
 * assert.equal(done, 4);
 * ```
 */
export interface CallOptions {
  /**
   * How many items go to a worker in one message. Larger chunks cost less
   * messaging per item but spread the work less evenly.
   *
   * @default {For `map` and `starmap`, about four chunks per worker
   * (`ceil(items / (size * 4))`, as Python chooses); for `imap` and
   * `imapUnordered`, 1.}
   */
  chunkSize?: number;
  /**
   * Aborts the call: its queued work is dropped and it rejects with
   * `signal.reason`. Items already running finish, and their results are
   * dropped.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * The most a task may run, in milliseconds, from when it starts: over
   * it, the call rejects with a `TaskTimeoutError` and the worker is
   * replaced.
   *
   * @default {The pool's `timeout`.}
   */
  timeout?: number;
  /**
   * Called as items complete, with how many are done and how many there
   * are (`undefined` when the input's length is not known, as for an
   * `imap` over a generator). An error it throws fails the call.
   *
   * @default {undefined}
   */
  onProgress?: (done: number, total: number | undefined) => void;
  /**
   * Move the `ArrayBuffer`s found in the items (and in the results, on the
   * way back) instead of copying them: much faster for large buffers, but
   * the sender's buffers are detached, empty, afterwards.
   *
   * @default {false}
   */
  transfer?: boolean;
}

/**
 * Options for `apply` and `applyAsync`.
 *
 * @example Usage
 * ```ts
 * import { type ApplyOptions, Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1 });
 * const options: ApplyOptions = { timeout: 5_000 };
 * assert.equal(await pool.apply(() => "quick", [], options), "quick");
 * ```
 */
export interface ApplyOptions {
  /**
   * The most the task may run, in milliseconds, from when it starts.
   *
   * @default {The pool's `timeout`.}
   */
  timeout?: number;
  /**
   * Aborts the call: it rejects with `signal.reason`. If the task is already
   * running, it runs on to its end and its result is dropped.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

type InspectFunction = (value: unknown, options?: unknown) => string;

/**
 * What the implementation of each overloaded method takes: nothing, as far
 * as the type checker is concerned. The overloads are the types; what is
 * passed is checked at run time (`_options.ts`, `_task_ref.ts`). An
 * implementation that took `string | TaskFunction` would make every call
 * that fits no overload also report "TS2793: The call would have succeeded
 * against this implementation", pointing into this file.
 */
type Unchecked = never;

/**
 * Says when a pool is garbage-collected without `close()`, as CPython's
 * `ResourceWarning: unclosed running multiprocessing pool` does. The engine
 * is held here, not the pool, so that the pool can be collected.
 */
const UNCLOSED = new FinalizationRegistry<Engine>((engine) =>
  engine.abandoned()
);

/**
 * A pool of workers that runs tasks in parallel, like Python's
 * `multiprocessing.Pool`: Web Workers, or `node:worker_threads` with
 * `backend: "node"` (the default in Node, which has no Web Workers). It
 * runs in Deno, Bun, Node 20.16 and later, and browsers.
 *
 * A task is either the name of a function that the pool's module exports
 * (typed from `M`, so wrong names and argument types are compile errors), or
 * a self-contained function that is sent to the workers as source (what
 * Python's `multiprocess` adds). Such a function may use its arguments,
 * globals and dynamic `import()` of absolute specifiers, but nothing from
 * the scope around it: a call that passes one that does is rejected with a
 * `TypeError` that names the variable, before any worker runs it.
 *
 * Workers start when the first call needs them and are reused. Close the
 * pool when done (`await using` does it). A pool left open does not hang a
 * script: idle Web Workers stop after `idleTimeout` (1 s), and idle
 * `"node"` workers never keep the process alive.
 *
 * @typeParam M The type of the pool's module, as in `typeof tasks` after
 * `import type * as tasks from "./tasks.ts"`.
 *
 * @example Tasks from a module, typed by it
 * ```ts
 * import { Pool } from "jsr:@paralelo/pool";
 * import type * as tasks from "./workers/sleep.ts";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool<typeof tasks>(
 *   new URL("./workers/sleep.ts", import.meta.url),
 *   { size: 4 },
 * );
 * // Four sleeps side by side: about 0.04 s, not 0.1 s.
 * const results = await pool.map("sleep", [0.01, 0.02, 0.03, 0.04]);
 * assert.deepEqual(results, [0.01, 0.02, 0.03, 0.04]);
 * ```
 *
 * @example Inline functions
 * ```ts
 * import { Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * assert.deepEqual(await pool.map((x: number) => x ** 2, [1, 2, 3]), [1, 4, 9]);
 * ```
 */
export class Pool<M = UntypedModule> implements AsyncDisposable {
  #engine: Engine;
  #timeout: number | undefined;

  /**
   * Creates a pool for inline function tasks.
   *
   * Its type is `Pool<UntypedModule>`, as for a module whose type is not
   * given, so naming a task compiles, and fails at run time with a
   * `TypeError` that says the pool has no module. Write the type as
   * `Pool<NoModule>` to make that a compile error.
   *
   * @param options The pool's options.
   * @throws {RangeError} If `options.size` is not a positive integer.
   * @throws {TypeError} If an option has the wrong type, or needs what this
   * runtime lacks: `permissions` outside Deno, `backend: "web"` where there
   * is no Web Worker (Node), `backend: "node"` where there is no
   * `node:worker_threads` (a browser).
   */
  constructor(options?: PoolOptions);
  /**
   * Creates a pool whose tasks are the exported functions of `module`
   * (inline functions work too). Without the type argument `M`, any task
   * name compiles, with `unknown` arguments and results
   * ({@linkcode UntypedModule}); with `new Pool<typeof tasks>(url)`, names,
   * arguments and results are checked.
   *
   * The workers import the module when the first call needs it. If it
   * cannot load (it does not parse, throws as it loads, or the workers may
   * not read it), every call of a named task rejects with a
   * {@linkcode ModuleLoadError}, at once, whether `map`, `apply` or `imap`:
   * no item is blamed, and no worker is restarted in a loop. The pool stays
   * usable for inline functions; fix the module and create a new pool.
   *
   * @param module The module's URL, best written as
   * `new URL("./tasks.ts", import.meta.url)`, which names the file relative
   * to the one that creates the pool. A string path that is not a URL is
   * resolved against the working directory (`Deno.cwd()`, `process.cwd()`),
   * not against the caller's file, so it breaks when the program runs from
   * elsewhere; in a browser, against the page's location.
   * @param options The pool's options.
   * @throws {RangeError} If `options.size` is not a positive integer.
   * @throws {TypeError} If an option has the wrong type, or needs what this
   * runtime lacks: `permissions` outside Deno, `backend: "web"` where there
   * is no Web Worker (Node), `backend: "node"` where there is no
   * `node:worker_threads` (a browser).
   * @throws {ModuleLoadError} If `module` is a `file:` URL or path where no
   * file is (checked when the program may read it), with the URL it
   * resolved to, how, and the fix.
   */
  constructor(module: string | URL, options?: PoolOptions);
  constructor(
    moduleOrOptions?: string | URL | PoolOptions,
    maybeOptions?: PoolOptions,
  ) {
    const settings = poolSettings(moduleOrOptions, maybeOptions);
    this.#timeout = settings.timeout;
    this.#engine = new Engine(settings.size, settings.module, settings.engine);
    UNCLOSED.register(this, this.#engine, this.#engine);
  }

  /**
   * The most workers the pool runs at once.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 3 });
   * assert.equal(pool.size, 3);
   * ```
   */
  get size(): number {
    return this.#engine.size;
  }

  /**
   * `"running"` until `close()`, `"closing"` while work drains, then `"closed"`.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ size: 1 });
   * assert.equal(pool.state, "running");
   * pool.close();
   * await pool.join();
   * assert.equal(pool.state, "closed");
   * ```
   */
  get state(): PoolState {
    return this.#engine.state;
  }

  #start(
    task: unknown,
    input: unknown,
    options: CallOptions | undefined,
    spread: boolean,
    mode: CallMode,
  ): Call | Error {
    try {
      checkCallOptions(options);
      const call = new Call({
        task: toTaskRef(task, this.#engine.module !== null),
        spread,
        mode,
        transfer: options?.transfer === true,
        input: input as Items<unknown>,
        chunkSize: options?.chunkSize,
        poolSize: this.#engine.slots,
        signal: options?.signal,
        onProgress: options?.onProgress,
        timeout: options?.timeout ?? this.#timeout,
        host: this.#engine,
      });
      this.#engine.submit(call);
      return call;
    } catch (error) {
      return error as Error;
    }
  }

  #collect(
    task: unknown,
    input: unknown,
    options: CallOptions | undefined,
    spread: boolean,
  ): Promise<unknown[]> {
    const call = this.#start(task, input, options, spread, "collect");
    return call instanceof Call ? call.promise : Promise.reject(call);
  }

  #stream(
    task: unknown,
    input: unknown,
    options: CallOptions | undefined,
    mode: CallMode,
  ): AsyncGenerator<unknown, void, undefined> {
    const call = this.#start(task, input, options, false, mode);
    if (call instanceof Call) return call.stream();
    // The error surfaces at the first next(), like every other failure of a
    // stream.
    // deno-lint-ignore require-yield
    return (async function* () {
      throw call;
    })();
  }

  /**
   * Calls the task on every item, in parallel, and resolves with the results
   * in input order. The items are read in full first, as Python does.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal and progress callback.
   * @returns The results, in the order of the items.
   * @throws {TaskError} If a task throws: `index` says which item.
   * @throws {TypeError} If the task is not one a worker can run, such as a
   * name the module does not export (the message lists those it does).
   * @throws {ModuleLoadError} If the pool's module cannot be loaded.
   * @throws {PoolClosedError} If the pool is closed, or is terminated.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 2 });
   * const lengths = await pool.map((word: string) => word.length, ["a", "bb"]);
   * assert.deepEqual(lengths, [1, 2]);
   * ```
   */
  map<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: CallOptions,
  ): Promise<TaskResult<M, K>[]>;
  /**
   * Calls the inline function on every item, in parallel.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal and progress callback.
   * @returns The results, in the order of the items.
   */
  map<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: CallOptions,
  ): Promise<Awaited<R>[]>;
  map(
    task: Unchecked,
    items: Unchecked,
    options?: Unchecked,
  ): Promise<unknown[]> {
    return this.#collect(task, items, options, false);
  }

  /**
   * Starts a `map` and returns at once with an {@linkcode AsyncResult} that
   * the caller can check, wait for, or await.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal and progress callback.
   * @returns A future of the results, in the order of the items.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 2 });
   * const future = pool.mapAsync((x: number) => x * 2, [1, 2, 3]);
   * // ... other work here ...
   * assert.deepEqual(await future.get(5_000), [2, 4, 6]);
   * assert.equal(future.successful(), true);
   * ```
   */
  mapAsync<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: CallOptions,
  ): AsyncResult<TaskResult<M, K>[]>;
  /**
   * Starts a `map` of an inline function and returns a future at once.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal and progress callback.
   * @returns A future of the results, in the order of the items.
   */
  mapAsync<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: CallOptions,
  ): AsyncResult<Awaited<R>[]>;
  mapAsync(
    task: Unchecked,
    items: Unchecked,
    options?: Unchecked,
  ): AsyncResult<unknown[]> {
    return new AsyncResult(this.#collect(task, items, options, false));
  }

  /**
   * Like `map`, but each item is a list of arguments, spread into the call:
   * `[[1, 2], [3, 4]]` calls `task(1, 2)` and `task(3, 4)`.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal and progress callback.
   * @returns The results, in the order of the argument lists.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 2 });
   * const sums = await pool.starmap((a: number, b: number) => a + b, [[1, 2], [3, 4]]);
   * assert.deepEqual(sums, [3, 7]);
   * ```
   */
  starmap<K extends TaskName<M>>(
    task: K,
    argLists: Items<TaskParameters<M, K>>,
    options?: CallOptions,
  ): Promise<TaskResult<M, K>[]>;
  /**
   * Like `map` for an inline function, with each item spread into the call.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal and progress callback.
   * @returns The results, in the order of the argument lists.
   */
  starmap<A extends unknown[], R>(
    task: (...args: A) => R,
    argLists: Items<A>,
    options?: CallOptions,
  ): Promise<Awaited<R>[]>;
  starmap(
    task: Unchecked,
    argLists: Unchecked,
    options?: Unchecked,
  ): Promise<unknown[]> {
    return this.#collect(task, argLists, options, true);
  }

  /**
   * Starts a `starmap` and returns a future at once.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal and progress callback.
   * @returns A future of the results, in order.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 2 });
   * const future = pool.starmapAsync((a: number, b: number) => a * b, [[2, 3]]);
   * assert.deepEqual(await future, [6]);
   * ```
   */
  starmapAsync<K extends TaskName<M>>(
    task: K,
    argLists: Items<TaskParameters<M, K>>,
    options?: CallOptions,
  ): AsyncResult<TaskResult<M, K>[]>;
  /**
   * Starts a `starmap` of an inline function and returns a future at once.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal and progress callback.
   * @returns A future of the results, in order.
   */
  starmapAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    argLists: Items<A>,
    options?: CallOptions,
  ): AsyncResult<Awaited<R>[]>;
  starmapAsync(
    task: Unchecked,
    argLists: Unchecked,
    options?: Unchecked,
  ): AsyncResult<unknown[]> {
    return new AsyncResult(this.#collect(task, argLists, options, true));
  }

  /**
   * Runs the task once, in a worker, with the given arguments.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param args The arguments, spread into the call.
   * @param options An abort signal.
   * @returns What the task returns.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 1 });
   * assert.equal(await pool.apply((a: number, b: number) => a ** b, [2, 10]), 1024);
   * ```
   */
  apply<K extends TaskName<M>>(
    task: K,
    args?: TaskParameters<M, K>,
    options?: ApplyOptions,
  ): Promise<TaskResult<M, K>>;
  /**
   * Runs the inline function once, in a worker.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param args The arguments, spread into the call.
   * @param options An abort signal.
   * @returns What the function returns.
   */
  apply<A extends unknown[], R>(
    task: (...args: A) => R,
    args?: A,
    options?: ApplyOptions,
  ): Promise<Awaited<R>>;
  apply(
    task: Unchecked,
    args?: Unchecked,
    options?: Unchecked,
  ): Promise<unknown> {
    return this.#applyPromise(task, args, options);
  }

  #applyPromise(
    task: unknown,
    args: unknown[] | undefined,
    options: ApplyOptions | undefined,
  ): Promise<unknown> {
    if (args !== undefined && !Array.isArray(args)) {
      return Promise.reject(
        new TypeError(
          `Cannot run the task as 'args' must be an array of arguments: received ${typeof args}`,
        ),
      );
    }
    const callOptions: CallOptions = {};
    if (options?.signal !== undefined) callOptions.signal = options.signal;
    if (options?.timeout !== undefined) callOptions.timeout = options.timeout;
    return this.#collect(task, [args ?? []], callOptions, true)
      .then((values) => values[0]);
  }

  /**
   * Starts an `apply` and returns a future at once.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param args The arguments, spread into the call.
   * @param options An abort signal.
   * @returns A future of what the task returns.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 1 });
   * const future = pool.applyAsync(() => "done");
   * assert.equal(await future.get(5_000), "done");
   * ```
   */
  applyAsync<K extends TaskName<M>>(
    task: K,
    args?: TaskParameters<M, K>,
    options?: ApplyOptions,
  ): AsyncResult<TaskResult<M, K>>;
  /**
   * Starts an `apply` of an inline function and returns a future at once.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param args The arguments, spread into the call.
   * @param options An abort signal.
   * @returns A future of what the function returns.
   */
  applyAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    args?: A,
    options?: ApplyOptions,
  ): AsyncResult<Awaited<R>>;
  applyAsync(
    task: Unchecked,
    args?: Unchecked,
    options?: Unchecked,
  ): AsyncResult<unknown> {
    return new AsyncResult(this.#applyPromise(task, args, options));
  }

  /**
   * Like `map`, but lazy: it reads the items as workers need them, keeps at
   * most two chunks per worker ahead of the consumer, and yields results in
   * input order as they are ready. Breaking out of the loop drops the work
   * that is left. If a task fails, the results before it are yielded, then
   * the `TaskError` is thrown.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, progress callback.
   * @returns An async iterator of the results, in input order.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * function* naturals() {
   *   for (let n = 1; ; n++) yield n;
   * }
   * await using pool = new Pool({ size: 2 });
   * const squares: number[] = [];
   * for await (const square of pool.imap((n: number) => n * n, naturals())) {
   *   squares.push(square);
   *   if (squares.length === 4) break; // the endless input stops here
   * }
   * assert.deepEqual(squares, [1, 4, 9, 16]);
   * ```
   */
  imap<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: CallOptions,
  ): AsyncGenerator<TaskResult<M, K>, void, undefined>;
  /**
   * Lazy, ordered `map` of an inline function.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, progress callback.
   * @returns An async iterator of the results, in input order.
   */
  imap<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: CallOptions,
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  imap(
    task: Unchecked,
    items: Unchecked,
    options?: Unchecked,
  ): AsyncGenerator<unknown, void, undefined> {
    return this.#stream(task, items, options, "ordered");
  }

  /**
   * Like `imap`, but yields each result as soon as it is ready, in any
   * order.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, progress callback.
   * @returns An async iterator of the results, in completion order.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 2 });
   * const results: number[] = [];
   * for await (const n of pool.imapUnordered((n: number) => n * 10, [1, 2, 3])) {
   *   results.push(n);
   * }
   * assert.deepEqual(results.sort((a, b) => a - b), [10, 20, 30]);
   * ```
   */
  imapUnordered<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: CallOptions,
  ): AsyncGenerator<TaskResult<M, K>, void, undefined>;
  /**
   * Lazy, unordered `map` of an inline function.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, progress callback.
   * @returns An async iterator of the results, in completion order.
   */
  imapUnordered<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: CallOptions,
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  imapUnordered(
    task: Unchecked,
    items: Unchecked,
    options?: Unchecked,
  ): AsyncGenerator<unknown, void, undefined> {
    return this.#stream(task, items, options, "unordered");
  }

  /**
   * Counts of the pool's work so far: items completed, failed, queued and
   * running, the workers alive and each one's busy time, and the share of
   * the workers' time spent on tasks.
   *
   * @returns A snapshot of the pool's numbers.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 2 });
   * await pool.map((x: number) => x, [1, 2, 3]);
   * const stats = pool.stats();
   * assert.equal(stats.completed, 3);
   * assert.equal(stats.queued + stats.running, 0);
   * ```
   */
  stats(): PoolStats {
    return this.#engine.stats();
  }

  /**
   * What a pool created with `{ trace: true }` has recorded: a span per
   * chunk. Draw it with `timelineSvg()`, or export it with `traceEvents()`.
   *
   * @returns The spans so far.
   * @throws {Error} If the pool was created without `trace: true`.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * await using pool = new Pool({ size: 2, trace: true });
   * await pool.map((x: number) => x, [1, 2], { chunkSize: 1 });
   * assert.equal(pool.trace().spans.length, 2);
   * ```
   */
  trace(): PoolTrace {
    const trace = this.#engine.trace();
    if (trace === null) {
      throw new Error(
        "Cannot return a trace as the pool was created without tracing: create it with new Pool({ trace: true })",
      );
    }
    return trace;
  }

  /**
   * Takes no new work: later calls reject with `PoolClosedError`. Work
   * already queued or running finishes, then the workers stop. Call `join()`
   * to wait for that. An `imap` stops waiting for its consumer: the rest of
   * its input is read and run, and its results wait to be read (so break out
   * of an endless `imap` before closing).
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ size: 1 });
   * const pending = pool.map((x: number) => x + 1, [1, 2]);
   * pool.close();
   * assert.deepEqual(await pending, [2, 3]); // queued work still finishes
   * await pool.join();
   * assert.equal(pool.state, "closed");
   * ```
   */
  close(): void {
    this.#engine.close();
  }

  /**
   * Stops every worker now. Every call still pending rejects with
   * `PoolClosedError`, and later calls too.
   *
   * @example Usage
   * ```ts
   * import { Pool, PoolClosedError } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ size: 1 });
   * const pending = pool.apply(() => new Promise((resolve) => setTimeout(resolve, 60_000)));
   * pool.terminate();
   * await assert.rejects(pending, PoolClosedError);
   * await pool.join();
   * ```
   */
  terminate(): void {
    this.#engine.terminate();
  }

  /**
   * Waits until every worker has stopped, after `close()` or `terminate()`.
   *
   * @returns A promise that resolves once the pool is closed.
   * @throws {Error} If the pool is still running: call `close()` or
   * `terminate()` first, or the wait would never end.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ size: 1 });
   * await assert.rejects(pool.join(), /still running/);
   * pool.close();
   * await pool.join();
   * ```
   */
  join(): Promise<void> {
    if (this.#engine.state === "running") {
      return Promise.reject(
        new Error(
          "Cannot join the pool as it is still running: call close() or terminate() first",
        ),
      );
    }
    return this.#engine.join();
  }

  /**
   * `close()`, then `join()`: what `await using` calls. Unlike Python's
   * `with Pool()`, which terminates, this lets queued work finish.
   *
   * @returns A promise that resolves once the workers have stopped.
   *
   * @example Usage
   * ```ts
   * import { Pool } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * let pool: Pool;
   * {
   *   await using scoped = new Pool({ size: 1 });
   *   pool = scoped;
   *   assert.equal(pool.state, "running");
   * }
   * assert.equal(pool.state, "closed");
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return this.#engine.join();
  }

  /** What `Deno.inspect` shows; see the prototype's custom inspect below. */
  #inspect(inspect: InspectFunction, options: unknown): string {
    const shown: Record<string, unknown> = {
      state: this.state,
      size: this.size,
      workers: this.#engine.workers,
    };
    if (this.#engine.module !== null) shown.module = this.#engine.module;
    return `Pool ${inspect(shown, options)}`;
  }

  static {
    // `Deno.inspect(pool)` and `console.log(pool)` show the state and size,
    // as Python shows `<Pool state=RUN pool_size=7>`. Set here rather than
    // declared, so that the symbol stays out of the public types. A symbol
    // is only a key: a runtime that does not know it never reads it.
    Object.defineProperty(this.prototype, Symbol.for("Deno.customInspect"), {
      value(this: Pool<unknown>, inspect: InspectFunction, options: unknown) {
        return this.#inspect(inspect, options);
      },
    });
    // Node's and Bun's `util.inspect` and `console.log`: (depth, options,
    // inspect).
    Object.defineProperty(
      this.prototype,
      Symbol.for("nodejs.util.inspect.custom"),
      {
        value(
          this: Pool<unknown>,
          _depth: unknown,
          options: unknown,
          inspect?: InspectFunction,
        ) {
          return inspect === undefined
            ? `Pool { state: "${this.state}", size: ${this.size} }`
            : this.#inspect(inspect, options);
        },
      },
    );
    // What a Jupyter notebook shows for the pool, when it is a cell's value
    // or is passed to `Deno.jupyter.display`: `<Pool state=running size=4
    // workers=2>` as text, and a table of its state, size, live workers and
    // work so far (`poolBundle` in `jupyter.ts`, loaded only when asked).
    // Set here too: a computed key of `Symbol.for` has no isolated
    // declaration, which the package's npm form is built from.
    Object.defineProperty(this.prototype, Symbol.for("Jupyter.display"), {
      value(this: Pool<unknown>): Promise<
        { "text/plain": string; "text/html": string }
      > {
        const snapshot = {
          state: this.state,
          size: this.size,
          stats: this.stats(),
          module: this.#engine.module,
        };
        return import("./jupyter.ts").then((jupyter) =>
          jupyter.poolBundle(snapshot)
        );
      },
    });
  }
}
