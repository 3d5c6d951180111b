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
import { parseFlags, positiveInteger } from "./_cli.ts";

const USAGE = "Usage: deno run examples/power.ts [--exponent N] [--workers N]";

const flags = parseFlags(USAGE, {
  exponent: { type: "string", default: "10000000" },
  workers: { type: "string", default: String(cpuCount()) },
});
const exponent = positiveInteger(USAGE, "exponent", flags.exponent);
const workers = positiveInteger(USAGE, "workers", flags.workers);

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
console.log(`Speedup: ${(serialSeconds / parallelSeconds).toFixed(2)}x`);
for (const [i, x] of xs.entries()) {
  console.log(`${x} ** ${exponent} has ${parallel[i]} digits`);
}
if (JSON.stringify(serial) !== JSON.stringify(parallel)) {
  console.error("The pool's results differ from the serial ones");
  Deno.exit(1);
}
