// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Rebuilds an error that a worker serialized, so that the caller sees the
 * thrown error's class name, message, stack, own fields and cause chain,
 * which structured cloning would drop.
 *
 * @module
 */
import type { SerializedError } from "./_protocol.ts";

const BUILT_IN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

/** Turns a {@linkcode SerializedError} back into an `Error`. */
export function deserializeError(serialized: SerializedError): Error {
  const Ctor = BUILT_IN_ERRORS[serialized.name] ?? Error;
  const error = new Ctor(serialized.message);
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
