// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's loop that cannot be parallel, and how to make it so. The
 * factorial loop `for (x of [1..n]) factorial *= x` cannot run on a pool as
 * written: each step needs the product of the steps before it. But
 * multiplication is associative, so `1 × … × n` can be regrouped into
 * ranges, `(1 × … × a) × (a+1 × … × b) × …`, whose products need nothing
 * from each other: those run on the pool, and the main thread multiplies
 * the partial products together.
 *
 *     deno run examples/factorial.ts [--n 80000] [--workers N] [--chunks N]
 *
 * `--chunks` is the number of ranges (default 4 per worker).
 *
 * @module
 */
import { cpuCount, Pool } from "../mod.ts";
import {
  type Command,
  formatRatio,
  parseFlags,
  plural,
  positiveInteger,
} from "./_cli.ts";

const COMMAND: Command = {
  run: "deno run examples/factorial.ts",
  summary:
    "The lesson's loop that cannot be parallel, n!, rewritten as products of ranges that run on a pool.",
  flags: {
    n: {
      type: "string",
      value: "N",
      default: "80000",
      description: "The factorial to compute, N!",
    },
    workers: {
      type: "string",
      value: "N",
      default: String(cpuCount()),
      defaultText: `the number of cores, ${cpuCount()} here`,
      description: "How many workers the pool has",
    },
    chunks: {
      type: "string",
      value: "N",
      defaultText: "4 per worker",
      description: "How many ranges 1..N is cut into",
    },
  },
};

const flags = parseFlags(COMMAND);
const n = positiveInteger(COMMAND, "n", flags.n);
const workers = positiveInteger(COMMAND, "workers", flags.workers);
const chunks = Math.min(
  n,
  positiveInteger(COMMAND, "chunks", flags.chunks ?? String(4 * workers)),
);

/** lo × (lo + 1) × … × hi, as a BigInt. Self-contained, so it can be sent. */
function rangeProduct(lo: number, hi: number): bigint {
  let product = 1n;
  for (let i = BigInt(lo); i <= BigInt(hi); i++) product *= i;
  return product;
}

/** The product of all the values, multiplied in pairs, then pairs of those. */
function productTree(values: bigint[]): bigint {
  while (values.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < values.length; i += 2) {
      next.push(values[i]! * (values[i + 1] ?? 1n));
    }
    values = next;
  }
  return values[0] ?? 1n;
}

/** 1..n cut into `count` ranges [lo, hi] of (nearly) equal length. */
function ranges(n: number, count: number): [number, number][] {
  const result: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    const lo = Math.floor((k * n) / count) + 1;
    const hi = Math.floor(((k + 1) * n) / count);
    result.push([lo, hi]);
  }
  return result;
}

/** Runs `body` and returns its result and its wall time in seconds. */
async function timed<T>(body: () => T | Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await body();
  return [result, (performance.now() - started) / 1000];
}

console.log("## The lesson's loop: each step needs the last");
console.log("let factorial = 1;");
console.log("for (const x of [1, 2, 3, 4, 5]) factorial *= x;");
let factorial = 1;
for (const x of [1, 2, 3, 4, 5]) factorial *= x;
console.log(`5! = ${factorial}`);
console.log(
  "Step x needs the product that the steps before it left in factorial, so it\n" +
    "cannot start before they end: as written, the steps cannot run side by side.",
);

await using pool = new Pool({ size: workers });

console.log(
  "\n## Rewritten: multiplication is associative, so cut 1..n into ranges",
);
console.log("5! = (1 × 2 × 3) × (4 × 5): neither range needs the other.");
const small = await pool.starmap(rangeProduct, [[1, 3], [4, 5]]);
console.log(
  `pool.starmap(rangeProduct, [[1, 3], [4, 5]]) = ${Deno.inspect(small)}`,
);
console.log(`${small.join(" × ")} = ${productTree(small)}: 5! = 120 again`);

const parts = ranges(n, chunks);
console.log(
  `\n## ${n}!: ${plural(chunks, "range")} on a pool of ${workers}`,
);

const [serial, serialSeconds] = await timed(() => rangeProduct(1, n));
console.log(`The serial loop, 1 × 2 × … × ${n}: ${serialSeconds.toFixed(2)} s`);

// Cutting into ranges alone changes the arithmetic (smaller numbers to
// multiply), so the ranges are timed on this thread too: the pool's own
// share of the speedup is the gap between these two timings.
const [oneThread, oneThreadSeconds] = await timed(() =>
  productTree(parts.map(([lo, hi]) => rangeProduct(lo, hi)))
);
console.log(
  `The ranges one after the other, on this thread: ${
    oneThreadSeconds.toFixed(2)
  } s`,
);

// Start every worker outside the timing.
await pool.map(() => 0, Array<number>(workers).fill(0), { chunkSize: 1 });
const [partials, rangesSeconds] = await timed(() =>
  pool.starmap(rangeProduct, parts, { chunkSize: 1 })
);
const [parallel, combineSeconds] = await timed(() => productTree(partials));
const poolSeconds = rangesSeconds + combineSeconds;
console.log(
  `The ranges on the pool (${rangesSeconds.toFixed(2)} s), combined on this ` +
    `thread (${combineSeconds.toFixed(2)} s): ${poolSeconds.toFixed(2)} s`,
);

if (parallel !== serial || oneThread !== serial) {
  console.error("The results differ from the serial loop's");
  Deno.exit(1);
}
console.log(
  `Same result all three ways: ${n}! has ${
    plural(serial.toString().length, "digit")
  }`,
);
const overall = serialSeconds / poolSeconds;
const rewrite = serialSeconds / oneThreadSeconds;
const pooled = oneThreadSeconds / poolSeconds;
console.log(
  `Speedup over the serial loop: ${formatRatio(overall)}${
    overall < 1 ? " (slower)" : ""
  }, of which the rewrite alone gives ${formatRatio(rewrite)} ${
    rewrite < 1
      ? "(for a product this small, the extra calls cost more)"
      : "(smaller numbers to multiply)"
  }`,
);
// The pool's share is a ratio too, and under 1 it is a loss: say so, and why.
console.log(
  pooled >= 0.95 && pooled < 1.05
    ? `and the pool ${
      formatRatio(pooled)
    } on top, which is no gain: sending the ranges to the workers and the products back costs about what the workers save.`
    : pooled >= 1
    ? `and the pool ${formatRatio(pooled)} on top: at most ${
      Math.min(workers, cpuCount())
    }x (${plural(workers, "worker")} on ${
      plural(cpuCount(), "core")
    }), and only on the ranges, not on combining them.`
    : `but the pool makes it slower, ${formatRatio(pooled)} (${
      (1 / pooled).toFixed(1)
    } times the time): sending ${
      plural(chunks, "range")
    } to the workers and the products back costs more than multiplying ` +
      "ranges this small (a larger --n gives the workers enough to do).",
);
