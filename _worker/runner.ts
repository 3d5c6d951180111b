// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The worker's run loop: it runs the chunks it is sent one at a time, in
 * the order sent, even when tasks are async, after the pool's initializer;
 * answers each with its results, or the first failure; and keeps the
 * {@linkcode SharedState} that the pool reads to see what it runs.
 *
 * A synchronous task runs without a single promise, so that a message costs
 * no more than it must; a promise appears only when there is something to
 * wait for (a module to load, an async task). Whenever the loop goes on
 * after a wait, it goes on from {@linkcode WorkerEndpoint.schedule}.
 *
 * @module
 */
import {
  encodeResult,
  type InitMessage,
  type ResultMessage,
  type RunMessage,
  type SerializedError,
  SharedState,
  type TaskRef,
} from "../_protocol.ts";
import { collectTransferables } from "../_transfer.ts";
import type { WorkerEndpoint } from "./endpoint.ts";
import {
  cloneable,
  messageOf,
  namedError,
  serializeError,
} from "./serialize_error.ts";
import { type TaskFunction, TaskTable } from "./tasks.ts";

type Failure = NonNullable<ResultMessage["failure"]>;

/** A chunk in progress. */
interface Run {
  message: RunMessage;
  /** When the chunk started, by this worker's clock. */
  startedAt: number;
  /** The results of its items so far. */
  values: unknown[];
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** Runs the chunks a worker is sent. */
export class Runner {
  readonly #endpoint: WorkerEndpoint;
  readonly #tasks: TaskTable;
  /** Chunks received and not started, in the order sent. */
  readonly #pending: RunMessage[] = [];
  /**
   * What this worker runs now, for the pool to read. A private buffer until
   * the init message brings the shared one: written, never read.
   */
  #state: SharedState<ArrayBufferLike> = new SharedState(
    new ArrayBuffer(SharedState.BYTES),
  );
  /** The id of the run in progress, to tell whom an escaped error hit. */
  #current: number | null = null;
  /** A chunk waits for a promise: the next must wait for it. */
  #waiting = false;
  /** The initializer has not finished: no chunk may start. */
  #initializing = false;
  /** The initializer failed: every chunk fails with this. */
  #initFailure: SerializedError | null = null;
  /** A pump is scheduled and has not run yet. */
  #pumpScheduled = false;

  /** A run loop that talks to the pool through `endpoint`. */
  constructor(endpoint: WorkerEndpoint, tasks: TaskTable = new TaskTable()) {
    this.#endpoint = endpoint;
    this.#tasks = tasks;
  }

  /** The id of the run in progress, or null when idle. */
  get current(): number | null {
    return this.#current;
  }

  /** Takes the init message: the module, the shared state, the initializer. */
  init(message: InitMessage): void {
    this.#tasks.setModule(message.module);
    this.#state = new SharedState(message.state);
    if (message.initializer !== null) {
      this.#initialize(message.initializer, message.initArgs);
    }
  }

  /** Queues a chunk; it runs once those before it have. */
  enqueue(message: RunMessage): void {
    this.#pending.push(message);
    this.#requestPump();
  }

  /**
   * Forgets the chunks of `ids` that have not started, and returns their
   * ids: only those can be dropped, and the pool waits for the others.
   */
  drop(ids: readonly number[]): number[] {
    const asked = new Set(ids);
    const dropped: number[] = [];
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      if (asked.has(this.#pending[i]!.id)) {
        dropped.push(this.#pending.splice(i, 1)[0]!.id);
      }
    }
    return dropped;
  }

  #requestPump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    this.#endpoint.schedule(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Runs the chunks in order, until there are none or one has to wait. */
  #pump(): void {
    while (this.#pending.length > 0 && !this.#waiting && !this.#initializing) {
      const message = this.#pending.shift()!;
      try {
        this.#start(message);
      } catch (error) {
        this.#fatal(message, error);
      }
    }
  }

  /** Something the run loop did not expect: the pool replaces the worker. */
  #fatal(message: RunMessage, error: unknown): void {
    this.#waiting = false;
    this.#endpoint.post({
      type: "fatal",
      id: message.id,
      error: serializeError(error),
    });
    this.#end();
  }

  #start(message: RunMessage): void {
    this.#current = message.id;
    const run: Run = { message, startedAt: now(), values: [] };
    // Not started until its task is ready: loading a module is not task
    // time, so no timeout counts it (the items set their own start).
    this.#state.startRun(message.id);
    if (this.#initFailure !== null) {
      this.#finish(run, { offset: 0, error: this.#initFailure });
      return;
    }
    let fn: TaskFunction | Promise<TaskFunction>;
    try {
      fn = this.#tasks.resolve(this.#tasks.get(message.task, message.define));
    } catch (error) {
      this.#finish(run, { offset: 0, error: serializeError(error) });
      return;
    }
    if (fn instanceof Promise) {
      this.#await(
        run,
        fn,
        (resolved) => this.#runItems(run, resolved, 0),
        (error) =>
          this.#finish(run, { offset: 0, error: serializeError(error) }),
      );
      return;
    }
    this.#runItems(run, fn, 0);
  }

  #runItems(run: Run, fn: TaskFunction, from: number): void {
    const { items, spread, timed } = run.message;
    const state = this.#state;
    if (!timed && from === 0) state.startClock(now());
    for (let i = from; i < items.length; i++) {
      state.startItem(i, timed ? now() : undefined);
      let result: unknown;
      try {
        result = spread ? fn(...(items[i] as unknown[])) : fn(items[i]);
      } catch (error) {
        this.#finish(run, { offset: i, error: serializeError(error) });
        return;
      }
      if (isThenable(result)) {
        this.#await(
          run,
          result,
          (value) => {
            run.values.push(value);
            this.#runItems(run, fn, i + 1);
          },
          (error) =>
            this.#finish(run, { offset: i, error: serializeError(error) }),
        );
        return;
      }
      run.values.push(result);
    }
    this.#finish(run);
  }

  /** Posts the chunk's answer, whatever happened, and goes idle. */
  #finish(run: Run, failure?: Failure): void {
    const { message, startedAt, values } = run;
    const reply: ResultMessage = {
      type: "result",
      id: message.id,
      values,
      startedAt,
      duration: now() - startedAt,
    };
    if (failure !== undefined) reply.failure = failure;
    try {
      this.#endpoint.post(
        encodeResult(reply),
        message.transfer
          ? [...collectTransferables(values, new Set())]
          : undefined,
      );
    } catch (error) {
      // A result that cannot be cloned fails its own item, not the worker.
      const bad = values.findIndex((value) => !cloneable(value));
      const offset = bad === -1 ? 0 : bad;
      reply.values = values.slice(0, offset);
      reply.failure = {
        offset,
        error: serializeError(
          new TypeError(
            `Cannot send the task's result back from the worker as it cannot be cloned (${
              messageOf(error)
            }): return plain data such as objects, arrays, strings, numbers, Maps or typed arrays, not functions, symbols or objects that hold them`,
          ),
        ),
      };
      this.#endpoint.post(encodeResult(reply));
    }
    this.#end();
  }

  #end(): void {
    this.#current = null;
    this.#state.endRun();
  }

  /**
   * Makes the chunk `run` wait for `promise`; then goes on with `then` or
   * `otherwise`, and with the chunks after it.
   */
  #await<T>(
    run: Run,
    promise: PromiseLike<T>,
    then: (value: T) => void,
    otherwise: (error: unknown) => void,
  ): void {
    this.#waiting = true;
    const resume = (step: () => void): void => {
      this.#waiting = false;
      try {
        step();
      } catch (error) {
        this.#fatal(run.message, error);
      }
      this.#pump();
    };
    this.#whenSettled(
      promise,
      (value) => resume(() => then(value)),
      (error) => resume(() => otherwise(error)),
    );
  }

  /**
   * Calls `then` or `otherwise` once `promise` settles, from
   * {@linkcode WorkerEndpoint.schedule} rather than from the microtask that
   * settles it, where a node worker's heap limit could not stop a task.
   */
  #whenSettled<T>(
    promise: PromiseLike<T>,
    then: (value: T) => void,
    otherwise: (error: unknown) => void,
  ): void {
    Promise.resolve(promise).then(
      (value) => this.#endpoint.schedule(() => then(value)),
      (error) => this.#endpoint.schedule(() => otherwise(error)),
    );
  }

  /**
   * Runs the pool's initializer before any chunk. If it fails, every chunk
   * this worker gets fails with that error: the worker is not restarted in a
   * loop, as Python's pool does.
   */
  #initialize(task: TaskRef, args: unknown[]): void {
    this.#initializing = true;
    const fail = (error: unknown): void => {
      this.#initFailure = serializeError(
        namedError(
          "InitializerError",
          `Cannot run the task as the pool's initializer '${task.name}' failed in this worker: ${
            messageOf(error)
          }`,
          error,
        ),
      );
      this.#initialized();
    };
    const call = (fn: TaskFunction): void => {
      let result: unknown;
      try {
        result = fn(...args);
      } catch (error) {
        fail(error);
        return;
      }
      if (isThenable(result)) {
        this.#whenSettled(result, () => this.#initialized(), fail);
      } else {
        this.#initialized();
      }
    };
    this.#endpoint.schedule(() => {
      let fn: TaskFunction | Promise<TaskFunction>;
      try {
        fn = this.#tasks.resolve(task);
      } catch (error) {
        fail(error);
        return;
      }
      if (fn instanceof Promise) this.#whenSettled(fn, call, fail);
      else call(fn);
    });
  }

  #initialized(): void {
    this.#initializing = false;
    this.#pump();
  }
}
