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
  RunMessage,
  SerializedError,
  TaskRef,
  ToWorker,
} from "./_protocol.ts";

/** Starts the worker side of the protocol: answers every message it is sent. */
export function workerMain(): void {
  type AnyFunction = (...args: unknown[]) => unknown;
  interface WorkerScope {
    postMessage(message: FromWorker): void;
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
  let queue: Promise<void> = Promise.resolve();
  /** The id of the run in progress, to tell whom an escaped error hit. */
  let current: number | null = null;

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

  function post(message: FromWorker): void {
    scope.postMessage(message);
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
    modulePromise ??= import(moduleUrl);
    return modulePromise;
  }

  async function resolveTask(task: TaskRef): Promise<AnyFunction> {
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
    const exports = await loadModule();
    const fn = exports[task.name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot run task '${task.name}' as the module '${moduleUrl}' has no exported function of that name: export it from the module, or check the spelling`,
      );
    }
    return fn as AnyFunction;
  }

  function isThenable(value: unknown): value is PromiseLike<unknown> {
    return (typeof value === "object" || typeof value === "function") &&
      value !== null &&
      typeof (value as { then?: unknown }).then === "function";
  }

  async function run(message: RunMessage): Promise<void> {
    current = message.id;
    const startedAt = performance.timeOrigin + performance.now();
    const values: unknown[] = [];
    let failure: ResultMessage["failure"];
    let fn: AnyFunction | undefined;
    try {
      fn = await resolveTask(message.task);
    } catch (error) {
      failure = { offset: 0, error: serialize(error) };
    }
    if (fn !== undefined) {
      const { items, spread } = message;
      for (let i = 0; i < items.length; i++) {
        try {
          const result = spread ? fn(...(items[i] as unknown[])) : fn(items[i]);
          values.push(isThenable(result) ? await result : result);
        } catch (error) {
          failure = { offset: i, error: serialize(error) };
          break;
        }
      }
    }
    const reply: ResultMessage = {
      type: "result",
      id: message.id,
      values,
      startedAt,
      duration: performance.timeOrigin + performance.now() - startedAt,
    };
    if (failure !== undefined) reply.failure = failure;
    try {
      post(reply);
    } catch (error) {
      // A result that cannot be cloned fails its own item, not the worker.
      const bad = values.findIndex((value) => !cloneable(value));
      const offset = bad === -1 ? 0 : bad;
      reply.values = values.slice(0, offset);
      reply.failure = {
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

  scope.onmessage = (event) => {
    const message = event.data;
    if (message.type === "init") {
      moduleUrl = message.module;
      return;
    }
    // One chunk at a time, in the order sent, even when tasks are async.
    queue = queue.then(() => run(message)).catch((error) => {
      post({ type: "fatal", id: message.id, error: serialize(error) });
    }).finally(() => {
      current = null;
    });
  };
}
