// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The messages that travel between the pool and its workers, and the state
 * they share, in one module that both sides import (the worker's side
 * through the bundle in `_worker_source.ts`), so that the type checker sees
 * the two ends agree. Every message is matched by `id`; values travel inside
 * an envelope, never bare (a bare `undefined` posted by a worker arrives as
 * `null`).
 *
 * @module
 */

/** What a worker runs: an export of the pool's module, or a function's source. */
export type TaskRef =
  | { kind: "export"; name: string }
  | { kind: "source"; name: string; source: string };

/** An error as it crosses the worker boundary, with all that cloning drops. */
export interface SerializedError {
  /** The error's `name`, such as `"TypeError"` or a subclass's name. */
  name: string;
  message: string;
  stack?: string;
  /** The thrown value's own enumerable fields that could be cloned. */
  fields: Record<string, unknown>;
  /** The `cause`, serialized the same way when it is an error. */
  cause?: { error: SerializedError } | { value: unknown };
  /** True when the thrown value was not an `Error` at all (`throw 42`). */
  thrownNonError?: boolean;
}

/** The first message a worker gets: which module its export tasks come from. */
export interface InitMessage {
  type: "init";
  workerId: number;
  /** An absolute URL, or null for a pool that runs only inline functions. */
  module: string | null;
  /**
   * How the worker tells the pool what it runs. A `SharedArrayBuffer`:
   * memory shared with the pool, so that it can see what the worker runs
   * without a message, of a {@linkcode SharedState} of
   * {@linkcode SharedState.bytes}`(concurrency)` bytes. A number, where no
   * memory can be shared (a browser page that is not cross-origin
   * isolated): the slots, and the worker reports its state in
   * {@linkcode StateMessage}s ({@linkcode ReportingState}). Either way its
   * slots are how many chunks the worker runs at once.
   */
  state: SharedArrayBuffer | number;
  /** Run once in the worker before any chunk, with `initArgs`. */
  initializer: TaskRef | null;
  /**
   * A Web Lock the worker holds for as long as its thread runs: after the
   * pool terminates it, the lock tells whether the thread really stopped.
   */
  lock: string;
  initArgs: unknown[];
}

/** What one slot of a {@linkcode SharedState} says, as the pool reads it. */
export interface SlotReading {
  /** The id of the run in the slot, or 0 when the slot is idle. */
  runId: number;
  /** The offset in its chunk of the item running now. */
  offset: number;
  /**
   * When the item running now started, for a timed chunk, or the chunk's
   * first item for an untimed one (`performance.timeOrigin +
   * performance.now()`); `Infinity` while the task is being loaded, which no
   * timeout counts.
   */
  startedAt: number;
}

/** The float64 values of one slot: run id, offset, start time. */
const SLOT_VALUES = 3;

/**
 * What the pool reads of a worker's state: a {@linkcode SharedState}, or,
 * without shared memory, the {@linkcode ReportedState} that the worker's
 * messages keep.
 */
export interface StateReader {
  /** How many chunks the worker runs at once. */
  readonly slots: number;
  /** What slot `slot` says. */
  read(slot: number): SlotReading;
  /** Whether no slot holds a run. */
  readonly idle: boolean;
}

/**
 * What the worker writes of its state: a {@linkcode SharedState}, or,
 * without shared memory, a {@linkcode ReportingState} that posts it.
 */
export interface StateWriter {
  /** How many chunks the worker runs at once. */
  readonly slots: number;
  /** See {@linkcode SharedState.startRun}. */
  startRun(slot: number, id: number): void;
  /** See {@linkcode SharedState.startItem}. */
  startItem(slot: number, offset: number, at?: number): void;
  /** See {@linkcode SharedState.startClock}. */
  startClock(slot: number, at: number): void;
  /** See {@linkcode SharedState.endRun}. */
  endRun(slot: number): void;
  /**
   * Makes sure that the pool knows the state as it is now, before a
   * message that makes it read the state (the worker exits, or an error
   * escaped): nothing to do for shared memory.
   */
  flush(): void;
}

/**
 * What a worker runs now, in memory it shares with the pool
 * ({@linkcode InitMessage.state}), so that the pool can see it without a
 * message: to tell which items a lost worker was running, and, for the
 * watchdog, how long each has run.
 *
 * The memory holds one slot per chunk the worker may run at once (the
 * pool's `concurrency`, 1 by default): the worker puts each chunk it starts
 * in a free slot and frees the slot when it answers, so that a slot always
 * describes one chunk, whatever the others do. The pool sizes the buffer
 * ({@linkcode SharedState.bytes}); the worker runs as many chunks at once
 * as the buffer has slots.
 *
 * The worker writes, through `startRun`, `startItem`, `startClock` and
 * `endRun` only; the pool reads, through `read` (and `idle`) only. The
 * writes are plain stores (a Float64Array has no `Atomics`), made in an
 * order chosen so that a read in the order `read` uses never pairs a new
 * value with an older one that would blame the wrong item or make it look
 * older than it is:
 *
 * - a run writes its start time and offset before its id, so that the pool
 *   never sees the new id with the last run's offset or time;
 * - an item writes its start time before its offset, as the pool reads the
 *   offset, then the time.
 *
 * JavaScript gives no ordering guarantee for non-atomic accesses to shared
 * memory; the order is what the hardware keeps in practice. A read that saw
 * otherwise could at worst count an item's time from the previous item's
 * start.
 *
 * @typeParam B The buffer: a `SharedArrayBuffer` once the pool has sent
 * one, a plain `ArrayBuffer` in a worker that has not been sent one yet.
 */
export class SharedState<B extends ArrayBufferLike = SharedArrayBuffer>
  implements StateReader, StateWriter {
  /** The bytes of one slot: three float64 values. */
  static readonly BYTES: number = SLOT_VALUES * Float64Array.BYTES_PER_ELEMENT;

  /** The bytes a buffer needs for `slots` chunks at once. */
  static bytes(slots: number): number {
    return slots * SharedState.BYTES;
  }

  /** The memory, to post in the {@linkcode InitMessage}. */
  readonly buffer: B;
  /** How many chunks it describes at once: the buffer's whole slots. */
  readonly slots: number;
  readonly #view: Float64Array<B>;

  /**
   * A view over `buffer`, with as many slots as it holds whole.
   *
   * @throws {RangeError} If `buffer` holds fewer than
   * {@linkcode SharedState.BYTES} bytes, one slot.
   */
  constructor(buffer: B) {
    if (buffer.byteLength < SharedState.BYTES) {
      throw new RangeError(
        `Cannot use a buffer of ${buffer.byteLength} bytes as the worker's state: it needs ${SharedState.BYTES}`,
      );
    }
    this.buffer = buffer;
    this.slots = Math.floor(buffer.byteLength / SharedState.BYTES);
    this.#view = new Float64Array(buffer, 0, this.slots * SLOT_VALUES);
  }

  /**
   * What slot `slot` says, read in the order the writes are made for: the
   * id, then the offset, then the time. Read by the pool.
   */
  read(slot: number): SlotReading {
    const base = slot * SLOT_VALUES;
    const view = this.#view;
    const runId = view[base]!;
    const offset = view[base + 1]!;
    const startedAt = view[base + 2]!;
    return { runId, offset, startedAt };
  }

  /** Whether no slot holds a run: the worker runs nothing. Read by the pool. */
  get idle(): boolean {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.#view[slot * SLOT_VALUES] !== 0) return false;
    }
    return true;
  }

  /**
   * The worker starts run `id` in `slot`: its task is not ready yet, so no
   * time is counted until {@linkcode startItem} or {@linkcode startClock}.
   */
  startRun(slot: number, id: number): void {
    const base = slot * SLOT_VALUES;
    this.#view[base + 2] = Infinity;
    this.#view[base + 1] = 0;
    this.#view[base] = id;
  }

  /**
   * The run in `slot` starts the item at `offset`; `at` is when, for a timed
   * chunk (an untimed one leaves the time that {@linkcode startClock} wrote).
   */
  startItem(slot: number, offset: number, at?: number): void {
    const base = slot * SLOT_VALUES;
    // The time first: the pool reads the offset, then the time.
    if (at !== undefined) this.#view[base + 2] = at;
    this.#view[base + 1] = offset;
  }

  /** The run in `slot` starts an untimed chunk's items, at `at`. */
  startClock(slot: number, at: number): void {
    this.#view[slot * SLOT_VALUES + 2] = at;
  }

  /** The worker has answered the run in `slot`: the slot is free. */
  endRun(slot: number): void {
    this.#view[slot * SLOT_VALUES] = 0;
  }

  /** Nothing to do: the pool reads the memory itself. */
  flush(): void {}
}

/**
 * A worker's state where no memory can be shared (a browser page that is
 * not cross-origin isolated), kept on the worker's side: it posts what
 * the pool must know as {@linkcode StateMessage}s, which the pool's
 * {@linkcode ReportedState} applies.
 *
 * The pool reads the state at three moments, and each is served:
 *
 * - the watchdog, for the start of a timed item: a timed item is posted
 *   as it starts, before its task runs, so that a task that never yields
 *   is caught all the same (the one cost of this mode: a message per item
 *   of a call with a `timeout`);
 * - an abort, for which chunks have started: a chunk still running when
 *   the worker yields (an async task) is posted then, from a microtask; a
 *   synchronous chunk that ends before that costs nothing, and one that
 *   never yields is, for the pool, the oldest chunk the worker holds,
 *   which it is;
 * - a worker that exits or lets an error escape, for the exact item:
 *   {@linkcode flush} posts the state before the worker says so.
 *
 * What it cannot serve is a thread that dies without a word (killed by the
 * runtime): then the pool blames the oldest chunk it had sent the worker,
 * at the last item reported, or the chunk's first.
 */
export class ReportingState implements StateWriter {
  readonly slots: number;
  readonly #values: number[];
  readonly #dirty: boolean[];
  #flushScheduled = false;
  readonly #post: (message: StateMessage) => void;

  /** A state of `slots` slots, posted through `post`. */
  constructor(slots: number, post: (message: StateMessage) => void) {
    this.slots = Math.max(1, Math.floor(slots));
    this.#values = new Array<number>(this.slots * SLOT_VALUES).fill(0);
    this.#dirty = new Array<boolean>(this.slots).fill(false);
    this.#post = post;
  }

  startRun(slot: number, id: number): void {
    const base = slot * SLOT_VALUES;
    this.#values[base] = id;
    this.#values[base + 1] = 0;
    this.#values[base + 2] = Infinity;
    this.#later(slot);
  }

  startItem(slot: number, offset: number, at?: number): void {
    const base = slot * SLOT_VALUES;
    this.#values[base + 1] = offset;
    if (at === undefined) {
      this.#later(slot);
      return;
    }
    // Timed: the watchdog must know now, as the task may never yield.
    this.#values[base + 2] = at;
    this.#send(slot);
  }

  startClock(slot: number, at: number): void {
    this.#values[slot * SLOT_VALUES + 2] = at;
    this.#later(slot);
  }

  endRun(slot: number): void {
    // The result, posted just before, tells the pool the slot is free.
    this.#values[slot * SLOT_VALUES] = 0;
    this.#dirty[slot] = false;
  }

  flush(): void {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.#dirty[slot]) this.#send(slot);
    }
  }

  /** Posts the slot once the worker yields, if it still runs then. */
  #later(slot: number): void {
    this.#dirty[slot] = true;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.flush();
    });
  }

  #send(slot: number): void {
    this.#dirty[slot] = false;
    const base = slot * SLOT_VALUES;
    const runId = this.#values[base]!;
    if (runId === 0) return;
    this.#post({
      type: "state",
      slot,
      runId,
      offset: this.#values[base + 1]!,
      startedAt: this.#values[base + 2]!,
    });
  }
}

/**
 * The pool's copy of a worker's state where no memory can be shared, kept
 * from the worker's {@linkcode StateMessage}s (see
 * {@linkcode ReportingState}) and cleared as runs are answered.
 */
export class ReportedState implements StateReader {
  readonly slots: number;
  readonly #values: number[];

  /** A state of `slots` slots, all idle. */
  constructor(slots: number) {
    this.slots = Math.max(1, Math.floor(slots));
    this.#values = new Array<number>(this.slots * SLOT_VALUES).fill(0);
  }

  /** Applies what the worker reported. */
  report(message: StateMessage): void {
    const { slot } = message;
    if (!(slot >= 0 && slot < this.slots)) return;
    const base = slot * SLOT_VALUES;
    this.#values[base] = message.runId;
    this.#values[base + 1] = message.offset;
    this.#values[base + 2] = message.startedAt;
  }

  /** Run `runId` was answered: the slot that held it is free. */
  answered(runId: number): void {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.#values[slot * SLOT_VALUES] === runId) {
        this.#values[slot * SLOT_VALUES] = 0;
      }
    }
  }

  read(slot: number): SlotReading {
    const base = slot * SLOT_VALUES;
    return {
      runId: this.#values[base] ?? 0,
      offset: this.#values[base + 1] ?? 0,
      startedAt: this.#values[base + 2] ?? Infinity,
    };
  }

  get idle(): boolean {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.#values[slot * SLOT_VALUES] !== 0) return false;
    }
    return true;
  }
}

/** Run a chunk of items through one task, one after the other. */
export interface RunMessage {
  type: "run";
  id: number;
  /** The task's number: a worker is told what it is the first time only. */
  task: number;
  /** The task, sent with the first chunk of it that a worker gets. */
  define?: TaskRef;
  /** When true every item is an argument list to spread (starmap, apply). */
  spread: boolean;
  /** Move the results' ArrayBuffers back instead of copying them. */
  transfer: boolean;
  /** Record when each item starts (the call has a timeout). */
  timed: boolean;
  items: unknown[];
}

/**
 * A {@linkcode RunMessage} as it is posted: a tuple, because structured
 * cloning costs per property, and a chunk of one tiny item is all message.
 * `flags` holds `spread` (1), `transfer` (2) and `timed` (4).
 */
export type RunWire = [
  id: number,
  task: number,
  flags: number,
  items: unknown[],
  define?: TaskRef,
];

/** Everything the pool posts to a worker. */
export type ToWorker = InitMessage | DropMessage | RunWire;

/** Forget these runs if they have not started: their call has stopped. */
export interface DropMessage {
  type: "drop";
  ids: number[];
}

/** The answer to a {@linkcode RunMessage}, sent whatever happened. */
export interface ResultMessage {
  type: "result";
  id: number;
  /** The results of the items before the first failure (all of them if none failed). */
  values: unknown[];
  /** Set when an item failed: its offset in the chunk and the error. */
  failure?: { offset: number; error: SerializedError };
  /** When the chunk started and how long it ran, by the worker's clock (ms). */
  startedAt: number;
  duration: number;
}

/** A {@linkcode ResultMessage} as it is posted: a tuple, like {@linkcode RunWire}. */
export type ResultWire = [
  id: number,
  values: unknown[],
  startedAt: number,
  duration: number,
  failure?: { offset: number; error: SerializedError },
];

/**
 * What one slot of a worker's state says now, posted by a worker that
 * shares no memory with the pool ({@linkcode ReportingState}).
 */
export interface StateMessage extends SlotReading {
  type: "state";
  slot: number;
}

/** A task called `self.close()`, `Deno.exit()` or `process.exit()`: the worker is about to stop. */
export interface ExitMessage {
  type: "exit";
  reason: string;
  code: number | null;
}

/** An error escaped every task (a timer, an unhandled rejection): the worker is unsafe to reuse. */
export interface FatalMessage {
  type: "fatal";
  /**
   * The runs to blame: the one whose own handling failed, or, for an error
   * that escaped every task, every run in progress when it happened (with
   * several chunks at once, the worker cannot tell which of them left the
   * timer or the promise behind); empty if the worker was idle.
   */
  ids: number[];
  error: SerializedError;
}

/** The runs a worker dropped, unstarted, when the pool asked it to. */
export interface DroppedMessage {
  type: "dropped";
  ids: number[];
}

/** Everything a worker posts to the pool. */
export type FromWorker =
  | ResultWire
  | StateMessage
  | ExitMessage
  | FatalMessage
  | DroppedMessage;

const SPREAD = 1;
const TRANSFER = 2;
const TIMED = 4;

/** Packs a run message for posting (the pool's side). */
export function encodeRun(message: RunMessage): RunWire {
  const flags = (message.spread ? SPREAD : 0) |
    (message.transfer ? TRANSFER : 0) | (message.timed ? TIMED : 0);
  return message.define === undefined
    ? [message.id, message.task, flags, message.items]
    : [message.id, message.task, flags, message.items, message.define];
}

/** Unpacks a posted run message (the worker's side). */
export function decodeRun(wire: RunWire): RunMessage {
  const [id, task, flags, items, define] = wire;
  const message: RunMessage = {
    type: "run",
    id,
    task,
    spread: (flags & SPREAD) !== 0,
    transfer: (flags & TRANSFER) !== 0,
    timed: (flags & TIMED) !== 0,
    items,
  };
  if (define !== undefined) message.define = define;
  return message;
}

/** Packs a result for posting (the worker's side). */
export function encodeResult(message: ResultMessage): ResultWire {
  const { id, values, startedAt, duration, failure } = message;
  return failure === undefined
    ? [id, values, startedAt, duration]
    : [id, values, startedAt, duration, failure];
}

/** Unpacks a posted result (the pool's side). */
export function decodeResult(wire: ResultWire): ResultMessage {
  const [id, values, startedAt, duration, failure] = wire;
  const message: ResultMessage = {
    type: "result",
    id,
    values,
    startedAt,
    duration,
  };
  if (failure !== undefined) message.failure = failure;
  return message;
}
