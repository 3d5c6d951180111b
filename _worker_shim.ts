// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The code that runs inside every worker. It is never imported by a worker:
 * the pool embeds `workerMain.toString()` in a `blob:` URL, so the package
 * works when it is imported from a remote URL or from JSR, where a worker
 * file next to `pool.ts` cannot be loaded. That is why `workerMain` must be
 * self-contained: it may use globals and its own inner functions only
 * (`tests/shim_test.ts` checks that with the same analysis as inline tasks).
 *
 * @module
 */
import type {
  FromWorker,
  ResultMessage,
  ResultWire,
  RunMessage,
  SerializedError,
  TaskRef,
  ToWorker,
} from "./_protocol.ts";

/**
 * Starts the worker side of the protocol: answers every message it is sent.
 *
 * @param collectTransferables `_transfer.ts`'s function of that name, handed
 * in as source, so that both sides find the buffers to move the same way.
 */
export function workerMain(
  collectTransferables: (
    value: unknown,
    into: Set<ArrayBuffer>,
  ) => Set<ArrayBuffer>,
): void {
  type AnyFunction = (...args: unknown[]) => unknown;
  interface WorkerScope {
    postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
    close(): void;
    onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
    addEventListener(
      type: "error" | "unhandledrejection",
      listener: (
        event: Event & { error?: unknown; reason?: unknown; message?: string },
      ) => void,
    ): void;
  }
  const scope = globalThis as unknown as WorkerScope;
  const MAX_CAUSE_DEPTH = 8;
  let moduleUrl: string | null = null;
  let modulePromise: Promise<Record<string, unknown>> | null = null;
  const compiled = new Map<string, AnyFunction>();
  const tasks = new Map<number, TaskRef>();
  let loaded: Record<string, unknown> | null = null;
  const pending: RunMessage[] = [];
  let waiting = false;
  /** The id of the run in progress, to tell whom an escaped error hit. */
  let current: number | null = null;
  // [run id or 0, item offset, start time]: read by the pool, never posted.
  let state: Float64Array<ArrayBufferLike> = new Float64Array(3);
  let initializing = false;
  let initFailure: SerializedError | null = null;

  function cloneable(value: unknown): boolean {
    try {
      structuredClone(value);
      return true;
    } catch {
      return false;
    }
  }

  function describe(value: unknown): string {
    try {
      return Deno.inspect(value, { depth: 4 });
    } catch {
      return String(value);
    }
  }

  function serialize(thrown: unknown, depth = 0): SerializedError {
    try {
      return serializeUnsafe(thrown, depth);
    } catch (error) {
      // A getter that throws, a Proxy...: say so rather than lose the worker.
      return {
        name: "Error",
        message: `The task threw an error that could not be read (${
          error instanceof Error ? error.message : "unknown"
        })`,
        fields: {},
      };
    }
  }

  function serializeUnsafe(thrown: unknown, depth: number): SerializedError {
    if (!(thrown instanceof Error)) {
      const error: SerializedError = {
        name: "Error",
        message: `Task threw a non-Error value: ${describe(thrown)}`,
        fields: cloneable(thrown) ? { value: thrown } : {},
        thrownNonError: true,
      };
      return error;
    }
    let name = String(thrown.name);
    const ctorName = thrown.constructor?.name;
    if (name === "Error" && ctorName && ctorName !== "Error") name = ctorName;
    const fields: Record<string, unknown> = {};
    for (const key of Object.keys(thrown)) {
      if (key === "cause" || key === "name" || key === "message") continue;
      const value = (thrown as unknown as Record<string, unknown>)[key];
      fields[key] = cloneable(value) ? value : describe(value);
    }
    const error: SerializedError = {
      name,
      message: String(thrown.message),
      fields,
    };
    if (typeof thrown.stack === "string") error.stack = thrown.stack;
    if ("cause" in thrown) {
      const cause = thrown.cause;
      if (cause instanceof Error && depth < MAX_CAUSE_DEPTH) {
        error.cause = { error: serialize(cause, depth + 1) };
      } else {
        error.cause = { value: cloneable(cause) ? cause : describe(cause) };
      }
    }
    return error;
  }

  function post(message: FromWorker, transfer?: ArrayBuffer[]): void {
    scope.postMessage(message, transfer);
  }

  // Deno sends the parent no event when a worker closes itself or exits, so
  // say so first; the pool then fails the work that was on this worker.
  const realClose = scope.close.bind(scope);
  scope.close = () => {
    post({ type: "exit", reason: "the task called self.close()", code: null });
    realClose();
  };
  const realExit = Deno.exit;
  Deno.exit = (code?: number): never => {
    post({
      type: "exit",
      reason: `the task called Deno.exit(${code ?? ""})`,
      code: code ?? 0,
    });
    return realExit(code);
  };
  // An error that escapes every task would otherwise kill the worker, or the
  // whole process, with no word on which work was lost.
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    post({
      type: "fatal",
      id: current,
      error: serialize(event.error ?? new Error(event.message)),
    });
  });
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    post({ type: "fatal", id: current, error: serialize(event.reason) });
  });

  function loadModule(): Promise<Record<string, unknown>> {
    if (moduleUrl === null) {
      return Promise.reject(
        new TypeError(
          "Cannot run a named task as the pool has no module: pass the module to the constructor, new Pool(new URL('./tasks.ts', import.meta.url)), or pass a function",
        ),
      );
    }
    const url = moduleUrl;
    modulePromise ??= import(url).catch((error) => {
      const failure = new Error(
        `Cannot load the pool's module '${url}': ${
          error instanceof Error ? error.message : String(error)
        }`,
        { cause: error },
      );
      failure.name = "ModuleLoadError";
      throw failure;
    });
    return modulePromise;
  }

  function lookUp(exports: Record<string, unknown>, name: string): AnyFunction {
    const fn = exports[name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot run task '${name}' as the module '${moduleUrl}' has no exported function of that name: export it from the module, or check the spelling`,
      );
    }
    return fn as AnyFunction;
  }

  /** The task's function: at once if it is known, else once its module loads. */
  function resolveTask(task: TaskRef): AnyFunction | Promise<AnyFunction> {
    if (task.kind === "source") {
      let fn = compiled.get(task.source);
      if (fn === undefined) {
        fn = new Function(
          `"use strict";\nreturn (${task.source});`,
        )() as AnyFunction;
        compiled.set(task.source, fn);
      }
      return fn;
    }
    if (loaded !== null) return lookUp(loaded, task.name);
    return loadModule().then((exports) => {
      loaded = exports;
      return lookUp(exports, task.name);
    });
  }

  function isThenable(value: unknown): value is PromiseLike<unknown> {
    return (typeof value === "object" || typeof value === "function") &&
      value !== null &&
      typeof (value as { then?: unknown }).then === "function";
  }

  function now(): number {
    return performance.timeOrigin + performance.now();
  }

  /**
   * Runs a chunk. Synchronous tasks run without a single promise, so that
   * a message costs no more than it must; it returns a promise only when
   * it has to wait (a module to load, an async task).
   */
  function run(message: RunMessage): Promise<void> | void {
    current = message.id;
    const startedAt = now();
    // Not started until its task is ready: loading a module is not task
    // time, so no timeout counts it (the items set their own start below).
    state[2] = Infinity;
    state[1] = 0;
    state[0] = message.id;
    if (initFailure !== null) {
      return finish(message, startedAt, [], { offset: 0, error: initFailure });
    }
    let fn: AnyFunction | Promise<AnyFunction>;
    try {
      if (message.define !== undefined) tasks.set(message.task, message.define);
      const task = tasks.get(message.task);
      if (task === undefined) {
        throw new Error(
          `The pool sent task ${message.task} without its definition`,
        );
      }
      fn = resolveTask(task);
    } catch (error) {
      return finish(message, startedAt, [], {
        offset: 0,
        error: serialize(error),
      });
    }
    if (fn instanceof Promise) {
      return fn.then(
        (resolved) => runItems(message, resolved, startedAt, 0, []),
        (error) =>
          finish(message, startedAt, [], {
            offset: 0,
            error: serialize(error),
          }),
      );
    }
    return runItems(message, fn, startedAt, 0, []);
  }

  function runItems(
    message: RunMessage,
    fn: AnyFunction,
    startedAt: number,
    from: number,
    values: unknown[],
  ): Promise<void> | void {
    const { items, spread } = message;
    const timed = message.timed;
    if (!timed && from === 0) state[2] = now();
    for (let i = from; i < items.length; i++) {
      // The time first: the pool reads the offset, then the time.
      if (timed) state[2] = now();
      state[1] = i;
      let result: unknown;
      try {
        result = spread ? fn(...(items[i] as unknown[])) : fn(items[i]);
      } catch (error) {
        return finish(message, startedAt, values, {
          offset: i,
          error: serialize(error),
        });
      }
      if (isThenable(result)) {
        return Promise.resolve(result).then(
          (value) => {
            values.push(value);
            return runItems(message, fn, startedAt, i + 1, values);
          },
          (error) =>
            finish(message, startedAt, values, {
              offset: i,
              error: serialize(error),
            }),
        );
      }
      values.push(result);
    }
    finish(message, startedAt, values, undefined);
  }

  function finish(
    message: RunMessage,
    startedAt: number,
    values: unknown[],
    failure: ResultMessage["failure"],
  ): void {
    const reply: ResultWire = [
      message.id,
      values,
      startedAt,
      now() - startedAt,
    ];
    if (failure !== undefined) reply[4] = failure;
    try {
      post(
        reply,
        message.transfer
          ? [...collectTransferables(values, new Set())]
          : undefined,
      );
    } catch (error) {
      // A result that cannot be cloned fails its own item, not the worker.
      const bad = values.findIndex((value) => !cloneable(value));
      const offset = bad === -1 ? 0 : bad;
      reply[1] = values.slice(0, offset);
      reply[4] = {
        offset,
        error: serialize(
          new TypeError(
            `Cannot send the task's result back from the worker as it cannot be cloned (${
              error instanceof Error ? error.message : String(error)
            }): return plain data such as objects, arrays, strings, numbers, Maps or typed arrays, not functions, symbols or objects that hold them`,
          ),
        ),
      };
      post(reply);
    }
  }

  /**
   * Runs the pool's initializer before any chunk. If it fails, every chunk
   * this worker gets fails with that error: the worker is not restarted in a
   * loop, as Python's pool does.
   */
  function initialize(task: TaskRef, args: unknown[]): void {
    initializing = true;
    Promise.resolve()
      .then(() => resolveTask(task))
      .then((fn) => fn(...args))
      .catch((error) => {
        const failure = new Error(
          `Cannot run the task as the pool's initializer '${task.name}' failed in this worker: ${
            error instanceof Error ? error.message : String(error)
          }`,
          { cause: error },
        );
        failure.name = "InitializerError";
        initFailure = serialize(failure);
      })
      .finally(() => {
        initializing = false;
        pump();
      });
  }

  /**
   * Runs the chunks one at a time, in the order sent, even when tasks are
   * async; a synchronous chunk costs no promise at all.
   */
  function pump(): void {
    while (pending.length > 0 && !waiting && !initializing) {
      const message = pending.shift()!;
      let result: Promise<void> | void = undefined;
      try {
        result = run(message);
      } catch (error) {
        post({ type: "fatal", id: message.id, error: serialize(error) });
      }
      if (result !== undefined) {
        waiting = true;
        result.catch((error) => {
          post({ type: "fatal", id: message.id, error: serialize(error) });
        }).finally(() => {
          waiting = false;
          current = null;
          state[0] = 0;
          pump();
        });
        return;
      }
      current = null;
      state[0] = 0;
    }
  }

  scope.onmessage = (event) => {
    const data = event.data;
    if (!Array.isArray(data) && data.type === "drop") {
      // Only what has not started can be dropped; say which, so that the
      // pool waits for the results of the others.
      const asked = new Set(data.ids);
      const ids: number[] = [];
      for (let i = pending.length - 1; i >= 0; i--) {
        if (asked.has(pending[i]!.id)) ids.push(pending.splice(i, 1)[0]!.id);
      }
      post({ type: "dropped", ids });
      return;
    }
    if (!Array.isArray(data)) {
      moduleUrl = data.module;
      state = new Float64Array(data.state);
      // Held until the thread ends: never released by this code.
      const { locks } = navigator as unknown as {
        locks?: {
          request(name: string, callback: () => Promise<void>): Promise<void>;
        };
      };
      locks?.request(data.lock, () => new Promise<void>(() => {}))
        .catch(() => {});
      if (data.initializer !== null) {
        initialize(data.initializer, data.initArgs);
      }
      return;
    }
    const [id, task, flags, items, define] = data;
    const message: RunMessage = {
      type: "run",
      id,
      task,
      spread: (flags & 1) !== 0,
      transfer: (flags & 2) !== 0,
      timed: (flags & 4) !== 0,
      items,
    };
    if (define !== undefined) message.define = define;
    pending.push(message);
    pump();
  };
}
