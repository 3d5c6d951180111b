// Copyright 2026 the @paralelo/pool authors. MIT license.
// Every way a worker or a task can go wrong: each call settles, only the
// affected items fail, the pool keeps working, and the error says what
// happened.
import assert from "node:assert/strict";
import {
  ModuleLoadError,
  Pool,
  TaskError,
  WorkerCrashedError,
} from "../mod.ts";
import {
  deadline,
  fixture,
  rejection,
  runDeno,
  test,
  withPool,
} from "./_helpers.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The workers a pool has used so far, from its stats. */
function workerIds(pool: Pool<unknown>): number[] {
  return pool.stats().workers.map((w) => w.id);
}

test("a worker that exits: the error names the exact item, worker and exit code", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.map(
        (x: number) => {
          if (x === 7) Deno.exit(4);
          return x;
        },
        Array.from({ length: 10 }, (_, i) => i),
        { chunkSize: 5 },
      ),
      "a map whose item 7 exits",
    );
    assert.ok(error instanceof WorkerCrashedError);
    assert.equal(error.index, 7, "the item, not the first of its chunk");
    assert.equal(error.exitCode, 4);
    assert.equal(error.workerId, 1);
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, [1]), "a map after"),
      [1],
    );
    assert.deepEqual(workerIds(pool), [2], "the worker was replaced");
  });
});

test("a timer that throws after its task returned fails the call still running there", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.map(
        async (x: number) => {
          if (x === 0) {
            setTimeout(() => {
              throw new Error("late timer");
            }, 200);
            return x;
          }
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          return x;
        },
        // The timer leaves 200 ms for the second chunk to reach the worker:
        // on a loaded machine 10 ms was not always enough.
        [0, 1],
        { chunkSize: 1 },
      ),
      "a map with a late timer",
    );
    assert.ok(error instanceof WorkerCrashedError);
    assert.match(error.reason, /late timer/);
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, [3]), "a map after"),
      [3],
    );
  });
});

test("a timer that throws when no call runs there: a warning, and the worker is replaced", async (backend) => {
  const warnings: string[] = [];
  await withPool(
    new Pool({ backend, size: 1, onWarning: (m) => warnings.push(m) }),
    async (pool) => {
      assert.equal(
        await deadline(
          pool.apply(() => {
            setTimeout(() => {
              throw new Error("orphan timer");
            }, 20);
            return "done";
          }),
          "a task that leaves a timer",
        ),
        "done",
      );
      await deadline(
        (async () => {
          while (warnings.length === 0) await pause(5);
        })(),
        "the warning",
      );
      assert.match(
        warnings[0]!,
        /orphan timer.*no call was running there.*replaced/,
      );
      assert.equal(await deadline(pool.apply(() => 1), "a call after"), 1);
      assert.deepEqual(workerIds(pool), [2]);
    },
  );
});

test("several calls in flight when a worker dies: only that worker's item fails", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const slow = async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return x;
    };
    const calls = [
      pool.map(slow, [1, 2, 3, 4, 5, 6], { chunkSize: 1 }),
      pool.mapAsync(slow, [7, 8, 9], { chunkSize: 1 }).get(),
      pool.apply(() => Deno.exit(1)),
      pool.starmap((a: number, b: number) => a + b, [[1, 1], [2, 2]]),
    ];
    const settled = await deadline(Promise.allSettled(calls), "four calls");
    assert.deepEqual(settled.map((s) => s.status), [
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
    ]);
    assert.deepEqual((settled[0] as PromiseFulfilledResult<number[]>).value, [
      1,
      2,
      3,
      4,
      5,
      6,
    ]);
    assert.deepEqual((settled[3] as PromiseFulfilledResult<number[]>).value, [
      2,
      4,
    ]);
  });
});

test("a module that does not load: calls reject promptly with the cause, no respawn loop", async (backend) => {
  const dir = await Deno.makeTempDir();
  try {
    const broken = `${dir}/broken.ts`;
    await Deno.writeTextFile(
      broken,
      "export function task(x: number) { return x +; }\n",
    );
    const cases: Array<[string | URL, RegExp]> = [
      [
        new URL(`file://${broken}`),
        /Cannot load the pool's module .*broken\.ts/,
      ],
      [fixture("throws_on_load.ts"), /this module refuses to load/],
    ];
    for (const [module, message] of cases) {
      await withPool(new Pool(module, { backend, size: 2 }), async (pool) => {
        for (let round = 0; round < 5; round++) {
          const error = await rejection(
            pool.map("task" as never, [1, 2, 3]),
            `round ${round} on ${module}`,
          );
          // Not an item's failure: the call fails as a whole.
          assert.ok(error instanceof ModuleLoadError, String(error));
          assert.equal("index" in error, false);
          assert.match(error.message, message);
        }
        // The same workers each time: nothing was restarted.
        assert.ok(
          Math.max(...workerIds(pool)) <= 2,
          `workers ${workerIds(pool)}`,
        );
      });
    }
    // A file that is not there is refused before any worker starts.
    assert.throws(
      () => new Pool(new URL(`file://${dir}/missing.ts`), { backend }),
      (error: Error) =>
        error instanceof ModuleLoadError &&
        /Cannot load the pool's module .*missing\.ts.* as no file is there/
          .test(error.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test("a module the workers may not read: the permission error, promptly", async (backend) => {
  const script = `
    import { Pool } from "${new URL("../mod.ts", import.meta.url).href}";
    await using pool = new Pool("${
    fixture("tasks.ts").href
  }", { backend: "${backend}", size: 1 });
    const error = await pool.map("double", [1]).catch((e) => e);
    console.log(JSON.stringify({ name: error.name, kind: error.kind, message: error.message }));
  `;
  // No --allow-read: the program's own imports load, a worker's dynamic
  // import of a file does not.
  const child = await runDeno(["run", "--quiet", "-"], {
    stdin: script,
    ms: 30_000,
  });
  assert.equal(child.killed, false, child.stderr);
  const result = JSON.parse(child.stdout);
  assert.equal(result.name, "ModuleLoadError");
  assert.equal(result.kind, "permission-denied");
  assert.match(
    result.message,
    /tasks\.ts.*(read access|NotCapable|Requires read)/is,
  );
});

test("a result that cannot be cloned fails its item, 20 times, on the same worker", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    for (let round = 0; round < 20; round++) {
      const error = await rejection(
        pool.map((x: number) => (x === 1 ? Symbol("no") : x), [0, 1, 2], {
          chunkSize: 3,
        }),
        `round ${round}`,
      );
      assert.ok(error instanceof TaskError);
      assert.equal(error.index, 1);
      assert.match(error.cause.message, /cannot be cloned/);
    }
    assert.deepEqual(workerIds(pool), [1], "the worker stayed alive");
    assert.equal(await deadline(pool.apply(() => 5), "a call after"), 5);
  });
});

test("an argument that cannot be cloned fails the call before any work starts", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    let progressed = 0;
    const error = await rejection(
      pool.map((x: unknown) => x, [1, 2, { deep: [{ callback: () => 3 }] }], {
        onProgress: () => progressed++,
      }),
      "a map with a function inside an item",
    );
    assert.ok(error instanceof TypeError);
    assert.match(
      error.message,
      /item 2\.deep\[0\]\.callback \(a function\) cannot be cloned/,
    );
    assert.equal(progressed, 0);
    assert.deepEqual(workerIds(pool), [], "no worker started for it");
  });
});

test("a stack overflow in a task is a task error, not a crash", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.apply(function recurse(n: number): number {
        return recurse(n + 1) + 1;
      }, [0]),
      "infinite recursion",
    );
    assert.ok(error instanceof TaskError);
    assert.ok(error.cause instanceof RangeError);
    assert.match(error.cause.message, /call stack/i);
    assert.deepEqual(workerIds(pool), [1]);
  });
});

test("out of memory in a worker ends the whole process loudly, not a hang", async (backend) => {
  // Deno cannot survive it (see the README): the test is that it fails fast
  // and visibly. A small heap makes it quick.
  const script = `
    import { Pool } from "${new URL("../mod.ts", import.meta.url).href}";
    const pool = new Pool({ backend: "${backend}", size: 1 });
    await pool.apply(() => {
      const hog = [];
      for (;;) hog.push(new Array(1_000_000).fill(Math.random()));
    });
    console.log("unreachable");
  `;
  const child = await runDeno(
    ["run", "--quiet", "--v8-flags=--max-old-space-size=64", "-"],
    { stdin: script, ms: 60_000 },
  );
  assert.equal(child.killed, false, "the process hung instead of failing");
  assert.notEqual(child.code, 0);
  assert.doesNotMatch(child.stdout, /unreachable/);
});
