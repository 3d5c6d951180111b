// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The worker side in a `node:worker_threads` worker. Bundled by
 * `deno task build` into `NODE_WORKER_SOURCE` (`_worker_source.ts`), which
 * the pool starts from a `data:` URL (node's `Worker` refuses `blob:`);
 * never imported by the package itself. Its only import, kept out of the
 * bundle, is `node:worker_threads`.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import type { FromWorker, ToWorker } from "./_protocol.ts";
import { startWorker } from "./_worker/main.ts";

/** `setImmediate`, where the runtime has it (Deno and Node do). */
const setImmediateLike = (globalThis as {
  setImmediate?: (callback: () => void) => unknown;
}).setImmediate;

const port = parentPort;
if (port === null) {
  throw new Error(
    "The pool's node worker must run in a node:worker_threads Worker, not on the main thread",
  );
}

// Deno has `self` on its main thread and in Web Workers, and the pool lets
// inline tasks use it (`self.close()`); a node worker lacks it.
if (!("self" in globalThis)) {
  Object.defineProperty(globalThis, "self", {
    value: globalThis,
    writable: true,
    configurable: true,
  });
}

/**
 * The worker's own web-style channel, which in Deno carries the same
 * messages as `parentPort`. It is used instead in Deno because Deno's
 * `parentPort` reads a typed array element by element: a 2 MiB
 * `Uint8Array` took 790 ms to reach a task through it, and 16 ms this way
 * (measured on Deno 2.9.6). Elsewhere `parentPort` is the channel: Node's
 * worker has no other, and in Bun 1.4.5 a `node:worker_threads` worker has
 * a global `postMessage` but its global `onmessage` never hears the parent.
 */
interface WebChannel {
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const inDeno = typeof (globalThis as { Deno?: { version?: unknown } }).Deno
  ?.version === "object";
const web = inDeno &&
    typeof (globalThis as { postMessage?: unknown }).postMessage === "function"
  ? globalThis as unknown as WebChannel
  : null;

startWorker({
  post(message: FromWorker, transfer?: ArrayBuffer[]): void {
    if (web !== null) web.postMessage(message, transfer);
    else port.postMessage(message, transfer);
  },
  listen(handler: (message: ToWorker) => void): void {
    // Set before any await, so that no early message is lost.
    if (web !== null) web.onmessage = (event) => handler(event.data);
    else port.on("message", (message: ToWorker) => handler(message));
  },
  schedule(callback: () => void): void {
    // Never inside the message handler or a microtask: the worker's heap
    // limit (resourceLimits) stops a runaway task only in a macrotask; in
    // the handler an allocation loop thrashes without end.
    if (typeof setImmediateLike === "function") setImmediateLike(callback);
    else setTimeout(callback, 0);
  },
});
