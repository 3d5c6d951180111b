// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * How many logical CPUs the machine has, Python's `cpu_count()`.
 *
 * @module
 */

/**
 * Returns the number of logical CPUs, `navigator.hardwareConcurrency`: the
 * default size of a {@linkcode Pool} and the most workers that CPU-bound
 * tasks can keep busy at once.
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
  return Math.max(1, navigator.hardwareConcurrency || 1);
}
