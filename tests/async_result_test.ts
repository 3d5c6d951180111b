// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { AsyncResult, Pool, TaskError } from "../mod.ts";
import type * as tasks from "./workers/tasks.ts";
import { deadline, fixture, rejection, test, withPool } from "./_helpers.ts";

/** A task that waits until the test says go, so "not ready yet" is a fact, not a guess. */
function gated(): { go: () => void; buffer: SharedArrayBuffer } {
  const buffer = new SharedArrayBuffer(4);
  return { buffer, go: () => Atomics.store(new Int32Array(buffer), 0, 1) };
}

async function waitForGate(
  buffer: SharedArrayBuffer,
  value: number,
): Promise<number> {
  const flag = new Int32Array(buffer);
  while (Atomics.load(flag, 0) === 0) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return value;
}

test("mapAsync() returns a future that is not ready until the work is done", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const { buffer, go } = gated();
    const future = pool.starmapAsync(waitForGate, [[buffer, 1], [buffer, 2]]);
    assert.equal(future.ready(), false);
    assert.throws(() => future.successful(), /not ready yet/);
    assert.equal(await deadline(future.wait(30), "wait(30)"), false);
    assert.equal(future.ready(), false);
    go();
    assert.equal(await deadline(future.wait(), "wait()"), true);
    assert.equal(future.ready(), true);
    assert.equal(future.successful(), true);
    assert.deepEqual(await deadline(future.get(), "get()"), [1, 2]);
    assert.deepEqual(await deadline(future, "await future"), [1, 2]);
  });
});

test("AsyncResult.get() with a timeout rejects with TimeoutError and the work goes on", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const { buffer, go } = gated();
    const future = pool.applyAsync(waitForGate, [buffer, 7]);
    const error = await rejection(future.get(20), "get(20)");
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "TimeoutError");
    go();
    assert.equal(await deadline(future.get(), "get() after a timeout"), 7);
  });
});

test("AsyncResult of a failed call: get() rejects, successful() is false", async (backend) => {
  await withPool(
    new Pool<typeof tasks>(fixture("tasks.ts"), { backend, size: 1 }),
    async (pool) => {
      const future = pool.starmapAsync("failOn", [[1, 1]]);
      assert.equal(await deadline(future.wait(), "wait() on a failure"), true);
      assert.equal(future.successful(), false);
      const error = await rejection(future.get(), "get() on a failure");
      assert.ok(error instanceof TaskError);
    },
  );
});

Deno.test("AsyncResult never causes an unhandled rejection when it is not awaited", async () => {
  // A rejected future that nobody asks about must not crash the process.
  const future = new AsyncResult(Promise.reject(new Error("ignored")));
  assert.equal(await deadline(future.wait(), "wait()"), true);
  assert.equal(future.successful(), false);
});

Deno.test("AsyncResult.wait() and get() validate the timeout", async () => {
  const future = new AsyncResult(Promise.resolve(1));
  for (const bad of [-1, NaN, Infinity]) {
    assert.ok(
      await rejection(future.wait(bad), `wait(${bad})`) instanceof RangeError,
    );
    assert.ok(
      await rejection(future.get(bad), `get(${bad})`) instanceof RangeError,
    );
  }
  assert.equal(await deadline(future.get(0), "get(0) of a settled future"), 1);
});
