// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * One call on the pool (a `map`, an `imap`, an `apply`...): it reads the
 * caller's input into chunks on demand, takes the results back in any order,
 * and hands them to the caller as one ordered array or as a stream. The
 * engine only asks it for the next chunk and tells it how each chunk ended.
 *
 * @module
 */
import { findUncloneable } from "./_cloneable.ts";
import { Queue } from "./_queue.ts";
import type { TaskRef } from "./_protocol.ts";

/** How a call hands its results back. */
export type CallMode = "collect" | "ordered" | "unordered";

/** A slice of a call's input, sent to one worker in one message. */
export interface Chunk {
  call: Call;
  /** The chunk's number within its call, counting from 0. */
  seq: number;
  /** The input position of the chunk's first item. */
  start: number;
  items: unknown[];
  /** When the chunk was read from the input (`performance.now()`). */
  readAt: number;
  /** When it was last sent to a worker, or 0. */
  sentAt: number;
}

/** Everything a call needs to know when it is made. */
export interface CallInit {
  task: TaskRef;
  spread: boolean;
  mode: CallMode;
  /** Move the ArrayBuffers of items and results instead of copying them. */
  transfer: boolean;
  input: Iterable<unknown> | AsyncIterable<unknown>;
  /** Items per chunk, or undefined to choose from the input's length. */
  chunkSize: number | undefined;
  /** How many workers the pool has, for the automatic chunk size. */
  poolSize: number;
  /** The most a task may run, in ms, from when it starts; none if undefined. */
  timeout: number | undefined;
  /**
   * Asks the pool for room for a map's items once their number is known:
   * an error (the queue is full) fails the call before any work starts.
   */
  admit: (items: number) => Error | undefined;
  /** Whether the pool's queue has room for `items` more (streams wait). */
  hasRoom: (items: number) => boolean;
  /** Tells the pool that the call was aborted, to stop its running items. */
  onAbort: (call: Call) => void;
  /** Tells the pool that the call stopped, to drop its chunks not yet run. */
  onStop: (call: Call) => void;
  signal: AbortSignal | undefined;
  onProgress: ((done: number, total: number | undefined) => void) | undefined;
  /** Called when the call has new chunks ready to send. */
  wake: () => void;
}

/** How many chunks a streaming call may have read ahead of its consumer, per worker. */
const STREAM_WINDOW_PER_WORKER = 2;

/**
 * Pipelining: a worker may hold several chunks of a call at once, which
 * hides the message round trip, only once this many chunks in a row ran in
 * under `FAST_CHUNK_MS`. A slow chunk sets it back to one chunk a worker, so
 * that a long task never waits behind another on a busy worker while
 * another worker is free.
 */
const FAST_CHUNKS_BEFORE_PIPELINING = 8;
const FAST_CHUNK_MS = 1;
/** The most chunks of one call a worker may hold at once. */
export const MAX_PIPELINE_DEPTH = 256;

let nextCallId = 1;

/** Arrays and typed arrays (a `DataView` is neither: it is not iterable). */
function isArrayLike(input: unknown): input is ArrayLike<unknown> {
  return Array.isArray(input) ||
    (ArrayBuffer.isView(input) && !(input instanceof DataView));
}

function knownLength(input: unknown): number | undefined {
  if (isArrayLike(input)) {
    return (input as ArrayLike<unknown>).length;
  }
  if (input instanceof Set || input instanceof Map) return input.size;
  return undefined;
}

/** Python's `chunksize` heuristic: about four chunks per worker. */
export function autoChunkSize(total: number, poolSize: number): number {
  return Math.max(1, Math.ceil(total / (poolSize * 4)));
}

/** The state of one call, from its input to its results. */
export class Call {
  readonly id: number = nextCallId++;
  readonly task: TaskRef;
  readonly transfer: boolean;
  readonly timeout: number | undefined;
  /** What the engine has learned of this call's messaging cost. */
  readonly overhead = { items: 0, workMs: 0, roundTripMs: Infinity, chunks: 0 };
  readonly spread: boolean;
  readonly mode: CallMode;
  /** Settles with the ordered results of a `collect` call. */
  readonly promise: Promise<unknown[]>;

  #resolve!: (values: unknown[]) => void;
  #reject!: (error: unknown) => void;
  #wake: () => void;
  #signal: AbortSignal | undefined;
  #onProgress: CallInit["onProgress"];
  #poolSize: number;
  #admit: CallInit["admit"];
  #hasRoom: CallInit["hasRoom"];
  #onAborted: CallInit["onAbort"];
  #onStopped: CallInit["onStop"];
  #cancelled = false;

  #array: ArrayLike<unknown> | null = null;
  #iterator: Iterator<unknown> | AsyncIterator<unknown> | null = null;
  #isAsync = false;
  #reading = false;
  #inputDone = false;
  #chunkSize: number | undefined;
  /** True while a map's async input is read in full before any chunking. */
  #readAll = false;
  #total: number | undefined;
  #window: number;

  #ready = new Queue<Chunk>();
  /** Chunks given back by a worker that stopped before running them. */
  #retry: Chunk[] = [];
  #fastChunks = 0;
  #depth = 1;
  #nextIndex = 0;
  #nextSeq = 0;
  #inFlight = 0;
  /** Chunks that no longer count against the read-ahead window. */
  #retired = 0;
  #done = 0;

  #results: unknown[] = [];
  #ordered = new Map<number, unknown[]>();
  #unordered = new Queue<unknown[]>();
  #waiter: (() => void) | null = null;
  /** The task failure with the lowest chunk number, for streams. */
  #failure: { seq: number; error: unknown } | null = null;
  /** Set once the call can take no more work: failed, aborted or cancelled. */
  #stopped = false;
  #error: { value: unknown } | null = null;
  #settled = false;

  constructor(init: CallInit) {
    this.task = init.task;
    this.spread = init.spread;
    this.mode = init.mode;
    this.transfer = init.transfer;
    this.#wake = init.wake;
    this.timeout = init.timeout;
    this.#admit = init.admit;
    this.#hasRoom = init.hasRoom;
    this.#onAborted = init.onAbort;
    this.#onStopped = init.onStop;
    this.#signal = init.signal;
    this.#onProgress = init.onProgress;
    this.#poolSize = init.poolSize;
    this.#chunkSize = init.chunkSize;
    this.#window = init.mode === "collect"
      ? Infinity
      : init.poolSize * STREAM_WINDOW_PER_WORKER;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Streams report failures through their iterator, never this promise.
    this.promise.catch(() => {});
    if (init.signal?.aborted) {
      this.fail(init.signal.reason);
      return;
    }
    init.signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#open(init.input);
  }

  /** Whether the call has failed or been cancelled. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** True when the call needs nothing more from the pool. */
  get finished(): boolean {
    return (this.#stopped && this.#retry.length === 0) || this.#drained;
  }

  /** All input read, and every chunk of it back from the workers. */
  get #drained(): boolean {
    return this.#inputDone && this.#ready.length === 0 &&
      this.#retry.length === 0 && this.#inFlight === 0;
  }

  /** True if the call may still have items to send. */
  get hasWork(): boolean {
    return this.#retry.length > 0 ||
      (!this.#stopped && (this.#ready.length > 0 || !this.#inputDone));
  }

  /** How many chunks of this call a worker may hold at once now. */
  get depth(): number {
    return this.#depth;
  }

  /** Items read or known but not yet sent to a worker. */
  get queuedItems(): number {
    if (this.#stopped) return 0;
    let items = 0;
    for (const chunk of this.#retry) items += chunk.items.length;
    // A map has taken all its items; a stream has taken what it has read.
    if (this.#array !== null && this.mode === "collect") {
      items += this.#array.length - this.#nextIndex;
    }
    // The ready queue holds whole chunks; count them by the chunk size.
    return items + this.#ready.length * (this.#chunkSize ?? 1);
  }

  /** Learns how long a chunk ran, to decide whether to pipeline. */
  observe(durationMs: number): void {
    if (durationMs >= FAST_CHUNK_MS) {
      this.#fastChunks = 0;
      this.#depth = 1;
    } else if (++this.#fastChunks >= FAST_CHUNKS_BEFORE_PIPELINING) {
      this.#depth = Math.min(this.#depth * 2, MAX_PIPELINE_DEPTH);
    }
  }

  /** Takes back a chunk that was sent to a worker that stopped before it ran. */
  requeue(chunk: Chunk): void {
    this.#inFlight--;
    if (this.#stopped && !this.#needs(chunk)) {
      this.#wake();
      this.#notify();
      return;
    }
    this.#retry.push(chunk);
    this.#retry.sort((a, b) => a.seq - b.seq);
    this.#wake();
  }

  /**
   * Whether a stopped call still needs this chunk's results: a stream that
   * failed at a later chunk yields every result before the failure.
   */
  #needs(chunk: Chunk): boolean {
    return this.#error === null && !this.#cancelled &&
      this.#failure !== null && chunk.seq < this.#failure.seq;
  }

  /** Whether the chunk sent to a worker is still wanted at all. */
  wants(chunk: Chunk): boolean {
    return !this.#stopped || this.#needs(chunk);
  }

  #onAbort = (): void => {
    // Reject first, so that the caller sees the abort, then stop the
    // workers running this call's items.
    this.fail(this.#signal?.reason);
    this.#onAborted(this);
  };

  /**
   * A map knows all its items before it starts: check that there is room
   * for them and that they can all be sent, so that it fails before any of
   * its work runs rather than halfway.
   */
  #checkBeforeStart(items: ArrayLike<unknown>): boolean {
    const refused = this.#admit(items.length);
    if (refused !== undefined) {
      this.fail(refused);
      return false;
    }
    for (let i = 0; i < items.length; i++) {
      const bad = findUncloneable(items[i], `item ${i}`);
      if (bad !== undefined) {
        this.fail(
          new TypeError(
            `Cannot run the call as ${bad} cannot be cloned to be sent to a worker: pass plain data such as objects, arrays, strings, numbers, Maps or typed arrays, not functions, symbols or objects that hold them`,
          ),
        );
        return false;
      }
    }
    return true;
  }

  #open(input: Iterable<unknown> | AsyncIterable<unknown>): void {
    this.#total = knownLength(input);
    if (isArrayLike(input)) {
      this.#array = input;
    } else if (
      typeof (input as Iterable<unknown>)?.[Symbol.iterator] === "function"
    ) {
      if (this.mode === "collect") {
        // A map reads its input in full first, as Python's does: it needs
        // the length to choose a chunk size and to report progress.
        try {
          this.#array = Array.from(input as Iterable<unknown>);
        } catch (error) {
          this.fail(error);
          return;
        }
        this.#total = this.#array.length;
      } else {
        this.#iterator = (input as Iterable<unknown>)[Symbol.iterator]();
      }
    } else if (
      typeof (input as AsyncIterable<unknown>)?.[Symbol.asyncIterator] ===
        "function"
    ) {
      this.#iterator = (input as AsyncIterable<unknown>)
        [Symbol.asyncIterator]();
      this.#isAsync = true;
    } else {
      this.fail(
        new TypeError(
          `Cannot run the call as its items must be an iterable or an async iterable: received ${
            input === null ? "null" : typeof input
          }`,
        ),
      );
      return;
    }
    if (this.#array !== null && this.mode === "collect") {
      this.#chunkSize ??= autoChunkSize(this.#array.length, this.#poolSize);
      this.#results = new Array(this.#array.length);
      if (!this.#checkBeforeStart(this.#array)) return;
    } else if (this.mode === "collect") {
      // An async input is read in full first, then chunked like an array.
      this.#readAll = true;
    } else {
      this.#chunkSize ??= 1;
    }
    this.#checkFinished();
    if (this.#isAsync) void this.#readAsync();
  }

  /** Takes the next chunk to send, reading the input if needed. */
  takeChunk(): Chunk | undefined {
    if (this.#stopped && this.#retry.length === 0) return undefined;
    if (this.#retry.length > 0) {
      this.#inFlight++;
      return this.#retry.shift();
    }
    if (this.#ready.length === 0 && !this.#isAsync) this.#readSync();
    const chunk = this.#ready.shift();
    if (chunk !== undefined) this.#inFlight++;
    if (this.#isAsync) void this.#readAsync();
    return chunk;
  }

  #mayRead(): boolean {
    return !this.#stopped && !this.#inputDone &&
      this.#nextSeq - this.#retired < this.#window &&
      // A stream waits for room in the pool's queue, where a map is refused.
      (this.mode === "collect" || this.#hasRoom(this.#chunkSize ?? 1));
  }

  #push(items: unknown[]): void {
    this.#ready.push({
      call: this,
      seq: this.#nextSeq++,
      start: this.#nextIndex,
      items,
      readAt: performance.now(),
      sentAt: 0,
    });
    this.#nextIndex += items.length;
  }

  #readSync(): void {
    if (!this.#mayRead()) return;
    const size = this.#chunkSize ?? 1;
    if (this.#array !== null) {
      const start = this.#nextIndex;
      const end = Math.min(start + size, this.#array.length);
      if (start < end) {
        this.#push(Array.prototype.slice.call(this.#array, start, end));
      }
      if (end >= this.#array.length) this.#endInput();
      return;
    }
    const iterator = this.#iterator as Iterator<unknown>;
    const items: unknown[] = [];
    let ended = false;
    try {
      while (items.length < size) {
        const step = iterator.next();
        if (step.done) {
          ended = true;
          break;
        }
        items.push(step.value);
      }
    } catch (error) {
      if (items.length > 0) this.#push(items);
      this.#inputFailed(error);
      return;
    }
    if (items.length > 0) this.#push(items);
    if (ended) this.#endInput();
  }

  async #readAsync(): Promise<void> {
    if (this.#reading) return;
    this.#reading = true;
    const iterator = this.#iterator as AsyncIterator<unknown>;
    try {
      // A map reads everything first; a stream reads a chunk per worker
      // ahead of what the workers take, within its window.
      while (
        this.#mayRead() &&
        (this.#readAll || this.#ready.length < this.#poolSize)
      ) {
        const size = this.#readAll ? Infinity : this.#chunkSize!;
        const items: unknown[] = [];
        let ended = false;
        while (items.length < size) {
          const step = await iterator.next();
          if (this.#stopped) return;
          if (step.done) {
            ended = true;
            break;
          }
          items.push(step.value);
        }
        if (this.#readAll) {
          // Checked before the items count as this call's queue.
          if (!this.#checkBeforeStart(items)) return;
          // From here on the call is a map over an array.
          this.#array = items;
          this.#total = items.length;
          this.#chunkSize ??= autoChunkSize(items.length, this.#poolSize);
          // Filled out of order: allocated whole, it stays a fast array.
          this.#results = new Array(items.length);
          this.#readAll = false;
          this.#isAsync = false;
          this.#iterator = null;
          this.#readSync();
          break;
        }
        if (items.length > 0) this.#push(items);
        if (ended) {
          this.#endInput();
          break;
        }
      }
    } catch (error) {
      this.#inputFailed(error);
      return;
    } finally {
      this.#reading = false;
    }
    this.#wake();
  }

  /**
   * The input threw. A map rejects with that error; a stream still runs and
   * yields what was read before it, then throws it.
   */
  #inputFailed(error: unknown): void {
    if (this.mode === "collect") {
      this.fail(error);
      return;
    }
    this.#inputDone = true;
    this.#iterator = null;
    if (this.#failure === null) this.#failure = { seq: this.#nextSeq, error };
    this.#notify();
    this.#wake();
  }

  #endInput(): void {
    this.#inputDone = true;
    this.#iterator = null;
    this.#checkFinished();
    // A stream waiting for more may learn here that there is no more.
    this.#notify();
  }

  /**
   * Records the results of a chunk, and the failure that cut it short if
   * any: a task error, a crash, or items that could not be sent.
   */
  complete(chunk: Chunk, values: unknown[], failure?: unknown): void {
    this.#inFlight--;
    if (this.#error !== null || (this.#stopped && this.#failure === null)) {
      // Failed, aborted or abandoned: nobody waits for these results. The
      // engine may be waiting for this call to go idle, though.
      this.#wake();
      return;
    }
    this.#done += values.length;
    if (this.mode === "collect") {
      for (let i = 0; i < values.length; i++) {
        this.#results[chunk.start + i] = values[i];
      }
    } else if (this.mode === "ordered") {
      this.#ordered.set(chunk.seq, values);
    } else if (values.length > 0) {
      this.#unordered.push(values);
    }
    if (failure !== undefined) {
      this.#failAt(chunk.seq, failure);
      return;
    }
    if (values.length > 0 && this.#onProgress !== undefined) {
      try {
        this.#onProgress(this.#done, this.#total);
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    this.#checkFinished();
    this.#notify();
  }

  #checkFinished(): void {
    if (
      this.mode === "collect" && !this.#settled && this.#drained &&
      !this.#stopped
    ) {
      this.#settled = true;
      this.#cleanup();
      this.#resolve(this.#results);
    }
  }

  /**
   * Fails the call at chunk `seq` (a task error, a crash, input that could
   * not be read or sent): a stream still yields every result before that
   * chunk, then throws; a map rejects at once.
   */
  #failAt(seq: number, error: unknown): void {
    if (this.mode === "collect") {
      this.fail(error);
      return;
    }
    if (this.#failure === null || seq < this.#failure.seq) {
      this.#failure = { seq, error };
    }
    this.#stop();
    this.#notify();
  }

  /**
   * Fails the call now (an abort, a terminated pool): a stream throws at its
   * next step, whatever results it still holds.
   */
  fail(error: unknown): void {
    if (this.#settled) return;
    this.#error ??= { value: error };
    if (this.mode === "collect") {
      this.#settled = true;
      this.#reject(error);
    }
    this.#stop();
    this.#notify();
  }

  /** Drops the work that is left: the consumer broke out of its loop. */
  cancel(): void {
    this.#settled = true;
    this.#cancelled = true;
    this.#retry = [];
    this.#stop();
    // A pending next() wakes up, sees the cancellation and ends the stream.
    this.#notify();
  }

  /** Reads the rest of a stream's input without waiting for its consumer. */
  unbound(): void {
    this.#window = Infinity;
  }

  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#ready.clear();
    this.#retry = this.#retry.filter((chunk) => this.#needs(chunk));
    this.#cleanup();
    const iterator = this.#iterator;
    this.#iterator = null;
    if (iterator !== null && !this.#inputDone) {
      // Let the caller's generator run its `finally` blocks.
      try {
        const closing = iterator.return?.();
        if (closing instanceof Promise) closing.catch(() => {});
      } catch {
        // The input is abandoned either way.
      }
    }
    // Chunks of it waiting on workers behind others' need not run; and a
    // closing pool may have been waiting for this call alone.
    this.#onStopped(this);
    this.#wake();
  }

  #cleanup(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  #notify(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  /**
   * The results of an `ordered` or `unordered` call as they come. Its
   * `return()` (a `break` out of `for await`) drops the work that is left,
   * even before the first result.
   */
  stream(): AsyncGenerator<unknown, void, undefined> {
    const generator = this.#results_();
    const stopThen = <T>(step: () => T): T => {
      this.cancel();
      return step();
    };
    const return_ = generator.return.bind(generator);
    const throw_ = generator.throw.bind(generator);
    generator.return = (value) => stopThen(() => return_(value));
    generator.throw = (error) => stopThen(() => throw_(error));
    return generator;
  }

  async *#results_(): AsyncGenerator<unknown, void, undefined> {
    try {
      while (true) {
        if (this.#cancelled) return;
        if (this.#error !== null) throw this.#error.value;
        const seq = this.#retired;
        const failure = this.#failure;
        const values = this.mode === "ordered"
          ? this.#ordered.get(seq)
          : this.#unordered.shift();
        if (values !== undefined) {
          if (this.mode === "ordered") this.#ordered.delete(seq);
          this.#retired++;
          this.#wake();
          yield* values;
          if (this.mode === "ordered" && failure?.seq === seq) {
            throw failure.error;
          }
          continue;
        }
        if (failure !== null) {
          // Ordered: every chunk before the failure is in. Unordered: every
          // chunk that was running has come back.
          const allIn = this.#inFlight === 0 && this.#ready.length === 0 &&
            this.#retry.length === 0;
          if (this.mode === "ordered" ? failure.seq === seq : allIn) {
            throw failure.error;
          }
        } else if (
          this.#drained && !this.#stopped
        ) {
          this.#settled = true;
          return;
        }
        await new Promise<void>((resolve) => (this.#waiter = resolve));
      }
    } finally {
      // Breaking out of the loop, or an error, drops the work that is left.
      this.cancel();
    }
  }
}
