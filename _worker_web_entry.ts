// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The worker side in a Web Worker. Bundled by `deno task build` into
 * `WEB_WORKER_SOURCE` (`_worker_source.ts`), which the pool starts from a
 * `blob:` URL; never imported by the package itself.
 *
 * @module
 */
import type { FromWorker, ToWorker } from "./_protocol.ts";
import { startWorker } from "./_worker/main.ts";

/** The part of a dedicated worker's global scope used here. */
interface WebWorkerScope {
  postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}

const scope = globalThis as unknown as WebWorkerScope;

startWorker({
  post(message: FromWorker, transfer?: ArrayBuffer[]): void {
    scope.postMessage(message, transfer);
  },
  listen(handler: (message: ToWorker) => void): void {
    // Set before any await, so that no early message is lost.
    scope.onmessage = (event) => handler(event.data);
  },
  schedule(callback: () => void): void {
    // A Web Worker has no heap limit to honour: run at once, which costs
    // a synchronous chunk nothing.
    callback();
  },
});
