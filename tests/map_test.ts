// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import type * as tasks from "./workers/tasks.ts";
import { deadline, fixture, test, withPool } from "./_helpers.ts";

const tasksUrl = fixture("tasks.ts");

test("map() returns 10,000 results in input order", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    // Later items finish first within each chunk round: order must not care.
    const results = await deadline(
      pool.map((x: number) => x * 3, items, { chunkSize: 7 }),
      "map of 10,000 items",
    );
    assert.deepEqual(results, items.map((x) => x * 3));
  });
});

test("map() keeps input order when later items finish first", async (backend) => {
  await withPool(
    new Pool<typeof tasks>(tasksUrl, { backend, size: 4 }),
    async (pool) => {
      const results = await deadline(
        pool.starmap("later", [[1, 80], [2, 60], [3, 40], [4, 1]]),
        "map with uneven delays",
      );
      assert.deepEqual(results, [1, 2, 3, 4]);
    },
  );
});

test("map() of an empty input resolves with [] at once, starting no worker", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, []), "empty map"),
      [],
    );
    assert.deepEqual(
      await deadline(
        pool.map((x: number) => x, (async function* () {})()),
        "empty async map",
      ),
      [],
    );
    assert.match(Deno.inspect(pool), /workers: 0/);
  });
});

test("map() runs the named exports of the pool's module", async (backend) => {
  await withPool(
    new Pool<typeof tasks>(tasksUrl, { backend, size: 2 }),
    async (pool) => {
      const doubled: number[] = await deadline(
        pool.map("double", [1, 2, 3]),
        "module map",
      );
      assert.deepEqual(doubled, [2, 4, 6]);
      // Inline functions work on a module pool too.
      assert.deepEqual(
        await deadline(pool.map((x: number) => -x, [1]), "inline map"),
        [-1],
      );
    },
  );
});

test("map() awaits async tasks", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const results = await deadline(
      pool.map(async (x: number) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return `item ${x}`;
      }, [1, 2, 3]),
      "async map",
    );
    assert.deepEqual(results, ["item 1", "item 2", "item 3"]);
  });
});

test("map() takes any iterable or async iterable", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const inc = (x: number) => x + 1;
    function* generate() {
      yield* [1, 2, 3];
    }
    async function* generateAsync() {
      for (const x of [1, 2, 3]) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        yield x;
      }
    }
    const expected = [2, 3, 4];
    assert.deepEqual(
      await deadline(pool.map(inc, new Set([1, 2, 3])), "Set"),
      expected,
    );
    assert.deepEqual(
      await deadline(pool.map(inc, generate()), "generator"),
      expected,
    );
    assert.deepEqual(
      await deadline(pool.map(inc, generateAsync()), "async generator"),
      expected,
    );
    assert.deepEqual(
      await deadline(pool.map(inc, new Float64Array([1, 2, 3])), "typed array"),
      expected,
    );
    assert.deepEqual(
      await deadline(
        pool.map(inc, generateAsync(), { chunkSize: 2 }),
        "async, chunked",
      ),
      expected,
    );
  });
});

test("map() keeps undefined and structured values intact", async (backend) => {
  await withPool(
    new Pool<typeof tasks>(tasksUrl, { backend, size: 1 }),
    async (pool) => {
      assert.deepEqual(
        await deadline(pool.map("nothing", [undefined]), "undefined"),
        [undefined],
      );
      const value = {
        when: new Date(0),
        big: 10n ** 30n,
        tags: new Set(["a"]),
        m: new Map([[1, 2]]),
      };
      const [echo] = await deadline(
        pool.map((v: typeof value) => v, [value]),
        "structured",
      );
      assert.deepEqual(echo, value);
    },
  );
});

test("map() reports progress as items complete", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const seen: Array<[number, number | undefined]> = [];
    await deadline(
      pool.map((x: number) => x, [1, 2, 3, 4, 5], {
        chunkSize: 2,
        onProgress: (done, total) => seen.push([done, total]),
      }),
      "map with progress",
    );
    assert.equal(seen.length, 3);
    assert.deepEqual(seen.at(-1), [5, 5]);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]![0] > seen[i - 1]![0]);
    }
  });
});

test("map() chooses about four chunks per worker, like Python", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    let calls = 0;
    await deadline(
      pool.map((x: number) => x, Array.from({ length: 800 }, (_, i) => i), {
        onProgress: () => calls++,
      }),
      "auto-chunked map",
    );
    assert.equal(calls, 8); // ceil(800 / (2 * 4)) = 100 items a chunk
  });
});

test("map() reuses its workers instead of starting one per task", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    for (let round = 0; round < 5; round++) {
      await deadline(
        pool.map((x: number) => x, [1, 2, 3, 4], { chunkSize: 1 }),
        "round",
      );
    }
    const ids = await deadline(
      pool.map(() => (globalThis as unknown as { name: string }).name, [
        1,
        2,
        3,
        4,
        5,
        6,
      ], {
        chunkSize: 1,
      }),
      "worker names",
    );
    assert.ok(new Set(ids).size <= 2, `more than 2 workers: ${ids.join(", ")}`);
    assert.match(Deno.inspect(pool), /workers: 2/);
  });
});
