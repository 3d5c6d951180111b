// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { Call } from "../_call.ts";
import { deadline, rejection, test, withPool } from "./_helpers.ts";

test("stats() add up: completed, failed, queued, running, per worker", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    assert.deepEqual(
      { ...pool.stats(), lifetimeMs: 0 },
      {
        completed: 0,
        failed: 0,
        queued: 0,
        running: 0,
        workersAlive: 0,
        workers: [],
        lifetimeMs: 0,
        utilization: 0,
      },
    );
    const slow = pool.map(
      async (ms: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return ms;
      },
      Array.from({ length: 10 }, () => 30),
      { chunkSize: 1 },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    const during = pool.stats();
    assert.equal(during.queued + during.running + during.completed, 10);
    assert.ok(
      during.running >= 1 && during.running <= 2,
      `running ${during.running}`,
    );
    await deadline(slow, "slow map");
    await rejection(
      pool.map(
        (x: number) => {
          if (x === 3) throw new Error("three");
          return x;
        },
        [1, 2, 3],
        { chunkSize: 1 },
      ),
      "failing map",
    );
    // The call failed at item 3; an item before it may still be on its way.
    await deadline(
      (async () => {
        while (pool.stats().running > 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })(),
      "the last items to come back",
    );
    const after = pool.stats();
    assert.equal(after.completed, 12);
    assert.equal(after.failed, 1);
    assert.equal(after.queued, 0);
    assert.equal(after.running, 0);
    assert.equal(after.workersAlive, 2);
    assert.equal(after.workers.reduce((sum, w) => sum + w.items, 0), 12);
    assert.ok(after.workers.every((w) => w.busyMs >= 0));
    assert.ok(
      after.workers.reduce((sum, w) => sum + w.busyMs, 0) >= 10 * 30 * 0.9,
    );
    assert.ok(after.utilization > 0 && after.utilization <= 1);
    assert.ok(after.lifetimeMs > 0);
  });
});

Deno.test("a call pipelines only once its chunks are known to be quick", () => {
  const call = new Call({
    task: { kind: "source", name: "f", source: "(x) => x" },
    spread: false,
    mode: "collect",
    transfer: false,
    input: [1],
    chunkSize: undefined,
    poolSize: 2,
    signal: undefined,
    onProgress: undefined,
    timeout: undefined,
    host: {
      wake: () => {},
      admit: () => undefined,
      hasRoom: () => true,
      aborted: () => {},
      dropUnwanted: () => {},
    },
  });
  assert.equal(call.depth, 1);
  for (let i = 0; i < 7; i++) call.observe(0.1);
  assert.equal(call.depth, 1, "pipelined before eight quick chunks in a row");
  call.observe(0.1);
  assert.equal(call.depth, 2);
  for (let i = 0; i < 20; i++) call.observe(0.1);
  assert.ok(call.depth > 2);
  // One slow chunk: back to one chunk a worker, so a long task never waits
  // behind another on a busy worker.
  call.observe(50);
  assert.equal(call.depth, 1);
  for (let i = 0; i < 7; i++) call.observe(0.1);
  assert.equal(call.depth, 1);
});

test("a worker that dies with many pipelined chunks: the call fails at the right item, promptly", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const items = Array.from({ length: 50_000 }, (_, i) => i);
    // Quick items: many chunks wait on each worker when one of them exits.
    const error = await rejection(
      pool.map(
        (x: number) => {
          if (x === 25_000) Deno.exit(3);
          return x;
        },
        items,
        { chunkSize: 1 },
      ),
      "a pipelined map whose worker exits",
    );
    assert.equal((error as Error).name, "WorkerCrashedError");
    assert.equal((error as { index?: number }).index, 25_000);
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, [1, 2]), "a map after"),
      [1, 2],
    );
    assert.equal(pool.stats().running, 0);
  });
});
