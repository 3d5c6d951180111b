// Copyright 2026 the @paralelo/pool authors. MIT license.
// Plain JavaScript that every runtime loads as it is: its types are in JSDoc.
// deno-lint-ignore-file explicit-module-boundary-types
/**
 * The task module of `scenario.mjs`: plain JavaScript, so that every runtime
 * loads it as it is (Deno and Bun from a `file:` URL, Node too, Chromium
 * from the test's server).
 *
 * @module
 */

/** `x * x`. */
export function square(x) {
  return x * x;
}

/** Resolves with `x` after `ms` milliseconds. */
export async function later(x, ms) {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return x;
}

/** Returns `x`, but throws a `RangeError` for 2. */
export function failOnTwo(x) {
  if (x === 2) throw new RangeError(`${x} is too big`);
  return x;
}
