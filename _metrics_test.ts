// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import {
  ADVICE_MIN_CHUNKS,
  Metrics,
  OverheadAdvisor,
  type WorkerRecord,
} from "./_metrics.ts";

function worker(fields: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    id: 1,
    startedAt: 0,
    busyMs: 0,
    items: 0,
    runningItems: 0,
    ...fields,
  };
}

Deno.test("Metrics.stats() counts live and retired workers in utilization", () => {
  const metrics = new Metrics(false, 0);
  metrics.completed(10);
  metrics.failed();
  metrics.left(worker({ id: 1, startedAt: 0, busyMs: 50 }), 100);
  const live = worker({
    id: 2,
    startedAt: 100,
    busyMs: 100,
    items: 7,
    runningItems: 3,
  });
  const stats = metrics.stats([live], 5, 200);
  assert.equal(stats.completed, 10);
  assert.equal(stats.failed, 1);
  assert.equal(stats.queued, 5);
  assert.equal(stats.running, 3);
  assert.equal(stats.workersAlive, 1);
  assert.deepEqual(stats.workers, [{ id: 2, busyMs: 100, items: 7 }]);
  assert.equal(stats.lifetimeMs, 200);
  // (50 + 100) busy over (100 + 100) alive.
  assert.equal(stats.utilization, 0.75);
});

Deno.test("Metrics.close() stops the lifetime; an idle pool has no utilization", () => {
  const metrics = new Metrics(false, 0);
  metrics.close(40);
  metrics.close(90);
  const stats = metrics.stats([], 0, 1_000);
  assert.equal(stats.lifetimeMs, 40);
  assert.equal(stats.utilization, 0);
});

Deno.test("Metrics.trace() is null unless tracing, and spans are relative to the pool's start", () => {
  assert.equal(new Metrics(false).trace(2), null);
  const metrics = new Metrics(true, 10);
  const absolute = performance.timeOrigin + 10;
  metrics.span({
    worker: 1,
    call: 3,
    task: "t",
    start: 0,
    count: 2,
    readAt: 11,
    sentAt: 12,
    started: absolute + 5,
    ended: absolute + 9,
    ok: true,
  });
  const trace = metrics.trace(2);
  assert.equal(trace?.size, 2);
  assert.deepEqual(trace?.spans, [{
    worker: 1,
    call: 3,
    task: "t",
    start: 0,
    count: 2,
    enqueued: 1,
    sent: 2,
    started: 5,
    ended: 9,
    ok: true,
  }]);
});

Deno.test("OverheadAdvisor warns once when messages cost more than the work", () => {
  const warnings: string[] = [];
  const advisor = new OverheadAdvisor((message) => warnings.push(message));
  const call = {};
  // 200 items a chunk, 0.2 ms of work, answered 1.2 ms after sending:
  // 1 ms of messaging over 200 items = 5 us/item, against 1 us/item of work.
  for (let i = 0; i <= ADVICE_MIN_CHUNKS + 5; i++) {
    advisor.observe(call, "inc", 200, 0.2, 1.2);
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /task 'inc' cost about 5\.0 µs each/);
  assert.match(warnings[0]!, /'chunkSize' \(now 200\)/);
});

Deno.test("OverheadAdvisor stays quiet when the work outweighs the messages", () => {
  const warnings: string[] = [];
  const advisor = new OverheadAdvisor((message) => warnings.push(message));
  const call = {};
  for (let i = 0; i < 50; i++) advisor.observe(call, "slow", 100, 50, 50.2);
  assert.deepEqual(warnings, []);
});
