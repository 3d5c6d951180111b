// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The one thing the engine knows about threads: a {@linkcode ThreadBackend}
 * starts a {@linkcode Thread} and reports what it sends and how it ends.
 * Everything the pool does (chunks, order, faults, timeouts) is built on
 * these few members, so that a new way to run threads (another runtime, a
 * cluster) is one small file beside `_web_backend.ts` and
 * `_node_backend.ts`, as in tinypool's `src/runtime/`.
 *
 * @module
 */
import type { FromWorker, ToWorker } from "./_protocol.ts";

/**
 * Which threads a pool runs on.
 *
 * - `"web"`: Web Workers (Deno, Bun, browsers). Each starts in about 15 ms
 *   in Deno. Deno cannot interrupt one that loops synchronously, and a live
 *   one keeps the process running.
 * - `"node"`: `node:worker_threads` (Node, and Deno and Bun, which support
 *   it). Each starts in about 35-50 ms in Deno, but `terminate()` stops a
 *   thread stuck in a loop, an idle thread does not keep the process alive,
 *   and a heap limit per worker turns running out of memory into an error
 *   of one call.
 *
 * @example Usage
 * ```ts
 * import { Pool, type Backend } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const backend: Backend = "node";
 * await using pool = new Pool({ size: 1, backend });
 * assert.deepEqual(await pool.map((x: number) => x + 1, [1, 2]), [2, 3]);
 * ```
 */
export type Backend = "web" | "node";

/**
 * Narrower Deno permissions for a pool's workers: Deno's own
 * `Deno.PermissionOptions`, written out here so that the pool's types
 * check without Deno's (in Node and Bun, say). `"none"` takes every
 * permission away; an object grants each kind as given.
 *
 * @example Usage
 * ```ts
 * import type { WorkerPermissions } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const permissions: WorkerPermissions = { read: ["./data"], net: false };
 * const same: Deno.PermissionOptions = permissions;
 * assert.deepEqual(same, { read: ["./data"], net: false });
 * ```
 */
export type WorkerPermissions =
  | "inherit"
  | "none"
  | {
    /** Environment variables: all, none, or these names. */
    env?: "inherit" | boolean | string[];
    /** Foreign libraries: all, none, or these paths. */
    ffi?: "inherit" | boolean | Array<string | URL>;
    /** Dynamic imports from the network: all, none, or these hosts. */
    import?: "inherit" | boolean | string[];
    /** Network: all, none, or these `host[:port]`s. */
    net?: "inherit" | boolean | string[];
    /** Reading files: all, none, or these paths. */
    read?: "inherit" | boolean | Array<string | URL>;
    /** Subprocesses: all, none, or these programs. */
    run?: "inherit" | boolean | Array<string | URL>;
    /** System information: all, none, or these kinds. */
    sys?: "inherit" | boolean | string[];
    /** Writing files: all, none, or these paths. */
    write?: "inherit" | boolean | Array<string | URL>;
  };

/** What a thread reports to the engine. */
export interface ThreadEvents {
  /** A message the worker posted. */
  message(message: FromWorker): void;
  /**
   * The thread stopped, or can no longer be trusted, for `reason` (a phrase
   * such as "an error escaped the worker: ..."). `code` is the exit code
   * when the runtime gives one. Called at most once per thread.
   */
  lost(reason: string, code: number | null): void;
}

/** What a backend needs to start one thread. */
export interface ThreadOptions {
  /** The pool's number for the worker, for its name. */
  id: number;
  /** Narrower Deno permissions (web only: checked by the pool's options). */
  permissions: WorkerPermissions | undefined;
  /** The most heap the thread may use, in MiB (node only). */
  maxHeapMb: number | undefined;
  /**
   * The Web Lock the worker holds for as long as its thread runs (named in
   * its init message), so that `ended()` can tell when it has ended.
   */
  lock: string;
}

/** One running thread, as the engine sees it. */
export interface Thread {
  /** Posts a message; throws, sending nothing, if it cannot be cloned. */
  post(message: ToWorker, transfer?: ArrayBuffer[]): void;
  /** Stops the thread now. Later events from it are not reported. */
  terminate(): void;
  /** Lets the process exit while this thread is idle, where the runtime can. */
  unref(): void;
  /** Keeps the process alive while this thread has work. */
  ref(): void;
  /**
   * Resolves once the thread has really stopped after `terminate()`: `true`
   * if it did within `ms`, `false` if it still runs (a Web Worker stuck in a
   * synchronous loop), `undefined` if the runtime cannot tell.
   */
  ended(ms: number): Promise<boolean | undefined>;
}

/** A way to run threads: Web Workers, `node:worker_threads`... */
export interface ThreadBackend {
  readonly name: Backend;
  /**
   * Whether `terminate()` stops a thread that runs a synchronous loop. When
   * it does not, the engine checks `ended()` and says so.
   */
  readonly interrupts: boolean;
  /** Starts a thread that runs the worker side of the protocol. */
  spawn(options: ThreadOptions, events: ThreadEvents): Thread;
}
