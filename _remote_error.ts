// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Rebuilds an error that a worker serialized, so that the caller sees the
 * thrown error's class name, message, stack, own fields and cause chain,
 * which structured cloning would drop; and turns a worker's report that a
 * task could not be resolved (its module did not load, or has no such
 * function) into the error the call rejects with.
 *
 * @module
 */
import type { SerializedError } from "./_protocol.ts";
import type { ModuleOrigin } from "./_options.ts";
import {
  type Unresolved,
  UNRESOLVED_FIELD,
} from "./_worker/serialize_error.ts";
import {
  InitializerError,
  ModuleLoadError,
  type ModuleLoadErrorKind,
} from "./errors.ts";

/**
 * The classes rebuilt by name: the built-in ones, and the pool's own errors
 * that the worker side raises (it sends their names, not their classes), or
 * that a task may rethrow from a pool of its own. Each is made by the
 * built-in `Error` constructor with the class's prototype, so that one whose
 * constructor takes details (`ModuleLoadError`) is rebuilt as well: its
 * fields come back with the serialized error's own fields.
 */
const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
  ModuleLoadError: ModuleLoadError as unknown as new (message: string) => Error,
  InitializerError,
};

/** Turns a {@linkcode SerializedError} back into an `Error`. */
export function deserializeError(serialized: SerializedError): Error {
  const Ctor = KNOWN_ERRORS[serialized.name] ?? Error;
  const error = Ctor === ModuleLoadError as unknown
    ? Reflect.construct(Error, [serialized.message], Ctor) as Error
    : new Ctor(serialized.message);
  // Own fields first, so that a field named like a built-in one cannot hide it.
  Object.assign(error, serialized.fields);
  if (error.name !== serialized.name) {
    Object.defineProperty(error, "name", {
      value: serialized.name,
      configurable: true,
      writable: true,
    });
  }
  if (serialized.stack !== undefined) {
    Object.defineProperty(error, "stack", {
      value: serialized.stack,
      configurable: true,
      writable: true,
    });
  }
  if (serialized.cause !== undefined) {
    const cause = "error" in serialized.cause
      ? deserializeError(serialized.cause.error)
      : serialized.cause.value;
    Object.defineProperty(error, "cause", {
      value: cause,
      configurable: true,
      writable: true,
    });
  }
  return error;
}

/** A chunk's failure as the pool reads it: whose it is, and the error. */
export interface RemoteFailure {
  /**
   * Set when the task could not be resolved, before any item ran: the call
   * fails with `error` itself, as no item is to blame.
   */
  unresolved?: Unresolved;
  error: Error;
}

/**
 * Rebuilds a chunk's failure. A task that could not be resolved comes back
 * as the error the call rejects with: for a module that did not load, a
 * {@linkcode ModuleLoadError} that names `module` as the caller gave it,
 * with what the import threw as its cause; for a name the module does not
 * export, the worker's `TypeError`, which lists those it does.
 */
export function deserializeFailure(
  serialized: SerializedError,
  module: ModuleOrigin | null,
): RemoteFailure {
  const stage = serialized.fields[UNRESOLVED_FIELD];
  if (stage !== "load" && stage !== "lookup") {
    return { error: deserializeError(serialized) };
  }
  if (stage === "lookup") {
    // Made here, as the message is all it has to say: the worker's stack
    // would point into the pool's own worker code.
    return { unresolved: stage, error: new TypeError(serialized.message) };
  }
  // What the import threw, with its stack (where a module's top-level code
  // threw) and its fields, less the mark.
  const fields = { ...serialized.fields };
  delete fields[UNRESOLVED_FIELD];
  const cause = deserializeError({ ...serialized, fields });
  return {
    unresolved: stage,
    error: module === null ? cause : moduleLoadError(module, cause),
  };
}

/** The {@linkcode ModuleLoadError} for `module`, whose import threw `cause`. */
export function moduleLoadError(
  module: ModuleOrigin,
  cause: unknown,
): ModuleLoadError {
  const { kind, detail } = classify(cause);
  return new ModuleLoadError({ ...module, kind, detail }, { cause });
}

/**
 * What an import's error means. Deno's loader reports a missing module, a
 * parse error and a missing permission alike as a `TypeError` with the code
 * `ERR_MODULE_NOT_FOUND`, told apart by its message (Deno 2.9); anything
 * else was thrown by the module's own top-level code.
 */
function classify(
  cause: unknown,
): { kind: ModuleLoadErrorKind; detail: string } {
  const error = cause instanceof Error ? cause : undefined;
  const message = error === undefined ? String(cause) : error.message;
  const name = error?.name ?? "";
  const code = (error as { code?: unknown } | undefined)?.code;
  const detail = summarize(message);
  if (
    name === "NotCapable" || name === "PermissionDenied" ||
    /^Requires \w+ access/.test(message)
  ) {
    return { kind: "permission-denied", detail };
  }
  // Browsers say only that the fetch failed (Chromium, Firefox), whatever
  // the HTTP status: most often a 404.
  if (
    /^(Failed to fetch|error loading) dynamically imported module\b/.test(
      message,
    )
  ) {
    return { kind: "not-found", detail };
  }
  if (code !== "ERR_MODULE_NOT_FOUND") {
    return {
      kind: "threw",
      detail: error === undefined ? detail : `${name}: ${detail}`,
    };
  }
  if (/^SyntaxError\b|could not be parsed/.test(message)) {
    return { kind: "syntax-error", detail };
  }
  if (/^(Module not found|Cannot find module)\b/.test(message)) {
    return { kind: "not-found", detail };
  }
  return { kind: "other", detail };
}

/**
 * A loader's message on one line: its first line, the innermost of the
 * numbered causes it lists ("3: Connection refused"), and where, if it says
 * (the code frame of a parse error is left to the `cause`).
 */
function summarize(message: string): string {
  const lines = message.split("\n");
  let summary = lines[0]!.trim();
  const innermost = lines.map((line) => /^\s*\d+: (.+)$/.exec(line)?.[1])
    .filter((cause) => cause !== undefined).at(-1);
  const at = lines.map((line) => /^\s*at (\S+:\d+:\d+)\s*$/.exec(line)?.[1])
    .filter((where) => where !== undefined).at(-1);
  if (innermost !== undefined) {
    summary = `${summary.replace(/\.$/, "")}: ${innermost.trim()}`;
  }
  if (at !== undefined) summary = `${summary.replace(/\.$/, "")} at ${at}`;
  return summary.replace(/\.$/, "");
}
