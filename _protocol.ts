// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The messages that travel between the pool and its workers. Every message
 * is matched by `id`; values travel inside an envelope, never bare (a bare
 * `undefined` posted by a worker arrives as `null`).
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
   * Shared with the pool, so that it can see what the worker runs without a
   * message: the run's id (0 when idle), the item's offset in its chunk, and
   * when that item (or, for untimed chunks, the chunk) started.
   */
  state: SharedArrayBuffer;
  /** Run once in the worker before any chunk, with `initArgs`. */
  initializer: TaskRef | null;
  /**
   * A Web Lock the worker holds for as long as its thread runs: after the
   * pool terminates it, the lock tells whether the thread really stopped.
   */
  lock: string;
  initArgs: unknown[];
}

/** Where each value sits in {@linkcode InitMessage.state}'s Float64Array. */
export const STATE_ID = 0;
/** The offset in its chunk of the item running now. */
export const STATE_OFFSET = 1;
/** When it started (`performance.timeOrigin + performance.now()`). */
export const STATE_STARTED = 2;
/** The bytes of the state buffer. */
export const STATE_BYTES = 3 * Float64Array.BYTES_PER_ELEMENT;

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

/** A task called `self.close()` or `Deno.exit()`: the worker is about to stop. */
export interface ExitMessage {
  type: "exit";
  reason: string;
  code: number | null;
}

/** An error escaped every task (a timer, an unhandled rejection): the worker is unsafe to reuse. */
export interface FatalMessage {
  type: "fatal";
  /** The run in progress when it happened, or null if the worker was idle. */
  id: number | null;
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
  | ExitMessage
  | FatalMessage
  | DroppedMessage;

/** Packs a run message for posting. */
export function encodeRun(message: RunMessage): RunWire {
  const flags = (message.spread ? 1 : 0) | (message.transfer ? 2 : 0) |
    (message.timed ? 4 : 0);
  return message.define === undefined
    ? [message.id, message.task, flags, message.items]
    : [message.id, message.task, flags, message.items, message.define];
}

/** Unpacks a posted result. */
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
