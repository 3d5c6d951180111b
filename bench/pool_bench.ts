// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `deno task bench`: how much faster the pool makes the lesson's work, and
 * what it costs per task, each against serial code or a hand-written floor
 * (bare Workers and postMessage) in the same run. Worker start-up is kept
 * out of the timed part (`b.start()`/`b.end()`) where a group measures
 * throughput. `BENCH_QUICK=1` shrinks every size and runs each case once, so
 * that CI can check the file still runs.
 *
 * @module
 */
import { cpuCount, Pool } from "../mod.ts";
import { chunked, rawWorkers, runChunks, warm } from "./_raw_workers.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const CORES = cpuCount();
const SLOW = QUICK ? { n: 1, warmup: 0 } : { n: 5, warmup: 1 };
const FAST = QUICK ? { n: 1, warmup: 0 } : {};
/** Short but noisy cases (start-up, tracing) get more runs. */
const NOISY = QUICK ? { n: 1, warmup: 0 } : { n: 30, warmup: 3 };

const SLEEP_SCALE = QUICK ? 0.01 : 0.1;
const SLEEPS = [1, 2, 3, 4].map((x) => x * SLEEP_SCALE);
const EXPONENT = QUICK ? 100_000 : 10_000_000;
const TINY = Array.from({ length: QUICK ? 10_000 : 100_000 }, (_, i) => i);
const PAYLOAD_BYTES = (QUICK ? 1 : 64) * 1024 * 1024;

/** The lesson's sleep without its prints: blocks the thread like time.sleep. */
function quietSleep(seconds: number): number {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
  return seconds;
}

/** x ** n as a BigInt; returns its bit length so nothing large is sent back. */
function power(x: number, n: number): number {
  return (BigInt(x) ** BigInt(n)).toString(16).length * 4;
}

const inc = (x: number) => x + 1;
const echo = (data: Uint8Array) => data;
let moving: Uint8Array | undefined = new Uint8Array(PAYLOAD_BYTES);

/** Creates a pool and starts its workers outside the timing. */
async function warmPool(size: number, options: { trace?: boolean } = {}) {
  const pool = new Pool({ size, onWarning: () => {}, ...options });
  await pool.map((x: number) => x, Array.from({ length: size }, (_, i) => i), {
    chunkSize: 1,
  });
  return pool;
}

async function closed(pool: Pool): Promise<void> {
  pool.close();
  await pool.join();
}

// --- sleep: the lesson's 10 s against 4 s, scaled ---------------------------

Deno.bench({
  name: "serial loop of sleep(0.1..0.4)",
  group: "sleep",
  baseline: true,
  ...SLOW,
  fn: () => {
    SLEEPS.forEach(quietSleep);
  },
});

Deno.bench({
  name: "new Pool(4) + map sleep(0.1..0.4), start-up included",
  group: "sleep",
  ...SLOW,
  fn: async () => {
    const pool = new Pool({ size: 4 });
    await pool.map(quietSleep, SLEEPS, { chunkSize: 1 });
    await closed(pool);
  },
});

Deno.bench({
  name: "hand-written: 4 new Workers + sleep(0.1..0.4)",
  group: "sleep",
  ...SLOW,
  fn: async () => {
    const workers = rawWorkers(4, quietSleep.toString());
    await runChunks(workers, chunked(SLEEPS, 1), 1);
    workers.forEach((worker) => worker.terminate());
  },
});

// --- power: CPU-bound work, x ** N for x in 1..6 ------------------------------

const POWERS = [1, 2, 3, 4, 5, 6].map((x) => [x, EXPONENT] as [number, number]);
// The parallel cases run first: the serial ones leave the main thread with
// hundreds of MB of BigInt garbage, and V8's collector threads would then
// compete with the workers for the 2 cores.

Deno.bench({
  name: `pool.map on ${CORES} warm workers`,
  group: "power",
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(CORES);
    b.start();
    await pool.starmap(power, POWERS);
    b.end();
    await closed(pool);
  },
});

Deno.bench({
  name: `hand-written: ${CORES} warm Workers, next task to the first free`,
  group: "power",
  ...SLOW,
  fn: async (b) => {
    const workers = rawWorkers(
      CORES,
      `([x, n]) => (${power.toString()})(x, n)`,
    );
    await warm(workers);
    b.start();
    await runChunks(workers, chunked(POWERS, 1), 1);
    b.end();
    workers.forEach((worker) => worker.terminate());
  },
});

Deno.bench({
  name: `serial x ** ${EXPONENT} for x in 1..6`,
  group: "power",
  baseline: true,
  ...SLOW,
  fn: () => {
    POWERS.forEach(([x, n]) => power(x, n));
  },
});

Deno.bench({
  name: `the longest task alone, 6 ** ${EXPONENT}`,
  group: "power",
  ...SLOW,
  fn: () => {
    power(6, EXPONENT);
  },
});

// --- tiny tasks: what a message costs -----------------------------------------

Deno.bench({
  name: `Array.prototype.map of ${TINY.length} x => x + 1`,
  group: "tiny tasks",
  baseline: true,
  ...FAST,
  fn: () => {
    TINY.map(inc);
  },
});

Deno.bench({
  name: "pool.map, automatic chunk size",
  group: "tiny tasks",
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(CORES);
    b.start();
    await pool.map(inc, TINY);
    b.end();
    await closed(pool);
  },
});

Deno.bench({
  name: "pool.map, chunkSize: 1",
  group: "tiny tasks",
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(CORES);
    b.start();
    await pool.map(inc, TINY, { chunkSize: 1 });
    b.end();
    await closed(pool);
  },
});

Deno.bench({
  name: "hand-written floor: chunks of 1,000",
  group: "tiny tasks",
  ...SLOW,
  fn: async (b) => {
    const workers = rawWorkers(CORES, inc.toString());
    await warm(workers);
    b.start();
    await runChunks(workers, chunked(TINY, 1000), Infinity);
    b.end();
    workers.forEach((worker) => worker.terminate());
  },
});

Deno.bench({
  name: "hand-written floor: one message a task, all in flight",
  group: "tiny tasks",
  ...SLOW,
  fn: async (b) => {
    const workers = rawWorkers(CORES, inc.toString());
    await warm(workers);
    b.start();
    await runChunks(workers, chunked(TINY, 1), Infinity);
    b.end();
    workers.forEach((worker) => worker.terminate());
  },
});

// --- payload: a large buffer there and back -------------------------------------

Deno.bench({
  name: `${PAYLOAD_BYTES >> 20} MiB there and back, copied`,
  group: "payload",
  baseline: true,
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(1);
    await pool.map(echo, [new Uint8Array(1)]); // the worker knows the task
    const buffer = new Uint8Array(PAYLOAD_BYTES);
    b.start();
    await pool.map(echo, [buffer]);
    b.end();
    await closed(pool);
  },
});

Deno.bench({
  name: `${PAYLOAD_BYTES >> 20} MiB there and back, transferred`,
  group: "payload",
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(1);
    await pool.map(echo, [new Uint8Array(1)], { transfer: true });
    b.start();
    // The same 64 MiB go there and back every time: no allocation, no GC.
    [moving] = await pool.map(echo, [moving!], { transfer: true });
    b.end();
    await closed(pool);
  },
});

// --- startup: a new pool until its first result ----------------------------------

for (const size of new Set([1, CORES])) {
  Deno.bench({
    name: `hand-written: ${size} new Workers, each answers once`,
    group: `startup ${size}`,
    baseline: true,
    ...NOISY,
    fn: async () => {
      const workers = rawWorkers(size, inc.toString());
      await warm(workers);
      workers.forEach((worker) => worker.terminate());
    },
  });
  Deno.bench({
    name: `new Pool(${size}), each worker's first result`,
    group: `startup ${size}`,
    ...NOISY,
    fn: async (b) => {
      b.start();
      const pool = new Pool({ size });
      await pool.map(inc, Array.from({ length: size }, (_, i) => i), {
        chunkSize: 1,
      });
      b.end();
      await closed(pool);
    },
  });
  // What the "node" backend's start-up costs, for the README's comparison.
  Deno.bench({
    name: `new Pool(${size}, backend "node"), each worker's first result`,
    group: `startup ${size}`,
    ...NOISY,
    fn: async (b) => {
      b.start();
      const pool = new Pool({ size, backend: "node" });
      await pool.map(inc, Array.from({ length: size }, (_, i) => i), {
        chunkSize: 1,
      });
      b.end();
      await closed(pool);
    },
  });
}

// --- trace: what recording a span per chunk costs ---------------------------------

Deno.bench({
  name: "pool.map, chunks of 100, trace off",
  group: "trace",
  baseline: true,
  ...NOISY,
  fn: async (b) => {
    const pool = await warmPool(CORES);
    b.start();
    await pool.map(inc, TINY, { chunkSize: 100 });
    b.end();
    await closed(pool);
  },
});

Deno.bench({
  name: "pool.map, chunks of 100, trace on",
  group: "trace",
  ...NOISY,
  fn: async (b) => {
    const pool = await warmPool(CORES, { trace: true });
    b.start();
    await pool.map(inc, TINY, { chunkSize: 100 });
    b.end();
    await closed(pool);
  },
});

// --- scale: larger soak runs than the tests can afford ---------------------------

const MILLIONS = Array.from(
  { length: QUICK ? 100_000 : 5_000_000 },
  (_, i) => i,
);

Deno.bench({
  name: `Array.prototype.map of ${MILLIONS.length} items`,
  group: "scale",
  baseline: true,
  ...SLOW,
  fn: () => {
    MILLIONS.map(inc);
  },
});

Deno.bench({
  name: `pool.map of ${MILLIONS.length} items, results checked`,
  group: "scale",
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(CORES);
    b.start();
    const results = await pool.map(inc, MILLIONS);
    b.end();
    if (
      results.length !== MILLIONS.length || results.at(-1) !== MILLIONS.length
    ) {
      throw new Error("wrong results");
    }
    await closed(pool);
  },
});

Deno.bench({
  name: `${QUICK ? 1_000 : 10_000} mapAsync calls in flight at once`,
  group: "scale",
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(CORES);
    b.start();
    const futures = Array.from(
      { length: QUICK ? 1_000 : 10_000 },
      (_, i) => pool.mapAsync(inc, [i, i + 1]),
    );
    await Promise.all(futures);
    b.end();
    await closed(pool);
  },
});
