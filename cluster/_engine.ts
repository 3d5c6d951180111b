// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The private engine behind `ClusterPool`: the local pool's `Call` (input
 * reading, chunking, ordering, results, failures) with a broker in place of
 * threads. It is the calls' `CallHost`: it takes their chunks, queues each
 * on the broker as one or more parts (a chunk too big for one message is
 * split), puts the results that come back together by part id (each part
 * counts once, however often it ran), and turns what consumers report into
 * the local pool's errors. It also watches for a cluster with no consumer
 * and for a lost connection, so that no call waits forever.
 *
 * @module
 */
import type { Call, CallHost, Chunk } from "../_call.ts";
import { deserializeError } from "../_remote_error.ts";
import { DispatchLoop } from "../_dispatch_loop.ts";
import { runtime } from "../_runtime.ts";
import {
  PoolClosedError,
  TaskError,
  TaskTimeoutError,
  WorkerCrashedError,
} from "../errors.ts";
import { ClusterConnectionError, NoConsumerError } from "./errors.ts";
import type { ModuleHasher } from "./_module.ts";
import {
  decode,
  encode,
  type JobFailure,
  PRESENCE_STALE_MS,
  type PresenceMessage,
  PROTOCOL_VERSION,
  type ResultMessage,
} from "./_protocol.ts";
import type { JobHandle, PoolTransport } from "./_transport.ts";

/** The life of a cluster pool: it takes work, then drains, then is stopped. */
export type ClusterPoolState = "running" | "closing" | "closed";

/** How many parts may be on their way to the broker at once. */
const MAX_PUBLISHING = 64;
/** How often the engine looks for a cluster without consumers. */
const WATCH_MS = 250;

/** What the engine needs, checked by `ClusterPool`. */
export interface ClusterEngineInit {
  transport: PoolTransport;
  /** The pool's id, in every part id. */
  pool: string;
  module: ModuleHasher | null;
  warn: (message: string) => void;
  /** Warn after this long with work queued and no consumer. */
  warnAfterMs: number;
  /** Fail pending calls after the connection has been lost this long. */
  reconnectTimeoutMs: number;
  /** Chunks at once, for the automatic chunk size; undefined: the consumers'. */
  size: number | undefined;
  /** The cluster's name: its stream's. */
  name: string;
  /** The command that starts a consumer, for the messages that need one. */
  startCommand: string;
}

/** One message's worth of a chunk: its items from `offset`, `count` of them. */
interface Part {
  id: string;
  record: ChunkRecord;
  offset: number;
  count: number;
  values: unknown[];
  /** Which items have a value: a part that ran twice counts each once. */
  filled: Uint8Array;
  received: number;
  failure: JobFailure | undefined;
  done: boolean;
  /** Where it is on the broker, once queued. */
  handle: JobHandle | undefined;
}

/** A chunk of a call, and the parts it was sent as. */
interface ChunkRecord {
  chunk: Chunk;
  parts: Part[];
  module: string | null;
}

/** Whether the broker is there. */
type Link =
  | { state: "opening" }
  | { state: "up" }
  | { state: "down"; since: number; timer: ReturnType<typeof setTimeout> }
  | { state: "lost"; error: ClusterConnectionError }
  | { state: "failed"; error: ClusterConnectionError };

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs calls on the consumers of a broker. */
export class ClusterEngine implements CallHost {
  readonly module: string | null;
  #init: ClusterEngineInit;
  #transport: PoolTransport;
  #state: ClusterPoolState = "running";
  #link: Link = { state: "opening" };
  #opened: Promise<void>;
  #calls = new Set<Call>();
  #records = new Map<Call, Set<ChunkRecord>>();
  #parts = new Map<string, Part>();
  #started = new Map<Call, number>();
  #nextPart = 1;
  #publishing = 0;
  #publishes = new Set<Promise<unknown>>();
  /** Jobs to remove from the broker once it is back. */
  #removals: JobHandle[] = [];
  #consumers = new Map<string, { size: number; seen: number }>();
  #noConsumerSince: number | undefined;
  #warned = false;
  #watchTimer: ReturnType<typeof setInterval> | undefined;
  #dispatchLoop = new DispatchLoop();
  #stop = new AbortController();
  #joined: Promise<void>;
  #markJoined!: () => void;
  #shuttingDown = false;
  #badResults = false;

  constructor(init: ClusterEngineInit) {
    this.#init = init;
    this.#transport = init.transport;
    this.module = init.module?.url ?? null;
    this.#joined = new Promise((resolve) => (this.#markJoined = resolve));
    this.#opened = this.#transport.open({
      result: (bytes) => this.#onResult(bytes),
      presence: (message) => this.#onPresence(message),
      disconnected: () => this.#onDisconnected(),
      reconnected: () => this.#onReconnected(),
      lostState: () => this.#onLostState(),
    }).then(
      () => {
        if (this.#link.state === "opening") this.#link = { state: "up" };
        this.#dispatch();
      },
      (error) => {
        const failure = error instanceof ClusterConnectionError
          ? error
          : new ClusterConnectionError(
            `Cannot connect to the NATS server at ${this.#transport.where}: ${
              describe(error)
            }`,
            this.#transport.servers,
            { cause: error },
          );
        this.#link = { state: "failed", error: failure };
        for (const call of this.#calls) call.fail(failure);
        this.#calls.clear();
        this.#maybeFinishClosing();
      },
    );
  }

  get state(): ClusterPoolState {
    return this.#state;
  }

  /** Read through a getter, as user code run in between may close it. */
  get #closed(): boolean {
    return this.#state === "closed";
  }

  /** Resolves once connected, or rejects with why it could not. */
  ready(): Promise<void> {
    return this.#opened.then(() => {
      const link = this.#link;
      if (link.state === "failed") throw link.error;
    });
  }

  /** The consumers heard from lately, and how many chunks each runs at once. */
  consumers(): { id: string; size: number }[] {
    const now = performance.now();
    const live: { id: string; size: number }[] = [];
    for (const [id, { size, seen }] of this.#consumers) {
      if (now - seen <= PRESENCE_STALE_MS) live.push({ id, size });
    }
    return live;
  }

  /** Chunks at once across the cluster, for the automatic chunk size. */
  get slots(): number {
    if (this.#init.size !== undefined) return this.#init.size;
    let slots = 0;
    for (const consumer of this.consumers()) slots += consumer.size;
    return Math.max(1, slots || runtime().cpuCount());
  }

  /** Starts a call, or fails it at once if the pool cannot run it. */
  submit(call: Call): void {
    if (this.#state !== "running") {
      call.fail(
        new PoolClosedError(
          `Cannot run task '${call.task.name}' as the pool is ${this.#state}: create a new pool`,
        ),
      );
      return;
    }
    const link = this.#link;
    if (link.state === "failed" || link.state === "lost") {
      call.fail(link.error);
      return;
    }
    this.#calls.add(call);
    this.#started.set(call, performance.now());
    this.#dispatch();
  }

  // --- CallHost ----------------------------------------------------------------

  wake(): void {
    this.#dispatchLoop.soon(() => this.#dispatch());
  }

  admit(): Error | undefined {
    return undefined;
  }

  hasRoom(): boolean {
    return true;
  }

  /** Nothing to stop here: the parts that run on consumers finish there. */
  aborted(): void {}

  dropUnwanted(call: Call): void {
    // Later, as the local engine's drop is: the call is in its own method.
    queueMicrotask(() => {
      const records = this.#records.get(call);
      if (records === undefined) return;
      for (const record of [...records]) {
        if (call.wants(record.chunk)) continue;
        this.#drop(record);
        call.requeue(record.chunk);
      }
    });
  }

  // --- sending -------------------------------------------------------------------

  /** Publishes ready chunks; never inside itself, as the local engine's. */
  #dispatch(): void {
    if (!this.#dispatchLoop.run(() => this.#sendReady())) return;
    this.#armWatch();
    this.#maybeFinishClosing();
  }

  #sendReady(): void {
    if (this.#state === "closed" || this.#link.state === "opening") return;
    for (const call of this.#calls) {
      if (call.finished) {
        this.#calls.delete(call);
        this.#started.delete(call);
        continue;
      }
      while (this.#publishing < MAX_PUBLISHING && !this.#closed) {
        const chunk = call.takeChunk();
        if (chunk === undefined) break;
        this.#send(chunk);
      }
    }
  }

  #send(chunk: Chunk): void {
    const call = chunk.call;
    this.#publishing++;
    let record: ChunkRecord | undefined;
    const work = (async () => {
      const module = call.task.kind === "export"
        ? await this.#init.module?.current() ?? null
        : null;
      const made: ChunkRecord = { chunk, parts: [], module };
      const parts = this.#split(made);
      if (parts instanceof Error) throw parts;
      if (this.#state === "closed" || !call.wants(chunk)) {
        call.requeue(chunk);
        return;
      }
      made.parts = parts;
      record = made;
      let records = this.#records.get(call);
      if (records === undefined) this.#records.set(call, records = new Set());
      records.add(made);
      for (const part of parts) this.#parts.set(part.id, part);
      await Promise.all(parts.map((part) => this.#publish(part)));
    })().catch((error) => {
      if (this.#state === "closed") return;
      if (record !== undefined) {
        // Answered or dropped meanwhile: the chunk is no longer this one's.
        if (!this.#records.get(call)?.has(record)) return;
        this.#drop(record);
      }
      call.complete(chunk, [], error);
    }).finally(() => {
      this.#publishing--;
      this.#publishes.delete(work);
      this.wake();
    });
    this.#publishes.add(work);
  }

  /** Encodes the job for `items` from `offset` of the record's chunk. */
  #encode(record: ChunkRecord, id: string, offset: number, count: number) {
    const { chunk } = record;
    const call = chunk.call;
    return encode({
      v: PROTOCOL_VERSION,
      pool: this.#init.pool,
      part: id,
      module: record.module,
      task: call.task,
      spread: call.spread,
      items: chunk.items.slice(offset, offset + count),
      ...(call.timeout === undefined ? {} : { timeout: call.timeout }),
    });
  }

  /**
   * The chunk as parts that each fit in a message: halved until they do.
   * An item too big on its own is refused, with the limit.
   */
  #split(record: ChunkRecord): Part[] | Error {
    const max = this.#transport.maxPayload;
    const parts: Part[] = [];
    const chunk = record.chunk;
    const pending: [offset: number, count: number][] = [[
      0,
      chunk.items.length,
    ]];
    while (pending.length > 0) {
      const [offset, count] = pending.shift()!;
      const id = (this.#nextPart++).toString(36);
      let bytes: Uint8Array;
      try {
        bytes = this.#encode(record, id, offset, count);
      } catch (error) {
        return new TypeError(
          `Cannot send the items from position ${
            chunk.start + offset
          } to the cluster as they cannot be serialized (${
            describe(error)
          }): pass plain data such as objects, arrays, strings, numbers, Maps or typed arrays, not functions, symbols or objects that hold them`,
        );
      }
      if (bytes.length > max) {
        if (count === 1) {
          return new RangeError(
            `Cannot send item ${
              chunk.start + offset
            } to the cluster as it takes ${bytes.length} bytes, over the NATS server's max_payload of ${
              max + 1_024
            } bytes (less 1024 for the envelope): pass smaller items (a path or a URL to the data, say), or raise max_payload in the server's configuration`,
          );
        }
        const half = Math.ceil(count / 2);
        pending.unshift([offset, half], [offset + half, count - half]);
        continue;
      }
      parts.push({
        id,
        record,
        offset,
        count,
        values: new Array(count),
        filled: new Uint8Array(count),
        received: 0,
        failure: undefined,
        done: false,
        handle: undefined,
      });
    }
    parts.sort((a, b) => a.offset - b.offset);
    return parts;
  }

  async #publish(part: Part): Promise<void> {
    const record = part.record;
    const bytes = this.#encode(record, part.id, part.offset, part.count);
    const handle = await this.#transport.enqueue(
      bytes,
      `${this.#init.pool}.${part.id}`,
      String(record.chunk.call.id),
      this.#stop.signal,
    );
    part.handle = handle;
    // Unwanted while it was on its way: take it off again.
    if (this.#parts.get(part.id) !== part) this.#remove([handle]);
  }

  // --- results -------------------------------------------------------------------

  #onResult(bytes: Uint8Array): void {
    let message: ResultMessage;
    try {
      message = decode<ResultMessage>(bytes);
    } catch (error) {
      if (!this.#badResults) {
        this.#badResults = true;
        this.#init.warn(
          `@paralelo/pool/cluster: dropped a result that could not be read (${
            describe(error)
          })`,
        );
      }
      return;
    }
    const part = this.#parts.get(message.part);
    // Answered already (it ran twice), or no longer wanted.
    if (part === undefined || part.done) return;
    for (let i = 0; i < message.values.length; i++) {
      const at = message.offset + i;
      if (at >= part.count || part.filled[at] === 1) continue;
      part.filled[at] = 1;
      part.values[at] = message.values[i];
      part.received++;
    }
    if (message.failure !== undefined) part.failure = message.failure;
    if (part.failure === undefined && part.received < part.count) return;
    part.done = true;
    this.#settle(part.record);
  }

  /**
   * Completes the chunk once its parts are answered, in order: every one,
   * or those up to the first that failed.
   */
  #settle(record: ChunkRecord): void {
    const values: unknown[] = [];
    for (const [i, part] of record.parts.entries()) {
      if (!part.done) return;
      const failure = part.failure;
      if (failure === undefined) {
        for (const value of part.values) values.push(value);
        continue;
      }
      const offset = failure.kind === "call" ? 0 : failure.offset;
      for (let j = 0; j < offset; j++) values.push(part.values[j]);
      this.#finish(
        record,
        values,
        this.#errorOf(record.chunk, part.offset + offset, failure),
      );
      // The parts after it will not be wanted.
      this.#remove(
        record.parts.slice(i + 1).flatMap((each) =>
          each.handle === undefined ? [] : [each.handle]
        ),
      );
      return;
    }
    this.#finish(record, values);
  }

  #finish(record: ChunkRecord, values: unknown[], failure?: Error): void {
    const call = record.chunk.call;
    for (const part of record.parts) this.#parts.delete(part.id);
    this.#records.get(call)?.delete(record);
    if (this.#records.get(call)?.size === 0) this.#records.delete(call);
    call.complete(record.chunk, values, failure);
    this.wake();
  }

  /** The local pool's error for what a consumer reported. */
  #errorOf(chunk: Chunk, offset: number, failure: JobFailure): Error {
    const task = chunk.call.task.name;
    const index = chunk.start + offset;
    switch (failure.kind) {
      case "task":
        return new TaskError(task, index, deserializeError(failure.error));
      case "timeout":
        return new TaskTimeoutError({
          task,
          index,
          workerId: failure.workerId,
          timeoutMs: failure.timeoutMs,
        });
      case "crash":
        return new WorkerCrashedError({
          task,
          index,
          workerId: failure.workerId,
          reason: failure.reason,
          exitCode: failure.exitCode,
        });
      case "call":
        return deserializeError(failure.error);
    }
  }

  /** Forgets a record's parts and takes those still queued off the broker. */
  #drop(record: ChunkRecord): void {
    const handles: JobHandle[] = [];
    for (const part of record.parts) {
      this.#parts.delete(part.id);
      if (!part.done && part.handle !== undefined) handles.push(part.handle);
    }
    const records = this.#records.get(record.chunk.call);
    records?.delete(record);
    if (records?.size === 0) this.#records.delete(record.chunk.call);
    this.#remove(handles);
  }

  #remove(handles: JobHandle[]): void {
    if (handles.length === 0) return;
    if (this.#state === "closed" || this.#link.state !== "up") {
      this.#removals.push(...handles);
      return;
    }
    const removing = this.#transport.remove(handles).catch(() => {});
    this.#publishes.add(removing);
    removing.finally(() => this.#publishes.delete(removing));
  }

  // --- consumers and the connection ----------------------------------------------------

  #onPresence(message: PresenceMessage): void {
    if (typeof message?.id !== "string") return;
    if (message.leaving) {
      this.#consumers.delete(message.id);
      return;
    }
    this.#consumers.set(message.id, {
      size: Math.max(1, Number(message.size) || 1),
      seen: performance.now(),
    });
    this.#noConsumerSince = undefined;
    this.#warned = false;
  }

  #outstanding(): boolean {
    for (const call of this.#calls) if (!call.finished) return true;
    return this.#parts.size > 0;
  }

  #armWatch(): void {
    if (this.#watchTimer !== undefined || this.#state === "closed") return;
    if (!this.#outstanding()) return;
    this.#watchTimer = setInterval(() => this.#watch(), WATCH_MS);
  }

  /**
   * While work waits: warns when no consumer is there, and fails each call
   * with a `timeout` that has waited that long without one.
   */
  #watch(): void {
    if (!this.#outstanding() || this.#state === "closed") {
      clearInterval(this.#watchTimer);
      this.#watchTimer = undefined;
      return;
    }
    if (this.#link.state !== "up") return;
    const now = performance.now();
    if (this.consumers().length > 0) {
      this.#noConsumerSince = undefined;
      this.#warned = false;
      return;
    }
    const since = this.#noConsumerSince ??= now;
    if (!this.#warned && now - since >= this.#init.warnAfterMs) {
      this.#warned = true;
      this.#init.warn(
        `@paralelo/pool/cluster: no consumer has taken work from stream '${this.#init.name}' on ${this.#transport.where} for ${
          ((now - since) / 1000).toFixed(0)
        } s: the calls wait for one. Start one with:\n  ${this.#init.startCommand}`,
      );
    }
    for (const call of this.#calls) {
      const timeout = call.timeout;
      if (timeout === undefined || call.finished) continue;
      const waited = now - Math.max(since, this.#started.get(call) ?? since);
      if (waited < timeout) continue;
      call.fail(
        new NoConsumerError(
          `Cannot run task '${call.task.name}' as no consumer ran on ${this.#transport.where} for its timeout of ${timeout} ms: start one with: ${this.#init.startCommand}`,
          timeout,
        ),
      );
    }
  }

  #onDisconnected(): void {
    if (this.#state === "closed" || this.#link.state !== "up") return;
    const since = performance.now();
    const timer = setTimeout(
      () => this.#lost(),
      this.#init.reconnectTimeoutMs,
    );
    this.#link = { state: "down", since, timer };
  }

  /** The connection did not come back in time: every pending call fails. */
  #lost(): void {
    const error = new ClusterConnectionError(
      `Lost the connection to the NATS server at ${this.#transport.where}, and it did not come back within ${this.#init.reconnectTimeoutMs} ms ('reconnectTimeout'): the call failed; the pool goes on reconnecting, removes the call's queued chunks once it is back, and takes new calls then`,
      this.#transport.servers,
    );
    this.#link = { state: "lost", error };
    const calls = new Set(this.#calls);
    for (const call of this.#records.keys()) calls.add(call);
    for (const call of calls) call.fail(error);
  }

  #onReconnected(): void {
    const link = this.#link;
    if (link.state === "down") clearTimeout(link.timer);
    if (this.#state === "closed") return;
    this.#link = { state: "up" };
    this.#remove(this.#removals.splice(0));
    this.#dispatch();
  }

  /**
   * The server lost the queue: what was on it runs again (dedup by part id
   * keeps each result once).
   */
  #onLostState(): void {
    if (this.#state === "closed") return;
    for (const part of this.#parts.values()) {
      if (part.done) continue;
      const publishing = this.#publish(part).catch(() => {});
      this.#publishes.add(publishing);
      publishing.finally(() => this.#publishes.delete(publishing));
    }
  }

  // --- lifecycle -------------------------------------------------------------------

  close(): void {
    if (this.#state !== "running") return;
    this.#state = "closing";
    for (const call of this.#calls) call.unbound();
    this.#dispatch();
  }

  #maybeFinishClosing(): void {
    if (this.#state !== "closing") return;
    if (this.#parts.size > 0 || this.#publishing > 0) return;
    for (const call of this.#calls) if (!call.finished) return;
    this.#shutDown();
  }

  terminate(): void {
    if (this.#state === "closed") return;
    const calls = new Set([...this.#calls].filter((call) => !call.finished));
    for (const call of this.#records.keys()) calls.add(call);
    const handles: JobHandle[] = [];
    for (const part of this.#parts.values()) {
      if (!part.done && part.handle !== undefined) handles.push(part.handle);
    }
    this.#parts.clear();
    this.#records.clear();
    this.#removals.push(...handles);
    this.#shutDown();
    const error = new PoolClosedError(
      "Cannot finish the call as the pool was terminated: use close() to let queued work finish",
    );
    for (const call of calls) call.fail(error);
  }

  #shutDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#state = "closed";
    clearInterval(this.#watchTimer);
    this.#watchTimer = undefined;
    const link = this.#link;
    if (link.state === "down") clearTimeout(link.timer);
    this.#calls.clear();
    this.#started.clear();
    this.#stop.abort(
      new PoolClosedError("Cannot queue the chunk as the pool was closed"),
    );
    void (async () => {
      await this.#opened.catch(() => {});
      // Whatever is on its way lands first, so that it can be removed too.
      while (this.#publishes.size > 0) {
        await Promise.allSettled([...this.#publishes]);
      }
      const handles = this.#removals.splice(0);
      for (const part of this.#parts.values()) {
        if (part.handle !== undefined) handles.push(part.handle);
      }
      if (handles.length > 0 && this.#link.state === "up") {
        await this.#transport.remove(handles).catch(() => {});
      }
      await this.#transport.close().catch(() => {});
    })().finally(() => this.#markJoined());
  }

  /** Resolves once the pool has shut down and let go of the broker. */
  join(): Promise<void> {
    return this.#joined;
  }
}
