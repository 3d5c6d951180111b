// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's asynchronous step: `pool.mapAsync` returns a future (an
 * `AsyncResult`) at once, and the program goes on with work that does not
 * need the result while the pool works, checking on it with `ready()` now
 * and then. When the result is needed, `await future.wait(ms)` waits a
 * while and says whether it is ready (false: not yet), `await future.get()`
 * takes it, and `future.successful()` tells that the work did not fail.
 *
 *     deno run --allow-read examples/async.ts [--scale 0.1] [--workers 6]
 *
 * The tasks are the lesson's six sleeps of 10 s; `--scale` multiplies them
 * (0.1, the default, turns them into 1 s).
 *
 * @module
 */
import { Pool } from "../mod.ts";
import {
  type Command,
  parseFlags,
  plural,
  positiveInteger,
  positiveNumber,
  requireRead,
} from "./_cli.ts";
import type * as tasks from "../workers/sleep.ts";

const COMMAND: Command = {
  run: "deno run --allow-read examples/async.ts",
  summary:
    "The lesson's pool.mapAsync: six sleeps of 10 s run on the pool while the program goes on.",
  flags: {
    scale: {
      type: "string",
      value: "FACTOR",
      default: "0.1",
      description: "Multiply every sleep by this (0.1 turns 10 s into 1 s)",
    },
    workers: {
      type: "string",
      value: "N",
      default: "6",
      description: "How many workers the pool has",
    },
  },
};

const flags = parseFlags(COMMAND);
const scale = positiveNumber(COMMAND, "scale", flags.scale);
const workers = positiveInteger(COMMAND, "workers", flags.workers);
requireRead(new URL("../workers/sleep.ts", import.meta.url));

// Rounded, so that 10 * 0.07 prints as 0.7, not 0.7000000000000001.
const items = [10, 10, 10, 10, 10, 10].map((x) =>
  Math.round(x * scale * 1e6) / 1e6
);
// Check on the future about four times per sleep.
const stepMs = Math.max(1, Math.round((Math.max(...items) * 1000) / 4));

// Sleeping is not CPU work: more workers than cores still pay off.
await using pool = new Pool<typeof tasks>(
  new URL("../workers/sleep.ts", import.meta.url),
  { size: workers },
);

console.log(`pool.mapAsync("sleep", ${Deno.inspect(items)})`);
const started = performance.now();
/** Seconds since the start, to show when each line was printed. */
function clock(): string {
  return `[${((performance.now() - started) / 1000).toFixed(2)} s]`;
}

const future = pool.mapAsync("sleep", items);
// A pool starts its workers on the first call that needs them: one before
// mapAsync returns, the others on the following ticks, while this goes on.
console.log(
  `${clock()} returned a future (the pool starts its ${
    plural(workers, "worker")
  } meanwhile)`,
);
console.log(`${clock()} future.ready() = ${future.ready()}`);

console.log("\nDo something that doesn't depend on the result...");
for (let step = 1; step <= 2; step++) {
  // A timer stands in for the other work here: reading a file, a request...
  await new Promise((resolve) => setTimeout(resolve, stepMs));
  console.log(
    `${clock()} other work, step ${step} done; future.ready() = ${future.ready()}`,
  );
}

console.log("\nNow the time came when the result is needed.");
let ready: boolean;
do {
  ready = await future.wait(stepMs);
  console.log(`${clock()} await future.wait(${stepMs}) = ${ready}`);
} while (!ready);
const results = await future.get();
console.log(`${clock()} await future.get() = ${Deno.inspect(results)}`);
console.log(`${clock()} future.successful() = ${future.successful()}`);

console.log(
  `\nNow go on and use the results obtained - ${Deno.inspect(results)}`,
);
console.log(
  `(${items.length} sleeps adding up to ${
    items.reduce((a, b) => a + b)
  } s ran ${workers === 1 ? "one after the other" : "side by side"} on ${
    plural(workers, "worker")
  } while this program went on.)`,
);
