// Copyright 2026 the @paralelo/pool authors. MIT license.
// Regression tests for the ways a stream or a closing pool could hang or
// drop results (found in review).
import assert from "node:assert/strict";
import { Pool, PoolClosedError, TaskError } from "../mod.ts";
import { collect, deadline, rejection, test, withPool } from "./_helpers.ts";

async function drain<T>(iterable: AsyncIterable<T>, into: T[]): Promise<void> {
  for await (const value of iterable) into.push(value);
}

test("imap() after a task error, then terminate(): the iterator rejects", async (backend) => {
  const pool = new Pool({ backend, size: 2 });
  const seen: number[] = [];
  const consumed = drain(
    pool.imap(async (x: number) => {
      if (x === 1) throw new Error("boom");
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return x;
    }, [0, 1, 2, 3]),
    seen,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  pool.terminate();
  const error = await rejection(consumed, "imap after terminate");
  assert.ok(error instanceof PoolClosedError);
  await deadline(pool.join(), "join");
});

async function* slow(failAt3: boolean): AsyncGenerator<number> {
  for (let i = 0;; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (failAt3 && i === 3) throw new Error("input broke");
    yield i;
  }
}

test("close(), then a call stops by abort or input error: join() still resolves", async (backend) => {
  for (const how of ["abort", "input error"]) {
    const pool = new Pool({ backend, size: 1 });
    const controller = new AbortController();
    const call = pool.map((x: number) => x, slow(how === "input error"), {
      signal: controller.signal,
    });
    pool.close();
    setTimeout(() => controller.abort(new Error("aborted")), 50);
    await rejection(call, `map stopped by ${how}`);
    await deadline(pool.join(), `join after ${how}`);
    assert.equal(pool.state, "closed");
  }
});

test("await using ends even when an imap was not consumed to the end", async (backend) => {
  const pool = await deadline(
    (async () => {
      await using pool = new Pool({ backend, size: 1 });
      const iterator = pool.imap((x: number) => x * 2, [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
        8,
      ]);
      assert.deepEqual(await iterator.next(), { value: 2, done: false });
      return pool;
    })(),
    "a block with a half-read imap",
  );
  assert.equal(pool.state, "closed");
});

test("imap(): return() before the first next() stops the call", async (backend) => {
  const pool = new Pool({ backend, size: 1 });
  let pulled = 0;
  function* endless() {
    for (;;) {
      pulled++;
      yield pulled;
    }
  }
  const iterator = pool.imap((x: number) => x, endless());
  await deadline(iterator.return(), "return()");
  pool.close();
  await deadline(pool.join(), "join after an early return()");
  assert.ok(pulled < 10, `pulled ${pulled}`);
});

test("a stream yields what came before an input error or an unclonable item", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    for (const asyncInput of [false, true]) {
      const seen: number[] = [];
      const input = asyncInput
        ? (async function* () {
          yield* [1, 2, 3];
          throw new Error("input broke");
        })()
        : (function* () {
          yield* [1, 2, 3];
          throw new Error("input broke");
        })();
      const error = await rejection(
        drain(pool.imap((x: number) => x, input), seen),
        "imap",
      );
      assert.equal((error as Error).message, "input broke");
      assert.deepEqual(seen, [1, 2, 3], `async input: ${asyncInput}`);
    }
    const seen: unknown[] = [];
    const error = await rejection(
      drain(pool.imap((x: unknown) => x, [1, 2, 3, Symbol("x")]), seen),
      "imap with an unclonable item",
    );
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /position 3 .*cannot be cloned/);
    assert.deepEqual(seen, [1, 2, 3]);
  });
});

test("imap() over an array sends one item a message by default", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const progress: number[] = [];
    const results = await collect(
      pool.imap((x: number) => x, [1, 2, 3, 4, 5, 6, 7, 8], {
        onProgress: (done) => progress.push(done),
      }),
      "imap over an array",
    );
    assert.deepEqual(results, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

test("a DataView is not an input: TypeError, not a hang", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const view = new DataView(new ArrayBuffer(4)) as unknown as number[];
    assert.ok(
      await rejection(pool.map((x: number) => x, view), "map") instanceof
        TypeError,
    );
    assert.ok(
      await rejection(
        collect(pool.imap((x: number) => x, view), "imap"),
        "imap",
      ) instanceof
        TypeError,
    );
  });
});

test("an error whose getter throws is still a TaskError, and the worker lives", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.apply(() => {
        const e = new Error("odd");
        Object.defineProperty(e, "code", {
          enumerable: true,
          get() {
            throw new Error("getter");
          },
        });
        throw e;
      }),
      "an error with a throwing getter",
    );
    assert.ok(error instanceof TaskError);
    assert.match(error.cause.message, /could not be read/);
    assert.equal(await deadline(pool.apply(() => 1), "a call after"), 1);
  });
});
