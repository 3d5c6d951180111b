// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Checks what callers pass to `Pool` and its methods, and turns the pool's
 * options into what the engine needs. Every message follows one grammar:
 * "Cannot <action> as '<name>' must be <what>: received <value>".
 *
 * @module
 */
import type { Backend } from "./_backend.ts";
import { findUncloneable } from "./_cloneable.ts";
import type { EngineOptions } from "./_engine.ts";
import { formatValue, runtime } from "./_runtime.ts";
import { toTaskRef } from "./_task_ref.ts";
import { cpuCount } from "./cpu_count.ts";
import { type ModuleLoadDetails, ModuleLoadError } from "./errors.ts";
import type { CallOptions, PoolOptions } from "./pool.ts";

/**
 * The pool's module: what `new Pool()` was given, the URL the workers
 * import, and how the one became the other, for the errors that name them.
 */
export type ModuleOrigin = Pick<
  ModuleLoadDetails,
  "module" | "url" | "resolution"
>;

/**
 * Resolves the module given to `new Pool()`: a URL as it is, an absolute
 * path as a `file:` URL, and any other path against the working directory
 * (not against the caller's file, which the pool cannot know). In a
 * browser, which has no files or working directory, every path resolves
 * against the page's location, as a `<script src>` would.
 */
export function resolveModule(module: unknown): ModuleOrigin {
  if (module instanceof URL) {
    return {
      module: module.href,
      url: module.href,
      resolution: "as given, a URL",
    };
  }
  if (typeof module !== "string" || module === "") {
    throw new TypeError(
      `Cannot create pool as 'module' must be a URL or a path: received ${
        module === "" ? "an empty string" : typeof module
      }`,
    );
  }
  const here = runtime();
  // "C:\tasks.ts" parses as a URL with the scheme "c:", but is a path.
  const drive = here.filePaths && /^[a-zA-Z]:[\\/]/.test(module);
  if (URL.canParse(module) && !drive) {
    return { module, url: new URL(module).href, resolution: "as given, a URL" };
  }
  const path = module.replaceAll("\\", "/");
  if (here.filePaths && (drive || path.startsWith("/"))) {
    return {
      module,
      url: new URL(`file://${drive ? "/" : ""}${path}`).href,
      resolution: "as an absolute path",
    };
  }
  const base = here.moduleBase();
  if (base === undefined) {
    throw new TypeError(
      `Cannot create pool as the module path '${module}' is relative, and ${here.label} has no working directory or page location to resolve it against: pass a URL, such as new URL("./tasks.js", import.meta.url)`,
    );
  }
  return {
    module,
    url: new URL(here.filePaths ? path : module, base.url).href,
    resolution: base.resolution,
  };
}

/**
 * Throws the {@linkcode ModuleLoadError} that a worker would report later,
 * now, if the module is a `file:` URL where no file is. Only when the
 * program may read it: the check must never ask for a permission, and a
 * program that may not read it hears so from the workers. Anything else
 * (a remote module, a file that does not parse) is for the workers to find.
 */
export function checkModuleFile(origin: ModuleOrigin): void {
  if (!origin.url.startsWith("file:")) return;
  const file = runtime().statModule(new URL(origin.url));
  if (file?.kind === "missing") {
    throw new ModuleLoadError({
      ...origin,
      kind: "not-found",
      detail: file.error.message,
    }, { cause: file.error });
  }
  if (file?.kind === "directory") {
    throw new ModuleLoadError({
      ...origin,
      kind: "not-found",
      detail: "it is a directory, not a module",
    });
  }
}

/** A value as an error message shows it: `"1s" (a string)`. */
export function received(value: unknown): string {
  const shown = typeof value === "function"
    ? "a function"
    : formatValue(value, 1);
  return value === null || typeof value === "object" ||
      typeof value === "function"
    ? shown
    : `${shown} (${typeof value})`;
}

/**
 * Checks a duration in milliseconds, the one rule for every timeout: a
 * number, finite, and positive, or 0 or more where waiting 0 ms means "look
 * without waiting" (`AsyncResult.wait(0)`).
 */
export function checkMilliseconds(
  value: unknown,
  name: string,
  action: string,
  zero: "allowed" | "refused" = "refused",
): void {
  if (value === undefined) return;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${action} as '${name}' must be a number of milliseconds: received ${
        received(value)
      }`,
    );
  }
  if (zero === "allowed") {
    if (!(value >= 0) || value === Infinity) {
      throw new RangeError(
        `Cannot ${action} as '${name}' must be a finite number of milliseconds, 0 or more: received ${value}`,
      );
    }
  } else if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `Cannot ${action} as '${name}' must be a positive, finite number of milliseconds: received ${value}`,
    );
  }
}

/** Checks a `timeout` option, of a pool or of a call. */
export function checkTimeout(timeout: unknown, action: string): void {
  checkMilliseconds(timeout, "timeout", action);
}

export function checkPositiveInteger(value: unknown, name: string): void {
  if (value === undefined) return;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot create pool as '${name}' must be a positive integer: received ${
        received(value)
      }`,
    );
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot create pool as '${name}' must be a positive integer: received ${value}`,
    );
  }
}

/** Deno's own check comes too late: a bad value would kill each worker. */
export function checkPermissions(permissions: unknown): void {
  if (permissions === undefined) return;
  if (permissions === "none" || permissions === "inherit") return;
  const kinds = ["env", "ffi", "import", "net", "read", "run", "sys", "write"];
  const valid = typeof permissions === "object" && permissions !== null &&
    !Array.isArray(permissions) &&
    Object.entries(permissions).every(([kind, value]) =>
      kinds.includes(kind) &&
      (value === "inherit" || typeof value === "boolean" ||
        (Array.isArray(value) &&
          value.every((v) => typeof v === "string" || v instanceof URL)))
    );
  if (!valid) {
    throw new TypeError(
      `Cannot create pool as 'permissions' must be "none", "inherit", or an object of ${
        kinds.join(", ")
      } set to true, false, "inherit" or a list: received ${
        received(permissions)
      }`,
    );
  }
}

/**
 * Deno kills the whole process (exit code 70) when a Worker is given
 * permissions without `--unstable-worker-options`, and offers no way to ask
 * whether the flag is on: read it from the command line, which Deno lets a
 * program read only with `--allow-all`.
 */
export function checkWorkerOptionsFlag(): void {
  // Not Linux, or not --allow-all: the flag cannot be seen.
  const flags = runtime().denoFlags();
  if (flags === undefined) {
    throw new TypeError(
      "Cannot create pool with 'permissions' as the pool cannot confirm that Deno runs with --unstable-worker-options, without which Deno kills the whole process: run with --unstable-worker-options and pass { unstableWorkerOptions: true } (or run with --allow-all, so that the pool can see the flag), or leave 'permissions' out",
    );
  }
  if (!flags.includes("--unstable-worker-options")) {
    throw new TypeError(
      "Cannot create pool with 'permissions' as Deno allows narrower worker permissions only with --unstable-worker-options, and otherwise kills the whole process: run with deno run --unstable-worker-options, or leave 'permissions' out",
    );
  }
}

export function checkCallOptions(options: CallOptions | undefined): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot run the call as 'options' must be an object: received ${
        options === null ? "null" : typeof options
      }`,
    );
  }
  const { chunkSize, signal, onProgress, transfer, timeout } = options;
  checkTimeout(timeout, "run the call");
  if (transfer !== undefined && typeof transfer !== "boolean") {
    throw new TypeError(
      `Cannot run the call as 'transfer' must be a boolean: received ${typeof transfer}`,
    );
  }
  if (
    chunkSize !== undefined &&
    (typeof chunkSize !== "number" || !Number.isSafeInteger(chunkSize) ||
      chunkSize < 1)
  ) {
    throw new RangeError(
      `Cannot run the call as 'chunkSize' must be a positive integer: received ${
        String(chunkSize)
      }`,
    );
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(
      `Cannot run the call as 'signal' must be an AbortSignal: received ${typeof signal}`,
    );
  }
  if (onProgress !== undefined && typeof onProgress !== "function") {
    throw new TypeError(
      `Cannot run the call as 'onProgress' must be a function: received ${typeof onProgress}`,
    );
  }
}

const BACKENDS: readonly Backend[] = ["web", "node"];

/**
 * How long an idle Web Worker lives: a script that forgets `close()` exits
 * about a second after its last call, while calls a second apart or closer
 * (an `await` between two `map`s, a loop over batches) reuse their workers.
 * A new Web Worker costs 15-35 ms to start.
 */
export const DEFAULT_WEB_IDLE_TIMEOUT_MS = 1_000;

/** What `new Pool(...)` was given, checked and resolved. */
export interface PoolSettings {
  /** The module, resolved, or null for inline tasks only. */
  module: ModuleOrigin | null;
  size: number;
  /** The default timeout of every call. */
  timeout: number | undefined;
  engine: EngineOptions;
}

/**
 * Checks `new Pool(module?, options?)`'s arguments, and throws the error
 * that says what was wrong and what to do.
 */
export function poolSettings(
  moduleOrOptions: string | URL | PoolOptions | undefined,
  maybeOptions: PoolOptions | undefined,
): PoolSettings {
  let module: ModuleOrigin | null = null;
  let options = maybeOptions;
  if (typeof moduleOrOptions === "string" || moduleOrOptions instanceof URL) {
    module = resolveModule(moduleOrOptions);
  } else if (moduleOrOptions !== undefined) {
    if (maybeOptions !== undefined) module = resolveModule(moduleOrOptions);
    options = moduleOrOptions;
  }
  if (
    options !== undefined && (typeof options !== "object" || options === null)
  ) {
    throw new TypeError(
      `Cannot create pool as 'options' must be an object: received ${
        options === null ? "null" : typeof options
      }`,
    );
  }
  checkPositiveInteger(options?.size, "size");
  const size = options?.size ?? cpuCount();
  const onWarning = options?.onWarning ?? console.warn;
  if (typeof onWarning !== "function") {
    throw new TypeError(
      `Cannot create pool as 'onWarning' must be a function: received ${typeof onWarning}`,
    );
  }
  checkTimeout(options?.timeout, "create pool");
  const maxTasksPerWorker = options?.maxTasksPerWorker;
  checkPositiveInteger(maxTasksPerWorker, "maxTasksPerWorker");
  checkPositiveInteger(options?.concurrency, "concurrency");
  checkPositiveInteger(options?.maxQueue, "maxQueue");
  const initArgs = options?.initArgs ?? [];
  if (!Array.isArray(initArgs)) {
    throw new TypeError(
      `Cannot create pool as 'initArgs' must be an array: received ${
        received(initArgs)
      }`,
    );
  }
  const unclonable = findUncloneable(initArgs, "initArgs");
  if (unclonable !== undefined) {
    throw new TypeError(
      `Cannot create pool as ${unclonable} cannot be cloned to be sent to the workers: pass plain data`,
    );
  }
  for (const flag of ["trace", "unstableWorkerOptions"] as const) {
    const value = options?.[flag];
    if (value !== undefined && typeof value !== "boolean") {
      throw new TypeError(
        `Cannot create pool as '${flag}' must be a boolean: received ${
          received(value)
        }`,
      );
    }
  }
  const here = runtime();
  const backend = options?.backend ?? here.defaultBackend;
  if (!BACKENDS.includes(backend)) {
    throw new TypeError(
      `Cannot create pool as 'backend' must be "web" or "node": received ${
        received(backend)
      }`,
    );
  }
  const maxHeapMb = options?.maxHeapMb;
  checkPositiveInteger(maxHeapMb, "maxHeapMb");
  if (maxHeapMb !== undefined && backend !== "node") {
    throw new TypeError(
      "Cannot create pool with 'maxHeapMb' on backend 'web' as Web Workers have no heap limit, and one that runs out of memory ends the whole process: pass { backend: \"node\" } as well, or leave 'maxHeapMb' out",
    );
  }
  if (maxHeapMb !== undefined && !here.heapLimits) {
    throw new TypeError(
      `Cannot create pool with 'maxHeapMb' as ${here.label}'s node:worker_threads ignores resourceLimits, so no limit would hold: leave 'maxHeapMb' out`,
    );
  }
  const idleTimeout = options?.idleTimeout ??
    (backend === "web" ? DEFAULT_WEB_IDLE_TIMEOUT_MS : Infinity);
  if (idleTimeout !== Infinity) {
    checkMilliseconds(idleTimeout, "idleTimeout", "create pool");
  }
  checkPermissions(options?.permissions);
  if (here.name !== "deno") {
    for (const flag of ["permissions", "unstableWorkerOptions"] as const) {
      const value = options?.[flag];
      if (value === undefined || value === false) continue;
      throw new TypeError(
        `Cannot create pool with '${flag}' as ${
          flag === "permissions"
            ? "worker permissions are Deno's"
            : "it is a flag of Deno's"
        }, and this program runs on ${here.label}, whose workers run with all of the program's rights: leave '${flag}' out`,
      );
    }
  }
  if (options?.permissions !== undefined && backend === "node") {
    throw new TypeError(
      "Cannot create pool with 'permissions' on backend 'node' as Deno cannot narrow the permissions of a node:worker_threads worker, which would run with all of the program's: use backend 'web', or leave 'permissions' out",
    );
  }
  const initializer = options?.initializer === undefined
    ? null
    : toTaskRef(options.initializer, module !== null);
  if (
    options?.permissions !== undefined &&
    options.unstableWorkerOptions !== true
  ) {
    checkWorkerOptionsFlag();
  }
  if (module !== null) checkModuleFile(module);
  return {
    module,
    size,
    timeout: options?.timeout,
    engine: {
      backend,
      trace: options?.trace === true,
      warn: onWarning,
      maxTasksPerWorker,
      concurrency: options?.concurrency ?? 1,
      maxQueue: options?.maxQueue,
      initializer,
      initArgs,
      permissions: options?.permissions,
      maxHeapMb,
      idleTimeout,
      sharedMemory: here.sharedMemory,
    },
  };
}
