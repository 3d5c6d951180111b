// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Rebuilds an error that a worker serialized, so that the caller sees the
 * thrown error's class name, message, stack, own fields and cause chain,
 * which structured cloning would drop.
 *
 * @module
 */
import type { SerializedError } from "./_protocol.ts";
import { InitializerError, ModuleLoadError } from "./errors.ts";

/**
 * The classes rebuilt by name: the built-in ones, and the pool's own errors
 * that the worker side raises (it sends their names, not their classes).
 */
const KNOWN_ERRORS: Record<string, new (message: string) => Error> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
  ModuleLoadError,
  InitializerError,
};

/** Turns a {@linkcode SerializedError} back into an `Error`. */
export function deserializeError(serialized: SerializedError): Error {
  const Ctor = KNOWN_ERRORS[serialized.name] ?? Error;
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
