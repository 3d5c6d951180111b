// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What the `"node"` backend can do that Web Workers cannot, and the clear
 * errors for options a backend cannot honour. The behaviour both backends
 * share is tested on each of them in the other test files.
 */
import assert from "node:assert/strict";
import {
  InitializerError,
  ModuleLoadError,
  Pool,
  TaskError,
  TaskTimeoutError,
  WorkerCrashedError,
} from "../mod.ts";
import {
  BACKENDS,
  deadline,
  fixture,
  rejection,
  runDeno,
  withPool,
} from "./_helpers.ts";

const mod = new URL("../mod.ts", import.meta.url).href;

/** Runs a script in a child deno, which must exit by itself within `ms`. */
async function script(source: string, ms = 15_000) {
  const child = await runDeno(["run", "--quiet", "-A", "-"], {
    stdin: source,
    ms,
  });
  assert.equal(child.killed, false, `the script did not exit: ${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  return child.stdout.trim();
}

Deno.test("backend 'node': a timeout stops a task stuck in a synchronous loop, and the script exits", async () => {
  const out = await script(`
    import { Pool, TaskTimeoutError } from "${mod}";
    const warnings = [];
    const pool = new Pool({ size: 1, backend: "node", onWarning: (m) => warnings.push(m) });
    const error = await pool.apply(() => { while (true) {} }, [], { timeout: 200 }).catch((e) => e);
    console.log(error instanceof TaskTimeoutError, await pool.apply((x) => x + 1, [1]));
    pool.close();
    await pool.join();
    console.log(warnings.length);
  `);
  // No "its thread still runs" warning: the thread was really stopped.
  assert.equal(out, "true 2\n0");
});

Deno.test("backend 'node': an abort stops a task stuck in a synchronous loop, and the script exits", async () => {
  const out = await script(`
    import { Pool } from "${mod}";
    const pool = new Pool({ size: 1, backend: "node" });
    const signal = AbortSignal.timeout(200);
    const error = await pool.map(() => { while (true) {} }, [1], { signal }).catch((e) => e);
    console.log(error.name);
    pool.close();
  `);
  assert.equal(out, "TimeoutError");
});

Deno.test("backend 'node': an idle pool does not keep the script alive, and keeps its workers between calls", async () => {
  const out = await script(`
    import { Pool } from "${mod}";
    const pool = new Pool({ size: 2, backend: "node" });
    console.log(JSON.stringify(await pool.map((x) => x * 2, [1, 2, 3])));
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(JSON.stringify(await pool.map((x) => x * 3, [1, 2, 3])));
    console.log(pool.stats().workersAlive, pool.stats().workers.map((w) => w.id).join(","));
    // No close(): the script must end by itself.
  `);
  assert.equal(out, "[2,4,6]\n[3,6,9]\n2 1,2");
});

Deno.test("backend 'node': a task over 'maxHeapMb' fails its call, and the worker is replaced", async () => {
  await withPool(
    new Pool({ size: 1, backend: "node", maxHeapMb: 64 }),
    async (pool) => {
      const error = await rejection(
        pool.map(() => {
          const hoard: unknown[] = [];
          while (true) hoard.push({ value: Math.random() });
        }, [1, 2]),
        "an out-of-memory task",
      );
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.equal(error.index, 0);
      assert.match(error.reason, /'maxHeapMb' limit of 64 MiB/);
      const again = await deadline(
        pool.map((x: number) => x * 2, [1, 2]),
        "a call after the crash",
      );
      assert.deepEqual(again, [2, 4]);
      assert.equal(pool.stats().workers[0]?.id, 2);
    },
  );
});

Deno.test("new Pool() refuses options that its backend cannot honour", () => {
  assert.throws(
    () => new Pool({ backend: "web", maxHeapMb: 64 }),
    (error: Error) =>
      error instanceof TypeError &&
      /'maxHeapMb' on backend 'web'.*backend: "node"/.test(error.message),
  );
  assert.throws(
    () => new Pool({ maxHeapMb: 64 }),
    TypeError,
  );
  assert.throws(
    () =>
      new Pool({
        backend: "node",
        permissions: "none",
        unstableWorkerOptions: true,
      }),
    (error: Error) =>
      error instanceof TypeError &&
      /'permissions' on backend 'node'/.test(error.message),
  );
  assert.throws(
    () => new Pool({ backend: "thread" as never }),
    (error: Error) =>
      error instanceof TypeError &&
      error.message ===
        `Cannot create pool as 'backend' must be "web" or "node": received "thread" (string)`,
  );
  assert.throws(
    () => new Pool({ backend: "node", maxHeapMb: 0 }),
    (error: Error) =>
      error instanceof RangeError &&
      error.message ===
        "Cannot create pool as 'maxHeapMb' must be a positive integer: received 0",
  );
});

for (const backend of BACKENDS) {
  Deno.test(`ModuleLoadError and InitializerError are classes callers can test [${backend}]`, async () => {
    await withPool(
      new Pool(fixture("throws_on_load.ts"), { size: 1, backend }),
      async (pool) => {
        const error = await rejection(
          pool.map("double", [1]),
          "a call on a module that throws as it loads",
        );
        assert.ok(error instanceof ModuleLoadError);
        assert.equal(error.name, "ModuleLoadError");
      },
    );
    await withPool(
      new Pool({
        size: 1,
        backend,
        initializer: () => {
          throw new RangeError("no database");
        },
      }),
      async (pool) => {
        const error = await rejection(
          pool.map((x: number) => x, [1]),
          "a call after a failed initializer",
        );
        assert.ok(error instanceof TaskError);
        assert.ok(error.cause instanceof InitializerError);
        assert.ok(error.cause.cause instanceof RangeError);
      },
    );
  });
}

Deno.test("backend 'web': a looping task's timeout fails the call, and the pool warns that the thread still runs", async () => {
  const warnings: string[] = [];
  const pool = new Pool({
    size: 1,
    onWarning: (message) => warnings.push(message),
  });
  try {
    const error = await rejection(
      pool.apply(
        () => {
          const end = Date.now() + 1_800;
          while (Date.now() < end) { /* spin, then end */ }
        },
        [],
        { timeout: 100 },
      ),
      "a looping task with a timeout",
    );
    assert.ok(error instanceof TaskTimeoutError);
    await deadline(
      (async () => {
        while (warnings.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })(),
      "the warning",
      5_000,
    );
    assert.match(warnings[0]!, /its thread still runs.*backend: "node"/);
  } finally {
    pool.terminate();
  }
});

for (const backend of BACKENDS) {
  Deno.test(`a script that never closes its pool exits by itself, and calls a moment apart reuse the workers [${backend}]`, async () => {
    const started = performance.now();
    const out = await script(`
      import { Pool } from "${mod}";
      const pool = new Pool({ size: 2, backend: "${backend}" });
      console.log(JSON.stringify(await pool.map((x) => x * 2, [1, 2, 3])));
      await new Promise((resolve) => setTimeout(resolve, 300));
      console.log(JSON.stringify(await pool.map((x) => x * 3, [1, 2, 3])));
      console.log(pool.stats().workers.map((w) => w.id).join(","));
      // No close(): idle Web Workers stop after 'idleTimeout', node ones are unref'd.
    `);
    assert.equal(out, "[2,4,6]\n[3,6,9]\n1,2");
    // One idle timeout (1 s) plus start-up and the 300 ms pause, with room.
    assert.ok(performance.now() - started < 10_000);
  });
}

Deno.test("idleTimeout stops idle workers, and the next call starts new ones", async () => {
  await withPool(new Pool({ size: 1, idleTimeout: 50 }), async (pool) => {
    assert.deepEqual(await deadline(pool.map((x: number) => x, [1]), "map"), [
      1,
    ]);
    await deadline(
      (async () => {
        while (pool.stats().workersAlive > 0) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })(),
      "the idle worker to stop",
    );
    assert.deepEqual(await deadline(pool.map((x: number) => x, [2]), "map"), [
      2,
    ]);
    assert.equal(pool.stats().workers[0]?.id, 2);
  });
  assert.throws(
    () => new Pool({ idleTimeout: -1 }),
    (error: Error) =>
      error instanceof RangeError &&
      error.message ===
        "Cannot create pool as 'idleTimeout' must be a positive, finite number of milliseconds: received -1",
  );
});

for (const backend of BACKENDS) {
  Deno.test(`a running pool garbage-collected without close() warns once [${backend}]`, async () => {
    const child = await runDeno(
      ["run", "-A", "--quiet", "--v8-flags=--expose-gc", "-"],
      {
        stdin: `
          import { Pool } from "${mod}";
          async function forget() {
            const pool = new Pool({ size: 1, backend: "${backend}", onWarning: (m) => console.log(m) });
            return await pool.map((x) => x + 1, [1]);
          }
          console.log(JSON.stringify(await forget()));
          for (let i = 0; i < 5; i++) {
            gc();
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        `,
        ms: 15_000,
      },
    );
    assert.equal(child.killed, false, child.stderr);
    assert.equal(child.code, 0, child.stderr);
    const lines = child.stdout.trim().split("\n");
    assert.equal(lines[0], "[2]");
    assert.equal(lines.length, 2, child.stdout);
    assert.match(
      lines[1]!,
      /a running pool with 1 worker was garbage-collected without close\(\)/,
    );
  });
}
