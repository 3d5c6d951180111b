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
}

/** Run a chunk of items through one task, one after the other. */
export interface RunMessage {
  type: "run";
  id: number;
  task: TaskRef;
  /** When true every item is an argument list to spread (starmap, apply). */
  spread: boolean;
  items: unknown[];
}

/** Everything the pool sends to a worker. */
export type ToWorker = InitMessage | RunMessage;

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

/** Everything a worker sends to the pool. */
export type FromWorker = ResultMessage | ExitMessage | FatalMessage;
