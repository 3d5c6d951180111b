// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Reads a call's input into chunks: an array or typed array, a sync
 * iterable, or an async iterable. A map reads its input whole before its
 * first chunk, as Python's does, to know its length; a stream reads as its
 * chunks are taken, a bounded window ahead of its consumer, and only while
 * the pool's queue has room. Pure: it knows nothing of workers or engines,
 * only the small `InputHost` it reports to.
 *
 * @module
 */

/** A slice of a call's input, sent to one worker in one message. */
export interface Chunk<Owner = unknown> {
  /** The call the chunk belongs to. */
  call: Owner;
  /** The chunk's number within its call, counting from 0. */
  seq: number;
  /** The input position of the chunk's first item. */
  start: number;
  /** The chunk's items, a plain array. */
  items: unknown[];
  /** When the chunk was read from the input (`performance.now()`). */
  readAt: number;
  /** When it was last sent to a worker, or 0. */
  sentAt: number;
}

/** What an `InputReader` asks of, and tells, the call it reads for. */
export interface InputHost {
  /** Whether the pool's queue has room for `items` more: a stream waits for it. */
  hasRoom(items: number): boolean;
  /**
   * A whole input has been read: all its items, before any chunk is made of
   * them. Returns false to refuse them; the reader then reads nothing more.
   */
  known(items: ArrayLike<unknown>): boolean;
  /**
   * New chunks are ready after a read that had to wait (an async input).
   * Never called for a read that found nothing, so a host may read again
   * when it hears this without looping.
   */
  readable(): void;
  /** The input has no more items. */
  ended(): void;
  /**
   * The input threw, or is no input at all. `seq` is the number the next
   * chunk would have had: every chunk before it was read in full.
   */
  failed(error: unknown, seq: number): void;
}

/** Everything an `InputReader` needs to know when it is made. */
export interface InputReaderInit<Owner> {
  /** Put in every chunk's `call`. */
  owner: Owner;
  /** The caller's items; anything else fails the reader with a TypeError. */
  input: unknown;
  /**
   * Read the whole input and let the host check it before the first chunk
   * (a map), rather than as the chunks are taken (a stream).
   */
  whole: boolean;
  /**
   * Items per chunk, or undefined: Python's `autoChunkSize` for a whole
   * input, one item a chunk for a stream.
   */
  chunkSize: number | undefined;
  /**
   * How many chunks the pool runs at once (its workers × their
   * concurrency): the chunk size and read-ahead depend on it.
   */
  poolSize: number;
  /** What the reader asks and tells. */
  host: InputHost;
}

/** How many chunks a stream may have read ahead of its consumer, per worker. */
export const STREAM_WINDOW_PER_WORKER = 2;

/** Python's `chunksize` heuristic: about four chunks per worker. */
export function autoChunkSize(total: number, poolSize: number): number {
  return Math.max(1, Math.ceil(total / (poolSize * 4)));
}

/** Arrays and typed arrays (a `DataView` is neither: it is not iterable). */
function isArrayLike(input: unknown): input is ArrayLike<unknown> {
  return Array.isArray(input) ||
    (ArrayBuffer.isView(input) && !(input instanceof DataView));
}

function isIterable(input: unknown): input is Iterable<unknown> {
  return typeof (input as Iterable<unknown> | null)?.[Symbol.iterator] ===
    "function";
}

function isAsyncIterable(input: unknown): input is AsyncIterable<unknown> {
  return typeof (input as AsyncIterable<unknown> | null)?.[
    Symbol.asyncIterator
  ] === "function";
}

/** Where the items that are not read yet come from. */
type Source =
  | { kind: "array"; items: ArrayLike<unknown> }
  | { kind: "sync"; iterator: Iterator<unknown> }
  | { kind: "async"; iterator: AsyncIterator<unknown> };

/** Lets the caller's generator run its `finally` blocks. */
function abandon(source: Source): void {
  if (source.kind === "array") return;
  try {
    const closing = source.iterator.return?.();
    if (closing instanceof Promise) closing.catch(() => {});
  } catch {
    // The input is abandoned either way.
  }
}

/**
 * Reads one call's input into `Chunk`s, on demand. Once `stopAt()` or
 * `close()` is called it reads nothing more, and once the input is used up
 * or abandoned it holds no reference to it.
 */
export class InputReader<Owner> {
  #owner: Owner;
  #host: InputHost;
  #whole: boolean;
  #poolSize: number;
  /** The input until `start()` opens it. */
  #input: unknown;
  /** What is left to read; null once the input is used up or abandoned. */
  #source: Source | null = null;
  /** Unknown until a whole async input has been read. */
  #chunkSize: number | undefined;
  #total: number | undefined;
  /** Chunks read and not yet taken: a few at most, so a plain array. */
  #ready: Chunk<Owner>[] = [];
  #readyItems = 0;
  /** An async read is under way: there is one at a time. */
  #reading = false;
  #nextSeq = 0;
  #nextIndex = 0;
  /** How many chunks the consumer has taken the results of. */
  #retired = 0;
  /** How many chunks may be read ahead of the consumer. */
  #window: number;

  /** Makes a reader; it touches its input only from `start()` on. */
  constructor(init: InputReaderInit<Owner>) {
    this.#owner = init.owner;
    this.#host = init.host;
    this.#whole = init.whole;
    this.#poolSize = init.poolSize;
    this.#input = init.input;
    this.#chunkSize = init.chunkSize;
    // A map has been promised room for all its items; a stream has not.
    this.#window = init.whole
      ? Infinity
      : init.poolSize * STREAM_WINDOW_PER_WORKER;
  }

  /** How many items the input has, if that is known. */
  get total(): number | undefined {
    return this.#total;
  }

  /** Whether more chunks may come: some are ready, or the input is not used up. */
  get hasMore(): boolean {
    return this.#ready.length > 0 || this.#source !== null;
  }

  /** Items read, or known for a whole input, and not yet taken. */
  get queuedItems(): number {
    const source = this.#source;
    // A map counts all its items at once; a stream counts what it has read.
    return source?.kind === "array" && this.#whole
      ? this.#readyItems + source.items.length - this.#nextIndex
      : this.#readyItems;
  }

  /**
   * Opens the input: a whole sync input is read at once, an async one starts
   * reading. Separate from the constructor so that the host may hear from
   * the reader only once both exist.
   */
  start(): void {
    const input = this.#input;
    this.#input = undefined;
    if (isArrayLike(input)) {
      this.#total = input.length;
      if (!this.#whole) {
        this.#chunkSize ??= 1;
        this.#source = { kind: "array", items: input };
        if (input.length === 0) this.#exhaust();
        return;
      }
      this.#useWhole(input);
    } else if (isIterable(input)) {
      if (!this.#whole) {
        this.#chunkSize ??= 1;
        if (input instanceof Set || input instanceof Map) {
          this.#total = input.size;
        }
        this.#source = { kind: "sync", iterator: input[Symbol.iterator]() };
        return;
      }
      let items: unknown[];
      try {
        items = Array.from(input);
      } catch (error) {
        this.#host.failed(error, 0);
        return;
      }
      this.#useWhole(items);
    } else if (isAsyncIterable(input)) {
      if (!this.#whole) this.#chunkSize ??= 1;
      this.#source = {
        kind: "async",
        iterator: input[Symbol.asyncIterator](),
      };
      void this.#readAsync();
    } else {
      this.#host.failed(
        new TypeError(
          `Cannot run the call as its items must be an iterable or an async iterable: received ${
            input === null ? "null" : typeof input
          }`,
        ),
        0,
      );
    }
  }

  /** Takes the next chunk to send, reading the input if needed. */
  take(): Chunk<Owner> | undefined {
    if (this.#ready.length === 0) this.#readSync();
    const chunk = this.#ready.shift();
    if (chunk !== undefined) this.#readyItems -= chunk.items.length;
    // An async input reads ahead of what the workers take.
    void this.#readAsync();
    return chunk;
  }

  /** The consumer has taken the results of one more chunk: the window moves on. */
  consumed(): void {
    this.#retired++;
  }

  /** Reads the rest of a stream's input without waiting for its consumer. */
  unbound(): void {
    this.#window = Infinity;
  }

  /**
   * Reads nothing more, and drops the chunks from number `seq` on: a stream
   * that failed at chunk `seq` still runs those before it. Closes the
   * caller's iterator if it was not used up.
   */
  stopAt(seq: number): void {
    const source = this.#source;
    this.#source = null;
    this.#input = undefined;
    if (this.#ready.some((chunk) => chunk.seq >= seq)) {
      this.#ready = this.#ready.filter((chunk) => chunk.seq < seq);
      this.#readyItems = 0;
      for (const chunk of this.#ready) this.#readyItems += chunk.items.length;
    }
    if (source !== null) abandon(source);
  }

  /** Reads nothing more and drops every chunk not yet taken. */
  close(): void {
    this.stopAt(0);
  }

  /**
   * A whole input, all its items read: the host checks them before they
   * count as queued, then they are chunked like an array.
   */
  #useWhole(items: ArrayLike<unknown>): void {
    this.#total = items.length;
    if (!this.#host.known(items)) {
      this.close();
      return;
    }
    this.#chunkSize ??= autoChunkSize(items.length, this.#poolSize);
    this.#source = { kind: "array", items };
    // An empty map is done before any worker is asked for anything.
    if (items.length === 0) this.#exhaust();
  }

  #mayRead(): boolean {
    return this.#source !== null &&
      this.#nextSeq - this.#retired < this.#window &&
      // A stream waits for room in the pool's queue, where a map is refused.
      (this.#whole || this.#host.hasRoom(this.#chunkSize ?? 1));
  }

  #push(items: unknown[]): void {
    this.#ready.push({
      call: this.#owner,
      seq: this.#nextSeq++,
      start: this.#nextIndex,
      items,
      readAt: performance.now(),
      sentAt: 0,
    });
    this.#readyItems += items.length;
    this.#nextIndex += items.length;
  }

  /** The input is used up: let go of it. */
  #exhaust(): void {
    this.#source = null;
    this.#host.ended();
  }

  /** The input threw: it is not read again, nor closed. */
  #broke(error: unknown): void {
    this.#source = null;
    this.#host.failed(error, this.#nextSeq);
  }

  /** Reads one chunk from an array or a sync iterator. */
  #readSync(): void {
    const source = this.#source;
    if (source === null || source.kind === "async" || !this.#mayRead()) return;
    const size = this.#chunkSize ?? 1;
    if (source.kind === "array") {
      const start = this.#nextIndex;
      const end = Math.min(start + size, source.items.length);
      if (start < end) {
        this.#push(Array.prototype.slice.call(source.items, start, end));
      }
      if (end >= source.items.length) this.#exhaust();
      return;
    }
    const items: unknown[] = [];
    let ended = false;
    try {
      while (items.length < size) {
        const step = source.iterator.next();
        if (step.done) {
          ended = true;
          break;
        }
        items.push(step.value);
      }
    } catch (error) {
      // What was read before the error still runs.
      if (items.length > 0) this.#push(items);
      this.#broke(error);
      return;
    }
    if (items.length > 0) this.#push(items);
    if (ended) this.#exhaust();
  }

  /**
   * Reads an async input: a whole one to its end, then chunks it like an
   * array; a stream's a chunk per worker ahead of what the workers take,
   * within its window.
   */
  async #readAsync(): Promise<void> {
    const source = this.#source;
    if (this.#reading || source?.kind !== "async") return;
    this.#reading = true;
    const before = this.#nextSeq;
    try {
      while (
        this.#source === source && this.#mayRead() &&
        (this.#whole || this.#ready.length < this.#poolSize)
      ) {
        const size = this.#whole ? Infinity : this.#chunkSize ?? 1;
        const items: unknown[] = [];
        let ended = false;
        while (items.length < size) {
          const step = await source.iterator.next();
          // Stopped while it waited: what it read is not wanted.
          if (this.#source !== source) return;
          if (step.done) {
            ended = true;
            break;
          }
          items.push(step.value);
        }
        if (this.#whole) {
          // Used up: not to be closed, nor counted as queued while checked.
          this.#source = null;
          this.#useWhole(items);
          this.#readSync();
          break;
        }
        if (items.length > 0) this.#push(items);
        if (ended) {
          this.#exhaust();
          break;
        }
      }
    } catch (error) {
      if (this.#source === source) this.#broke(error);
      return;
    } finally {
      this.#reading = false;
    }
    // Only news is worth a wake-up: a host that reads again as soon as it is
    // woken would otherwise spin while the window or the queue is full.
    if (this.#nextSeq !== before) this.#host.readable();
  }
}
