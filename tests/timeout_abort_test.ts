// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool, TaskTimeoutError } from "../mod.ts";
import { deadline, rejection, runDeno, test, withPool } from "./_helpers.ts";

const sleepMs = async (ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
};

function workerIds(pool: Pool<unknown>): number[] {
  return pool.stats().workers.map((w) => w.id);
}

test("timeout counts from when a task starts, not from when it was queued", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    // Three 60 ms tasks on one worker: the last waits 120 ms in the queue,
    // but none runs over 300 ms.
    const results = await deadline(
      pool.map(sleepMs, [60, 60, 60], { chunkSize: 1, timeout: 300 }),
      "queued tasks under a timeout",
    );
    assert.deepEqual(results, [60, 60, 60]);
    // Also within a chunk: each item gets its own time.
    assert.deepEqual(
      await deadline(
        pool.map(sleepMs, [60, 60, 60], { chunkSize: 3, timeout: 300 }),
        "chunk",
      ),
      [60, 60, 60],
    );
  });
});

test("a task over its timeout fails the call with TimeoutError and its worker is replaced", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const started = performance.now();
    const error = await rejection(
      pool.map(sleepMs, [10, 20, 60_000, 10], { chunkSize: 1, timeout: 200 }),
      "a map with a task that never ends",
    );
    assert.ok(
      performance.now() - started < 10_000,
      "the timeout took too long to act",
    );
    assert.ok(error instanceof TaskTimeoutError);
    assert.equal(error.name, "TimeoutError");
    assert.equal(error.index, 2);
    assert.equal(error.timeoutMs, 200);
    assert.match(error.message, /item 2 ran longer than its timeout of 200 ms/);
    // The pool goes on, with a new worker in place of the stopped one.
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, [1, 2]), "a map after"),
      [1, 2],
    );
    assert.ok(workerIds(pool).includes(3), `workers ${workerIds(pool)}`);
  });
});

test("a synchronous task over its timeout (within a chunk) is timed out at its item", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const block = (ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return ms;
    };
    const error = await rejection(
      pool.map(block, [5, 5, 2_000, 5], { chunkSize: 4, timeout: 300 }),
      "a blocking item",
    );
    assert.ok(error instanceof TaskTimeoutError);
    assert.equal(error.index, 2);
  });
});

test("the pool's timeout is every call's default; a call's own wins", async (backend) => {
  await withPool(new Pool({ backend, size: 1, timeout: 100 }), async (pool) => {
    assert.ok(
      await rejection(pool.apply(sleepMs, [5_000]), "pool default") instanceof
        TaskTimeoutError,
    );
    assert.equal(
      await deadline(
        pool.apply(sleepMs, [200], { timeout: 2_000 }),
        "call override",
      ),
      200,
    );
  });
});

test("abort stops the running item: the call rejects with the reason and the worker is replaced", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const controller = new AbortController();
    const call = pool.map(sleepMs, [60_000, 1], { signal: controller.signal });
    await deadline(
      (async () => {
        while (pool.stats().running === 0) {
          await new Promise((r) => setTimeout(r, 2));
        }
      })(),
      "the long task to start",
    );
    const started = performance.now();
    controller.abort(new Error("enough"));
    const error = await rejection(call, "the aborted map");
    assert.equal((error as Error).message, "enough");
    assert.ok(performance.now() - started < 5_000);
    assert.equal(pool.stats().running, 0, "the aborted item still runs");
    assert.equal(await deadline(pool.apply(() => 7), "a call after"), 7);
    assert.deepEqual(workerIds(pool), [2]);
  });
});

test("terminate() settles a map of 10,000 slow items at once", async (backend) => {
  const pool = new Pool({ backend, size: 2 });
  const call = pool.map(sleepMs, Array.from({ length: 10_000 }, () => 1_000), {
    chunkSize: 1,
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  pool.terminate();
  await rejection(call, "the map at terminate");
  assert.ok(performance.now() - started < 1_000);
  await deadline(pool.join(), "join");
});

test("a task stuck in a synchronous loop: terminate() settles the calls; Deno.exit() ends the process", async (backend) => {
  // Deno 2.9 cannot interrupt a Web Worker spinning in a loop (terminate()
  // does not stop the thread, and the process would not exit by itself):
  // the pool still settles every call, and the documented way out is to end
  // the process explicitly. A "node" worker is really stopped: the same
  // calls settle, and there is nothing to warn about.
  const script = `
    import { Pool, PoolClosedError, TaskTimeoutError } from "${
    new URL("../mod.ts", import.meta.url).href
  }";
    const pool = new Pool({ backend: "${backend}", size: 1 });
    const spin = pool.apply(() => { for (;;) {} }, [], { timeout: 100 }).catch((e) => e);
    const error = await spin;
    console.log(error instanceof TaskTimeoutError ? "timed out" : String(error));
    const queued = pool.apply(() => { for (;;) {} }).catch((e) => e);
    await new Promise((r) => setTimeout(r, 100));
    pool.terminate();
    console.log((await queued) instanceof PoolClosedError ? "terminated" : "?");
    await new Promise((r) => setTimeout(r, 1_500)); // time for the warning
    Deno.exit(0);
  `;
  const child = await runDeno(["run", "--quiet", "-"], {
    stdin: script,
    ms: 30_000,
  });
  assert.equal(child.killed, false, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  assert.deepEqual(child.stdout.trim().split("\n"), [
    "timed out",
    "terminated",
  ]);
  if (backend === "web") {
    // The pool saw, through the worker's Web Lock, that the thread did not
    // stop, and said what to do.
    assert.match(
      child.stderr,
      /Web Workers cannot be interrupted: its thread still runs.*end the program with Deno\.exit\(\)/,
    );
  } else {
    // terminate() really stopped the "node" thread: no warning.
    assert.doesNotMatch(child.stderr, /thread still runs/);
  }
});

test("loading the task module is not task time: a timeout starts with the task", async (backend) => {
  const dir = await Deno.makeTempDir();
  try {
    const module = `${dir}/slow_to_load.ts`;
    await Deno.writeTextFile(
      module,
      "await new Promise((resolve) => setTimeout(resolve, 300));\n" +
        "export function double(x: number): number { return x * 2; }\n",
    );
    await withPool(
      new Pool(module, { backend, size: 1, timeout: 100 }),
      async (pool) => {
        assert.equal(
          await deadline(pool.apply("double" as never, [21]), "apply"),
          42,
        );
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
