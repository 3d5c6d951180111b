// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The `"node"` backend: `node:worker_threads`, in Node, and in Deno and Bun,
 * which support it (the default in Node, which has no Web Workers). Next to
 * Web Workers it costs more to start (35-50 ms a worker against 13-15 ms),
 * and buys three things the pool can use: `terminate()` stops a thread stuck
 * in a synchronous loop, `unref()` lets the process exit while a thread is
 * idle, and `resourceLimits` turns running out of heap into an error on one
 * worker instead of the end of the process.
 *
 * The module is loaded with `process.getBuiltinModule` (Node 20.16 and
 * later, Deno, Bun), only when a pool asks for this backend, so that the
 * rest of the package never imports it and runs in a browser too.
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
import { runtime } from "./_runtime.ts";

/** The part of `node:worker_threads`' `Worker` the pool uses. */
interface NodeWorker {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  on(event: "message", listener: (message: FromWorker) => void): void;
  on(event: "error", listener: (error: unknown) => void): void;
  on(event: "messageerror", listener: (error: unknown) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

type NodeWorkerConstructor = new (
  url: URL,
  options: {
    name: string;
    resourceLimits?: { maxOldGenerationSizeMb: number };
  },
) => NodeWorker;

function loadWorkerConstructor(): NodeWorkerConstructor {
  const here = runtime();
  const module = here.builtin("node:worker_threads") as
    | { Worker?: NodeWorkerConstructor }
    | undefined;
  if (typeof module?.Worker !== "function") {
    throw new TypeError(
      here.name === "node"
        ? "Cannot create pool with backend 'node' as this Node has no process.getBuiltinModule, through which the pool loads node:worker_threads: use Node 20.16 or later"
        : `Cannot create pool with backend 'node' as ${here.label} has no node:worker_threads: use backend 'web'`,
    );
  }
  return module.Worker;
}

class NodeThread implements Thread {
  #worker: NodeWorker;
  #events: ThreadEvents | null;
  #exited: Promise<void>;

  constructor(
    Ctor: NodeWorkerConstructor,
    url: URL,
    options: ThreadOptions,
    events: ThreadEvents,
  ) {
    this.#events = events;
    const { maxHeapMb } = options;
    this.#worker = new Ctor(url, {
      name: `@paralelo/pool worker ${options.id}`,
      ...(maxHeapMb === undefined
        ? {}
        : { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } }),
    });
    this.#worker.on("message", (message) => this.#events?.message(message));
    this.#worker.on("error", (error) => {
      const code = (error as { code?: unknown } | null)?.code;
      this.#lost(
        code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `it ran out of memory: its heap reached the pool's 'maxHeapMb' limit of ${maxHeapMb} MiB`
          : `an error escaped the worker: ${
            error instanceof Error ? error.message : String(error)
          }`,
        null,
      );
    });
    this.#worker.on(
      "messageerror",
      () => this.#lost("a message from the worker could not be read", null),
    );
    this.#exited = new Promise((resolve) => {
      this.#worker.on("exit", (code) => {
        this.#lost(`the worker exited with code ${code}`, code);
        resolve();
      });
    });
  }

  #lost(reason: string, code: number | null): void {
    const events = this.#events;
    this.#events = null;
    events?.lost(reason, code);
  }

  post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    this.#worker.postMessage(message, transfer);
  }

  terminate(): void {
    this.#events = null;
    this.#worker.terminate().catch(() => {});
  }

  unref(): void {
    this.#worker.unref();
  }

  ref(): void {
    this.#worker.ref();
  }

  ended(ms: number): Promise<boolean | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    return Promise.race([this.#exited.then(() => true), late]).finally(() =>
      clearTimeout(timer)
    );
  }
}

let dataUrl: URL | undefined;

/** Starts `node:worker_threads` workers from `source`, the worker side's code. */
export class NodeBackend implements ThreadBackend {
  readonly name = "node" as const;
  readonly interrupts = true;
  #source: string;
  #Worker: NodeWorkerConstructor;

  constructor(source: string) {
    this.#source = source;
    this.#Worker = loadWorkerConstructor();
  }

  spawn(options: ThreadOptions, events: ThreadEvents): Thread {
    // Node's Worker refuses blob: URLs; a data: URL of the module works.
    dataUrl ??= new URL(
      `data:text/javascript,${encodeURIComponent(this.#source)}`,
    );
    return new NodeThread(this.#Worker, dataUrl, options, events);
  }
}
