// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's first step: a loop of `sleep(1..4)` takes 10 s when each step
 * waits for the last, and 4 s on a pool, where the four sleeps run side by
 * side. Watch the prints interleave in the parallel run.
 *
 *     deno run --allow-read [--allow-write] examples/sleep.ts [--scale 0.25]
 *       [--workers 4] [--timeline sleep.svg]
 *
 * `--scale` multiplies every sleep (0.25 turns 10 s into 2.5 s).
 * `--timeline FILE` draws the serial run and the pool's workers side by side
 * as an SVG (the lesson's picture), and writes FILE.json for Perfetto.
 *
 * @module
 */
import {
  cpuCount,
  Pool,
  type SerialSpan,
  timelineSvg,
  traceEvents,
} from "../mod.ts";
import {
  type Command,
  parseFlags,
  plural,
  positiveInteger,
  positiveNumber,
  requireFolderOf,
  requireRead,
  requireWrite,
} from "./_cli.ts";
import { sleep } from "../workers/sleep.ts";
import type * as sleepTasks from "../workers/sleep.ts";

const COMMAND: Command = {
  run: "deno run --allow-read [--allow-write] examples/sleep.ts",
  summary:
    "The lesson's sleep(1..4): a serial loop that waits 10 s, then a pool that waits 4 s.",
  flags: {
    scale: {
      type: "string",
      value: "FACTOR",
      default: "1",
      description: "Multiply every sleep by this (0.25 turns 10 s into 2.5 s)",
    },
    workers: {
      type: "string",
      value: "N",
      default: "4",
      description: "How many workers the pool has",
    },
    timeline: {
      type: "string",
      value: "FILE.svg",
      description:
        "Draw the serial run and the workers to this SVG, and FILE.svg.json for Perfetto (needs --allow-write)",
      defaultText: "no timeline",
    },
  },
};

const flags = parseFlags(COMMAND);
const timeline = typeof flags.timeline === "string"
  ? flags.timeline
  : undefined;
const scale = positiveNumber(COMMAND, "scale", flags.scale);
const workers = positiveInteger(COMMAND, "workers", flags.workers);
requireRead(new URL("../workers/sleep.ts", import.meta.url));
// Refused now, not after the whole run.
if (timeline !== undefined) {
  requireWrite([timeline, `${timeline}.json`], "the timeline");
  requireFolderOf(timeline, "the timeline");
}

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

const serialSpans: SerialSpan[] = [];
const serial = await time("A serial loop: each step waits for the last", () => {
  const results = [];
  const started = performance.now();
  for (const x of myList) {
    const start = performance.now() - started;
    results.push(sleep(x));
    serialSpans.push({
      label: `sleep(${x})`,
      start,
      end: performance.now() - started,
    });
  }
  return Promise.resolve(results);
});

await time(
  "Array.prototype.map is serial too: one call after the other",
  () => Promise.resolve(myList.map(sleep)),
);

// Sleeping is not CPU work: more workers than cores still pay off.
await using pool = new Pool<typeof sleepTasks>(
  new URL("../workers/sleep.ts", import.meta.url),
  { size: workers, trace: timeline !== undefined },
);
console.log(`\n${Deno.inspect(pool)}`);
const parallel = await time(
  `pool.map("sleep", ...) on ${plural(workers, "worker")}: ${
    workers === 1 ? "one after the other" : "side by side"
  }`,
  () => pool.map("sleep", myList),
);

console.log(
  `\nSerial ${serial.toFixed(2)} s, pool ${parallel.toFixed(2)} s: ${
    (serial / parallel).toFixed(1)
  }x faster (the ideal is ${
    (myList.reduce((a, b) => a + b) / Math.max(...myList)).toFixed(1)
  }x: the longest sleep).`,
);

if (timeline !== undefined) {
  const trace = pool.trace();
  await Deno.writeTextFile(
    timeline,
    timelineSvg(trace, {
      title: `sleep(${myList.join(", ")}): serial, then on ${workers} workers`,
      serial: serialSpans,
    }),
  );
  await Deno.writeTextFile(
    `${timeline}.json`,
    JSON.stringify(traceEvents(trace)),
  );
  console.log(`Timeline: ${timeline} (and ${timeline}.json for Perfetto)`);
}
