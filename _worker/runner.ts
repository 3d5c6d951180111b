// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The worker's run loop: it starts the chunks it is sent in the order sent,
 * after the pool's initializer, and runs as many at once as the shared
 * state has slots (the pool's `concurrency`, 1 by default: one at a time,
 * even when tasks are async); the items of a chunk run one after the other.
 * It answers each chunk with its results, or the first failure, and keeps
 * the {@linkcode SharedState} that the pool reads to see what it runs.
 *
 * With a concurrency above 1, a chunk whose item awaits leaves its slot
 * busy and lets the next chunk start in another slot; a synchronous chunk
 * runs to its end before anything else, as it would anyway.
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
  ReportingState,
  type ResultMessage,
  type RunMessage,
  type SerializedError,
  SharedState,
  type StateWriter,
  type TaskRef,
} from "../_protocol.ts";
import { collectTransferables } from "../_transfer.ts";
import type { WorkerEndpoint } from "./endpoint.ts";
import {
  cloneable,
  messageOf,
  namedError,
  serializeError,
  serializeUnresolved,
} from "./serialize_error.ts";
import { type TaskFunction, TaskNotResolved, TaskTable } from "./tasks.ts";

type Failure = NonNullable<ResultMessage["failure"]>;

/** A chunk in progress. */
interface Run {
  message: RunMessage;
  /** Its slot in the shared state, or -1 once it has answered. */
  slot: number;
  /** When the chunk started, by this worker's clock. */
  startedAt: number;
  /** The results of its items so far. */
  values: unknown[];
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * What a chunk whose task could not be resolved answers: the error, marked
 * as the task's failure (its module, its name) rather than an item's.
 */
function resolveFailure(error: unknown): SerializedError {
  return error instanceof TaskNotResolved
    ? serializeUnresolved(error.error, error.stage)
    : serializeError(error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function";
}

/** The state of a worker that is exiting: it writes nothing more. */
const FROZEN: StateWriter = {
  slots: 1,
  startRun() {},
  startItem() {},
  startClock() {},
  endRun() {},
  flush() {},
};

/** Runs the chunks a worker is sent. */
export class Runner {
  readonly #endpoint: WorkerEndpoint;
  readonly #tasks: TaskTable;
  /** Chunks received and not started, in the order sent. */
  readonly #pending: RunMessage[] = [];
  /**
   * What this worker runs now, for the pool to read: shared memory, or a
   * state it posts where there is none. A private buffer until the init
   * message says which: written, never read.
   */
  #state: StateWriter = new SharedState(new ArrayBuffer(SharedState.BYTES));
  /**
   * The runs started and not answered, by id, in the order they started: as
   * many as the state has slots. An escaped error blames all of them.
   */
  readonly #running = new Map<number, Run>();
  /** Which slots of the state hold a run. */
  #busySlots: boolean[] = [false];
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

  /**
   * The ids of the runs in progress, in the order they started: none when
   * idle, at most one with a concurrency of 1.
   */
  get running(): number[] {
    return [...this.#running.keys()];
  }

  /** Takes the init message: the module, the shared state, the initializer. */
  init(message: InitMessage): void {
    this.#tasks.setModule(message.module);
    const { state } = message;
    this.#state = typeof state === "number"
      ? new ReportingState(state, (report) => this.#endpoint.post(report))
      : new SharedState(state);
    this.#busySlots = new Array<boolean>(this.#state.slots).fill(false);
    if (message.initializer !== null) {
      this.#initialize(message.initializer, message.initArgs);
    }
  }

  /** Queues a chunk; it runs once those before it have. */
  enqueue(message: RunMessage): void {
    // Learnt now, not when the chunk starts: the pool sends a task's
    // definition once, with the first chunk of it, and that chunk may be
    // dropped before it starts (its call failed) while later ones of the
    // same task, sent without it, still come.
    if (message.define !== undefined) {
      this.#tasks.define(message.task, message.define);
    }
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

  /**
   * Starts the chunks in order, until there are none or every slot holds
   * one that waits.
   */
  #pump(): void {
    while (
      this.#pending.length > 0 && !this.#initializing &&
      this.#running.size < this.#busySlots.length
    ) {
      const message = this.#pending.shift()!;
      const slot = this.#busySlots.indexOf(false);
      this.#busySlots[slot] = true;
      const run: Run = { message, slot, startedAt: now(), values: [] };
      this.#running.set(message.id, run);
      try {
        this.#start(run);
      } catch (error) {
        this.#fatal(run, error);
      }
    }
  }

  /**
   * Makes sure the pool knows what runs now, before a message that makes it
   * look (an escaped error).
   */
  flushState(): void {
    this.#state.flush();
  }

  /**
   * The worker is about to exit: tells the pool what runs now, and writes
   * nothing more, so that the pool blames the item that exited. A browser's
   * `self.close()` lets the task's code run on to its end, and the chunk
   * would otherwise mark its slot idle before the pool reads it.
   */
  freezeState(): void {
    this.#state.flush();
    this.#state = FROZEN;
  }

  /** Something the run loop did not expect: the pool replaces the worker. */
  #fatal(run: Run, error: unknown): void {
    this.#state.flush();
    this.#endpoint.post({
      type: "fatal",
      ids: [run.message.id],
      error: serializeError(error),
    });
    this.#end(run);
  }

  #start(run: Run): void {
    const message = run.message;
    // Not started until its task is ready: loading a module is not task
    // time, so no timeout counts it (the items set their own start).
    this.#state.startRun(run.slot, message.id);
    if (this.#initFailure !== null) {
      this.#finish(run, { offset: 0, error: this.#initFailure });
      return;
    }
    let fn: TaskFunction | Promise<TaskFunction>;
    try {
      fn = this.#tasks.resolve(this.#tasks.get(message.task));
    } catch (error) {
      this.#finish(run, { offset: 0, error: resolveFailure(error) });
      return;
    }
    if (fn instanceof Promise) {
      this.#await(
        run,
        fn,
        (resolved) => this.#runItems(run, resolved, 0),
        (error) =>
          this.#finish(run, { offset: 0, error: resolveFailure(error) }),
      );
      return;
    }
    this.#runItems(run, fn, 0);
  }

  #runItems(run: Run, fn: TaskFunction, from: number): void {
    const { items, spread, timed } = run.message;
    const { slot } = run;
    // Read each time, not kept: a task that exits freezes it midway.
    if (!timed && from === 0) this.#state.startClock(slot, now());
    for (let i = from; i < items.length; i++) {
      this.#state.startItem(slot, i, timed ? now() : undefined);
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

  /** Posts the chunk's answer, whatever happened, and frees its slot. */
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
    this.#end(run);
  }

  /** The run has answered: its slot is free (once, however it ended). */
  #end(run: Run): void {
    if (run.slot === -1) return;
    this.#state.endRun(run.slot);
    this.#busySlots[run.slot] = false;
    this.#running.delete(run.message.id);
    run.slot = -1;
  }

  /**
   * Makes the chunk `run` wait for `promise`, in its slot; then goes on with
   * `then` or `otherwise`, and with the chunks after it.
   */
  #await<T>(
    run: Run,
    promise: PromiseLike<T>,
    then: (value: T) => void,
    otherwise: (error: unknown) => void,
  ): void {
    const resume = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        this.#fatal(run, error);
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
    const fail = (thrown: unknown): void => {
      if (thrown instanceof TaskNotResolved && thrown.stage === "load") {
        // The module did not load: that, not the initializer, is what every
        // call hears (a ModuleLoadError, which names no item).
        this.#initFailure = resolveFailure(thrown);
        this.#initialized();
        return;
      }
      const error = thrown instanceof TaskNotResolved ? thrown.error : thrown;
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
