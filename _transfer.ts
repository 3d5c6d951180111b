// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Finds the buffers to move rather than copy when a call asks for
 * `transfer: true`. The worker shim runs it too (it is handed to the shim as
 * source), so it must stay self-contained.
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
