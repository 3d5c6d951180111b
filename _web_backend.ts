// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The `"web"` backend: Web Workers (Deno, Bun, browsers), started from a
 * `blob:` URL of the worker's source, so that the package works when it is
 * imported from a remote URL or JSR (a worker file beside it could not be
 * loaded there).
 *
 * @module
 */
import type { FromWorker, ToWorker } from "./_protocol.ts";
import type {
  Thread,
  ThreadBackend,
  ThreadEvents,
  ThreadOptions,
} from "./_backend.ts";
import {
  type LockManagerLike,
  runtime,
  type WorkerConstructor,
} from "./_runtime.ts";

/**
 * The `close` event Bun fires on a Worker whose thread has ended (a task
 * called `process.exit()`, say), with the exit code. Deno and browsers
 * fire none.
 */
interface CloseEventLike extends Event {
  code?: unknown;
}

class WebThread implements Thread {
  #worker: Worker;
  #lock: string;
  #locks: LockManagerLike | undefined;
  #events: ThreadEvents | null;

  constructor(
    Ctor: WorkerConstructor,
    url: string,
    locks: LockManagerLike | undefined,
    options: ThreadOptions,
    events: ThreadEvents,
  ) {
    this.#lock = options.lock;
    this.#locks = locks;
    this.#events = events;
    const { permissions } = options;
    this.#worker = new Ctor(url, {
      type: "module",
      name: `@paralelo/pool worker ${options.id}`,
      ...(permissions === undefined ? {} : { deno: { permissions } }),
    } as WorkerOptions);
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) =>
      this.#events?.message(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      // Without this the whole process would exit.
      event.preventDefault();
      this.#lost(`an error escaped the worker: ${event.message}`, null);
    };
    this.#worker.onmessageerror = () =>
      this.#lost("a message from the worker could not be read", null);
    // Bun: the thread ended by itself (a task exited, and the shim could
    // not say so first). Without this the calls on it would wait forever.
    this.#worker.addEventListener("close", (event: Event) => {
      const code = (event as CloseEventLike).code;
      this.#lost(
        typeof code === "number"
          ? `the worker exited with code ${code}`
          : "the worker exited",
        typeof code === "number" ? code : null,
      );
    });
  }

  #lost(reason: string, code: number | null): void {
    const events = this.#events;
    this.#events = null;
    events?.lost(reason, code);
  }

  post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    this.#worker.postMessage(message, transfer ? { transfer } : undefined);
  }

  terminate(): void {
    this.#events = null;
    this.#worker.terminate();
  }

  // Deno's and browsers' Web Workers have no unref(): an idle one keeps the
  // process alive. Bun's have it, as node's workers do.
  unref(): void {
    (this.#worker as { unref?: () => void }).unref?.();
  }

  ref(): void {
    (this.#worker as { ref?: () => void }).ref?.();
  }

  /**
   * Deno cannot stop a Web Worker that runs a synchronous loop: terminate()
   * leaves its thread spinning. The worker's Web Lock is released only when
   * its thread really ends.
   */
  ended(ms: number): Promise<boolean | undefined> {
    const locks = this.#locks;
    if (locks === undefined) return Promise.resolve(undefined);
    const signal = AbortSignal.timeout(ms);
    return locks.request(this.#lock, { signal }, () => {}).then(
      () => true,
      () => signal.aborted ? false : undefined,
    );
  }
}

let blobUrl: string | undefined;

/** Starts Web Workers from `source`, the worker side's code. */
export class WebBackend implements ThreadBackend {
  readonly name = "web" as const;
  readonly interrupts = false;
  #source: string;
  #Worker: WorkerConstructor;
  #locks: LockManagerLike | undefined;

  /**
   * A backend for `source`, with the runtime's Web Worker.
   *
   * @throws {TypeError} If the runtime has no Web Worker (Node).
   */
  constructor(source: string) {
    this.#source = source;
    const here = runtime();
    const Worker = here.Worker;
    if (Worker === undefined) {
      throw new TypeError(
        `Cannot create pool with backend 'web' as ${here.label} has no Web Worker: use backend 'node'`,
      );
    }
    this.#Worker = Worker;
    this.#locks = here.locks;
  }

  spawn(options: ThreadOptions, events: ThreadEvents): Thread {
    // One blob for the process: every pool's workers start from it.
    blobUrl ??= URL.createObjectURL(
      new Blob([this.#source], { type: "text/javascript" }),
    );
    return new WebThread(this.#Worker, blobUrl, this.#locks, options, events);
  }
}
