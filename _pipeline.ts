// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * When a call may pipeline: a worker may hold several chunks of a call at
 * once, which hides the message round trip, but a chunk that waits behind a
 * slow one on a busy worker while another worker is free is worse than the
 * round trip. So a call pipelines only once its chunks are known to be quick.
 *
 * @module
 */

/** How many chunks in a row must run in under `FAST_CHUNK_MS` before pipelining. */
export const FAST_CHUNKS_BEFORE_PIPELINING = 8;
/** A chunk that runs in less than this many ms counts as quick. */
export const FAST_CHUNK_MS = 1;
/** The most chunks of one call a worker may hold at once. */
export const MAX_PIPELINE_DEPTH = 256;

/**
 * How many chunks of one call a worker may hold at once, learnt from how long
 * its chunks ran: one until `FAST_CHUNKS_BEFORE_PIPELINING` quick chunks in a
 * row, then twice as many after each further quick chunk, up to
 * `MAX_PIPELINE_DEPTH`; a slow chunk sets it back to one.
 */
export class PipelinePolicy {
  #fastChunks = 0;
  #depth = 1;

  /** How many chunks of the call a worker may hold at once now. */
  get depth(): number {
    return this.#depth;
  }

  /** Learns how long a chunk ran, in ms. */
  observe(durationMs: number): void {
    if (durationMs >= FAST_CHUNK_MS) {
      // A long task must never wait behind another on a busy worker.
      this.#fastChunks = 0;
      this.#depth = 1;
    } else if (++this.#fastChunks >= FAST_CHUNKS_BEFORE_PIPELINING) {
      this.#depth = Math.min(this.#depth * 2, MAX_PIPELINE_DEPTH);
    }
  }
}
