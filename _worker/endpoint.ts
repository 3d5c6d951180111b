// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The worker's side of the channel to the pool, as the run loop sees it:
 * the one thing that differs between a Web Worker and a
 * `node:worker_threads` worker, so that each entry module is a few lines.
 *
 * @module
 */
import type { FromWorker, ToWorker } from "../_protocol.ts";

/** How the worker talks to the pool, and when it may run work. */
export interface WorkerEndpoint {
  /**
   * Posts `message` to the pool, moving the buffers in `transfer`.
   *
   * @throws {DOMException} A `DataCloneError`, sending nothing, if the
   * message cannot be cloned.
   */
  post(message: FromWorker, transfer?: ArrayBuffer[]): void;
  /** Calls `handler` with each message the pool posts, in order. */
  listen(handler: (message: ToWorker) => void): void;
  /**
   * Runs `callback`, which runs tasks, at the first moment this runtime
   * lets a task's own code be stopped: a Web Worker runs it at once; a
   * `node:worker_threads` worker from a macrotask (`setImmediate`), as its
   * heap limit does not stop code that runs inside the message handler or a
   * microtask (an allocation loop there thrashes without end).
   */
  schedule(callback: () => void): void;
}
