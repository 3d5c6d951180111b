// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { cpuCount, Pool } from "../mod.ts";
import { deadline, rejection, test, withPool } from "./_helpers.ts";

test("new Pool() throws RangeError for a size that is not a positive integer", (backend) => {
  for (const size of [0, -1, 1.5, NaN, Infinity]) {
    assert.throws(
      () => new Pool({ backend, size }),
      (error: unknown) =>
        error instanceof RangeError &&
        error.message ===
          `Cannot create pool as 'size' must be a positive integer: received ${size}`,
    );
  }
  assert.throws(
    () => new Pool({ backend, size: "2" as unknown as number }),
    TypeError,
  );
  assert.throws(() => new Pool(42 as unknown as URL, { backend }), TypeError);
});

test("new Pool() defaults its size to cpuCount()", async (backend) => {
  await withPool(new Pool({ backend }), (pool) => {
    assert.equal(pool.size, cpuCount());
    assert.equal(cpuCount(), navigator.hardwareConcurrency);
    return Promise.resolve();
  });
});

test("new Pool() resolves a module path against the current directory", async (backend) => {
  const pool = new Pool("tests/workers/tasks.ts", { backend, size: 1 });
  await withPool(pool, async (pool) => {
    assert.match(
      Deno.inspect(pool),
      /module: "file:\/\/.*\/tests\/workers\/tasks\.ts"/,
    );
    assert.deepEqual(await deadline(pool.map("double" as never, [2]), "map"), [
      4,
    ]);
  });
});

test("calls reject invalid options, naming them", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const id = (x: number) => x;
    for (const chunkSize of [0, -2, 1.5, "3"]) {
      const error = await rejection(
        pool.map(id, [1], { chunkSize: chunkSize as number }),
        `chunkSize ${chunkSize}`,
      );
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /'chunkSize' must be a positive integer/);
    }
    const signal = await rejection(
      pool.map(id, [1], { signal: {} as AbortSignal }),
      "signal",
    );
    assert.match((signal as Error).message, /'signal' must be an AbortSignal/);
    const progress = await rejection(
      pool.map(id, [1], { onProgress: 1 as unknown as () => void }),
      "onProgress",
    );
    assert.match(
      (progress as Error).message,
      /'onProgress' must be a function/,
    );
    const items = await rejection(
      pool.map(id, 5 as unknown as number[]),
      "items",
    );
    assert.match(
      (items as Error).message,
      /must be an iterable or an async iterable/,
    );
  });
});

test("signal: an aborted call rejects with the reason and drops its queued work", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const before = AbortSignal.abort(new Error("before"));
    assert.equal(
      ((await rejection(
        pool.map((x: number) => x, [1], { signal: before }),
        "pre-aborted",
      )) as Error)
        .message,
      "before",
    );
    const controller = new AbortController();
    let done = 0;
    const call = pool.map(
      async (ms: number) => {
        await new Promise((resolve) => setTimeout(resolve, ms));
        return ms;
      },
      [30, 30, 30, 30, 30, 30],
      {
        chunkSize: 1,
        signal: controller.signal,
        onProgress: (n) => (done = n),
      },
    );
    setTimeout(() => controller.abort(new Error("stop")), 40);
    const error = await rejection(call, "aborted map");
    assert.equal((error as Error).message, "stop");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(done <= 2, `${done} items finished after the abort`);
  });
});

test("signal: no abort listener is left behind", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const controller = new AbortController();
    let listeners = 0;
    const { signal } = controller;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;
    await deadline(pool.map((x: number) => x, [1, 2], { signal }), "map");
    await rejection(
      pool.map(
        () => {
          throw new Error("x");
        },
        [1],
        { signal },
      ),
      "failing map",
    );
    await deadline(pool.apply(() => 1, [], { signal }), "apply");
    assert.equal(listeners, 0);
  });
});

test("onProgress: an error it throws fails the call", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.map((x: number) => x, [1, 2], {
        onProgress: () => {
          throw new Error("progress bar broke");
        },
      }),
      "map with a throwing onProgress",
    );
    assert.equal((error as Error).message, "progress bar broke");
  });
});

test("an input iterable that throws midway rejects the call; the pool stays usable", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    function* broken() {
      yield 1;
      yield 2;
      throw new Error("input broke");
    }
    async function* brokenAsync() {
      yield 1;
      throw new Error("async input broke");
    }
    const id = (x: number) => x;
    assert.equal(
      ((await rejection(pool.map(id, broken()), "map")) as Error).message,
      "input broke",
    );
    assert.equal(
      ((await rejection(pool.map(id, brokenAsync()), "async map")) as Error)
        .message,
      "async input broke",
    );
    const streamed: number[] = [];
    const error = await rejection(
      (async () => {
        for await (const x of pool.imap(id, broken())) streamed.push(x);
      })(),
      "imap",
    );
    assert.equal((error as Error).message, "input broke");
    assert.deepEqual(await deadline(pool.map(id, [9]), "map after"), [9]);
  });
});
