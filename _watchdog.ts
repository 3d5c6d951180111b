// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The timeout watchdog. A worker writes when each timed item starts into
 * memory it shares with the pool; while timed work runs, the watchdog wakes
 * now and then, and the engine stops each worker whose item has run past
 * its call's timeout. No message is needed, so a task that blocks its
 * thread is caught all the same.
 *
 * @module
 */

/** The longest the watchdog sleeps, whatever the timeouts: 100 ms. */
export const MAX_CHECK_INTERVAL_MS = 100;
/** The shortest it sleeps, so that a tiny timeout cannot spin it: 2 ms. */
export const MIN_CHECK_INTERVAL_MS = 2;

/**
 * How long to sleep between checks when the shortest timeout running is
 * `shortestMs`: a quarter of it, so that a task is stopped at most about a
 * quarter late, within the bounds above.
 */
export function checkInterval(shortestMs: number): number {
  return Math.min(
    MAX_CHECK_INTERVAL_MS,
    Math.max(MIN_CHECK_INTERVAL_MS, shortestMs / 4),
  );
}

/** Whether an item that started at `startedAt` has run past `timeoutMs` at `now`. */
export function overdue(
  startedAt: number,
  timeoutMs: number,
  now: number,
): boolean {
  return now - startedAt > timeoutMs;
}

/** The timers the watchdog uses, replaceable in tests. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const REAL_TIMERS: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};

/**
 * Wakes `check` while it has timed work to watch. `check` stops what has
 * run over and returns the shortest timeout still running, or `undefined`
 * when nothing timed runs: then the watchdog sleeps until `arm()`.
 */
export class Watchdog {
  #check: () => number | undefined;
  #timers: Timers;
  #timer: unknown;

  constructor(check: () => number | undefined, timers: Timers = REAL_TIMERS) {
    this.#check = check;
    this.#timers = timers;
  }

  /** Whether a check is scheduled. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Schedules a check for timed work of `timeoutMs`, unless one is due. */
  arm(timeoutMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      const shortest = this.#check();
      if (shortest !== undefined) this.arm(shortest);
    }, checkInterval(timeoutMs));
  }

  /** Cancels the next check. */
  disarm(): void {
    if (this.#timer === undefined) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
