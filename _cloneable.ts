// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Finds what structured cloning would refuse, before anything is sent: a
 * call whose arguments cannot reach a worker is rejected before any of its
 * work starts, and the error says where the bad value is.
 *
 * @module
 */

const MAX_DEPTH = 16;

function kind(value: unknown): string | undefined {
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (value instanceof WeakMap) return "a WeakMap";
  if (value instanceof WeakSet) return "a WeakSet";
  if (value instanceof WeakRef) return "a WeakRef";
  if (value instanceof Promise) return "a Promise";
  return undefined;
}

/**
 * The path and kind of the first value in `value` that cannot be cloned
 * (`"item 3.callback (a function)"`), or undefined if there is none. It walks
 * arrays, plain objects, Maps and Sets; other objects (dates, typed arrays,
 * class instances) clone, losing only their prototype.
 */
export function findUncloneable(
  value: unknown,
  path = "",
  seen: Set<object> = new Set(),
  depth = 0,
): string | undefined {
  const bad = kind(value);
  if (bad !== undefined) return `${path || "the value"} (${bad})`;
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) {
    return undefined;
  }
  if (seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUncloneable(value[i], `${path}[${i}]`, seen, depth + 1);
      if (found !== undefined) return found;
    }
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      const found = findUncloneable(key, `${path}<key>`, seen, depth + 1) ??
        findUncloneable(item, `${path}.get(${String(key)})`, seen, depth + 1);
      if (found !== undefined) return found;
    }
  } else if (value instanceof Set) {
    for (const item of value) {
      const found = findUncloneable(item, `${path}<item>`, seen, depth + 1);
      if (found !== undefined) return found;
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const found = findUncloneable(item, `${path}.${key}`, seen, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
