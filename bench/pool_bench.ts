// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `deno task bench`: the speedup over serial code, and the cost per task.
 * Each group's baseline is the serial code, so `deno bench` prints the ratio.
 * Worker start-up is kept out of the timed part (`b.start()`/`b.end()`).
 *
 * @module
 */
import { cpuCount, Pool } from "../mod.ts";

const SLEEPS = [0.01, 0.02, 0.03, 0.04];
const TINY = Array.from({ length: 100_000 }, (_, i) => i);

/** Times `body` on a pool whose workers have already started. */
async function onWarmPool<M>(
  b: Deno.BenchContext,
  pool: Pool<M>,
  warm: (pool: Pool<M>) => Promise<unknown>,
  body: (pool: Pool<M>) => Promise<unknown>,
): Promise<void> {
  try {
    await warm(pool);
    b.start();
    await body(pool);
    b.end();
  } finally {
    pool.close();
    await pool.join();
  }
}

/** The lesson's sleep without its prints, which would drown the table. */
function quietSleep(seconds: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  return seconds;
}

Deno.bench("serial loop of sleep(0.01..0.04)", {
  group: "sleep",
  baseline: true,
}, () => {
  SLEEPS.forEach(quietSleep);
});

Deno.bench("pool.map of sleep(0.01..0.04), 4 workers", {
  group: "sleep",
}, async (b) => {
  await onWarmPool(
    b,
    new Pool({ size: 4 }),
    (pool) => pool.map((x: number) => x, [1, 2, 3, 4], { chunkSize: 1 }),
    (pool) => pool.map(quietSleep, SLEEPS),
  );
});

Deno.bench("Array.prototype.map of 100,000 x => x + 1", {
  group: "tiny tasks",
  baseline: true,
}, () => {
  TINY.map((x) => x + 1);
});

Deno.bench(
  `pool.map of 100,000 x => x + 1, automatic chunks, ${cpuCount()} workers`,
  {
    group: "tiny tasks",
  },
  async (b) => {
    await onWarmPool(
      b,
      new Pool(),
      (pool) =>
        pool.map(
          (x: number) => x,
          Array.from({ length: cpuCount() }, (_, i) => i),
          { chunkSize: 1 },
        ),
      (pool) => pool.map((x: number) => x + 1, TINY),
    );
  },
);
