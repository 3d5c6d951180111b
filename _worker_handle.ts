// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * One worker of a pool, as the engine keeps it: its thread, the chunks it
 * holds, the tasks it knows, what it has run, and the shared state through
 * which it says what it runs now. The record carries its own behaviour
 * (piscina's `WorkerInfo`), so that the engine only decides who gets what.
 *
 * @module
 */
import type { Chunk } from "./_call.ts";
import { MAX_PIPELINE_DEPTH } from "./_pipeline.ts";
import {
  encodeRun,
  ReportedState,
  type RunMessage,
  SharedState,
  type StateMessage,
  type StateReader,
  type TaskRef,
} from "./_protocol.ts";
import type {
  Thread,
  ThreadBackend,
  ThreadEvents,
  WorkerPermissions,
} from "./_backend.ts";
import { collectTransferables } from "./_transfer.ts";

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

let nextMessageId = 1;

/** What a worker needs to know when it starts. */
export interface WorkerStart {
  id: number;
  backend: ThreadBackend;
  events: ThreadEvents;
  /** The pool's module, or null for inline tasks only. */
  module: string | null;
  initializer: TaskRef | null;
  initArgs: unknown[];
  permissions: WorkerPermissions | undefined;
  maxHeapMb: number | undefined;
  /** Replace the worker once it has been sent about this many chunks. */
  maxTasks: number | undefined;
  /** How many chunks it runs at once (the pool's `concurrency`). */
  concurrency: number;
  /** The Web Lock the worker holds while its thread runs. */
  lock: string;
  /**
   * Whether the worker's state can be memory shared with the pool; if not
   * (a browser page that is not cross-origin isolated), the worker posts
   * it in messages.
   */
  sharedMemory: boolean;
}

/** A chunk a worker runs now, and which of its items. */
export interface Running {
  id: number;
  chunk: Chunk;
  /** The input position of the item running, as the worker reported it. */
  index: number;
  /**
   * When that item (or, for an untimed chunk, the chunk) started;
   * `Infinity` if the worker has not said that it started it.
   */
  startedAt: number;
}

/** A worker of the pool, with the chunks it holds. */
export class WorkerHandle {
  readonly id: number;
  readonly thread: Thread;
  readonly startedAt: number = performance.now();
  /**
   * The milliseconds it spent running chunks: the time in which at least
   * one ran, so that chunks run at once count once.
   */
  busyMs = 0;
  /** The items it has answered. */
  items = 0;
  /** Since when it has held no chunk (`performance.now()`). */
  idleSince: number = performance.now();
  /** The chunks sent to it and not answered, by message id, in order. */
  readonly chunks: Map<number, Chunk> = new Map();
  /** How many chunks it runs at once: it is free until it holds as many. */
  readonly concurrency: number;
  /**
   * What it runs now, a slot per chunk at once, written by the worker:
   * memory shared with it, or a copy of what it reports.
   */
  readonly #state: StateReader;
  /** That copy, when no memory is shared: the worker's reports update it. */
  readonly #reported: ReportedState | null;
  /** Until when, by the worker's clock, {@linkcode busyMs} has counted. */
  #busyUntil = -Infinity;
  /** The numbers of the tasks it has been told about. */
  readonly #tasks = new Set<number>();
  /** Chunks sent to it (tasks, as in Python's maxtasksperchild). */
  #sent = 0;
  readonly #limit: number;
  /**
   * Chunks it holds of calls not known to be quick: while it holds any, it
   * gets no pipelined chunk, which would wait behind a slow one.
   */
  readonly #slow = new Set<number>();
  /** It takes no more chunks, and is replaced once it holds none. */
  #expiring = false;

  /** Starts the thread and tells it what it needs before any chunk. */
  constructor(start: WorkerStart) {
    this.id = start.id;
    this.concurrency = start.concurrency;
    let shared: SharedState | null = null;
    if (start.sharedMemory) {
      shared = new SharedState(
        new SharedArrayBuffer(SharedState.bytes(start.concurrency)),
      );
      this.#reported = null;
      this.#state = shared;
    } else {
      this.#reported = new ReportedState(start.concurrency);
      this.#state = this.#reported;
    }
    const max = start.maxTasks;
    // Jitter, so that workers started together do not all stop together.
    this.#limit = max === undefined
      ? Infinity
      : Math.max(1, max - Math.round(Math.random() * max / 5));
    this.thread = start.backend.spawn({
      id: start.id,
      permissions: start.permissions,
      maxHeapMb: start.maxHeapMb,
      lock: start.lock,
    }, start.events);
    try {
      this.thread.post({
        type: "init",
        workerId: start.id,
        module: start.module,
        state: shared?.buffer ?? start.concurrency,
        initializer: start.initializer,
        initArgs: start.initArgs,
        lock: start.lock,
      });
    } catch (error) {
      this.thread.terminate();
      throw error;
    }
    this.thread.unref();
  }

  /** Whether it may be sent another chunk at all. */
  get accepting(): boolean {
    return !this.#expiring && this.#sent < this.#limit;
  }

  /**
   * Whether it holds fewer chunks than it runs at once (none, with a
   * concurrency of 1) and may take one.
   */
  get free(): boolean {
    return this.chunks.size < this.concurrency && this.accepting;
  }

  /**
   * How deep the chunks it holds reach into a pipeline: those beyond its
   * concurrency, plus the one in its last slot (the chunks it holds, with a
   * concurrency of 1). A chunk of a call whose `depth` is more than this may
   * be pipelined to it.
   */
  get pipelineDepth(): number {
    return this.chunks.size - this.concurrency + 1;
  }

  /**
   * Whether it may take a chunk of a quick call behind those it holds: only
   * when all it holds are quick, up to the deepest pipeline.
   */
  get pipelinable(): boolean {
    return this.accepting && this.#slow.size === 0 &&
      this.pipelineDepth < MAX_PIPELINE_DEPTH;
  }

  /** Whether it should be replaced now: it expired and holds nothing. */
  get spent(): boolean {
    return !this.accepting && this.chunks.size === 0;
  }

  /** Takes no more chunks; it is replaced once those it holds are done. */
  expire(): void {
    this.#expiring = true;
  }

  /**
   * Sends a chunk. Throws, sending nothing and leaving the worker as it
   * was, when the items cannot be cloned.
   */
  send(chunk: Chunk, quick: boolean): void {
    const call = chunk.call;
    const taskId = taskNumber(call.task);
    const message: RunMessage = {
      type: "run",
      id: nextMessageId++,
      task: taskId,
      spread: call.spread,
      transfer: call.transfer,
      timed: call.timeout !== undefined,
      items: chunk.items,
    };
    // Each worker learns a task once; later chunks name it by number.
    const defines = !this.#tasks.has(taskId);
    if (defines) message.define = call.task;
    this.thread.post(
      encodeRun(message),
      call.transfer
        ? [...collectTransferables(chunk.items, new Set())]
        : undefined,
    );
    if (defines) this.#tasks.add(taskId);
    if (this.chunks.size === 0) this.thread.ref();
    chunk.sentAt = performance.now();
    this.#sent += 1;
    this.chunks.set(message.id, chunk);
    if (!quick) this.#slow.add(message.id);
  }

  /**
   * What the worker reported of its state, where it shares no memory with
   * the pool.
   */
  report(message: StateMessage): void {
    // Only for a chunk it holds: a late report of one answered is stale.
    if (this.chunks.has(message.runId)) this.#reported?.report(message);
  }

  /** Takes back the chunk of an answer (a result, or a drop), if it is held. */
  take(id: number): Chunk | undefined {
    this.#reported?.answered(id);
    const chunk = this.chunks.get(id);
    if (chunk === undefined) return undefined;
    this.chunks.delete(id);
    this.#slow.delete(id);
    if (this.chunks.size === 0) {
      this.thread.unref();
      this.idleSince = performance.now();
    }
    return chunk;
  }

  /** Takes back every chunk it holds (it has stopped). */
  takeAll(): Map<number, Chunk> {
    const chunks = new Map(this.chunks);
    this.chunks.clear();
    this.#slow.clear();
    return chunks;
  }

  /**
   * Counts a chunk's run time (by the worker's clock) in
   * {@linkcode busyMs}, less any part already counted for a chunk that ran
   * at the same time. Chunks are counted as they end; one that started
   * before an earlier-ended one and ran on past it counts from that end.
   */
  countBusy(startedAt: number, duration: number): void {
    const ended = startedAt + duration;
    if (startedAt >= this.#busyUntil) {
      this.busyMs += duration;
    } else if (ended > this.#busyUntil) {
      this.busyMs += ended - this.#busyUntil;
    }
    this.#busyUntil = Math.max(this.#busyUntil, ended);
  }

  /**
   * The chunks it runs now, by what it wrote to the shared state, a slot
   * each (in slot order), with the item each is on.
   */
  running(): Running[] {
    const running: Running[] = [];
    for (let slot = 0; slot < this.#state.slots; slot++) {
      // The worker writes the time, then the offset: `read` reads them the
      // other way.
      const { runId, offset, startedAt } = this.#state.read(slot);
      const chunk = this.chunks.get(runId);
      if (chunk === undefined) continue;
      running.push({
        id: runId,
        chunk,
        index: chunk.start + Math.max(0, offset),
        startedAt,
      });
    }
    return running;
  }

  /**
   * The chunks it runs now ({@linkcode running}); else, if it says it runs
   * none, the oldest it holds, which it may be about to start (at its first
   * item, `startedAt` `Infinity`); else none.
   */
  suspects(): Running[] {
    const running = this.running();
    if (running.length > 0) return running;
    const first = this.chunks.entries().next();
    if (first.done) return running;
    const [id, oldest] = first.value;
    return [{ id, chunk: oldest, index: oldest.start, startedAt: Infinity }];
  }

  /**
   * Whether the worker reported running something (for the stuck-thread
   * check); without shared memory, also whether it holds a chunk, as a
   * synchronous one is not reported until it yields.
   */
  get reportsRunning(): boolean {
    return !this.#state.idle ||
      (this.#reported !== null && this.chunks.size > 0);
  }
}
