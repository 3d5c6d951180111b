// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The private engine behind `Pool`: it starts workers when work needs them,
 * hands chunks to idle workers in the order the calls were made, matches the
 * answers by id, and turns every way a worker can stop into an error for the
 * work that was on it, so that no call is left pending.
 *
 * @module
 */
import type { Call, Chunk } from "./_call.ts";
import type { FromWorker, RunMessage, ToWorker } from "./_protocol.ts";
import { deserializeError } from "./_remote_error.ts";
import { workerMain } from "./_worker_shim.ts";
import { PoolClosedError, TaskError, WorkerCrashedError } from "./errors.ts";

/** The life of a pool: it takes work, then drains, then is stopped. */
export type PoolState = "running" | "closing" | "closed";

interface Slot {
  id: number;
  worker: Worker;
  /** The chunk the worker is running, and its message id. */
  chunk: Chunk | null;
  messageId: number;
  /** Replace this worker once its chunk is done. */
  retiring: boolean;
}

const SHIM_SOURCE = `(${workerMain.toString()})();\n`;

/** Runs calls on up to `size` workers. */
export class Engine {
  readonly size: number;
  readonly module: string | null;
  #state: PoolState = "running";
  #slots: Slot[] = [];
  /** Calls in the order they were made; those before `#head` are finished. */
  #calls: Call[] = [];
  #head = 0;
  #shimUrl: string | null = null;
  #nextWorkerId = 1;
  #nextMessageId = 1;
  #dispatching = false;
  #spawnPending = false;
  #joined: Promise<void>;
  #markJoined!: () => void;

  constructor(size: number, module: string | null) {
    this.size = size;
    this.module = module;
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

  /** Sends ready chunks to idle workers, starting workers as needed. */
  dispatch = (): void => {
    if (this.#dispatching || this.#state === "closed") return;
    this.#dispatching = true;
    try {
      while (true) {
        let slot = this.#slots.find((s) => s.chunk === null);
        if (slot === undefined && this.#slots.length >= this.size) break;
        if (slot === undefined && this.#spawnPending) break;
        const chunk = this.#nextChunk();
        if (chunk === undefined) break;
        if (slot === undefined) {
          slot = this.#spawn();
          // A Worker costs milliseconds of this thread to create: start the
          // others a tick later, so that the call that needs them returns
          // at once and the caller goes on.
          this.#spawnPending = true;
          setTimeout(() => {
            this.#spawnPending = false;
            this.dispatch();
          }, 0);
        }
        this.#send(slot, chunk);
      }
    } finally {
      this.#dispatching = false;
    }
    this.#maybeFinishClosing();
  };

  /** The next chunk, from the oldest call that has one ready. */
  #nextChunk(): Chunk | undefined {
    // Finished calls are skipped from the head at once and swept from the
    // middle in batches, so that many calls in flight cost O(1) a chunk.
    // A finished stream keeps its results for its consumer.
    const calls = this.#calls.filter((call) => !call.finished);
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
      chunk = call.takeChunk();
      if (chunk !== undefined) break;
    }
    if (finished > 64 || (this.#head > 1024 && this.#head * 2 > calls.length)) {
      this.#calls = calls.slice(this.#head).filter((call) => !call.finished);
      this.#head = 0;
    }
    return chunk;
  }

  #spawn(): Slot {
    this.#shimUrl ??= URL.createObjectURL(
      new Blob([SHIM_SOURCE], { type: "text/javascript" }),
    );
    const id = this.#nextWorkerId++;
    const worker = new Worker(this.#shimUrl, {
      type: "module",
      name: `@paralelo/pool worker ${id}`,
    });
    const slot: Slot = {
      id,
      worker,
      chunk: null,
      messageId: 0,
      retiring: false,
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
    this.#post(slot, { type: "init", workerId: id, module: this.module });
    this.#slots.push(slot);
    return slot;
  }

  #post(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  #send(slot: Slot, chunk: Chunk): void {
    const call = chunk.call;
    const message: RunMessage = {
      type: "run",
      id: this.#nextMessageId++,
      task: call.task,
      spread: call.spread,
      items: chunk.items,
    };
    try {
      this.#post(slot, message);
    } catch (error) {
      // Nothing was sent: the worker stays idle and only this call fails,
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
    slot.chunk = chunk;
    slot.messageId = message.id;
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case "result": {
        const chunk = slot.chunk;
        if (chunk === null || message.id !== slot.messageId) return;
        slot.chunk = null;
        const failure = message.failure === undefined
          ? undefined
          : new TaskError(
            chunk.call.task.name,
            chunk.start + message.failure.offset,
            deserializeError(message.failure.error),
          );
        chunk.call.complete(chunk, message.values, failure);
        if (slot.retiring) {
          this.#lose(slot, "retired", null);
          return;
        }
        this.dispatch();
        return;
      }
      case "exit":
        this.#lose(slot, message.reason, message.code);
        return;
      case "fatal": {
        const error = deserializeError(message.error);
        const reason =
          `an error escaped a task (${error.name}: ${error.message})`;
        if (message.id !== null && message.id === slot.messageId) {
          this.#lose(slot, reason, null);
        } else {
          // Left behind by a task that has already returned (a timer, say):
          // the chunk running now is not to blame, so let it finish, then
          // replace the worker, whose state can no longer be trusted.
          slot.retiring = true;
          if (slot.chunk === null) this.#lose(slot, reason, null);
        }
        return;
      }
    }
  }

  /** A worker stopped or cannot be trusted: fail its work and replace it. */
  #lose(slot: Slot, reason: string, exitCode: number | null): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#slots.splice(index, 1);
    slot.worker.terminate();
    const chunk = slot.chunk;
    slot.chunk = null;
    if (chunk !== null) {
      chunk.call.complete(
        chunk,
        [],
        new WorkerCrashedError({
          task: chunk.call.task.name,
          index: chunk.start,
          workerId: slot.id,
          reason,
          exitCode,
        }),
      );
    }
    this.dispatch();
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
    if (this.#slots.some((s) => s.chunk !== null)) return;
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
    const running = this.#slots.flatMap((s) => s.chunk ? [s.chunk.call] : []);
    this.#shutDown();
    const error = new PoolClosedError(
      "Cannot finish the call as the pool was terminated: use close() to let queued work finish",
    );
    for (const call of new Set([...calls, ...running])) call.fail(error);
  }

  #shutDown(): void {
    this.#state = "closed";
    for (const slot of this.#slots) slot.worker.terminate();
    this.#slots = [];
    this.#calls = [];
    this.#head = 0;
    if (this.#shimUrl !== null) URL.revokeObjectURL(this.#shimUrl);
    this.#shimUrl = null;
    this.#markJoined();
  }

  /** Resolves once every worker has stopped after `close()` or `terminate()`. */
  join(): Promise<void> {
    return this.#joined;
  }
}
