// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { checkInterval, overdue, type Timers, Watchdog } from "./_watchdog.ts";

/** Timers that fire only when the test says so. */
function manualTimers(): Timers & { fire(): void; pending: number[] } {
  let next = 1;
  const callbacks = new Map<number, () => void>();
  return {
    pending: [],
    setTimeout(callback, ms) {
      const id = next++;
      callbacks.set(id, callback);
      this.pending.push(ms);
      return id;
    },
    clearTimeout(id) {
      callbacks.delete(id as number);
    },
    fire() {
      const due = [...callbacks.values()];
      callbacks.clear();
      for (const callback of due) callback();
    },
  };
}

Deno.test("checkInterval() sleeps a quarter of the timeout, within 2 and 100 ms", () => {
  assert.equal(checkInterval(40), 10);
  assert.equal(checkInterval(1), 2);
  assert.equal(checkInterval(60_000), 100);
});

Deno.test("overdue() is true only once the item has run longer than its timeout", () => {
  assert.equal(overdue(1_000, 50, 1_050), false);
  assert.equal(overdue(1_000, 50, 1_051), true);
  // An item that has not started (start time Infinity) is never overdue.
  assert.equal(overdue(Infinity, 50, 1_000_000), false);
});

Deno.test("Watchdog checks while there is timed work, then sleeps until armed", () => {
  const timers = manualTimers();
  const left = [30, 30, undefined];
  let checks = 0;
  const watchdog = new Watchdog(() => {
    checks++;
    return left.shift();
  }, timers);
  watchdog.arm(400);
  watchdog.arm(400); // already armed: no second timer
  assert.deepEqual(timers.pending, [100]);
  timers.fire();
  timers.fire();
  timers.fire();
  assert.equal(checks, 3);
  assert.deepEqual(timers.pending, [100, 7.5, 7.5]);
  assert.equal(watchdog.armed, false);
  watchdog.arm(8);
  assert.equal(watchdog.armed, true);
  watchdog.disarm();
  timers.fire();
  assert.equal(checks, 3);
});
