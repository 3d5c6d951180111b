// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * One call on the pool (a `map`, an `imap`, an `apply`...): an `InputReader`
 * makes chunks of the caller's input on demand, the workers' results go into
 * a `ResultSink`, and the caller takes them as one array or as a stream. The
 * engine only asks the call for its next chunk and tells it how each chunk
 * ended; the call tells the engine, its `CallHost`, when it has work or has
 * stopped.
 *
 * @module
 */
import { findUncloneable } from "./_cloneable.ts";
import { type Chunk as InputChunk, InputReader } from "./_input.ts";
import { PipelinePolicy } from "./_pipeline.ts";
import type { TaskRef } from "./_protocol.ts";
import {
  ArraySink,
  type CallMode,
  OrderedSink,
  type ResultSink,
  UnorderedSink,
} from "./_sinks.ts";

export { autoChunkSize } from "./_input.ts";
export { MAX_PIPELINE_DEPTH } from "./_pipeline.ts";
export type { CallMode } from "./_sinks.ts";

/** A slice of a call's input, sent to one worker in one message. */
export type Chunk = InputChunk<Call>;

/**
 * What a call needs of the pool that runs it; the engine is one. The call
 * may call these from within the engine's own calls to it (`takeChunk()`,
 * `complete()`...): `wake()` only schedules work, and the engine defers a
 * dispatch asked for while one runs, so none of them runs the engine
 * inside itself.
 */
export interface CallHost {
  /** The call has chunks ready to send, or has just gone idle: send work. */
  wake(): void;
  /**
   * Room in the pool's queue for a map's items, known in full before any of
   * its work starts: an error (the queue is full) refuses them all.
   */
  admit(items: number): Error | undefined;
  /** Whether the pool's queue has room for `items` more: a stream waits until it has. */
  hasRoom(items: number): boolean;
  /** The call was aborted: stop the workers running its items now. */
  aborted(call: Call): void;
  /**
   * The call stopped (it failed, or its consumer left): ask the workers to
   * skip its chunks that wait behind others and that it no longer `wants()`.
   */
  dropUnwanted(call: Call): void;
}

/** Everything a call needs to know when it is made. */
export interface CallInit {
  /** The task to run on each item. */
  task: TaskRef;
  /** Spread each item, an argument list, into the task's arguments. */
  spread: boolean;
  /** How the results are handed back. */
  mode: CallMode;
  /** Move the ArrayBuffers of items and results instead of copying them. */
  transfer: boolean;
  /** The caller's items: an array, a typed array, any iterable or async iterable. */
  input: Iterable<unknown> | AsyncIterable<unknown>;
  /** Items per chunk, or undefined to choose from the input's length. */
  chunkSize: number | undefined;
  /**
   * How many chunks the pool runs at once (its workers × their
   * concurrency), for the automatic chunk size and a stream's read-ahead.
   */
  poolSize: number;
  /** The most a task may run, in ms, from when it starts; none if undefined. */
  timeout: number | undefined;
  /** Aborts the call: it rejects with the signal's reason. */
  signal: AbortSignal | undefined;
  /** Told the items done, and the total if known, as results come in. */
  onProgress: ((done: number, total: number | undefined) => void) | undefined;
  /** The pool that runs the call. */
  host: CallHost;
}

/**
 * What each mode of call is made of: a map reads its input whole and fills
 * one array; a stream reads as it goes and yields chunk by chunk.
 */
const MODES: Record<CallMode, { whole: boolean; sink: () => ResultSink }> = {
  collect: { whole: true, sink: () => new ArraySink() },
  ordered: { whole: false, sink: () => new OrderedSink() },
  unordered: { whole: false, sink: () => new UnorderedSink() },
};

/**
 * The life of a call, its one piece of state:
 *
 * - `running`: it reads its input, its chunks run, their results collect.
 * - `failing`: a stream failed at chunk `seq` (a task error, a crash, an
 *   item that could not be sent, or its input threw). It reads no more and
 *   runs nothing from chunk `seq` on; it still runs the chunks before, and
 *   yields their results, then throws `error`.
 * - `failed`: it failed at once (an abort, a terminated pool, and any
 *   failure of a map): a map rejects, a stream throws at its next step.
 * - `done`: the caller has had every result (a map's promise resolved, a
 *   stream ended), or a stream's consumer left, or a failing stream threw.
 *
 * Transitions: running → failing, at a stream's first failure; failing →
 * failing, when a chunk before the one that failed fails too; running or
 * failing → failed, by `fail()`; running or failing → done, when the
 * consumer of the results ends or leaves. `failed` and `done` are final, and
 * entering either lets go of everything the call holds but its error.
 */
type CallState =
  | { readonly name: "running" }
  | { readonly name: "failing"; readonly seq: number; readonly error: unknown }
  | { readonly name: "failed"; readonly error: unknown }
  | { readonly name: "done" };

const RUNNING: CallState = { name: "running" };
const DONE: CallState = { name: "done" };

let nextCallId = 1;

/** The cloning error for a map's first item that cannot reach a worker. */
function uncloneable(items: ArrayLike<unknown>): TypeError | undefined {
  for (let i = 0; i < items.length; i++) {
    const bad = findUncloneable(items[i], `item ${i}`);
    if (bad !== undefined) {
      return new TypeError(
        `Cannot run the call as ${bad} cannot be cloned to be sent to a worker: pass plain data such as objects, arrays, strings, numbers, Maps or typed arrays, not functions, symbols or objects that hold them`,
      );
    }
  }
  return undefined;
}

/** A stream's items, from its batches of results. */
async function* flatten(
  batches: AsyncIterable<unknown[]>,
): AsyncGenerator<unknown, void, undefined> {
  for await (const batch of batches) yield* batch;
}

/** The state of one call, from its input to its results. */
export class Call {
  /** A number for the call, unique in the process (trace spans name it). */
  readonly id: number = nextCallId++;
  /** The task to run on each item. */
  readonly task: TaskRef;
  /** Spread each item into the task's arguments. */
  readonly spread: boolean;
  /** How the results are handed back. */
  readonly mode: CallMode;
  /** Move the ArrayBuffers of items and results instead of copying them. */
  readonly transfer: boolean;
  /** The most a task may run, in ms, from when it starts; none if undefined. */
  readonly timeout: number | undefined;

  #state: CallState = RUNNING;
  #host: CallHost;
  #signal: AbortSignal | undefined;
  #onProgress: CallInit["onProgress"];
  #reader: InputReader<Call>;
  #sink: ResultSink;
  #pipeline = new PipelinePolicy();
  /** Chunks given back by a worker that stopped before running them. */
  #retry: Chunk[] = [];
  /** Chunks taken and not yet completed or given back. */
  #inFlight = 0;
  /** Items completed, for `onProgress`. */
  #completed = 0;
  /** The consumer of the results, waiting for news. */
  #waiter: (() => void) | null = null;
  /** The results, batch by batch, until `promise` or `stream()` claims them. */
  #batches: AsyncGenerator<unknown[], void, undefined> | null;

  /** Makes the call and opens its input; the engine runs it once submitted. */
  constructor(init: CallInit) {
    this.task = init.task;
    this.spread = init.spread;
    this.mode = init.mode;
    this.transfer = init.transfer;
    this.timeout = init.timeout;
    this.#host = init.host;
    this.#signal = init.signal;
    this.#onProgress = init.onProgress;
    const mode = MODES[init.mode];
    this.#sink = mode.sink();
    this.#batches = this.#deliver();
    this.#reader = new InputReader({
      owner: this,
      input: init.input,
      whole: mode.whole,
      chunkSize: init.chunkSize,
      poolSize: init.poolSize,
      host: {
        hasRoom: (items) => this.#host.hasRoom(items),
        known: (items) => this.#admit(items),
        readable: () => this.#host.wake(),
        ended: () => {
          // A consumer waiting for more may learn here that there is no
          // more, and a closing pool that this call is finished.
          this.#notify();
          this.#host.wake();
        },
        failed: (error, seq) => this.#failAt(seq, error),
      },
    });
    if (init.signal?.aborted) {
      this.fail(init.signal.reason);
      return;
    }
    init.signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.#reader.start();
  }

  /** True when the call needs nothing more from the pool. */
  get finished(): boolean {
    return this.#over || !this.#outstanding;
  }

  /** True if the call may still have chunks to send. */
  get hasWork(): boolean {
    return this.#retry.length > 0 || this.#reader.hasMore;
  }

  /** How many chunks of this call a worker may hold at once now. */
  get depth(): number {
    return this.#pipeline.depth;
  }

  /** Items read or known but not yet sent to a worker. */
  get queuedItems(): number {
    if (this.#over) return 0;
    let items = this.#reader.queuedItems;
    for (const chunk of this.#retry) items += chunk.items.length;
    return items;
  }

  /** Failed or done: nothing more is run or kept. */
  get #over(): boolean {
    return this.#state.name === "failed" || this.#state.name === "done";
  }

  /** Chunks are still to be read, sent, or answered by a worker. */
  get #outstanding(): boolean {
    return this.#inFlight > 0 || this.#retry.length > 0 ||
      this.#reader.hasMore;
  }

  /**
   * Settles with the call's results as one array (a map's, in input order).
   * Reading it claims the results: a call has one consumer, this or
   * `stream()`.
   */
  get promise(): Promise<unknown[]> {
    const promise = this.#collect(this.#claim());
    // As before: a map nobody awaits fails without an unhandled rejection.
    promise.catch(() => {});
    return promise;
  }

  /**
   * The results as they come, in the sink's order. Its `return()` (a
   * `break` out of `for await`) drops the work that is left, even before the
   * first result. It claims the results, like `promise`.
   */
  stream(): AsyncGenerator<unknown, void, undefined> {
    const generator = flatten(this.#claim());
    const return_ = generator.return.bind(generator);
    const throw_ = generator.throw.bind(generator);
    // Abandon first: a pending next() then ends, and return() need not wait
    // for a result that may be far off.
    generator.return = (value) => {
      this.abandon();
      return return_(value);
    };
    generator.throw = (error) => {
      this.abandon();
      return throw_(error);
    };
    return generator;
  }

  /** Learns how long a chunk ran, to decide whether to pipeline. */
  observe(durationMs: number): void {
    this.#pipeline.observe(durationMs);
  }

  /** Whether the chunk sent to a worker is still wanted at all. */
  wants(chunk: Chunk): boolean {
    const state = this.#state;
    return state.name === "running" ||
      (state.name === "failing" && chunk.seq < state.seq);
  }

  /** Takes the next chunk to send, reading the input if needed. */
  takeChunk(): Chunk | undefined {
    // A chunk given back runs first: the results after it may wait for it.
    const chunk = this.#retry.shift() ?? this.#reader.take();
    if (chunk !== undefined) this.#inFlight++;
    return chunk;
  }

  /** Takes back a chunk that was sent to a worker that stopped before it ran. */
  requeue(chunk: Chunk): void {
    this.#inFlight--;
    if (this.wants(chunk)) {
      this.#retry.push(chunk);
      this.#retry.sort((a, b) => a.seq - b.seq);
    } else {
      // A consumer may be waiting for every chunk to be back.
      this.#notify();
    }
    this.#host.wake();
  }

  /**
   * Records the results of a chunk, and the failure that cut it short if
   * any: a task error, a crash, or items that could not be sent.
   */
  complete(chunk: Chunk, values: unknown[], failure?: unknown): void {
    this.#inFlight--;
    if (this.#over) {
      // Nobody waits for these results. The engine may be waiting for this
      // call to go idle, though.
      this.#host.wake();
      return;
    }
    this.#completed += values.length;
    this.#sink.put(chunk, values);
    if (failure !== undefined) {
      this.#failAt(chunk.seq, failure);
      return;
    }
    if (values.length > 0 && this.#onProgress !== undefined) {
      try {
        this.#onProgress(this.#completed, this.#reader.total);
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    this.#notify();
  }

  /**
   * Fails the call now (an abort, a terminated pool): a map rejects, a
   * stream throws at its next step, whatever results it still holds.
   */
  fail(error: unknown): void {
    if (this.#over) return;
    this.#state = { name: "failed", error };
    this.#release();
  }

  /** Drops the work that is left: the consumer ended or broke out of its loop. */
  abandon(): void {
    if (this.#over) return;
    this.#state = DONE;
    this.#release();
  }

  /** Reads the rest of a stream's input without waiting for its consumer. */
  unbound(): void {
    this.#reader.unbound();
  }

  #onAbort = (): void => {
    // Reject first, so that the caller sees the abort, then stop the
    // workers running this call's items.
    this.fail(this.#signal?.reason);
    this.#host.aborted(this);
  };

  /**
   * A map knows all its items before it starts: check that there is room
   * for them and that they can all be sent, so that it fails before any of
   * its work runs rather than halfway.
   */
  #admit(items: ArrayLike<unknown>): boolean {
    const refused = this.#host.admit(items.length) ?? uncloneable(items);
    if (refused !== undefined) {
      this.fail(refused);
      return false;
    }
    this.#sink.expect(items.length);
    return true;
  }

  /**
   * Fails the call at chunk `seq`: a stream still yields every result
   * before that chunk, then throws; a map rejects at once.
   */
  #failAt(seq: number, error: unknown): void {
    if (!this.#sink.partial) {
      this.fail(error);
      return;
    }
    const state = this.#state;
    if (
      state.name === "running" || (state.name === "failing" && seq < state.seq)
    ) {
      this.#state = { name: "failing", seq, error };
      this.#reader.stopAt(seq);
      this.#retry = this.#retry.filter((chunk) => chunk.seq < seq);
      // Chunks from `seq` on that wait on workers behind others need not
      // run; and a closing pool may have been waiting for them alone.
      this.#host.dropUnwanted(this);
      this.#host.wake();
    }
    // A stream in any order may yield what came in with the failure.
    this.#notify();
  }

  /**
   * Lets go of everything: the input, the chunks not yet run, the results,
   * the caller's callbacks. Once failed or done, a call that the engine
   * still lists, or that a worker's chunk still names, holds nothing big.
   */
  #release(): void {
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#signal = undefined;
    this.#onProgress = undefined;
    this.#reader.close();
    this.#retry = [];
    this.#sink.clear();
    if (this.#inFlight > 0) this.#host.dropUnwanted(this);
    // A closing pool may have been waiting for this call alone.
    this.#host.wake();
    // A pending next() wakes up, sees the state, and ends or throws.
    this.#notify();
  }

  #notify(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }

  #claim(): AsyncGenerator<unknown[], void, undefined> {
    const batches = this.#batches;
    if (batches === null) {
      throw new Error(`Cannot read the results of call ${this.id} twice`);
    }
    this.#batches = null;
    return batches;
  }

  async #collect(batches: AsyncIterable<unknown[]>): Promise<unknown[]> {
    let all: unknown[] | undefined;
    for await (const batch of batches) {
      // A map's results come as one batch: that array is the result.
      if (all === undefined) all = batch;
      else for (const value of batch) all.push(value);
    }
    return all ?? [];
  }

  /**
   * The results, batch by batch, as the sink hands them over; then the end,
   * or the error. Ending, throwing or being left ends the call.
   */
  async *#deliver(): AsyncGenerator<unknown[], void, undefined> {
    try {
      while (true) {
        const state = this.#state;
        if (state.name === "failed") throw state.error;
        if (state.name === "done") return;
        if (
          state.name === "failing" &&
          this.#sink.failsAt(state.seq, this.#outstanding)
        ) {
          throw state.error;
        }
        const drained = state.name === "running" && !this.#outstanding;
        const values = this.#sink.take(drained);
        if (values !== undefined) {
          // One chunk fewer read ahead of the consumer: read on.
          this.#reader.consumed();
          this.#host.wake();
          yield values;
          continue;
        }
        if (drained) return;
        await new Promise<void>((resolve) => (this.#waiter = resolve));
      }
    } finally {
      this.abandon();
    }
  }
}
