// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool, TaskError } from "../mod.ts";
import { collect, deadline, rejection, test, withPool } from "./_helpers.ts";

test("imap() yields results in input order", async (backend) => {
  await withPool(new Pool({ backend, size: 3 }), async (pool) => {
    const delays = [40, 1, 30, 1, 20, 1, 10];
    const results = await collect(
      pool.imap(async (ms: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return ms;
      }, delays),
      "imap",
    );
    assert.deepEqual(results, delays);
  });
});

test("imapUnordered() yields every result once", async (backend) => {
  await withPool(new Pool({ backend, size: 3 }), async (pool) => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const results = await collect(
      pool.imapUnordered((x: number) => x * 2, items, { chunkSize: 3 }),
      "imapUnordered",
    );
    assert.deepEqual(results.sort((a, b) => a - b), items.map((x) => x * 2));
  });
});

test("imap() pulls its input lazily, within a bounded window", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    let pulled = 0;
    function* naturals() {
      for (let n = 0;; n++) {
        pulled++;
        yield n;
      }
    }
    const iterator = pool.imap((x: number) => x, naturals());
    const first = await deadline(iterator.next(), "first imap result");
    assert.deepEqual(first, { value: 0, done: false });
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Two chunks per worker ahead of the consumer, and one read ahead.
    assert.ok(
      pulled <= 2 * 2 + 2,
      `pulled ${pulled} items from an endless input`,
    );
    await deadline(iterator.return(), "imap return");
  });
});

test("imap() stops the work that is left when the consumer breaks out", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    let pulled = 0;
    let closed = false;
    async function* source() {
      try {
        for (let n = 0; n < 10_000; n++) {
          pulled++;
          yield n;
        }
      } finally {
        closed = true;
      }
    }
    const seen: number[] = [];
    await deadline(
      (async () => {
        for await (const x of pool.imap((x: number) => x, source())) {
          seen.push(x);
          if (seen.length === 5) break;
        }
      })(),
      "imap with break",
    );
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.ok(closed, "the input's finally block did not run");
    assert.ok(pulled < 20, `pulled ${pulled} items after a break at 5`);
    // The pool is free for other work at once.
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, [1]), "map after break"),
      [1],
    );
  });
});

test("imap() yields the results before a failing item, then throws its TaskError", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const seen: number[] = [];
    const error = await rejection(
      (async () => {
        for await (
          const x of pool.imap((x: number) => {
            if (x === 3) throw new Error("three");
            return x;
          }, [0, 1, 2, 3, 4, 5])
        ) {
          seen.push(x);
        }
      })(),
      "imap with a failing item",
    );
    assert.deepEqual(seen, [0, 1, 2]);
    assert.ok(error instanceof TaskError);
    assert.equal(error.index, 3);
  });
});

test("imapUnordered() throws a task's error after the results already in", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      collect(
        pool.imapUnordered((x: number) => {
          if (x === 1) throw new Error("one");
          return x;
        }, [0, 1, 2]),
        "imapUnordered",
      ),
      "imapUnordered with a failing item",
    );
    assert.ok(error instanceof TaskError);
    assert.equal(error.index, 1);
  });
});

test("imap() over an async generator ends when the input ends", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    async function* slow() {
      for (let n = 0; n < 5; n++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield n;
      }
    }
    const results = await collect(
      pool.imap((x: number) => x + 1, slow()),
      "imap async",
    );
    assert.deepEqual(results, [1, 2, 3, 4, 5]);
    const empty = await collect(
      pool.imap((x: number) => x, (async function* () {})()),
      "empty",
    );
    assert.deepEqual(empty, []);
  });
});
