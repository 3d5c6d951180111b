// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * How many logical CPUs the machine has, Python's `cpu_count()`.
 *
 * @module
 */
import { runtime } from "./_runtime.ts";

/**
 * Returns the number of logical CPUs: the default size of a
 * {@linkcode Pool} and the most workers that CPU-bound tasks can keep busy
 * at once. It is `navigator.hardwareConcurrency` in Deno, Bun, browsers and
 * Node 21 and later, and `os.availableParallelism()` in Node 20, which has
 * no `navigator`.
 *
 * @returns The number of logical CPUs, at least 1.
 *
 * @example Usage
 * ```ts
 * import { cpuCount } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cpuCount(), navigator.hardwareConcurrency);
 * ```
 */
export function cpuCount(): number {
  return runtime().cpuCount();
}
