// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The caller's code runs inside the pool: a generator that feeds an `imap`
 * is read while the engine hands out chunks. What it does there (make
 * another call, abort one, close the pool) must not run the engine inside
 * itself, which once made a stream read its own running generator and a
 * pool of one start two workers.
 */
import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { collect, deadline, test, withPool } from "./_helpers.ts";

test("a generator that feeds imap may make another call on the pool", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const inner: Promise<number[]>[] = [];
    function* items() {
      for (let i = 0; i < 6; i++) {
        if (i === 2) {
          inner.push(pool.map((x: number) => -x, [1, 2, 3], { chunkSize: 1 }));
        }
        yield i;
      }
    }
    assert.deepEqual(
      await collect(pool.imap((x: number) => x, items()), "the stream"),
      [0, 1, 2, 3, 4, 5],
    );
    assert.deepEqual(await deadline(Promise.all(inner), "the inner map"), [[
      -1,
      -2,
      -3,
    ]]);
  });
});

test("a call made from inside the pool does not start more workers than 'size'", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    let inner: Promise<number[]> | undefined;
    function* items() {
      inner = pool.map((x: number) => x, [1]);
      yield 0;
      yield 1;
    }
    const stream = collect(pool.imap((x: number) => x, items()), "the stream");
    await Promise.resolve();
    assert.equal(pool.stats().workersAlive, 1);
    assert.deepEqual(await stream, [0, 1]);
    assert.deepEqual(await deadline(inner!, "the inner map"), [1]);
  });
});

test("a generator that feeds imap may abort another call, or close the pool", async (backend) => {
  const pool = new Pool({ backend, size: 2 });
  const controller = new AbortController();
  const other = pool.map(
    async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return x;
    },
    [1, 2],
    { chunkSize: 1, signal: controller.signal },
  );
  other.catch(() => {});
  function* items() {
    for (let i = 0; i < 8; i++) {
      if (i === 3) controller.abort(new Error("other-abort"));
      if (i === 6) pool.close();
      yield i;
    }
  }
  assert.deepEqual(
    await collect(pool.imap((x: number) => x, items()), "the stream"),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  await assert.rejects(deadline(other, "the aborted call"), /other-abort/);
  await deadline(pool.join(), "closing the pool");
});
