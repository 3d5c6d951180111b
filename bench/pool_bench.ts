// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `deno task bench`: how much faster the pool makes the lesson's work, and
 * what it costs per task, each against serial code or a hand-written floor
 * (bare Workers and postMessage) in the same run. Worker start-up is kept
 * out of the timed part (`b.start()`/`b.end()`) where a group measures
 * throughput. `BENCH_QUICK=1` shrinks every size and runs each case once, so
 * that CI can check the file still runs.
 *
 * After Deno's table come the headline ratios in plain words, from each
 * case's own timings of its measured part (their median): the speedup over
 * serial code, and the cost per item against the hand-written floor. Deno's
 * bench has no hook after the last case, so they are printed on `unload`,
 * after a last group of one case, which has no summary to come after them.
 *
 * @module
 */
import { cpuCount, Pool } from "../mod.ts";
import { startBooksSite } from "../examples/books_site.ts";
import {
  defaultConcurrency,
  type Floor,
  poolFloor,
  scrapeOnPool,
  type ScrapeRun,
  scrapeSerially,
} from "../examples/scrape.ts";
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
/** The scraper against the local books site: its pages, and a response's wait. */
const SCRAPE_PAGES = QUICK ? 10 : 50;
const SCRAPE_LATENCY_MS = 100;
const SCRAPE_WORKERS = 2;
const SCRAPE_CONCURRENCY = defaultConcurrency(SCRAPE_PAGES, SCRAPE_WORKERS);
/** The serial scrape takes 5 s a run: fewer of them. */
const SCRAPE_SERIAL = QUICK ? { n: 1, warmup: 0 } : { n: 3, warmup: 1 };

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

// --- what the plain-words summary is computed from ----------------------------

/** Each headline case's timings of its measured part, in milliseconds. */
const timings = new Map<string, number[]>();

/** Starts a case's measured part: `b.start()`, and the summary's own clock. */
function begin(b: Deno.BenchContext): number {
  b.start();
  return performance.now();
}

/** Ends a case's measured part, and keeps its time for the summary. */
function finish(b: Deno.BenchContext, key: string, started: number): void {
  const ms = performance.now() - started;
  b.end();
  const times = timings.get(key) ?? [];
  times.push(ms);
  timings.set(key, times);
}

/** The median of some numbers, if there are any. */
function medianOf(values: readonly number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[middle]
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median time of a case, in milliseconds, if it ran. */
function median(key: string): number | undefined {
  return medianOf(timings.get(key) ?? []);
}

/**
 * The serial scrapes (their responses, unhurried by a busy thread, give the
 * floor's response time) and each pool scrape's floor (see `poolFloor`),
 * for the words after the table.
 */
const serialScrapes: ScrapeRun[] = [];
const scrapeFloors: Floor[] = [];

/** A duration in milliseconds as ns, µs, ms or s, with 2 to 3 figures. */
function duration(ms: number): string {
  const [value, unit] = ms >= 1000
    ? [ms / 1000, "s"]
    : ms >= 1
    ? [ms, "ms"]
    : ms >= 1e-3
    ? [ms * 1e3, "µs"]
    : [ms * 1e6, "ns"];
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(2)} ${unit}`;
}

/** The headline ratios in plain words, one line each, for those that ran. */
function plainWords(): string[] {
  const lines: string[] = [];
  // Under 1x the pool is slower, and says so.
  const compared = (ratio: number, than: string) =>
    ratio >= 1
      ? `${ratio.toFixed(1)}x faster than ${than}`
      : `${(1 / ratio).toFixed(1)}x slower than ${than}`;
  const ratio = (a: string, b: string) => {
    const x = median(a);
    const y = median(b);
    return x !== undefined && y !== undefined && y > 0 ? x / y : undefined;
  };
  const sleep = ratio("sleep serial", "sleep pool");
  if (sleep !== undefined) {
    const ideal = SLEEPS.reduce((a, b) => a + b) / Math.max(...SLEEPS);
    lines.push(
      `sleep(${
        SLEEPS.map((x) => Number(x.toFixed(3))).join(", ")
      }): a new pool of 4, start-up included, is ${
        compared(sleep, "the serial loop")
      } (at best ${ideal.toFixed(1)}x: the longest sleep alone).`,
    );
  }
  const power = ratio("power serial", "power pool");
  if (power !== undefined) {
    const raw = ratio("power serial", "power hand-written");
    lines.push(
      `x ** ${EXPONENT} for x in 1..6: the pool is ${
        compared(power, "serial")
      } on ${CORES} cores${
        raw === undefined ? "" : ` (hand-written Workers: ${raw.toFixed(1)}x)`
      }.`,
    );
  }
  const perItem = (key: string) => {
    const ms = median(key);
    return ms === undefined ? undefined : ms / TINY.length;
  };
  for (
    const [pool, floor, label, floorLabel] of [
      [
        "tiny pool",
        "tiny floor 1000",
        `${TINY.length} tiny tasks (x => x + 1): pool.map costs`,
        "chunks of 1,000",
      ],
      [
        "tiny pool chunk 1",
        "tiny floor 1",
        "With chunkSize: 1, it costs",
        "one message a task",
      ],
    ] as const
  ) {
    const ours = perItem(pool);
    const theirs = perItem(floor);
    if (ours === undefined || theirs === undefined) continue;
    lines.push(
      `${label} ${duration(ours)} an item, ${
        (ours / theirs).toFixed(1)
      }x the hand-written floor's ${duration(theirs)} (${floorLabel}).`,
    );
  }
  const scrape = ratio("scrape serial", "scrape pool");
  const pool = median("scrape pool");
  const floorMs = (term: (floor: Floor) => number) =>
    medianOf(scrapeFloors.map((floor) => term(floor) * 1000));
  const floor = floorMs((f) => f.seconds);
  const response = floorMs((f) => f.responseSeconds);
  const parsing = floorMs((f) => f.parseSeconds);
  const cores = scrapeFloors[0]?.cores;
  if (
    scrape !== undefined && pool !== undefined && floor !== undefined &&
    response !== undefined && parsing !== undefined && cores !== undefined
  ) {
    lines.push(
      `The books scraper, ${SCRAPE_PAGES} pages at ${SCRAPE_LATENCY_MS} ms a response: a new pool of ${SCRAPE_WORKERS} with up to ${SCRAPE_CONCURRENCY} pages in flight on each, start-up included, is ${
        compared(scrape, "the serial loop")
      } (${duration(pool)}; floor ${duration(floor)} = max(one response ${
        duration(response)
      }, parsing ${duration(parsing)} / ${cores} core${
        cores === 1 ? "" : "s"
      } = ${duration(parsing / cores)})).`,
    );
  }
  return lines;
}

globalThis.addEventListener("unload", () => {
  const lines = plainWords();
  if (lines.length === 0) return;
  console.log(
    `\nIn plain words (the median of each case's runs${
      QUICK
        ? "; BENCH_QUICK=1 shrinks every size, so these only show the file runs"
        : ""
    }):`,
  );
  for (const line of lines) console.log(`  ${line}`);
});

// --- sleep: the lesson's 10 s against 4 s, scaled ---------------------------

Deno.bench({
  name: "serial loop of sleep(0.1..0.4)",
  group: "sleep",
  baseline: true,
  ...SLOW,
  fn: (b) => {
    const started = begin(b);
    SLEEPS.forEach(quietSleep);
    finish(b, "sleep serial", started);
  },
});

Deno.bench({
  name: "new Pool(4) + map sleep(0.1..0.4), start-up included",
  group: "sleep",
  ...SLOW,
  fn: async (b) => {
    const started = begin(b);
    const pool = new Pool({ size: 4 });
    await pool.map(quietSleep, SLEEPS, { chunkSize: 1 });
    await closed(pool);
    finish(b, "sleep pool", started);
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
    const started = begin(b);
    await pool.starmap(power, POWERS);
    finish(b, "power pool", started);
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
    const started = begin(b);
    await runChunks(workers, chunked(POWERS, 1), 1);
    finish(b, "power hand-written", started);
    workers.forEach((worker) => worker.terminate());
  },
});

Deno.bench({
  name: `serial x ** ${EXPONENT} for x in 1..6`,
  group: "power",
  baseline: true,
  ...SLOW,
  fn: (b) => {
    const started = begin(b);
    POWERS.forEach(([x, n]) => power(x, n));
    finish(b, "power serial", started);
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
    const started = begin(b);
    await pool.map(inc, TINY);
    finish(b, "tiny pool", started);
    await closed(pool);
  },
});

Deno.bench({
  name: "pool.map, chunkSize: 1",
  group: "tiny tasks",
  ...SLOW,
  fn: async (b) => {
    const pool = await warmPool(CORES);
    const started = begin(b);
    await pool.map(inc, TINY, { chunkSize: 1 });
    finish(b, "tiny pool chunk 1", started);
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
    const started = begin(b);
    await runChunks(workers, chunked(TINY, 1000), Infinity);
    finish(b, "tiny floor 1000", started);
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
    const started = begin(b);
    await runChunks(workers, chunked(TINY, 1), Infinity);
    finish(b, "tiny floor 1", started);
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

// --- the scraper: the local books site, 100 ms a response --------------------------

/**
 * Runs `scrape` against a fresh local site into a fresh folder, both made
 * and removed outside the measured part, and checks that every page was
 * written.
 */
async function scrapeCase(
  b: Deno.BenchContext,
  key: string,
  scrape: (baseUrl: string, outDir: string) => Promise<ScrapeRun>,
): Promise<ScrapeRun> {
  const site = startBooksSite({
    latencyMs: SCRAPE_LATENCY_MS,
    pages: SCRAPE_PAGES,
  });
  const outDir = await Deno.makeTempDir();
  try {
    const started = begin(b);
    const run = await scrape(site.url, outDir);
    finish(b, key, started);
    const written = run.reports.filter((report) => report.ok).length;
    if (written !== SCRAPE_PAGES) {
      throw new Error(`wrote ${written} of ${SCRAPE_PAGES} pages`);
    }
    return run;
  } finally {
    await site.close();
    await Deno.remove(outDir, { recursive: true });
  }
}

const SCRAPE_PAGE_LIST = Array.from({ length: SCRAPE_PAGES }, (_, i) => i + 1);

Deno.bench({
  name:
    `serial loop of scrapePage, ${SCRAPE_PAGES} pages at ${SCRAPE_LATENCY_MS} ms a response`,
  group: "scraper",
  baseline: true,
  ...SCRAPE_SERIAL,
  fn: async (b) => {
    const run = await scrapeCase(
      b,
      "scrape serial",
      (baseUrl, outDir) =>
        scrapeSerially(SCRAPE_PAGE_LIST, { baseUrl, outDir }, undefined, false),
    );
    serialScrapes.push(run);
  },
});

Deno.bench({
  name:
    `new Pool(${SCRAPE_WORKERS}, concurrency ${SCRAPE_CONCURRENCY}) + imapUnordered, start-up included`,
  group: "scraper",
  ...SLOW,
  fn: async (b) => {
    const run = await scrapeCase(
      b,
      "scrape pool",
      (baseUrl, outDir) =>
        scrapeOnPool(SCRAPE_PAGE_LIST, { baseUrl, outDir }, SCRAPE_WORKERS, {
          concurrency: SCRAPE_CONCURRENCY,
          progress: false,
        }),
    );
    const floor = poolFloor(run, [...serialScrapes, run], SCRAPE_WORKERS);
    if (floor) scrapeFloors.push(floor);
  },
});

// --- the headline ratios follow, in plain words -----------------------------------

// A group of one case has no summary, so the words printed on unload come
// right after the table, not before the last group's summary.
Deno.bench({
  name: "(none: the ratios follow in words)",
  group: "in plain words",
  ...FAST,
  fn: () => {},
});
