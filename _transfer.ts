// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Finds the buffers to move rather than copy when a call asks for
 * `transfer: true`. The worker side imports it too (`_worker/runner.ts`,
 * bundled into `_worker_source.ts`), so that both ends find the same
 * buffers.
 *
 * @module
 */

/**
 * Adds to `into` every non-shared `ArrayBuffer` in `value`: the value itself,
 * the buffer under a typed array or `DataView`, and those inside arrays,
 * plain objects, `Map`s and `Set`s, down to `depth` levels.
 */
export function collectTransferables(
  value: unknown,
  into: Set<ArrayBuffer>,
  depth = 4,
): Set<ArrayBuffer> {
  if (value === null || typeof value !== "object" || depth < 0) return into;
  if (value instanceof ArrayBuffer) {
    into.add(value);
  } else if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) into.add(value.buffer);
  } else if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) collectTransferables(item, into, depth - 1);
  } else if (value instanceof Map) {
    for (const item of value.values()) {
      collectTransferables(item, into, depth - 1);
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) {
      collectTransferables(item, into, depth - 1);
    }
  }
  return into;
}
