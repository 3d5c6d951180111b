// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The private engine behind `Pool`: the coordinator. It keeps the calls in
 * the order they were made, hands their chunks to workers (starting workers
 * when work needs them), and turns every way a worker can stop into an
 * error for the work that was on it, so that no call is left pending. The
 * rest lives with its own record: a worker's chunks and state in
 * `WorkerHandle`, threads behind `ThreadBackend`, timeouts in `Watchdog`,
 * counts and advice in `Metrics` and `OverheadAdvisor`, a call's input and
 * results in `Call`.
 *
 * @module
 */
import type { Backend, ThreadBackend, WorkerPermissions } from "./_backend.ts";
import type { Call, Chunk } from "./_call.ts";
import { Metrics, OverheadAdvisor } from "./_metrics.ts";
import { NodeBackend } from "./_node_backend.ts";
import {
  decodeResult,
  type FromWorker,
  type ResultMessage,
  type TaskRef,
} from "./_protocol.ts";
import type { ModuleOrigin } from "./_options.ts";
import { deserializeError, deserializeFailure } from "./_remote_error.ts";
import { DispatchLoop } from "./_dispatch_loop.ts";
import { runtime } from "./_runtime.ts";
import { overdue, Watchdog } from "./_watchdog.ts";
import { WebBackend } from "./_web_backend.ts";
import { WorkerHandle } from "./_worker_handle.ts";
import { NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from "./_worker_source.ts";
import {
  PoolClosedError,
  QueueFullError,
  TaskError,
  TaskTimeoutError,
  WorkerCrashedError,
} from "./errors.ts";
import type { PoolStats, PoolTrace } from "./trace.ts";

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

let nextPoolId = 1;

/** What the engine needs of the pool's options, checked by `Pool`. */
export interface EngineOptions {
  backend: Backend;
  trace: boolean;
  /** Receives advice and warnings. */
  warn: (message: string) => void;
  /** Replace a worker after about this many chunks (with jitter). */
  maxTasksPerWorker: number | undefined;
  /** How many chunks each worker runs at once (async tasks overlap). */
  concurrency: number;
  /** The most items the pool queues; a call over it is refused. */
  maxQueue: number | undefined;
  /** Run once in each new worker, before any chunk. */
  initializer: TaskRef | null;
  initArgs: unknown[];
  /** Narrower Deno permissions for the workers (web only). */
  permissions: WorkerPermissions | undefined;
  /** The heap limit of each worker, in MiB (node only). */
  maxHeapMb: number | undefined;
  /** Stop a worker that has held no chunk for this many ms (may be Infinity). */
  idleTimeout: number;
  /**
   * Whether each worker's state is memory shared with the pool; if not (a
   * browser page that is not cross-origin isolated), workers post it.
   */
  sharedMemory: boolean;
}

/**
 * Which chunks a lost worker's loss is blamed on (see `Engine.#lose`).
 */
interface Blame {
  /** The chunks at fault, by message id. */
  ids: ReadonlySet<number>;
  /**
   * Their error, from the chunk and the input position of the item it was
   * on; a `WorkerCrashedError` for the loss's reason if undefined.
   */
  error?: (chunk: Chunk, index: number) => Error;
  /**
   * Why the chunks that ran beside them on the worker (its concurrency)
   * fail: their items had started, and an item is never run twice. If
   * undefined, those are given back like the chunks not started, which is
   * right only for a worker that runs one chunk at a time, where one runs
   * beside the chunk at fault only once it has moved on from it.
   */
  beside?: string | undefined;
}

function createBackend(name: Backend): ThreadBackend {
  return name === "node"
    ? new NodeBackend(NODE_WORKER_SOURCE)
    : new WebBackend(WEB_WORKER_SOURCE);
}

/** Runs calls on up to `size` workers. */
export class Engine {
  readonly size: number;
  /** The module's URL, which the workers import, or null if it has none. */
  readonly module: string | null;
  /** The module as the caller gave it and how it resolved, for its errors. */
  readonly #origin: ModuleOrigin | null;
  #state: PoolState = "running";
  #backend: ThreadBackend;
  #workers: WorkerHandle[] = [];
  /**
   * The calls that still need the pool, in the order they were made. A
   * call leaves as soon as it is finished, so that nothing keeps its input
   * or results alive.
   */
  #calls = new Set<Call>();
  #nextWorkerId = 1;
  #spawnPending = false;
  #dispatchLoop = new DispatchLoop();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #joined: Promise<void>;
  #markJoined!: () => void;
  #metrics: Metrics;
  #advisor: OverheadAdvisor;
  #options: EngineOptions;
  /** Names this pool's locks apart from other pools' in the process. */
  readonly #poolId = nextPoolId++;
  #watchdog: Watchdog = new Watchdog(() => this.#stopOverdue());

  constructor(
    size: number,
    module: ModuleOrigin | null,
    options: EngineOptions,
  ) {
    this.size = size;
    this.module = module?.url ?? null;
    this.#origin = module;
    this.#options = options;
    this.#backend = createBackend(options.backend);
    this.#metrics = new Metrics(options.trace);
    this.#advisor = new OverheadAdvisor(options.warn);
    this.#joined = new Promise((resolve) => (this.#markJoined = resolve));
  }

  get state(): PoolState {
    return this.#state;
  }

  /**
   * How many chunks the pool runs at once when every worker is busy:
   * `size` × `concurrency`. The automatic chunk size and a stream's
   * read-ahead are made for this many.
   */
  get slots(): number {
    return this.size * this.#options.concurrency;
  }

  /** How many workers are running now. */
  get workers(): number {
    return this.#workers.length;
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
    this.#calls.add(call);
    this.#dispatch();
  }

  // --- what a call may ask of the engine (CallHost) -------------------------

  /**
   * A call has new chunks ready, or has finished. The engine dispatches in
   * a microtask rather than at once, so that a call never finds the engine
   * running inside its own method.
   */
  wake(): void {
    this.#dispatchLoop.soon(() => this.#dispatch());
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

  /** Room for `items` more queued items, or the error that refuses them. */
  admit(items: number): Error | undefined {
    const max = this.#options.maxQueue;
    if (max === undefined) return undefined;
    const queued = this.#queued();
    return queued + items > max
      ? new QueueFullError(items, queued, max)
      : undefined;
  }

  /**
   * A call was aborted: its queued work is gone already; stop the workers
   * that are running its items now (or, if one says it runs nothing, is
   * about to: the oldest chunk it holds), and give their other chunks back.
   * The other calls' chunks running beside them on such a worker
   * (concurrency) fail with a `WorkerCrashedError` that says why. A worker
   * that holds chunks of the call but runs none is left alone: they are
   * dropped, or their results are.
   */
  aborted(call: Call): void {
    for (const worker of [...this.#workers]) {
      // The chunks running, or about to: the worker may not have started it.
      const ids = new Set<number>();
      for (const running of worker.suspects()) {
        if (running.chunk.call === call) ids.add(running.id);
      }
      if (ids.size === 0) continue;
      this.#lose(worker, "its call was aborted", null, {
        ids,
        beside:
          `items of an aborted call (task '${call.task.name}') ran beside it on the worker, and the pool stopped the worker to end them`,
      });
    }
  }

  /**
   * A call stopped (it failed, or its consumer broke out): ask the workers
   * to skip its chunks that wait behind others. One that has started
   * finishes (an abort stops it: see aborted()).
   */
  dropUnwanted(call: Call): void {
    for (const worker of this.#workers) {
      const ids: number[] = [];
      for (const [id, chunk] of worker.chunks) {
        if (chunk.call === call && !call.wants(chunk)) ids.push(id);
      }
      // The worker answers with those it had not started yet.
      if (ids.length > 0) worker.thread.post({ type: "drop", ids });
    }
  }

  // --- dispatch --------------------------------------------------------------

  /**
   * Sends ready chunks to workers, starting workers as needed. The caller's
   * own code runs in here (a generator that feeds an `imap`), and may make
   * another call, abort one or close the pool. A dispatch asked for while
   * one runs makes the running one go round again, so that none runs
   * inside another (`DispatchLoop`; Deno may run microtasks in the middle of a
   * dispatch, the first time a timer global is read).
   */
  #dispatch(): void {
    if (this.#state === "closed") return;
    if (!this.#dispatchLoop.run(() => this.#sendReady())) return;
    this.#maybeFinishClosing();
    this.#armIdleTimer();
  }

  /**
   * Stops workers idle for `idleTimeout`, so that a script that forgets
   * `close()` still exits (an idle Web Worker keeps the process alive) and
   * an idle pool gives its memory back; the next call starts them again.
   */
  #armIdleTimer(): void {
    const timeout = this.#options.idleTimeout;
    if (
      this.#idleTimer !== undefined || timeout === Infinity ||
      this.#state === "closed"
    ) return;
    let oldest = Infinity;
    for (const worker of this.#workers) {
      if (worker.chunks.size === 0) oldest = Math.min(oldest, worker.idleSince);
    }
    if (oldest === Infinity) return;
    const wait = Math.max(0, oldest + timeout - performance.now());
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      const now = performance.now();
      for (const worker of [...this.#workers]) {
        if (worker.chunks.size === 0 && now - worker.idleSince >= timeout) {
          this.#stop(worker);
        }
      }
      this.#armIdleTimer();
    }, wait);
  }

  #sendReady(): void {
    // The caller's code may have terminated the pool in the last round.
    while (this.#state !== "closed") {
      let worker = this.#freest();
      let chunk: Chunk | undefined;
      const canGrow = this.#workers.length < this.size;
      // An idle worker first; then a new worker, while the pool may grow;
      // then the free slots of busy workers (concurrency).
      if (worker !== undefined && (worker.chunks.size === 0 || !canGrow)) {
        chunk = this.#nextChunk();
      } else if (canGrow && !this.#spawnPending) {
        chunk = this.#nextChunk();
        if (chunk !== undefined) {
          try {
            worker = this.#spawnThenLater();
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
      } else if (worker !== undefined) {
        // Every worker runs something and another starts in a microtask:
        // wait for it rather than fill the free slots of these, so that
        // the chunks spread over the workers.
        break;
      } else {
        // Every worker is busy: give one more chunk to the least loaded
        // worker, but only of a call whose chunks are known to be quick.
        worker = this.#leastLoaded();
        if (worker === undefined) break;
        const held = worker.pipelineDepth;
        chunk = this.#nextChunk((call) => call.depth > held);
      }
      if (chunk === undefined || worker === undefined) break;
      this.#send(worker, chunk);
    }
  }

  /** The free worker that holds the fewest chunks (the first of those). */
  #freest(): WorkerHandle | undefined {
    let best: WorkerHandle | undefined;
    for (const worker of this.#workers) {
      if (!worker.free) continue;
      if (best === undefined || worker.chunks.size < best.chunks.size) {
        best = worker;
      }
    }
    return best;
  }

  #leastLoaded(): WorkerHandle | undefined {
    let best: WorkerHandle | undefined;
    for (const worker of this.#workers) {
      if (!worker.pipelinable) continue;
      if (best === undefined || worker.chunks.size < best.chunks.size) {
        best = worker;
      }
    }
    return best;
  }

  /** The next chunk, from the oldest call that has one ready (and passes `accept`). */
  #nextChunk(accept?: (call: Call) => boolean): Chunk | undefined {
    for (const call of this.#calls) {
      if (call.finished) {
        this.#calls.delete(call);
        continue;
      }
      if (accept !== undefined && !accept(call)) {
        // First come, first served: a later call does not jump ahead of an
        // older one that still has work (and this keeps the scan short).
        if (call.hasWork) return undefined;
        continue;
      }
      const chunk = call.takeChunk();
      if (chunk !== undefined) return chunk;
    }
    return undefined;
  }

  /**
   * Starts one worker now and the next in a microtask: creating a Worker
   * costs 10-50 ms of this thread, so the call that needs several returns
   * after the first, and the others start as soon as the caller's
   * synchronous code is done.
   */
  #spawnThenLater(): WorkerHandle {
    const worker = this.#spawn();
    this.#spawnPending = true;
    queueMicrotask(() => {
      this.#spawnPending = false;
      this.#dispatch();
    });
    return worker;
  }

  #spawn(): WorkerHandle {
    const id = this.#nextWorkerId++;
    const options = this.#options;
    const worker: WorkerHandle = new WorkerHandle({
      id,
      backend: this.#backend,
      events: {
        message: (message) => this.#onMessage(worker, message),
        lost: (reason, code) => this.#lose(worker, reason, code),
      },
      module: this.module,
      initializer: options.initializer,
      initArgs: options.initArgs,
      permissions: options.permissions,
      maxHeapMb: options.maxHeapMb,
      maxTasks: options.maxTasksPerWorker,
      concurrency: options.concurrency,
      lock: `@paralelo/pool ${this.#poolId} worker ${id}`,
      sharedMemory: options.sharedMemory,
    });
    this.#workers.push(worker);
    return worker;
  }

  #send(worker: WorkerHandle, chunk: Chunk): void {
    const call = chunk.call;
    try {
      worker.send(chunk, call.depth > 1);
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
    if (call.timeout !== undefined) this.#watchdog.arm(call.timeout);
  }

  // --- what workers say --------------------------------------------------------

  #onMessage(worker: WorkerHandle, message: FromWorker): void {
    if (Array.isArray(message)) {
      this.#onResult(worker, decodeResult(message));
      return;
    }
    switch (message.type) {
      case "state":
        worker.report(message);
        return;
      case "dropped":
        for (const id of message.ids) {
          const chunk = worker.take(id);
          chunk?.call.requeue(chunk);
        }
        this.#afterAnswer(worker);
        return;
      case "exit":
        this.#lose(worker, message.reason, message.code);
        return;
      case "fatal": {
        const error = deserializeError(message.error);
        const reason =
          `an error escaped a task (${error.name}: ${error.message})`;
        const ids = new Set(message.ids.filter((id) => worker.chunks.has(id)));
        if (ids.size > 0) {
          // With several chunks at once, nothing tells which one left the
          // timer or the promise behind: each that ran then fails.
          this.#lose(
            worker,
            message.ids.length > 1
              ? `an error escaped a task while ${message.ids.length} chunks ran at once on the worker, and nothing tells which of them it came from, so each failed (${error.name}: ${error.message})`
              : reason,
            null,
            {
              ids,
              beside: worker.concurrency > 1
                ? `${reason} beside it on the worker, and the pool stopped the worker, which can no longer be trusted`
                : undefined,
            },
          );
          return;
        }
        // Left behind by a task that has already returned (a timer, say):
        // the chunks there now are not to blame, so let them finish, then
        // replace the worker, whose state can no longer be trusted.
        worker.expire();
        this.#options.warn(
          `@paralelo/pool: ${reason} after it had returned, in worker ${worker.id}: no call was running there, so none failed; the worker is replaced`,
        );
        this.#afterAnswer(worker);
        return;
      }
    }
  }

  #onResult(worker: WorkerHandle, message: ResultMessage): void {
    const chunk = worker.take(message.id);
    if (chunk === undefined) return;
    const call = chunk.call;
    worker.countBusy(message.startedAt, message.duration);
    worker.items += message.values.length;
    this.#metrics.completed(message.values.length);
    call.observe(message.duration);
    const failure = message.failure === undefined
      ? undefined
      : this.#failure(chunk, message.failure);
    if (failure !== undefined) this.#metrics.failed();
    this.#span(
      worker,
      chunk,
      message.startedAt,
      message.startedAt + message.duration,
      failure === undefined,
    );
    this.#advisor.observe(
      call,
      call.task.name,
      chunk.items.length,
      message.duration,
      performance.now() - chunk.sentAt,
    );
    call.complete(chunk, message.values, failure);
    this.#afterAnswer(worker);
  }

  /**
   * The error a chunk's failure fails its call with: a `TaskError` for the
   * item that threw; or, when the task could not be resolved before any
   * item ran (its module did not load, or exports no such function), that
   * error itself, which blames no item: a `ModuleLoadError`, or a
   * `TypeError` that lists the module's functions.
   */
  #failure(
    chunk: Chunk,
    failure: NonNullable<ResultMessage["failure"]>,
  ): Error {
    const remote = deserializeFailure(failure.error, this.#origin);
    if (remote.unresolved !== undefined) return remote.error;
    return new TaskError(
      chunk.call.task.name,
      chunk.start + failure.offset,
      remote.error,
    );
  }

  /** A worker answered: replace it if it is spent, then send more work. */
  #afterAnswer(worker: WorkerHandle): void {
    if (worker.spent) this.#retire(worker);
    this.#dispatch();
  }

  #span(
    worker: WorkerHandle,
    chunk: Chunk,
    started: number,
    ended: number,
    ok: boolean,
  ): void {
    if (!this.#metrics.tracing) return;
    this.#metrics.span({
      worker: worker.id,
      call: chunk.call.id,
      task: chunk.call.task.name,
      start: chunk.start,
      count: chunk.items.length,
      readAt: chunk.readAt,
      sentAt: chunk.sentAt,
      started,
      ended,
      ok,
    });
  }

  // --- how workers leave -------------------------------------------------------

  /**
   * A worker that did its share (its `maxTasksPerWorker`, or it is no
   * longer trusted) and holds nothing stops; the dispatch that follows
   * starts a new one if work needs it. Not the crash path: nothing fails.
   */
  #retire(worker: WorkerHandle): void {
    this.#stop(worker);
  }

  /** Takes a worker out of the pool and ends its thread. */
  #stop(worker: WorkerHandle): void {
    if (!this.#remove(worker)) return;
    worker.thread.terminate();
  }

  #remove(worker: WorkerHandle): boolean {
    const index = this.#workers.indexOf(worker);
    if (index === -1) return false;
    this.#workers.splice(index, 1);
    this.#metrics.left({
      id: worker.id,
      startedAt: worker.startedAt,
      busyMs: worker.busyMs,
      items: worker.items,
      runningItems: 0,
    });
    return true;
  }

  /**
   * A worker stopped, or cannot be trusted: fail the chunks at fault, each
   * at the item it was on, and those that ran beside them; give the others,
   * not started, back to their calls to run elsewhere; and start a new
   * worker if work is left.
   *
   * The chunks at fault are `blame.ids`; without `blame` (a crash, an exit),
   * every chunk the worker says it runs, else the oldest it held, as nothing
   * tells which of several chunks at once made it stop. They fail with
   * `blame.error`, else a `WorkerCrashedError` for `reason`; those beside
   * them with a `WorkerCrashedError` for `blame.beside`.
   */
  #lose(
    worker: WorkerHandle,
    reason: string,
    exitCode: number | null,
    blame?: Blame,
  ): void {
    const reportsRunning = worker.reportsRunning;
    const running = worker.running();
    const suspects = running.length > 0 ? running : worker.suspects();
    if (!this.#remove(worker)) return;
    worker.thread.terminate();
    if (reportsRunning && exitCode === null && !this.#backend.interrupts) {
      this.#warnIfStillRunning(worker, reason);
    }
    // The worker wrote which item each chunk had started; trust it.
    const at = new Map(suspects.map((each) => [each.id, each]));
    const culprits = blame?.ids ?? new Set(at.keys());
    const beside = blame?.beside;
    for (const [id, chunk] of worker.takeAll()) {
      const culprit = culprits.has(id);
      const ranBeside = !culprit && beside !== undefined &&
        running.some((each) => each.id === id);
      if (!culprit && !ranBeside) {
        chunk.call.requeue(chunk);
        continue;
      }
      const index = at.get(id)?.index ?? chunk.start;
      this.#metrics.failed();
      const now = performance.timeOrigin + performance.now();
      this.#span(
        worker,
        chunk,
        performance.timeOrigin + chunk.sentAt,
        now,
        false,
      );
      chunk.call.complete(
        chunk,
        [],
        (culprit ? blame?.error?.(chunk, index) : undefined) ??
          new WorkerCrashedError({
            task: chunk.call.task.name,
            index,
            workerId: worker.id,
            reason: culprit ? reason : beside!,
            exitCode,
          }),
      );
    }
    this.#dispatch();
  }

  /**
   * Deno cannot stop a Web Worker that runs a synchronous loop: terminate()
   * leaves its thread spinning, a core busy and the process unable to exit.
   * If the thread has not ended within a second (a few, outside Deno), say
   * so, with the way out.
   */
  #warnIfStillRunning(worker: WorkerHandle, reason: string): void {
    const here = runtime();
    worker.thread.ended(here.stopGraceMs).then((stopped) => {
      if (stopped !== false) return;
      this.#options.warn(
        `@paralelo/pool: worker ${worker.id} was stopped (${reason}) while its task ran synchronously, and Web Workers cannot be interrupted: its thread still runs, keeps a core busy ${here.stuckThreadAdvice}`,
      );
    });
  }

  /**
   * The watchdog's check: stops each worker with an item that has run past
   * its call's timeout, by the start time the worker wrote in that item's
   * slot; returns the shortest timeout still running, so that the watchdog
   * knows when to look again. Each overdue chunk fails with a
   * `TaskTimeoutError`; a chunk that ran beside it on the worker
   * (concurrency) with a `WorkerCrashedError` that says why the worker was
   * stopped; the chunks not started run elsewhere.
   */
  #stopOverdue(): number | undefined {
    const now = performance.timeOrigin + performance.now();
    for (const worker of [...this.#workers]) {
      const late = worker.running().filter((running) => {
        const limit = running.chunk.call.timeout;
        return limit !== undefined && overdue(running.startedAt, limit, now);
      });
      const first = late[0];
      if (first === undefined) continue;
      const limit = first.chunk.call.timeout!;
      const task = first.chunk.call.task.name;
      this.#lose(
        worker,
        `ran over its timeout of ${limit} ms`,
        null,
        {
          ids: new Set(late.map((running) => running.id)),
          error: (chunk, index) =>
            new TaskTimeoutError({
              task: chunk.call.task.name,
              index,
              workerId: worker.id,
              timeoutMs: chunk.call.timeout ?? limit,
            }),
          beside:
            `item ${first.index} of task '${task}' ran over its timeout of ${limit} ms beside it on the worker, and the pool stopped the worker to end it`,
        },
      );
    }
    let shortest: number | undefined;
    for (const worker of this.#workers) {
      for (const chunk of worker.chunks.values()) {
        const timeout = chunk.call.timeout;
        if (timeout !== undefined && !(timeout >= (shortest ?? Infinity))) {
          shortest = timeout;
        }
      }
    }
    return shortest;
  }

  // --- lifecycle -----------------------------------------------------------------

  #queued(): number {
    let queued = 0;
    for (const call of this.#calls) queued += call.queuedItems;
    return queued;
  }

  /**
   * The pool object was garbage-collected while still running: nobody can
   * give it work any more. Warn once if it still had workers, and close.
   */
  abandoned(): void {
    if (this.#state !== "running") return;
    const workers = this.#workers.length;
    if (workers > 0) {
      this.#options.warn(
        `@paralelo/pool: a running pool with ${workers} worker${
          workers === 1 ? "" : "s"
        } was garbage-collected without close(): call close(), or create it with 'await using', when its work is done`,
      );
    }
    this.close();
  }

  /** Takes no more calls; the pool stops once the work it has is done. */
  close(): void {
    if (this.#state !== "running") return;
    this.#state = "closing";
    // The work of a stream is work already submitted: it finishes, as in
    // Python, without waiting for its consumer to ask for each result.
    for (const call of this.#calls) call.unbound();
    this.#dispatch();
  }

  #maybeFinishClosing(): void {
    if (this.#state !== "closing") return;
    if (this.#workers.some((w) => w.chunks.size > 0)) return;
    for (const call of this.#calls) {
      if (!call.finished) return;
    }
    this.#shutDown();
  }

  /** Stops every worker now and fails every call still pending. */
  terminate(): void {
    if (this.#state === "closed") return;
    // A finished stream keeps its results for its consumer.
    const calls = [...this.#calls].filter((call) => !call.finished);
    for (const worker of this.#workers) {
      for (const chunk of worker.chunks.values()) calls.push(chunk.call);
    }
    this.#shutDown();
    const error = new PoolClosedError(
      "Cannot finish the call as the pool was terminated: use close() to let queued work finish",
    );
    for (const call of new Set(calls)) call.fail(error);
  }

  #shutDown(): void {
    this.#state = "closed";
    this.#metrics.close();
    this.#watchdog.disarm();
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    for (const worker of [...this.#workers]) this.#stop(worker);
    this.#calls.clear();
    this.#markJoined();
  }

  /**
   * Resolves once the pool has shut down after `close()` or `terminate()`:
   * every worker has been terminated (a Web Worker stuck in a synchronous
   * loop may still spin; the pool warns about it).
   */
  join(): Promise<void> {
    return this.#joined;
  }

  /** The numbers behind `Pool.stats()`. */
  stats(): PoolStats {
    const workers = this.#workers.map((worker) => {
      let runningItems = 0;
      for (const chunk of worker.chunks.values()) {
        runningItems += chunk.items.length;
      }
      return {
        id: worker.id,
        startedAt: worker.startedAt,
        busyMs: worker.busyMs,
        items: worker.items,
        runningItems,
      };
    });
    return this.#metrics.stats(workers, this.#queued());
  }

  /** The spans recorded so far, if the pool traces. */
  trace(): PoolTrace | null {
    return this.#metrics.trace(this.size);
  }
}
