// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's CPU-bound step: `x ** 10_000_000` for x in 1..6 (as BigInt).
 * Computing is not waiting: a single thread cannot overlap it, but a pool
 * runs it on every core. The task is an inline function, as with Python's
 * `multiprocess`.
 *
 *     deno run examples/power.ts [--exponent 10000000] [--workers N]
 *
 * @module
 */
import { cpuCount, Pool } from "../mod.ts";
import { type Command, parseFlags, plural, positiveInteger } from "./_cli.ts";

const COMMAND: Command = {
  run: "deno run examples/power.ts",
  summary:
    "The lesson's CPU-bound step, x ** N for x in 1..6: serially, then on a pool that uses every core.",
  flags: {
    exponent: {
      type: "string",
      value: "N",
      default: "10000000",
      description: "The power N each x is raised to",
    },
    workers: {
      type: "string",
      value: "N",
      default: String(cpuCount()),
      defaultText: `the number of cores, ${cpuCount()} here`,
      description: "How many workers the pool has",
    },
  },
};

const flags = parseFlags(COMMAND);
const exponent = positiveInteger(COMMAND, "exponent", flags.exponent);
const workers = positiveInteger(COMMAND, "workers", flags.workers);

/**
 * Computes x ** n as a BigInt and returns its number of decimal digits: the
 * digits themselves would be megabytes. Self-contained, so it can be sent.
 */
function power(x: number, n: number): number {
  const result = BigInt(x) ** BigInt(n);
  // floor(log10(x ** n)) + 1, computed from x and n as the number is huge.
  return result < 10n
    ? String(result).length
    : Math.floor(n * Math.log10(x)) + 1;
}

const xs = [1, 2, 3, 4, 5, 6];
const args = xs.map((x) => [x, exponent] as [number, number]);

let started = performance.now();
const serial = args.map(([x, n]) => power(x, n));
const serialSeconds = (performance.now() - started) / 1000;
console.log(`Serial: ${serialSeconds.toFixed(2)} s`);

await using pool = new Pool({ size: workers });
await pool.apply(() => 0); // start a worker outside the timing
started = performance.now();
const parallel = await pool.starmap(power, args, { chunkSize: 1 });
const parallelSeconds = (performance.now() - started) / 1000;
console.log(`Pool of ${workers}: ${parallelSeconds.toFixed(2)} s`);
const speedup = serialSeconds / parallelSeconds;
console.log(
  `Speedup: ${speedup.toFixed(2)}x${
    speedup < 1
      ? " (slower: for powers this small, sending them to the workers and the results back costs more than the work)"
      : ""
  }`,
);
for (const [i, x] of xs.entries()) {
  console.log(`${x} ** ${exponent} has ${plural(parallel[i]!, "digit")}`);
}
if (JSON.stringify(serial) !== JSON.stringify(parallel)) {
  console.error("The pool's results differ from the serial ones");
  Deno.exit(1);
}
