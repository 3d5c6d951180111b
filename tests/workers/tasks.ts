// Copyright 2026 the @paralelo/pool authors. MIT license.
/** Small tasks for the tests. @module */

/** Doubles a number. */
export function double(x: number): number {
  return x * 2;
}

/** Adds two numbers. */
export function add(a: number, b: number): number {
  return a + b;
}

/** Resolves with `x` after `ms` milliseconds. */
export async function later(x: number, ms = 5): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return x;
}

/** An error class with fields of its own, as libraries throw. */
export class ValidationError extends Error {
  code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = "E_VALIDATION";
  }
}

/** Throws a `ValidationError` with a cause for `x === bad`. */
export function failOn(x: number, bad: number): number {
  if (x === bad) {
    throw new ValidationError(`${x} is not allowed`, {
      cause: new TypeError("the root cause"),
    });
  }
  return x;
}

/** Returns `undefined`, which must not arrive as `null`. */
export function nothing(): undefined {
  return undefined;
}

/** Not a function: naming it as a task must fail clearly. */
export const notATask = 42;
