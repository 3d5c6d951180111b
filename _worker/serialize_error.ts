// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Turns whatever a task threw into a {@linkcode SerializedError}, which
 * keeps what structured cloning would drop: the class name, own fields and
 * the cause chain (`_remote_error.ts` rebuilds it on the pool's side).
 *
 * @module
 */
import type { SerializedError } from "../_protocol.ts";

/**
 * The field that marks a chunk's failure as the task's, not an item's: the
 * task could not be resolved before any item ran, as its module did not
 * load (`"load"`; the error is what the import threw) or exports no such
 * function (`"lookup"`; the error says so, with the names it does export).
 * The pool reads it (`_remote_error.ts`) and rejects the call with the
 * error itself, not with a `TaskError` that blames an item.
 */
export const UNRESOLVED_FIELD = "@paralelo/pool unresolved";

/** How a task failed to resolve, as {@linkcode UNRESOLVED_FIELD} says. */
export type Unresolved = "load" | "lookup";

/** `error`, serialized and marked as a task that could not be resolved. */
export function serializeUnresolved(
  error: unknown,
  stage: Unresolved,
): SerializedError {
  const serialized = serializeError(error);
  serialized.fields = { ...serialized.fields, [UNRESOLVED_FIELD]: stage };
  return serialized;
}

/** Causes deeper than this are described, not serialized (a cycle ends here). */
const MAX_CAUSE_DEPTH = 8;

/** Whether `value` survives `postMessage`. */
export function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** A readable rendering of any value, for messages. */
export function describe(value: unknown): string {
  try {
    // Deno.inspect is Deno's; a browser worker has only String().
    const deno = (globalThis as {
      Deno?: { inspect?: (value: unknown, options: object) => string };
    }).Deno;
    if (typeof deno?.inspect === "function") {
      return deno.inspect(value, { depth: 4 });
    }
    return String(value);
  } catch {
    return String(value);
  }
}

/**
 * Serializes a thrown value. It never throws: an error that cannot be read
 * (a getter that throws, a Proxy) becomes an error that says so.
 */
export function serializeError(thrown: unknown, depth = 0): SerializedError {
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
    return {
      name: "Error",
      message: `Task threw a non-Error value: ${describe(thrown)}`,
      fields: cloneable(thrown) ? { value: thrown } : {},
      thrownNonError: true,
    };
  }
  let name = String(thrown.name);
  // A subclass that does not set `name` is still known by its class.
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
      error.cause = { error: serializeError(cause, depth + 1) };
    } else {
      error.cause = { value: cloneable(cause) ? cause : describe(cause) };
    }
  }
  return error;
}

/**
 * An error named `name`, with the message and cause given. The worker does
 * not import `errors.ts`: it sends the name, and the pool rebuilds the
 * class (`ModuleLoadError`, `InitializerError`) from it.
 */
export function namedError(
  name: string,
  message: string,
  cause: unknown,
): Error {
  const error = new Error(message, { cause });
  error.name = name;
  return error;
}

/**
 * The message of `error` if it is an `Error`, else the value as a string,
 * to quote a cause in another error's message. It never throws.
 */
export function messageOf(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "an error that could not be read";
  }
}
