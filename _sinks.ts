// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Where a call's results wait for its caller. Chunks come back from the
 * workers in any order; a sink hands their results over in the order its
 * kind of call promises: a map's as one array in input order, an `imap`'s
 * chunk by chunk in input order, an `imapUnordered`'s as they come. The call
 * decides when; the sink only knows what is ready.
 *
 * @module
 */
import type { Chunk } from "./_input.ts";
import { Queue } from "./_queue.ts";

/** How a call hands its results back. */
export type CallMode = "collect" | "ordered" | "unordered";

/** The part of a chunk a sink needs: where its results go. */
export type ChunkPlace = Pick<Chunk, "seq" | "start">;

/** Holds a call's results until its caller takes them. */
export interface ResultSink {
  /**
   * Whether the caller still gets the results that came before a failure
   * (a stream), or none at all (a map, which rejects at once).
   */
  readonly partial: boolean;
  /** Learns how many items the call has, once it is known. */
  expect(total: number): void;
  /** Takes the results of one chunk: fewer than its items if it failed. */
  put(chunk: ChunkPlace, values: unknown[]): void;
  /**
   * The next results for the caller, which then belong to it, or undefined
   * if none are ready: a stream's next chunk in its order; a map's whole
   * array, once `drained` says that no more results will come.
   */
  take(drained: boolean): unknown[] | undefined;
  /**
   * Whether a failure at chunk `seq` is the caller's next step: every
   * result it is to get before that failure has been taken. `outstanding`
   * says whether chunks of the call are still queued or on a worker.
   */
  failsAt(seq: number, outstanding: boolean): boolean;
  /** Drops every result it holds: nobody will take them. */
  clear(): void;
}

/** A map's results: one array, filled by input position. */
export class ArraySink implements ResultSink {
  readonly partial = false;
  #results: unknown[] | null = null;

  expect(total: number): void {
    // Filled out of order: allocated whole, it stays a fast array.
    this.#results = new Array(total);
  }

  put(chunk: ChunkPlace, values: unknown[]): void {
    const results = this.#results;
    if (results === null) return;
    for (let i = 0; i < values.length; i++) {
      results[chunk.start + i] = values[i];
    }
  }

  take(drained: boolean): unknown[] | undefined {
    if (!drained) return undefined;
    const results = this.#results ?? undefined;
    this.#results = null;
    return results;
  }

  /** A map has nothing to give before a failure: it fails at once. */
  failsAt(): boolean {
    return true;
  }

  clear(): void {
    this.#results = null;
  }
}

/** An `imap`'s results: chunk by chunk, in input order. */
export class OrderedSink implements ResultSink {
  readonly partial = true;
  /** Results by chunk number, for the chunks that came back early. */
  #bySeq = new Map<number, unknown[]>();
  /** The number of the next chunk to hand over. */
  #next = 0;

  expect(): void {}

  put(chunk: ChunkPlace, values: unknown[]): void {
    this.#bySeq.set(chunk.seq, values);
  }

  take(): unknown[] | undefined {
    const values = this.#bySeq.get(this.#next);
    if (values === undefined) return undefined;
    this.#bySeq.delete(this.#next++);
    return values;
  }

  /**
   * Every chunk before `seq` has been handed over, and so has chunk `seq`
   * itself if it ran: the results of its items before the one that failed.
   */
  failsAt(seq: number): boolean {
    return this.#next > seq ||
      (this.#next === seq && !this.#bySeq.has(seq));
  }

  clear(): void {
    this.#bySeq.clear();
  }
}

/** An `imapUnordered`'s results: chunk by chunk, as they come. */
export class UnorderedSink implements ResultSink {
  readonly partial = true;
  #batches = new Queue<unknown[]>();

  expect(): void {}

  put(_chunk: ChunkPlace, values: unknown[]): void {
    if (values.length > 0) this.#batches.push(values);
  }

  take(): unknown[] | undefined {
    return this.#batches.shift();
  }

  /** In no order, the results before a failure are all that came back. */
  failsAt(_seq: number, outstanding: boolean): boolean {
    return this.#batches.length === 0 && !outstanding;
  }

  clear(): void {
    this.#batches.clear();
  }
}
