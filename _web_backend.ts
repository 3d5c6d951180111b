// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The `"web"` backend: Deno's Web Workers, started from a `blob:` URL of the
 * worker's source, so that the package works when it is imported from a
 * remote URL or JSR (a worker file beside it could not be loaded there).
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

/** The part of the Web Locks API the pool uses (not in Deno's types). */
interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}

class WebThread implements Thread {
  #worker: Worker;
  #lock: string;
  #events: ThreadEvents | null;

  constructor(url: string, options: ThreadOptions, events: ThreadEvents) {
    this.#lock = options.lock;
    this.#events = events;
    const { permissions } = options;
    this.#worker = new Worker(url, {
      type: "module",
      name: `@paralelo/pool worker ${options.id}`,
      ...(permissions === undefined ? {} : { deno: { permissions } }),
    } as WorkerOptions);
    this.#worker.onmessage = (event: MessageEvent<FromWorker>) =>
      this.#events?.message(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      // Without this the whole process would exit.
      event.preventDefault();
      this.#lost(`an error escaped the worker: ${event.message}`);
    };
    this.#worker.onmessageerror = () =>
      this.#lost("a message from the worker could not be read");
  }

  #lost(reason: string): void {
    const events = this.#events;
    this.#events = null;
    events?.lost(reason, null);
  }

  post(message: ToWorker, transfer?: Transferable[]): void {
    this.#worker.postMessage(message, transfer ? { transfer } : undefined);
  }

  terminate(): void {
    this.#events = null;
    this.#worker.terminate();
  }

  // Web Workers have no unref(): an idle one keeps the process alive.
  unref(): void {}
  ref(): void {}

  /**
   * Deno cannot stop a Web Worker that runs a synchronous loop: terminate()
   * leaves its thread spinning. The worker's Web Lock is released only when
   * its thread really ends.
   */
  ended(ms: number): Promise<boolean | undefined> {
    const locks = (navigator as unknown as { locks?: LockManagerLike }).locks;
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

  constructor(source: string) {
    this.#source = source;
  }

  spawn(options: ThreadOptions, events: ThreadEvents): Thread {
    // One blob for the process: every pool's workers start from it.
    blobUrl ??= URL.createObjectURL(
      new Blob([this.#source], { type: "text/javascript" }),
    );
    return new WebThread(blobUrl, options, events);
  }
}
