// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What a pool measures of itself: the counts and times behind
 * `pool.stats()`, the spans behind `pool.trace()`, and the one piece of
 * advice it may give when messages cost more than the work they carry.
 * Pure bookkeeping: the engine tells it what happened.
 *
 * @module
 */
import type { PoolStats, PoolTrace, TraceSpan } from "./trace.ts";

/** What the metrics need to know of a worker. */
export interface WorkerRecord {
  readonly id: number;
  /** When it started (`performance.now()`). */
  readonly startedAt: number;
  readonly busyMs: number;
  readonly items: number;
  /** Items it holds now, sent and not answered. */
  readonly runningItems: number;
}

/** One chunk's span, in absolute times (`performance.timeOrigin` based). */
export interface SpanTimes {
  worker: number;
  call: number;
  task: string;
  start: number;
  count: number;
  /** When the chunk was read and sent (`performance.now()`). */
  readAt: number;
  sentAt: number;
  /** When it started and ended, by the worker's absolute clock. */
  started: number;
  ended: number;
  ok: boolean;
}

/** The counts, times and trace of one pool. */
export class Metrics {
  readonly #createdAt: number;
  #closedAt: number | null = null;
  #completed = 0;
  #failed = 0;
  #leftBusyMs = 0;
  #leftAliveMs = 0;
  #spans: TraceSpan[] | null;

  /** Starts counting now; keeps spans only if `trace` is true. */
  constructor(trace: boolean, now: number = performance.now()) {
    this.#createdAt = now;
    this.#spans = trace ? [] : null;
  }

  /** Items that ran and returned. */
  completed(items: number): void {
    this.#completed += items;
  }

  /** An item whose task threw, or whose worker stopped under it. */
  failed(): void {
    this.#failed++;
  }

  /** A worker stopped: keep what it did in the pool's totals. */
  left(worker: WorkerRecord, now: number = performance.now()): void {
    this.#leftBusyMs += worker.busyMs;
    this.#leftAliveMs += now - worker.startedAt;
  }

  /** The pool closed: its lifetime stops counting. */
  close(now: number = performance.now()): void {
    this.#closedAt ??= now;
  }

  /** Whether spans are recorded. */
  get tracing(): boolean {
    return this.#spans !== null;
  }

  /** Records a chunk's span, with times made relative to the pool's start. */
  span(times: SpanTimes): void {
    if (this.#spans === null) return;
    // The worker's clock and ours share `performance.timeOrigin`'s epoch.
    const origin = performance.timeOrigin + this.#createdAt;
    this.#spans.push({
      worker: times.worker,
      call: times.call,
      task: times.task,
      start: times.start,
      count: times.count,
      enqueued: times.readAt - this.#createdAt,
      sent: times.sentAt - this.#createdAt,
      started: times.started - origin,
      ended: times.ended - origin,
      ok: times.ok,
    });
  }

  /** The numbers behind `Pool.stats()`. */
  stats(
    workers: readonly WorkerRecord[],
    queued: number,
    now: number = performance.now(),
  ): PoolStats {
    let running = 0;
    let busyMs = this.#leftBusyMs;
    let aliveMs = this.#leftAliveMs;
    const each = workers.map((worker) => {
      running += worker.runningItems;
      busyMs += worker.busyMs;
      aliveMs += now - worker.startedAt;
      return { id: worker.id, busyMs: worker.busyMs, items: worker.items };
    });
    return {
      completed: this.#completed,
      failed: this.#failed,
      queued,
      running,
      workersAlive: workers.length,
      workers: each,
      lifetimeMs: (this.#closedAt ?? now) - this.#createdAt,
      utilization: aliveMs > 0 ? Math.min(1, busyMs / aliveMs) : 0,
    };
  }

  /** The spans recorded so far, or null if the pool does not trace. */
  trace(size: number): PoolTrace | null {
    return this.#spans === null ? null : { size, spans: [...this.#spans] };
  }
}

/** A call whose items cost more in messages than in work gets one warning. */
export const ADVICE_MIN_ITEMS = 1_000;
/** Chunks of a call seen before it is judged. */
export const ADVICE_MIN_CHUNKS = 8;

interface Tally {
  items: number;
  workMs: number;
  roundTripMs: number;
  chunks: number;
}

/**
 * Says once, per pool, when messages cost more than the work they carry:
 * the quickest round trip of a call's chunks, less their work, spread over
 * a chunk's items, against the work per item.
 */
export class OverheadAdvisor {
  #warn: (message: string) => void;
  #warned = false;
  #tallies = new WeakMap<object, Tally>();

  constructor(warn: (message: string) => void) {
    this.#warn = warn;
  }

  /**
   * Learns of a chunk of `call` (any object that stands for it): `items`
   * items of `task` that worked `workMs`, answered `elapsedMs` after they
   * were sent.
   */
  observe(
    call: object,
    task: string,
    items: number,
    workMs: number,
    elapsedMs: number,
  ): void {
    if (this.#warned) return;
    let tally = this.#tallies.get(call);
    if (tally === undefined) {
      tally = { items: 0, workMs: 0, roundTripMs: Infinity, chunks: 0 };
      this.#tallies.set(call, tally);
    }
    tally.items += items;
    tally.workMs += workMs;
    tally.roundTripMs = Math.min(tally.roundTripMs, elapsedMs - workMs);
    if (tally.items < ADVICE_MIN_ITEMS || tally.chunks++ < ADVICE_MIN_CHUNKS) {
      return;
    }
    const messagingPerItem = Math.max(0, tally.roundTripMs) / items;
    const workPerItem = tally.workMs / tally.items;
    if (messagingPerItem <= workPerItem) return;
    this.#warned = true;
    this.#warn(
      `@paralelo/pool: the items of task '${task}' cost about ${
        microseconds(messagingPerItem)
      } each in messages to and from the workers, against ${
        microseconds(workPerItem)
      } of work: pass a larger 'chunkSize' (now ${items}), or run work this small in a plain loop`,
    );
  }
}

function microseconds(ms: number): string {
  return `${(ms * 1000).toPrecision(2)} µs`;
}
