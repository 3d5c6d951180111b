// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool, QueueFullError, TaskError } from "../mod.ts";
import type * as initTasks from "./workers/init.ts";
import {
  deadline,
  fixture,
  rejection,
  runDeno,
  test,
  withPool,
} from "./_helpers.ts";

const workerName = () => (globalThis as unknown as { name: string }).name;

test("maxTasksPerWorker replaces workers as they reach it, with jitter; results stay in order", async (backend) => {
  await withPool(
    new Pool({ backend, size: 2, maxTasksPerWorker: 10, trace: true }),
    async (pool) => {
      const items = Array.from({ length: 200 }, (_, i) => i);
      const results = await deadline(
        pool.map((x: number) => x * 2, items, { chunkSize: 1 }),
        "a map over many worker lifetimes",
      );
      assert.deepEqual(results, items.map((x) => x * 2));
      const perWorker = new Map<number, number>();
      for (const span of pool.trace().spans) {
        perWorker.set(
          span.worker,
          (perWorker.get(span.worker) ?? 0) + span.count,
        );
      }
      assert.ok(perWorker.size >= 200 / 10, `only ${perWorker.size} workers`);
      for (const [worker, count] of perWorker) {
        assert.ok(count <= 10, `worker ${worker} ran ${count} items`);
      }
      // Jitter: the workers did not all stop at the same count.
      const counts = new Set([...perWorker.values()].slice(0, -2));
      assert.ok(counts.size > 1, `every worker ran ${[...counts]} items`);
    },
  );
});

test("maxTasksPerWorker counts a chunk as one task, as Python does", async (backend) => {
  await withPool(
    new Pool({ backend, size: 2, maxTasksPerWorker: 3, trace: true }),
    async (pool) => {
      const items = Array.from({ length: 60 }, (_, i) => i);
      assert.deepEqual(
        await deadline(
          pool.map((x: number) => x, items, { chunkSize: 4 }),
          "map",
        ),
        items,
      );
      const chunks = new Map<number, number>();
      for (const span of pool.trace().spans) {
        chunks.set(span.worker, (chunks.get(span.worker) ?? 0) + 1);
      }
      for (const [worker, count] of chunks) {
        assert.ok(count <= 3, `worker ${worker} ran ${count} chunks`);
      }
    },
  );
});

test("initializer runs once in each new worker, with its arguments", async (backend) => {
  await withPool(
    new Pool<typeof initTasks>(fixture("init.ts"), {
      backend,
      size: 2,
      initializer: "setUp",
      initArgs: ["Olá"],
    }),
    async (pool) => {
      assert.deepEqual(
        await deadline(
          pool.map("greet", ["Ana", "Bia", "Caio"], { chunkSize: 1 }),
          "greet",
        ),
        ["Olá, Ana", "Olá, Bia", "Olá, Caio"],
      );
    },
  );
  await withPool(
    new Pool({
      backend,
      size: 1,
      initializer: (seed: number) => {
        (globalThis as unknown as { seed: number }).seed = seed;
      },
      initArgs: [42],
    }),
    async (pool) => {
      const seed = () => (globalThis as unknown as { seed: number }).seed;
      assert.equal(
        await deadline(pool.apply(seed), "an inline initializer"),
        42,
      );
    },
  );
});

test("a failing initializer fails the calls on that worker, without a restart loop", async (backend) => {
  await withPool(
    new Pool({
      backend,
      size: 1,
      initializer: () => {
        throw new Error("no database");
      },
    }),
    async (pool) => {
      for (let round = 0; round < 3; round++) {
        const error = await rejection(pool.apply(() => 1), `round ${round}`);
        assert.ok(error instanceof TaskError);
        assert.equal(error.cause.name, "InitializerError");
        assert.match(
          error.cause.message,
          /initializer '\w+' failed in this worker: no database/,
        );
      }
      assert.deepEqual(pool.stats().workers.map((w) => w.id), [1]);
    },
  );
});

test("maxQueue refuses a map whole; imap waits for room instead", async (backend) => {
  await withPool(new Pool({ backend, size: 1, maxQueue: 50 }), async (pool) => {
    const ran: number[] = [];
    const error = await rejection(
      pool.map((x: number) => x, Array.from({ length: 100 }, (_, i) => i), {
        onProgress: (done) => ran.push(done),
      }),
      "a map over maxQueue",
    );
    assert.ok(error instanceof QueueFullError);
    assert.match(
      error.message,
      /Cannot queue 100 more items .* 'maxQueue' is 50/,
    );
    assert.deepEqual(ran, []);
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, [1, 2]), "a small map"),
      [1, 2],
    );
    let count = 0;
    for await (
      const _ of pool.imap(
        (x: number) => x,
        Array.from({ length: 500 }, (_, i) => i),
      )
    ) count++;
    assert.equal(count, 500);
  });
});

test("imap over an endless async generator runs in bounded memory", async (backend) => {
  await withPool(
    new Pool({ backend, size: 2, maxQueue: 100 }),
    async (pool) => {
      let pulled = 0;
      async function* endless() {
        for (let n = 0;; n++) {
          pulled++;
          yield new Array(100).fill(n);
        }
      }
      const before = Deno.memoryUsage().heapUsed;
      let seen = 0;
      let peakAhead = 0;
      await deadline(
        (async () => {
          for await (
            const row of pool.imap((row: number[]) => row.length, endless())
          ) {
            assert.equal(row, 100);
            peakAhead = Math.max(peakAhead, pulled - ++seen);
            if (seen === 20_000) break;
          }
        })(),
        "20,000 items from an endless generator",
      );
      assert.ok(
        peakAhead <= 2 * 2 + 2 + 1,
        `read ${peakAhead} items ahead of the consumer`,
      );
      const grown = Deno.memoryUsage().heapUsed - before;
      assert.ok(grown < 64 * 1024 * 1024, `the heap grew by ${grown} bytes`);
    },
  );
});

test("invalid pool options throw TypeError or RangeError naming the option and value", (backend) => {
  const cases: Array<[Record<string, unknown>, ErrorConstructor, RegExp]> = [
    [
      { timeout: 0 },
      RangeError,
      /'timeout' must be a positive, finite number .*received 0/,
    ],
    [{ timeout: -5 }, RangeError, /'timeout'.*received -5/],
    [{ timeout: Infinity }, RangeError, /'timeout'.*received Infinity/],
    [
      { timeout: "1s" },
      TypeError,
      /'timeout' must be a number of milliseconds: received "1s" \(string\)/,
    ],
    [
      { maxTasksPerWorker: 0 },
      RangeError,
      /'maxTasksPerWorker' must be a positive integer: received 0/,
    ],
    [
      { maxTasksPerWorker: 2.5 },
      RangeError,
      /'maxTasksPerWorker'.*received 2\.5/,
    ],
    [
      { maxQueue: -1 },
      RangeError,
      /'maxQueue' must be a positive integer: received -1/,
    ],
    [{ maxQueue: "10" }, TypeError, /'maxQueue'.*received "10" \(string\)/],
    [
      { initArgs: 3 },
      TypeError,
      /'initArgs' must be an array: received 3 \(number\)/,
    ],
    [
      { initializer: 3 },
      TypeError,
      /must be the name of an export .* or a function: received 3/,
    ],
    [
      { onWarning: "log" },
      TypeError,
      /'onWarning' must be a function: received string/,
    ],
    [{ trace: "yes" }, TypeError, /'trace' must be a boolean: received "yes"/],
    [
      { unstableWorkerOptions: 1 },
      TypeError,
      /'unstableWorkerOptions' must be a boolean: received 1 \(number\)/,
    ],
    [
      { permissions: 42, unstableWorkerOptions: true },
      TypeError,
      /'permissions' must be "none", "inherit", or an object .*received 42/,
    ],
    [
      { permissions: { disk: true }, unstableWorkerOptions: true },
      TypeError,
      /'permissions' .*received \{ disk: true \}/,
    ],
    [
      { initializer: (f: unknown) => f, initArgs: [() => 1] },
      TypeError,
      /initArgs\[0\] \(a function\) cannot be cloned/,
    ],
  ];
  for (const [options, type, message] of cases) {
    assert.throws(
      () => new Pool({ backend, ...options } as never),
      (error: unknown) => {
        assert.ok(
          error instanceof type,
          `${JSON.stringify(options)}: ${error}`,
        );
        assert.match((error as Error).message, message);
        return true;
      },
    );
  }
  const k = 1;
  assert.throws(
    () => new Pool({ backend, initializer: () => k }),
    /initializer|uses 'k' from the enclosing scope/,
  );
});

test("a call's timeout must be a positive number of milliseconds", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    for (const timeout of [0, -1, NaN]) {
      const error = await rejection(
        pool.map((x: number) => x, [1], { timeout }),
        `${timeout}`,
      );
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /'timeout'/);
    }
  });
});

test("only functions are run as inline tasks, never source strings", async (backend) => {
  await withPool(
    new Pool(fixture("tasks.ts"), { backend, size: 1 }),
    async (pool) => {
      for (
        const source of [
          "(x) => x * 2",
          "function f() {}",
          "double; Deno.exit()",
        ]
      ) {
        const error = await rejection(pool.map(source as never, [1]), source);
        assert.ok(error instanceof TypeError);
        assert.match(
          error.message,
          /this is not a name: pass a function instead \(source text is never run\)/,
        );
      }
      assert.equal(pool.stats().workersAlive, 0);
    },
  );
});

// Web only: 'permissions' needs backend "web" (on "node" it is a TypeError).
test(
  "permissions: without --unstable-worker-options the pool throws instead of the process dying",
  async (backend) => {
    const script = `
    import { Pool } from "${new URL("../mod.ts", import.meta.url).href}";
    try {
      new Pool({ backend: "${backend}", size: 1, permissions: "none" });
      console.log("created");
    } catch (error) {
      console.log(error.name + ": " + error.message);
    }
  `;
    // With --allow-all the pool reads its command line and sees no flag;
    // without, it cannot tell, and refuses rather than risk the process.
    // Deno 2 dropped the catch-all --unstable: it does not allow this either.
    for (
      const flags of [["--allow-all"], ["--allow-read"], [
        "--allow-all",
        "--unstable",
      ]]
    ) {
      const child = await runDeno(["run", "--quiet", ...flags, "-"], {
        stdin: script,
        ms: 30_000,
      });
      assert.equal(child.code, 0, child.stderr);
      assert.match(
        child.stdout,
        /TypeError: Cannot create pool with 'permissions' .*--unstable-worker-options/,
      );
    }
  },
  { only: "web" },
);

// Web only: Deno cannot narrow the permissions of a "node" worker.
test(
  "permissions: 'none' keeps files and network from the workers",
  async (backend) => {
    const script = `
    import { Pool } from "${new URL("../mod.ts", import.meta.url).href}";
    // With --allow-all the pool sees the flag itself; otherwise it is told.
    const told = !Deno.args.includes("sees");
    await using open = new Pool({ backend: "${backend}", size: 1 });
    await using closed = new Pool({ backend: "${backend}", size: 1, permissions: "none", unstableWorkerOptions: told });
    const read = async () => (await Deno.readTextFile("${
      new URL("../deno.json", import.meta.url).pathname
    }")).length > 0;
    console.log("open read:", await open.apply(read));
    const error = await closed.apply(read).catch((e) => e);
    console.log("closed read:", error.cause?.name);
    const net = await closed.apply(async () => (await fetch("http://127.0.0.1:65000/")).status).catch((e) => e);
    console.log("closed net:", net.cause?.name, net.cause?.message);
  `;
    for (
      const args of [
        ["--allow-read", "--allow-net", "--unstable-worker-options", "-"],
        ["--allow-all", "--unstable-worker-options", "-", "sees"],
      ]
    ) {
      const child = await runDeno(["run", "--quiet", ...args], {
        stdin: script,
        ms: 30_000,
      });
      assert.equal(child.code, 0, child.stderr);
      assert.match(child.stdout, /open read: true/);
      assert.match(child.stdout, /closed read: NotCapable/);
      // fetch() wraps the refusal in a TypeError.
      assert.match(
        child.stdout,
        /closed net: (NotCapable|TypeError) .*net access/i,
      );
    }
  },
  { only: "web" },
);

test("soak: 1,000,000 items through map, exact and in order", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const items = Array.from({ length: 1_000_000 }, (_, i) => i);
    const before = Deno.memoryUsage().heapUsed;
    const results = await deadline(
      pool.map((x: number) => x * 3 + 1, items),
      "a million items",
    );
    assert.equal(results.length, 1_000_000);
    for (let i = 0; i < results.length; i++) {
      if (results[i] !== i * 3 + 1) assert.fail(`item ${i} is ${results[i]}`);
    }
    // Items and results are about 16 MB; chunks in flight add little.
    const grown = Deno.memoryUsage().heapUsed - before;
    assert.ok(grown < 256 * 1024 * 1024, `the heap grew by ${grown} bytes`);
  });
});

test("soak: 1,000 mapAsync calls in flight on 2 workers all settle right", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const futures = Array.from(
      { length: 1_000 },
      (_, i) => pool.mapAsync((x: number) => x + 1, [i, i * 2]),
    );
    const results = await deadline(
      Promise.all(futures.map((f) => f.get())),
      "1,000 futures",
    );
    results.forEach((pair, i) => assert.deepEqual(pair, [i + 1, i * 2 + 1]));
    assert.ok(futures.every((f) => f.successful()));
  });
});

test("workers are named after the pool", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    assert.equal(
      await deadline(pool.apply(workerName), "name"),
      "@paralelo/pool worker 1",
    );
  });
});
