// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool, PoolClosedError } from "../mod.ts";
import { collect, deadline, rejection, test } from "./_helpers.ts";

const slow = async (ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
};

test("close() lets queued and running work finish, then join() resolves", async (backend) => {
  const pool = new Pool({ backend, size: 1 });
  const pending = pool.map(slow, [20, 20, 20], { chunkSize: 1 });
  pool.close();
  assert.equal(pool.state, "closing");
  assert.deepEqual(await deadline(pending, "work queued before close"), [
    20,
    20,
    20,
  ]);
  await deadline(pool.join(), "join after close");
  assert.equal(pool.state, "closed");
  assert.match(Deno.inspect(pool), /state: "closed"/);
  assert.match(Deno.inspect(pool), /workers: 0/);
});

test("calls after close() or terminate() reject with PoolClosedError", async (backend) => {
  const pool = new Pool({ backend, size: 1 });
  pool.close();
  const id = (x: number) => x;
  assert.ok(
    await rejection(pool.map(id, [1]), "map after close") instanceof
      PoolClosedError,
  );
  assert.ok(
    await rejection(pool.apply(id, [1]), "apply after close") instanceof
      PoolClosedError,
  );
  assert.ok(
    await rejection(
      pool.mapAsync(id, [1]).get(),
      "mapAsync after close",
    ) instanceof PoolClosedError,
  );
  assert.ok(
    await rejection(
      collect(pool.imap(id, [1]), "imap"),
      "imap after close",
    ) instanceof PoolClosedError,
  );
  await deadline(pool.join(), "join");
  const terminated = new Pool({ backend, size: 1 });
  terminated.terminate();
  const error = await rejection(terminated.map(id, [1]), "map after terminate");
  assert.ok(error instanceof PoolClosedError);
  assert.match((error as Error).message, /the pool is closed/);
});

test("terminate() stops the workers now and rejects every pending call", async (backend) => {
  const pool = new Pool({ backend, size: 2 });
  const items = Array.from({ length: 10_000 }, () => 50);
  const map = pool.map(slow, items, { chunkSize: 1 });
  const future = pool.mapAsync(slow, [60_000]);
  const stream = collect(pool.imap(slow, [60_000, 1]), "imap");
  await new Promise((resolve) => setTimeout(resolve, 30));
  pool.terminate();
  assert.equal(pool.state, "closed");
  for (
    const [name, call] of [["map", map], ["future", future.get()], [
      "imap",
      stream,
    ]] as const
  ) {
    const error = await rejection(call, `${name} pending at terminate`);
    assert.ok(error instanceof PoolClosedError, `${name}: ${error}`);
  }
  await deadline(pool.join(), "join after terminate");
});

test("join() on a running pool rejects instead of waiting forever", async (backend) => {
  const pool = new Pool({ backend, size: 1 });
  const error = await rejection(pool.join(), "join on a running pool");
  assert.match(
    (error as Error).message,
    /still running: call close\(\) or terminate\(\) first/,
  );
  pool.close();
  await deadline(pool.join(), "join");
});

test("await using closes the pool gracefully at the end of the block", async (backend) => {
  let outside: Pool | undefined;
  let result: number[] = [];
  await deadline(
    (async () => {
      await using pool = new Pool({ backend, size: 2 });
      outside = pool;
      result = await pool.map((x: number) => x + 1, [1, 2]);
      // Started but not awaited: disposal still lets it finish.
      void pool.map(slow, [20]);
    })(),
    "a block with await using",
  );
  assert.deepEqual(result, [2, 3]);
  assert.equal(outside?.state, "closed");
});

test("Deno.inspect() shows the state and size, like Python's repr", async (backend) => {
  const pool = new Pool({ backend, size: 3 });
  assert.equal(
    Deno.inspect(pool),
    'Pool { state: "running", size: 3, workers: 0 }',
  );
  assert.equal(pool.size, 3);
  pool.close();
  await deadline(pool.join(), "join");
});

test("workers start only when a call needs them, up to size", async (backend) => {
  const pool = new Pool({ backend, size: 4 });
  assert.match(Deno.inspect(pool), /workers: 0/);
  await deadline(pool.apply(() => 1), "one apply");
  assert.match(Deno.inspect(pool), /workers: 1/);
  // A call that needs more workers returns before they have all started:
  // each costs milliseconds of this thread, so the others start after this synchronous code.
  const future = pool.mapAsync((x: number) => x, [1, 2, 3, 4], {
    chunkSize: 1,
  });
  assert.match(Deno.inspect(pool), /workers: 2/);
  assert.deepEqual(await deadline(future, "mapAsync on 4 workers"), [
    1,
    2,
    3,
    4,
  ]);
  pool.close();
  await deadline(pool.join(), "join");
});
