// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The private engine behind `Pool`: it starts workers when work needs them,
 * hands chunks to workers in the order the calls were made, matches the
 * answers by id, and turns every way a worker can stop into an error for the
 * work that was on it, so that no call is left pending. It also keeps the
 * pool's statistics and, when asked, a trace of every chunk.
 *
 * @module
 */
import { type Call, type Chunk, MAX_PIPELINE_DEPTH } from "./_call.ts";
import {
  decodeResult,
  encodeRun,
  type FromWorker,
  type ResultMessage,
  type RunMessage,
  STATE_BYTES,
  STATE_ID,
  STATE_OFFSET,
  STATE_STARTED,
  type TaskRef,
  type ToWorker,
} from "./_protocol.ts";
import { deserializeError } from "./_remote_error.ts";
import { collectTransferables } from "./_transfer.ts";
import { workerMain } from "./_worker_shim.ts";
import {
  PoolClosedError,
  QueueFullError,
  TaskError,
  TaskTimeoutError,
  WorkerCrashedError,
} from "./errors.ts";
import type { PoolStats, PoolTrace, TraceSpan } from "./trace.ts";

/**
 * The life of a pool: it takes work, then drains, then is stopped.
 *
 * @example Usage
 * ```ts
 * import { Pool, type PoolState } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const pool = new Pool({ size: 1 });
 * const state: PoolState = pool.state;
 * assert.equal(state, "running");
 * pool.close();
 * ```
 */
export type PoolState = "running" | "closing" | "closed";

interface Slot {
  id: number;
  worker: Worker;
  /** The chunks sent to this worker and not answered, by message id, in order. */
  chunks: Map<number, Chunk>;
  /** Replace this worker once its chunks are done. */
  retiring: boolean;
  startedAt: number;
  busyMs: number;
  items: number;
  /** Chunks (tasks) sent to it, so that it gets no more than its `limit`. */
  sent: number;
  /**
   * Chunks it holds of calls not known to be quick: while it holds any, it
   * gets no pipelined chunk, which would wait behind a slow one.
   */
  slowHeld: Set<number>;
  /** The numbers of the tasks this worker has been told about. */
  tasks: Set<number>;
  /** What it runs now, written by the worker: see `STATE_*`. */
  state: Float64Array<SharedArrayBuffer>;
  /** Replace it once it has been sent this many chunks (tasks). */
  limit: number;
}

const taskNumbers = new Map<string, number>();

/** A number per distinct task, the same for every pool in the process. */
function taskNumber(task: TaskRef): number {
  const key = task.kind === "export" ? `export:${task.name}` : task.source;
  let number = taskNumbers.get(key);
  if (number === undefined) {
    number = taskNumbers.size + 1;
    taskNumbers.set(key, number);
  }
  return number;
}

let shimUrl: string | undefined;
let nextPoolId = 1;

/** The part of the Web Locks API the pool uses (not in Deno's types). */
interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}
const SHIM_SOURCE =
  `(${workerMain.toString()})(${collectTransferables.toString()});\n`;

/** A call whose items cost more in messages than in work gets one warning. */
const ADVICE_MIN_ITEMS = 1_000;

/** What the engine needs of the pool's options, checked by `Pool`. */
export interface EngineOptions {
  trace: boolean;
  /** Receives advice and warnings. */
  advise: (message: string) => void;
  /** Replace a worker after about this many items (with jitter). */
  maxTasksPerWorker: number | undefined;
  /** The most items the pool queues; a call over it is refused. */
  maxQueue: number | undefined;
  /** Run once in each new worker, before any chunk. */
  initializer: TaskRef | null;
  initArgs: unknown[];
  /** Narrower Deno permissions for the workers. */
  permissions: unknown;
}

/** Runs calls on up to `size` workers. */
export class Engine {
  readonly size: number;
  readonly module: string | null;
  #state: PoolState = "running";
  #slots: Slot[] = [];
  /** Calls in the order they were made; those before `#head` are finished. */
  #calls: Call[] = [];
  #head = 0;
  #nextWorkerId = 1;
  #nextMessageId = 1;
  #dispatching = false;
  #spawnPending = false;
  #joined: Promise<void>;
  #markJoined!: () => void;

  // Statistics over the pool's life.
  readonly #createdAt = performance.now();
  #closedAt: number | null = null;
  #completed = 0;
  #failed = 0;
  #retiredBusyMs = 0;
  #retiredAliveMs = 0;
  #trace: TraceSpan[] | null;
  #advised = false;
  #advice: (message: string) => void;

  #options: EngineOptions;
  /** Names this pool's locks apart from other pools' in the process. */
  readonly #poolId = nextPoolId++;
  #watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(size: number, module: string | null, options: EngineOptions) {
    this.size = size;
    this.module = module;
    this.#options = options;
    this.#trace = options.trace ? [] : null;
    this.#advice = options.advise;
    this.#joined = new Promise((resolve) => (this.#markJoined = resolve));
  }

  get state(): PoolState {
    return this.#state;
  }

  /** How many workers are running now. */
  get workers(): number {
    return this.#slots.length;
  }

  /** Starts a call, or fails it at once if the pool no longer takes work. */
  submit(call: Call): void {
    if (this.#state !== "running") {
      call.fail(
        new PoolClosedError(
          `Cannot run task '${call.task.name}' as the pool is ${this.#state}: create a new pool`,
        ),
      );
      return;
    }
    this.#calls.push(call);
    this.dispatch();
  }

  /** Sends ready chunks to workers, starting workers as needed. */
  dispatch = (): void => {
    if (this.#dispatching || this.#state === "closed") return;
    this.#dispatching = true;
    try {
      while (true) {
        let slot = this.#slots.find((s) =>
          s.chunks.size === 0 && !s.retiring && s.sent < s.limit
        );
        let chunk: Chunk | undefined;
        if (slot !== undefined) {
          chunk = this.#nextChunk();
        } else if (this.#slots.length < this.size && !this.#spawnPending) {
          chunk = this.#nextChunk();
          if (chunk !== undefined) {
            try {
              slot = this.#spawnThenLater();
            } catch (error) {
              // No worker could start: fail this call, not the pool.
              chunk.call.complete(
                chunk,
                [],
                new Error(
                  `Cannot start a worker for the pool: ${
                    error instanceof Error ? error.message : String(error)
                  }`,
                  { cause: error },
                ),
              );
              continue;
            }
          }
        } else {
          // Every worker is busy: give one more chunk to the least loaded
          // worker, but only of a call whose chunks are known to be quick.
          slot = this.#leastLoaded();
          if (slot === undefined) break;
          const held = slot.chunks.size;
          chunk = this.#nextChunk((call) => call.depth > held);
        }
        if (chunk === undefined || slot === undefined) break;
        this.#send(slot, chunk);
      }
    } finally {
      this.#dispatching = false;
    }
    this.#maybeFinishClosing();
  };

  #leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (
        slot.retiring || slot.sent >= slot.limit || slot.slowHeld.size > 0 ||
        slot.chunks.size >= MAX_PIPELINE_DEPTH
      ) continue;
      if (best === undefined || slot.chunks.size < best.chunks.size) {
        best = slot;
      }
    }
    return best;
  }

  /** The next chunk, from the oldest call that has one ready (and passes `accept`). */
  #nextChunk(accept?: (call: Call) => boolean): Chunk | undefined {
    // Finished calls are skipped from the head at once and swept from the
    // middle in batches, so that many calls in flight cost O(1) a chunk.
    const calls = this.#calls;
    while (this.#head < calls.length && calls[this.#head]!.finished) {
      this.#head++;
    }
    let finished = 0;
    let chunk: Chunk | undefined;
    for (let i = this.#head; i < calls.length; i++) {
      const call = calls[i]!;
      if (call.finished) {
        finished++;
        continue;
      }
      if (accept !== undefined && !accept(call)) {
        // First come, first served: a later call does not jump ahead of an
        // older one that still has work (and this keeps the scan short).
        if (call.hasWork) break;
        continue;
      }
      chunk = call.takeChunk();
      if (chunk !== undefined) break;
    }
    if (finished > 64 || (this.#head > 1024 && this.#head * 2 > calls.length)) {
      this.#calls = calls.slice(this.#head).filter((call) => !call.finished);
      this.#head = 0;
    }
    return chunk;
  }

  /**
   * Starts one worker now and the next in a microtask: creating a Worker
   * costs about 10 ms of this thread, so the call that needs several returns
   * after the first, and the others start as soon as the caller's
   * synchronous code is done.
   */
  #spawnThenLater(): Slot {
    const slot = this.#spawn();
    this.#spawnPending = true;
    queueMicrotask(() => {
      this.#spawnPending = false;
      this.dispatch();
    });
    return slot;
  }

  #spawn(): Slot {
    // One blob for the process: every pool's workers start from it.
    shimUrl ??= URL.createObjectURL(
      new Blob([SHIM_SOURCE], { type: "text/javascript" }),
    );
    const id = this.#nextWorkerId++;
    const { permissions, maxTasksPerWorker } = this.#options;
    const worker = new Worker(shimUrl, {
      type: "module",
      name: `@paralelo/pool worker ${id}`,
      ...(permissions === undefined ? {} : { deno: { permissions } }),
    } as WorkerOptions);
    const state = new Float64Array(new SharedArrayBuffer(STATE_BYTES));
    const slot: Slot = {
      id,
      worker,
      chunks: new Map(),
      retiring: false,
      startedAt: performance.now(),
      busyMs: 0,
      items: 0,
      sent: 0,
      slowHeld: new Set(),
      tasks: new Set(),
      state,
      // Jitter, so that workers started together do not all stop together.
      limit: maxTasksPerWorker === undefined ? Infinity : Math.max(
        1,
        maxTasksPerWorker - Math.round(Math.random() * maxTasksPerWorker / 5),
      ),
    };
    worker.onmessage = (event: MessageEvent<FromWorker>) =>
      this.#onMessage(slot, event.data);
    worker.onerror = (event: ErrorEvent) => {
      // Without this the whole process would exit.
      event.preventDefault();
      this.#lose(slot, `an error escaped the worker: ${event.message}`, null);
    };
    worker.onmessageerror = () => {
      this.#lose(slot, "a message from the worker could not be read", null);
    };
    try {
      this.#post(slot, {
        type: "init",
        workerId: id,
        module: this.module,
        state: state.buffer,
        initializer: this.#options.initializer,
        initArgs: this.#options.initArgs,
        lock: this.#lockName(id),
      });
    } catch (error) {
      worker.terminate();
      throw error;
    }
    this.#slots.push(slot);
    return slot;
  }

  #post(slot: Slot, message: ToWorker, transfer?: ArrayBuffer[]): void {
    slot.worker.postMessage(message, transfer ? { transfer } : undefined);
  }

  #send(slot: Slot, chunk: Chunk): void {
    const call = chunk.call;
    const taskId = taskNumber(call.task);
    const message: RunMessage = {
      type: "run",
      id: this.#nextMessageId++,
      task: taskId,
      spread: call.spread,
      transfer: call.transfer,
      timed: call.timeout !== undefined,
      items: chunk.items,
    };
    // Each worker learns a task once; later chunks name it by number.
    const defines = !slot.tasks.has(taskId);
    if (defines) message.define = call.task;
    try {
      this.#post(
        slot,
        encodeRun(message),
        call.transfer
          ? [...collectTransferables(chunk.items, new Set())]
          : undefined,
      );
    } catch (error) {
      // Nothing was sent: the worker stays free and only this call fails,
      // at this chunk (a stream still yields the results before it).
      call.complete(
        chunk,
        [],
        new TypeError(
          `Cannot send the items from position ${chunk.start} to a worker as they cannot be cloned (${
            error instanceof Error ? error.message : String(error)
          }): pass plain data such as objects, arrays, strings, numbers, Maps or typed arrays, not functions, symbols or objects that hold them`,
        ),
      );
      return;
    }
    if (defines) slot.tasks.add(taskId);
    chunk.sentAt = performance.now();
    // A chunk is one task, as in Python's maxtasksperchild.
    slot.sent += 1;
    slot.chunks.set(message.id, chunk);
    if (call.depth === 1) slot.slowHeld.add(message.id);
    if (call.timeout !== undefined) this.#watch();
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (Array.isArray(message)) {
      this.#onResult(slot, decodeResult(message));
      return;
    }
    switch (message.type) {
      case "dropped":
        this.#onDropped(slot, message.ids);
        return;
      case "exit":
        this.#lose(slot, message.reason, message.code);
        return;
      case "fatal": {
        const error = deserializeError(message.error);
        const reason =
          `an error escaped a task (${error.name}: ${error.message})`;
        if (message.id !== null && slot.chunks.has(message.id)) {
          this.#lose(slot, reason, null, message.id);
        } else {
          // Left behind by a task that has already returned (a timer, say):
          // the chunks there now are not to blame, so let them finish, then
          // replace the worker, whose state can no longer be trusted.
          slot.retiring = true;
          this.#advice(
            `@paralelo/pool: ${reason} after it had returned, in worker ${slot.id}: no call was running there, so none failed; the worker is replaced`,
          );
          if (slot.chunks.size === 0) this.#lose(slot, reason, null);
        }
        return;
      }
    }
  }

  #onResult(slot: Slot, message: ResultMessage): void {
    const chunk = slot.chunks.get(message.id);
    if (chunk === undefined) return;
    slot.chunks.delete(message.id);
    slot.slowHeld.delete(message.id);
    const call = chunk.call;
    slot.busyMs += message.duration;
    slot.items += message.values.length;
    this.#completed += message.values.length;
    call.observe(message.duration);
    const failure = message.failure === undefined ? undefined : new TaskError(
      call.task.name,
      chunk.start + message.failure.offset,
      deserializeError(message.failure.error),
    );
    if (failure !== undefined) this.#failed++;
    this.#trace?.push(
      this.#span(
        slot,
        chunk,
        message.startedAt,
        message.startedAt + message.duration,
        message.failure === undefined,
      ),
    );
    this.#adviseOnOverhead(call, chunk, message);
    call.complete(chunk, message.values, failure);
    // Counted by what it was sent, not by results: a failed chunk has fewer.
    if (slot.sent >= slot.limit) slot.retiring = true;
    if (slot.retiring && slot.chunks.size === 0) {
      this.#lose(slot, "retired", null);
      return;
    }
    this.dispatch();
  }

  /** A trace span for a chunk; `started`/`ended` are absolute ms (timeOrigin-based). */
  #span(
    slot: Slot,
    chunk: Chunk,
    started: number,
    ended: number,
    ok: boolean,
  ): TraceSpan {
    // The worker's clock and ours share `performance.timeOrigin`'s epoch.
    const origin = performance.timeOrigin + this.#createdAt;
    return {
      worker: slot.id,
      call: chunk.call.id,
      task: chunk.call.task.name,
      start: chunk.start,
      count: chunk.items.length,
      enqueued: chunk.readAt - this.#createdAt,
      sent: chunk.sentAt - this.#createdAt,
      started: started - origin,
      ended: ended - origin,
      ok,
    };
  }

  /**
   * Says once, per pool, when messages cost more than the work they carry:
   * the time a chunk took from sending to answer, less the work, spread over
   * its items, against the work per item.
   */
  #adviseOnOverhead(
    call: Call,
    chunk: Chunk,
    message: ResultMessage,
  ): void {
    if (this.#advised) return;
    const tracker = call.overhead;
    tracker.items += chunk.items.length;
    tracker.workMs += message.duration;
    tracker.roundTripMs = Math.min(
      tracker.roundTripMs,
      performance.now() - chunk.sentAt - message.duration,
    );
    if (tracker.items < ADVICE_MIN_ITEMS || tracker.chunks++ < 8) return;
    const messagingPerItem = Math.max(0, tracker.roundTripMs) /
      chunk.items.length;
    const workPerItem = tracker.workMs / tracker.items;
    if (messagingPerItem <= workPerItem) return;
    this.#advised = true;
    const us = (ms: number) => `${(ms * 1000).toPrecision(2)} µs`;
    this.#advice(
      `@paralelo/pool: the items of task '${call.task.name}' cost about ${
        us(messagingPerItem)
      } each in messages to and from the workers, against ${
        us(workPerItem)
      } of work: pass a larger 'chunkSize' (now ${chunk.items.length}), or run work this small in a plain loop`,
    );
  }

  /**
   * A worker stopped or cannot be trusted: fail the chunk it was running
   * (`runningId`, else the one it says it runs, else the oldest it held),
   * give the others back to their calls to run elsewhere, and start a new
   * worker if work is left. `error` makes the running chunk's error from the
   * index of the item that was running.
   */
  #lose(
    slot: Slot,
    reason: string,
    exitCode: number | null,
    runningId?: number,
    error?: (index: number) => Error,
  ): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#slots.splice(index, 1);
    slot.worker.terminate();
    this.#retire(slot);
    const reported = slot.state[STATE_ID]!;
    if (reported !== 0 && exitCode === null) this.#checkStopped(slot, reason);
    const running = runningId ??
      (slot.chunks.has(reported) ? reported : slot.chunks.keys().next().value);
    for (const [id, chunk] of slot.chunks) {
      if (id !== running) {
        chunk.call.requeue(chunk);
        continue;
      }
      // The worker wrote which item it had started; trust it for its chunk.
      const item = chunk.start +
        (reported === id ? Math.max(0, slot.state[STATE_OFFSET]!) : 0);
      this.#failed++;
      const now = performance.timeOrigin + performance.now();
      this.#trace?.push(
        this.#span(
          slot,
          chunk,
          performance.timeOrigin + chunk.sentAt,
          now,
          false,
        ),
      );
      chunk.call.complete(
        chunk,
        [],
        error?.(item) ??
          new WorkerCrashedError({
            task: chunk.call.task.name,
            index: item,
            workerId: slot.id,
            reason,
            exitCode,
          }),
      );
    }
    slot.chunks.clear();
    slot.slowHeld.clear();
    this.dispatch();
  }

  #lockName(workerId: number): string {
    return `@paralelo/pool ${this.#poolId} worker ${workerId}`;
  }

  /**
   * Deno cannot stop a worker that runs a synchronous loop: terminate()
   * leaves its thread spinning, a core busy and the process unable to exit.
   * The worker's Web Lock says whether its thread ended; if it has not
   * within a second, say so, with the way out.
   */
  #checkStopped(slot: Slot, reason: string): void {
    const locks = (navigator as unknown as { locks?: LockManagerLike }).locks;
    if (locks === undefined) return;
    const signal = AbortSignal.timeout(1_000);
    locks.request(this.#lockName(slot.id), { signal }, () => {}).catch(() => {
      if (!signal.aborted) return;
      this.#advice(
        `@paralelo/pool: worker ${slot.id} was stopped (${reason}) while its task ran synchronously, and Deno cannot interrupt that: its thread still runs, keeps a core busy and will keep this process from exiting. End the program with Deno.exit() when its work is done, and keep tasks from looping without end (a timeout cannot stop them either)`,
      );
    });
  }

  /**
   * Checks, while timed chunks run, whether an item has run past its call's
   * timeout, from the start time the worker wrote; if so, stops that worker.
   * (Deno cannot stop a worker stuck in a synchronous loop: see the README.)
   */
  #watch(): void {
    if (this.#watchdog !== undefined) return;
    let shortest = Infinity;
    for (const slot of this.#slots) {
      for (const chunk of slot.chunks.values()) {
        if (chunk.call.timeout !== undefined) {
          shortest = Math.min(shortest, chunk.call.timeout);
        }
      }
    }
    if (shortest === Infinity) return;
    const every = Math.min(100, Math.max(2, shortest / 4));
    this.#watchdog = setTimeout(() => {
      this.#watchdog = undefined;
      const now = performance.timeOrigin + performance.now();
      for (const slot of [...this.#slots]) {
        const id = slot.state[STATE_ID]!;
        const chunk = slot.chunks.get(id);
        const limit = chunk?.call.timeout;
        if (chunk === undefined || limit === undefined) continue;
        if (now - slot.state[STATE_STARTED]! <= limit) continue;
        this.#lose(
          slot,
          `ran over its timeout of ${limit} ms`,
          null,
          id,
          (index) =>
            new TaskTimeoutError({
              task: chunk.call.task.name,
              index,
              workerId: slot.id,
              timeoutMs: limit,
            }),
        );
      }
      this.#watch();
    }, every);
  }

  /**
   * An aborted call: its queued work is gone already; stop the workers that
   * are running its items now, and give their other chunks back.
   */
  cancel(call: Call): void {
    for (const slot of [...this.#slots]) {
      // The chunk running, or about to: the worker may not have started it.
      const reported = slot.state[STATE_ID]!;
      const id = slot.chunks.has(reported)
        ? reported
        : slot.chunks.keys().next().value;
      if (id !== undefined && slot.chunks.get(id)?.call === call) {
        this.#lose(slot, "its call was aborted", null, id);
      }
    }
  }

  /**
   * A call stopped (it failed, or its consumer broke out): ask the workers
   * to skip its chunks that wait behind others. One that has started
   * finishes (an abort stops it: see cancel()).
   */
  drop(call: Call): void {
    for (const slot of this.#slots) {
      const ids: number[] = [];
      for (const [id, chunk] of slot.chunks) {
        if (chunk.call === call && !call.wants(chunk)) ids.push(id);
      }
      // The worker answers with those it had not started yet.
      if (ids.length > 0) this.#post(slot, { type: "drop", ids });
    }
  }

  #onDropped(slot: Slot, ids: number[]): void {
    for (const id of ids) {
      const chunk = slot.chunks.get(id);
      if (chunk === undefined) continue;
      slot.chunks.delete(id);
      slot.slowHeld.delete(id);
      chunk.call.requeue(chunk);
    }
    if (slot.retiring && slot.chunks.size === 0) {
      this.#lose(slot, "retired", null);
      return;
    }
    this.dispatch();
  }

  /** Whether the queue has room for `items` more (streams wait for it). */
  hasRoom(items: number): boolean {
    const max = this.#options.maxQueue;
    if (max === undefined) return true;
    // An empty queue always takes one chunk, however large, or a stream
    // whose chunks are bigger than maxQueue would never start.
    const queued = this.#queued();
    return queued === 0 || queued + items <= max;
  }

  #queued(): number {
    let queued = 0;
    for (let i = this.#head; i < this.#calls.length; i++) {
      queued += this.#calls[i]!.queuedItems;
    }
    return queued;
  }

  /** Room for `items` more queued items, or the error that refuses them. */
  admit(items: number): Error | undefined {
    const max = this.#options.maxQueue;
    if (max === undefined) return undefined;
    const queued = this.#queued();
    return queued + items > max
      ? new QueueFullError(items, queued, max)
      : undefined;
  }

  #retire(slot: Slot): void {
    this.#retiredBusyMs += slot.busyMs;
    this.#retiredAliveMs += performance.now() - slot.startedAt;
  }

  /** Takes no more calls; the pool stops once the work it has is done. */
  close(): void {
    if (this.#state !== "running") return;
    this.#state = "closing";
    // The work of a stream is work already submitted: it finishes, as in
    // Python, without waiting for its consumer to ask for each result.
    for (const call of this.#calls) call.unbound();
    this.dispatch();
  }

  #maybeFinishClosing(): void {
    if (this.#state !== "closing") return;
    if (this.#slots.some((s) => s.chunks.size > 0)) return;
    for (let i = this.#head; i < this.#calls.length; i++) {
      if (!this.#calls[i]!.finished) return;
    }
    this.#shutDown();
  }

  /** Stops every worker now and fails every call still pending. */
  terminate(): void {
    if (this.#state === "closed") return;
    // A finished stream keeps its results for its consumer.
    const calls = this.#calls.filter((call) => !call.finished);
    for (const slot of this.#slots) {
      for (const chunk of slot.chunks.values()) calls.push(chunk.call);
    }
    this.#shutDown();
    const error = new PoolClosedError(
      "Cannot finish the call as the pool was terminated: use close() to let queued work finish",
    );
    for (const call of new Set(calls)) call.fail(error);
  }

  #shutDown(): void {
    this.#state = "closed";
    this.#closedAt = performance.now();
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
    for (const slot of this.#slots) {
      slot.worker.terminate();
      this.#retire(slot);
    }
    this.#slots = [];
    this.#calls = [];
    this.#head = 0;
    this.#markJoined();
  }

  /** Resolves once every worker has stopped after `close()` or `terminate()`. */
  join(): Promise<void> {
    return this.#joined;
  }

  /** The numbers behind `Pool.stats()`. */
  stats(): PoolStats {
    const now = performance.now();
    let queued = 0;
    for (let i = this.#head; i < this.#calls.length; i++) {
      queued += this.#calls[i]!.queuedItems;
    }
    let running = 0;
    let busyMs = this.#retiredBusyMs;
    let aliveMs = this.#retiredAliveMs;
    const workers = this.#slots.map((slot) => {
      for (const chunk of slot.chunks.values()) running += chunk.items.length;
      busyMs += slot.busyMs;
      aliveMs += now - slot.startedAt;
      return { id: slot.id, busyMs: slot.busyMs, items: slot.items };
    });
    return {
      completed: this.#completed,
      failed: this.#failed,
      queued,
      running,
      workersAlive: this.#slots.length,
      workers,
      lifetimeMs: (this.#closedAt ?? now) - this.#createdAt,
      utilization: aliveMs > 0 ? Math.min(1, busyMs / aliveMs) : 0,
    };
  }

  /** The spans recorded so far, if the pool traces. */
  trace(): PoolTrace | null {
    if (this.#trace === null) return null;
    return {
      size: this.size,
      spans: [...this.#trace],
    };
  }
}
