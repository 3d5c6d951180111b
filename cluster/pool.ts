// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `ClusterPool`: the same `map` on many machines, through NATS JetStream,
 * like Ray's `ray.util.multiprocessing.Pool`.
 *
 * @module
 */
import { AsyncResult } from "../async_result.ts";
import { Call, type CallMode } from "../_call.ts";
import { checkCallOptions, checkTimeout } from "../_options.ts";
import { toTaskRef } from "../_task_ref.ts";
import type {
  Items,
  NoModule,
  TaskFunction,
  TaskName,
  TaskParameters,
  TaskResult,
} from "../types.ts";
import { ClusterEngine, type ClusterPoolState } from "./_engine.ts";
import { ModuleHasher, moduleUrl } from "./_module.ts";
import {
  hidePassword,
  NatsNames,
  type NatsOptions,
  NatsPoolTransport,
} from "./_nats.ts";

export type { ClusterPoolState } from "./_engine.ts";
export type { NatsOptions, NatsTlsOptions } from "./_nats.ts";

/** The cluster's name when none is given. */
export const DEFAULT_CLUSTER_NAME = "paralelo";

/**
 * Options for {@linkcode ClusterPool}.
 *
 * @example Usage
 * ```ts
 * import type { ClusterPoolOptions } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * const options: ClusterPoolOptions = {
 *   servers: "nats://user:secret@nats.internal:4222",
 *   name: "scrapers",
 *   timeout: 60_000,
 * };
 * assert.equal(options.name, "scrapers");
 * ```
 */
export interface ClusterPoolOptions {
  /**
   * The NATS server, or several of one cluster: `nats://host:4222`, with
   * credentials if it needs them, `nats://user:pass@host:4222`. The server
   * needs JetStream (`nats-server -js`).
   */
  servers: string | string[];
  /**
   * Names the cluster's stream (`name`, and `name_results`) and subjects
   * (`name.jobs.>`...), so that several clusters can share one server. Its
   * consumers must be started with the same `--name`. Letters, digits, `_`
   * and `-`.
   *
   * @default {"paralelo"}
   */
  name?: string;
  /**
   * How many chunks the cluster runs at once, for the automatic chunk size
   * and an `imap`'s read-ahead.
   *
   * @default {The total `--size` of the consumers that have said they are
   * there, or `cpuCount()` before any has.}
   */
  size?: number;
  /**
   * The default `timeout` of every call, in milliseconds: an item that runs
   * longer on a consumer, counted from when it starts there, fails its call
   * with a `TaskTimeoutError`. A call with a timeout also fails, with a
   * `NoConsumerError`, once it has waited that long with no consumer
   * running at all.
   *
   * @default {undefined, no limit}
   */
  timeout?: number;
  /**
   * Receives warnings, such as "no consumer has taken work", with the
   * command that starts one.
   *
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
  /**
   * How long work may wait with no consumer running before `onWarning`
   * says so, in milliseconds.
   *
   * @default {3000}
   */
  warnAfter?: number;
  /**
   * How long pending calls wait for a lost connection to come back, in
   * milliseconds. Within it, they go on as if nothing happened (the server
   * keeps the jobs and results). Past it, each rejects with a
   * `ClusterConnectionError`; the client keeps reconnecting, and the pool
   * takes new calls once the server is back.
   *
   * @default {10000}
   */
  reconnectTimeout?: number;
  /**
   * The NATS client's own connection options, passed through: `user` and
   * `pass`, `token`, `authenticator` (nkeys, JWT, creds), `tls` (`{ caFile,
   * certFile, keyFile }`, or `{}` to require TLS), `name`, timeouts. The
   * pool always reconnects for good (`maxReconnectAttempts: -1`).
   *
   * @default {{}}
   */
  connection?: NatsOptions;
}

/**
 * Options for the calls of a {@linkcode ClusterPool} that take many items.
 *
 * @example Usage
 * ```ts
 * import type { ClusterCallOptions } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * let done = 0;
 * const options: ClusterCallOptions = {
 *   chunkSize: 100,
 *   timeout: 5_000,
 *   onProgress: (n) => (done = n),
 * };
 * options.onProgress?.(3, 10);
 * assert.equal(done, 3);
 * ```
 */
export interface ClusterCallOptions {
  /**
   * How many items go to a consumer in one message. A chunk over the
   * server's `max_payload` (1 MB by default) is split into parts that fit.
   *
   * @default {For `map` and `starmap`, about four chunks per slot of the
   * cluster; for `imap` and `imapUnordered`, 1.}
   */
  chunkSize?: number;
  /**
   * Aborts the call: it rejects with `signal.reason`, its chunks still
   * queued are removed from the stream, and the results of those running
   * on consumers are dropped.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * The most an item may run on a consumer, in milliseconds, from when it
   * starts there: over it, the call rejects with a `TaskTimeoutError`. Also
   * how long the call waits with no consumer running before it rejects with
   * a `NoConsumerError`.
   *
   * @default {The pool's `timeout`.}
   */
  timeout?: number;
  /**
   * Called as chunks come back, with how many items are done and how many
   * there are (`undefined` when the input's length is not known).
   *
   * @default {undefined}
   */
  onProgress?: (done: number, total: number | undefined) => void;
}

/**
 * Options for `apply` and `applyAsync` on a {@linkcode ClusterPool}.
 *
 * @example Usage
 * ```ts
 * import type { ClusterApplyOptions } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * const options: ClusterApplyOptions = { timeout: 5_000 };
 * assert.equal(options.timeout, 5_000);
 * ```
 */
export interface ClusterApplyOptions {
  /**
   * The most the task may run on a consumer, in milliseconds.
   *
   * @default {The pool's `timeout`.}
   */
  timeout?: number;
  /**
   * Aborts the call: it rejects with `signal.reason`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
}

type InspectFunction = (value: unknown, options?: unknown) => string;

function checkName(name: unknown): string {
  if (name === undefined) return DEFAULT_CLUSTER_NAME;
  if (typeof name !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new TypeError(
      `Cannot create pool as 'name' must be 1 to 64 letters, digits, '_' or '-' (it names a NATS stream and subjects): received ${
        typeof name === "string" ? `'${name}'` : typeof name
      }`,
    );
  }
  return name;
}

function checkServers(servers: unknown): string[] {
  const list = typeof servers === "string"
    ? servers.split(",").map((each) => each.trim())
    : servers;
  if (
    !Array.isArray(list) || list.length === 0 ||
    !list.every((each) => typeof each === "string" && each !== "")
  ) {
    throw new TypeError(
      `Cannot create pool as 'servers' must be a NATS server's URL, such as "nats://127.0.0.1:4222", or a list of them: received ${
        Array.isArray(servers) ? "an array" : typeof servers
      }`,
    );
  }
  return list as string[];
}

function checkPositive(value: unknown, name: string, integer: boolean): void {
  if (value === undefined) return;
  if (
    typeof value !== "number" || !(value > 0) || !Number.isFinite(value) ||
    (integer && !Number.isSafeInteger(value))
  ) {
    throw new RangeError(
      `Cannot create pool as '${name}' must be a positive ${
        integer ? "integer" : "number of milliseconds"
      }: received ${String(value)}`,
    );
  }
}

/** The command that starts a consumer for this cluster, passwords hidden. */
export function consumerCommand(
  servers: readonly string[],
  name: string,
): string {
  const hidden = servers.map(hidePassword).join(",");
  return `deno run -A jsr:@paralelo/pool/cluster/worker --servers ${hidden}${
    name === DEFAULT_CLUSTER_NAME ? "" : ` --name ${name}`
  }`;
}

/**
 * A pool whose workers are other processes, on this machine or others:
 * consumers that pull its chunks from a NATS JetStream stream, like Ray's
 * `ray.util.multiprocessing.Pool`. The same task module, the same calls as
 * the local `Pool`, the same results in input order and the same errors
 * (`TaskError` with the item's index and the remote cause and stack,
 * `TaskTimeoutError`, `PoolClosedError`).
 *
 * Start consumers on the machines that should do the work:
 *
 * ```sh
 * deno run -A jsr:@paralelo/pool/cluster/worker --servers nats://host:4222 --size 8
 * ```
 *
 * Each imports the task module from the URL the pool sends (`http(s):`,
 * `jsr:` or `file:` on a shared disk), with the module's SHA-256 in it, so
 * that no consumer runs a stale copy.
 *
 * Execution is at least once: a chunk whose consumer dies runs again
 * elsewhere within the consumers' `--ack-wait` (4 s by default: within 5 s,
 * with a free slot), and a
 * chunk that ran twice counts once. Tasks that touch the world (files,
 * payments) should be idempotent.
 *
 * Close the pool when done (`await using` does it): its connection keeps
 * the process alive.
 *
 * @typeParam M The type of the pool's module, as in `typeof tasks` after
 * `import type * as tasks from "./tasks.ts"`.
 *
 * @example Tasks from a module, on every consumer of the server
 * ```ts ignore
 * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
 * import type * as tasks from "./tasks.ts";
 *
 * await using pool = new ClusterPool<typeof tasks>(
 *   new URL("./tasks.ts", import.meta.url),
 *   { servers: "nats://127.0.0.1:4222" },
 * );
 * const squares = await pool.map("square", [1, 2, 3]); // [1, 4, 9]
 * ```
 *
 * @example A server that cannot be reached fails fast, with its address
 * ```ts
 * import { ClusterConnectionError, ClusterPool } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
 * await assert.rejects(
 *   pool.map((x: number) => x * 2, [1, 2]),
 *   (error) =>
 *     error instanceof ClusterConnectionError &&
 *     error.message.includes("nats://127.0.0.1:1"),
 * );
 * ```
 */
export class ClusterPool<M = NoModule> implements AsyncDisposable {
  #engine: ClusterEngine;
  #timeout: number | undefined;
  #name: string;
  #servers: string[];

  /**
   * Creates a pool for inline function tasks.
   *
   * @param options Where the NATS server is, and the pool's options.
   * @throws {TypeError} If `servers` or `name` is not valid.
   */
  constructor(options: ClusterPoolOptions);
  /**
   * Creates a pool whose tasks are the exported functions of `module`
   * (inline functions work too).
   *
   * @param module The module's URL, best written as
   * `new URL("./tasks.ts", import.meta.url)`; consumers import it from that
   * URL, so a `file:` module must be at the same path where they run.
   * @param options Where the NATS server is, and the pool's options.
   * @throws {TypeError} If `servers` or `name` is not valid.
   */
  constructor(module: string | URL, options: ClusterPoolOptions);
  constructor(
    moduleOrOptions: string | URL | ClusterPoolOptions,
    maybeOptions?: ClusterPoolOptions,
  ) {
    const hasModule = typeof moduleOrOptions === "string" ||
      moduleOrOptions instanceof URL;
    const options = hasModule ? maybeOptions : moduleOrOptions;
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `Cannot create pool as 'options' must be an object with 'servers', such as { servers: "nats://127.0.0.1:4222" }: received ${
          options === null ? "null" : typeof options
        }`,
      );
    }
    const module = hasModule
      ? new ModuleHasher(moduleUrl(moduleOrOptions as string | URL))
      : null;
    this.#servers = checkServers(options.servers);
    this.#name = checkName(options.name);
    checkPositive(options.size, "size", true);
    checkTimeout(options.timeout, "create pool");
    checkPositive(options.warnAfter, "warnAfter", false);
    checkPositive(options.reconnectTimeout, "reconnectTimeout", false);
    const warn = options.onWarning ?? console.warn;
    if (typeof warn !== "function") {
      throw new TypeError(
        `Cannot create pool as 'onWarning' must be a function: received ${typeof warn}`,
      );
    }
    const connection = options.connection ?? {};
    if (typeof connection !== "object" || connection === null) {
      throw new TypeError(
        `Cannot create pool as 'connection' must be an object of NATS connection options: received ${
          connection === null ? "null" : typeof connection
        }`,
      );
    }
    this.#timeout = options.timeout;
    const pool = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    this.#engine = new ClusterEngine({
      transport: new NatsPoolTransport({
        servers: this.#servers,
        names: new NatsNames(this.#name),
        pool,
        options: connection,
      }),
      pool,
      module,
      warn,
      warnAfterMs: options.warnAfter ?? 3_000,
      reconnectTimeoutMs: options.reconnectTimeout ?? 10_000,
      size: options.size,
      name: this.#name,
      startCommand: consumerCommand(this.#servers, this.#name),
    });
  }

  /**
   * `"running"` until `close()`, `"closing"` while work drains, then
   * `"closed"`.
   *
   * @example Usage
   * ```ts
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * const pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   * assert.equal(pool.state, "running");
   * pool.close();
   * await pool.join();
   * assert.equal(pool.state, "closed");
   * ```
   */
  get state(): ClusterPoolState {
    return this.#engine.state;
  }

  /**
   * The cluster's name: its stream's and its subjects' prefix.
   *
   * @example Usage
   * ```ts
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   * assert.equal(pool.name, "paralelo");
   * ```
   */
  get name(): string {
    return this.#name;
  }

  /**
   * The consumers heard from in the last few seconds: each one's
   * `host:pid` and how many chunks it runs at once (its `--size`).
   *
   * @returns A snapshot; empty before the first beats come in.
   *
   * @example Usage
   * ```ts
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   * assert.deepEqual(pool.consumers(), []);
   * ```
   */
  consumers(): { id: string; size: number }[] {
    return this.#engine.consumers();
  }

  /**
   * Resolves once the pool is connected and its streams exist. Calls wait
   * for this by themselves; await it to fail early on a wrong address.
   *
   * @returns A promise that resolves when the pool can queue work.
   * @throws {ClusterConnectionError} If the server cannot be reached,
   * refuses the credentials, or has no JetStream.
   *
   * @example Usage
   * ```ts
   * import { ClusterConnectionError, ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   * await assert.rejects(pool.ready(), ClusterConnectionError);
   * ```
   */
  ready(): Promise<void> {
    return this.#engine.ready();
  }

  #start(
    task: unknown,
    input: unknown,
    options: ClusterCallOptions | undefined,
    spread: boolean,
    mode: CallMode,
  ): Call | Error {
    try {
      checkCallOptions(options);
      if ((options as { transfer?: unknown } | undefined)?.transfer) {
        throw new TypeError(
          "Cannot run the call with 'transfer' as a cluster copies its items over the network anyway: leave 'transfer' out",
        );
      }
      const call = new Call({
        task: toTaskRef(task, this.#engine.module !== null),
        spread,
        mode,
        transfer: false,
        input: input as Items<unknown>,
        chunkSize: options?.chunkSize,
        poolSize: this.#engine.slots,
        signal: options?.signal,
        onProgress: options?.onProgress,
        timeout: options?.timeout ?? this.#timeout,
        host: this.#engine,
      });
      this.#engine.submit(call);
      return call;
    } catch (error) {
      return error as Error;
    }
  }

  #collect(
    task: unknown,
    input: unknown,
    options: ClusterCallOptions | undefined,
    spread: boolean,
  ): Promise<unknown[]> {
    const call = this.#start(task, input, options, spread, "collect");
    return call instanceof Call ? call.promise : Promise.reject(call);
  }

  #stream(
    task: unknown,
    input: unknown,
    options: ClusterCallOptions | undefined,
    mode: CallMode,
  ): AsyncGenerator<unknown, void, undefined> {
    const call = this.#start(task, input, options, false, mode);
    if (call instanceof Call) return call.stream();
    // deno-lint-ignore require-yield
    return (async function* () {
      throw call;
    })();
  }

  /**
   * Calls the task on every item, on the cluster's consumers, and resolves
   * with the results in input order. The items are read in full first.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns The results, in the order of the items.
   * @throws {TaskError} If a task throws: `index` says which item.
   * @throws {ClusterConnectionError} If the server cannot be reached.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * assert.deepEqual(await pool.map((x: number) => x * 2, [1, 2]), [2, 4]);
   * ```
   */
  map<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: ClusterCallOptions,
  ): Promise<TaskResult<M, K>[]>;
  /**
   * Calls the inline function on every item, on the cluster's consumers.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns The results, in the order of the items.
   */
  map<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: ClusterCallOptions,
  ): Promise<Awaited<R>[]>;
  map(
    task: string | TaskFunction,
    items: Items<unknown>,
    options?: ClusterCallOptions,
  ): Promise<unknown[]> {
    return this.#collect(task, items, options, false);
  }

  /**
   * Starts a `map` and returns at once with an `AsyncResult`.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns A future of the results, in the order of the items.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * const future = pool.mapAsync((x: number) => x + 1, [1, 2]);
   * assert.deepEqual(await future.get(10_000), [2, 3]);
   * ```
   */
  mapAsync<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: ClusterCallOptions,
  ): AsyncResult<TaskResult<M, K>[]>;
  /**
   * Starts a `map` of an inline function and returns a future at once.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable of items.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns A future of the results, in the order of the items.
   */
  mapAsync<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: ClusterCallOptions,
  ): AsyncResult<Awaited<R>[]>;
  mapAsync(
    task: string | TaskFunction,
    items: Items<unknown>,
    options?: ClusterCallOptions,
  ): AsyncResult<unknown[]> {
    return new AsyncResult(this.#collect(task, items, options, false));
  }

  /**
   * Like `map`, but each item is a list of arguments, spread into the call.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns The results, in the order of the argument lists.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * const sums = await pool.starmap((a: number, b: number) => a + b, [[1, 2]]);
   * assert.deepEqual(sums, [3]);
   * ```
   */
  starmap<K extends TaskName<M>>(
    task: K,
    argLists: Items<TaskParameters<M, K>>,
    options?: ClusterCallOptions,
  ): Promise<TaskResult<M, K>[]>;
  /**
   * Like `map` for an inline function, with each item spread into the call.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns The results, in the order of the argument lists.
   */
  starmap<A extends unknown[], R>(
    task: (...args: A) => R,
    argLists: Items<A>,
    options?: ClusterCallOptions,
  ): Promise<Awaited<R>[]>;
  starmap(
    task: string | TaskFunction,
    argLists: Items<unknown[]>,
    options?: ClusterCallOptions,
  ): Promise<unknown[]> {
    return this.#collect(task, argLists, options, true);
  }

  /**
   * Starts a `starmap` and returns a future at once.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns A future of the results, in order.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * const future = pool.starmapAsync((a: number, b: number) => a * b, [[2, 3]]);
   * assert.deepEqual(await future, [6]);
   * ```
   */
  starmapAsync<K extends TaskName<M>>(
    task: K,
    argLists: Items<TaskParameters<M, K>>,
    options?: ClusterCallOptions,
  ): AsyncResult<TaskResult<M, K>[]>;
  /**
   * Starts a `starmap` of an inline function and returns a future at once.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param argLists Any iterable or async iterable of argument lists.
   * @param options Chunk size, abort signal, timeout and progress callback.
   * @returns A future of the results, in order.
   */
  starmapAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    argLists: Items<A>,
    options?: ClusterCallOptions,
  ): AsyncResult<Awaited<R>[]>;
  starmapAsync(
    task: string | TaskFunction,
    argLists: Items<unknown[]>,
    options?: ClusterCallOptions,
  ): AsyncResult<unknown[]> {
    return new AsyncResult(this.#collect(task, argLists, options, true));
  }

  /**
   * Runs the task once, on a consumer, with the given arguments.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param args The arguments, spread into the call.
   * @param options A timeout and an abort signal.
   * @returns What the task returns.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * assert.equal(await pool.apply((a: number, b: number) => a ** b, [2, 10]), 1024);
   * ```
   */
  apply<K extends TaskName<M>>(
    task: K,
    args?: TaskParameters<M, K>,
    options?: ClusterApplyOptions,
  ): Promise<TaskResult<M, K>>;
  /**
   * Runs the inline function once, on a consumer.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param args The arguments, spread into the call.
   * @param options A timeout and an abort signal.
   * @returns What the function returns.
   */
  apply<A extends unknown[], R>(
    task: (...args: A) => R,
    args?: A,
    options?: ClusterApplyOptions,
  ): Promise<Awaited<R>>;
  apply(
    task: string | TaskFunction,
    args?: unknown[],
    options?: ClusterApplyOptions,
  ): Promise<unknown> {
    return this.#applyPromise(task, args, options);
  }

  #applyPromise(
    task: unknown,
    args: unknown[] | undefined,
    options: ClusterApplyOptions | undefined,
  ): Promise<unknown> {
    if (args !== undefined && !Array.isArray(args)) {
      return Promise.reject(
        new TypeError(
          `Cannot run the task as 'args' must be an array of arguments: received ${typeof args}`,
        ),
      );
    }
    const callOptions: ClusterCallOptions = {};
    if (options?.signal !== undefined) callOptions.signal = options.signal;
    if (options?.timeout !== undefined) callOptions.timeout = options.timeout;
    return this.#collect(task, [args ?? []], callOptions, true)
      .then((values) => values[0]);
  }

  /**
   * Starts an `apply` and returns a future at once.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param args The arguments, spread into the call.
   * @param options A timeout and an abort signal.
   * @returns A future of what the task returns.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * assert.equal(await pool.applyAsync(() => "done").get(10_000), "done");
   * ```
   */
  applyAsync<K extends TaskName<M>>(
    task: K,
    args?: TaskParameters<M, K>,
    options?: ClusterApplyOptions,
  ): AsyncResult<TaskResult<M, K>>;
  /**
   * Starts an `apply` of an inline function and returns a future at once.
   *
   * @typeParam A The function's parameter list.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param args The arguments, spread into the call.
   * @param options A timeout and an abort signal.
   * @returns A future of what the function returns.
   */
  applyAsync<A extends unknown[], R>(
    task: (...args: A) => R,
    args?: A,
    options?: ClusterApplyOptions,
  ): AsyncResult<Awaited<R>>;
  applyAsync(
    task: string | TaskFunction,
    args?: unknown[],
    options?: ClusterApplyOptions,
  ): AsyncResult<unknown> {
    return new AsyncResult(this.#applyPromise(task, args, options));
  }

  /**
   * Like `map`, but lazy: it reads the items as the cluster needs them,
   * keeps at most two chunks per slot ahead of the consumer of the results,
   * and yields results in input order. Breaking out of the loop drops the
   * work that is left.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, timeout, progress.
   * @returns An async iterator of the results, in input order.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * const results = await Array.fromAsync(pool.imap((n: number) => n * n, [1, 2, 3]));
   * assert.deepEqual(results, [1, 4, 9]);
   * ```
   */
  imap<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: ClusterCallOptions,
  ): AsyncGenerator<TaskResult<M, K>, void, undefined>;
  /**
   * Lazy, ordered `map` of an inline function.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, timeout, progress.
   * @returns An async iterator of the results, in input order.
   */
  imap<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: ClusterCallOptions,
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  imap(
    task: string | TaskFunction,
    items: Items<unknown>,
    options?: ClusterCallOptions,
  ): AsyncGenerator<unknown, void, undefined> {
    return this.#stream(task, items, options, "ordered");
  }

  /**
   * Like `imap`, but yields each result as soon as it is back, in any order.
   *
   * @typeParam K The name of the task in the pool's module.
   * @param task The name of an export of the pool's module, or a function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, timeout, progress.
   * @returns An async iterator of the results, in completion order.
   *
   * @example Usage
   * ```ts ignore
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * await using pool = new ClusterPool({ servers: "nats://127.0.0.1:4222" });
   * const results = await Array.fromAsync(pool.imapUnordered((n: number) => n, [1, 2]));
   * assert.deepEqual(results.sort(), [1, 2]);
   * ```
   */
  imapUnordered<K extends TaskName<M>>(
    task: K,
    items: Items<TaskParameters<M, K>[0]>,
    options?: ClusterCallOptions,
  ): AsyncGenerator<TaskResult<M, K>, void, undefined>;
  /**
   * Lazy, unordered `map` of an inline function.
   *
   * @typeParam A The type of the items.
   * @typeParam R What the function returns.
   * @param task A self-contained function.
   * @param items Any iterable or async iterable, even an endless one.
   * @param options Chunk size (default 1), abort signal, timeout, progress.
   * @returns An async iterator of the results, in completion order.
   */
  imapUnordered<A, R>(
    task: (item: A) => R,
    items: Items<A>,
    options?: ClusterCallOptions,
  ): AsyncGenerator<Awaited<R>, void, undefined>;
  imapUnordered(
    task: string | TaskFunction,
    items: Items<unknown>,
    options?: ClusterCallOptions,
  ): AsyncGenerator<unknown, void, undefined> {
    return this.#stream(task, items, options, "unordered");
  }

  /**
   * Takes no new work: later calls reject with `PoolClosedError`. Work
   * already queued finishes, then the pool lets go of its connection (and
   * its results consumer on the server). Call `join()` to wait for that.
   *
   * @example Usage
   * ```ts
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * const pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   * pool.close();
   * await pool.join();
   * assert.equal(pool.state, "closed");
   * ```
   */
  close(): void {
    this.#engine.close();
  }

  /**
   * Stops now: every call still pending rejects with `PoolClosedError`, and
   * its chunks still queued are removed from the stream (`join()` waits for
   * that). Chunks running on consumers finish there; their results are
   * dropped.
   *
   * @example Usage
   * ```ts
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import { PoolClosedError } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   * const pending = pool.map((x: number) => x, [1]);
   * pool.terminate();
   * await assert.rejects(pending, PoolClosedError);
   * await pool.join();
   * ```
   */
  terminate(): void {
    this.#engine.terminate();
  }

  /**
   * Waits until the pool has let go of the server, after `close()` or
   * `terminate()`.
   *
   * @returns A promise that resolves once the pool is closed.
   * @throws {Error} If the pool is still running: call `close()` or
   * `terminate()` first, or the wait would never end.
   *
   * @example Usage
   * ```ts
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * const pool = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   * await assert.rejects(pool.join(), /still running/);
   * pool.close();
   * await pool.join();
   * ```
   */
  join(): Promise<void> {
    if (this.#engine.state === "running") {
      return Promise.reject(
        new Error(
          "Cannot join the pool as it is still running: call close() or terminate() first",
        ),
      );
    }
    return this.#engine.join();
  }

  /**
   * `close()`, then `join()`: what `await using` calls.
   *
   * @returns A promise that resolves once the pool has let go of the server.
   *
   * @example Usage
   * ```ts
   * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
   * import assert from "node:assert/strict";
   *
   * let pool: ClusterPool;
   * {
   *   await using scoped = new ClusterPool({ servers: "nats://127.0.0.1:1" });
   *   pool = scoped;
   * }
   * assert.equal(pool.state, "closed");
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return this.#engine.join();
  }

  #inspect(inspect: InspectFunction, options: unknown): string {
    const shown: Record<string, unknown> = {
      state: this.state,
      name: this.#name,
      servers: this.#servers.map(hidePassword),
      consumers: this.consumers().length,
    };
    if (this.#engine.module !== null) shown.module = this.#engine.module;
    return `ClusterPool ${inspect(shown, options)}`;
  }

  static {
    Object.defineProperty(this.prototype, Symbol.for("Deno.customInspect"), {
      value(
        this: ClusterPool<unknown>,
        inspect: InspectFunction,
        options: unknown,
      ) {
        return this.#inspect(inspect, options);
      },
    });
  }
}
