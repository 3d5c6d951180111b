// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's first step: a loop of `sleep(1..4)` takes 10 s when each step
 * waits for the last, and 4 s on a pool, where the four sleeps run side by
 * side. Watch the prints interleave in the parallel run.
 *
 *     deno run --allow-read examples/sleep.ts [--scale 0.25] [--workers 4]
 *
 * `--scale` multiplies every sleep (0.25 turns 10 s into 2.5 s).
 *
 * @module
 */
import { cpuCount, Pool } from "../mod.ts";
import { parseFlags, positiveInteger, positiveNumber } from "./_cli.ts";
import { sleep } from "../workers/sleep.ts";
import type * as sleepTasks from "../workers/sleep.ts";

const USAGE =
  "Usage: deno run --allow-read examples/sleep.ts [--scale FACTOR] [--workers N]";

const flags = parseFlags(USAGE, {
  scale: { type: "string", default: "1" },
  workers: { type: "string", default: "4" },
});
const scale = positiveNumber(USAGE, "scale", flags.scale);
const workers = positiveInteger(USAGE, "workers", flags.workers);

/** Runs `body` and prints its wall time, as the notebook's `%%time` does. */
async function time<T>(label: string, body: () => Promise<T>): Promise<number> {
  console.log(`\n## ${label}`);
  const started = performance.now();
  const result = await body();
  const seconds = (performance.now() - started) / 1000;
  console.log(`Wall time: ${seconds.toFixed(2)} s`);
  console.log(Deno.inspect(result));
  return seconds;
}

// Rounded, so that 3 * 0.05 prints as 0.15, not 0.15000000000000002.
const myList = [1, 2, 3, 4].map((x) => Math.round(x * scale * 1e6) / 1e6);
console.log(`cpuCount() = ${cpuCount()}`);

const serial = await time("A serial loop: each step waits for the last", () => {
  const results = [];
  for (const x of myList) results.push(sleep(x));
  return Promise.resolve(results);
});

await time(
  "Array.prototype.map is serial too: one call after the other",
  () => Promise.resolve(myList.map(sleep)),
);

// Sleeping is not CPU work: more workers than cores still pay off.
await using pool = new Pool<typeof sleepTasks>(
  new URL("../workers/sleep.ts", import.meta.url),
  { size: workers },
);
console.log(`\n${Deno.inspect(pool)}`);
const parallel = await time(
  `pool.map("sleep", ...) on ${workers} workers: side by side`,
  () => pool.map("sleep", myList),
);

console.log(
  `\nSerial ${serial.toFixed(2)} s, pool ${parallel.toFixed(2)} s: ${
    (serial / parallel).toFixed(1)
  }x faster (the ideal is ${
    (myList.reduce((a, b) => a + b) / Math.max(...myList)).toFixed(1)
  }x: the longest sleep).`,
);
