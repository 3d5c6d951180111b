// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `deno task demo`: the lesson from start to end, scaled to run in well
 * under a minute with no network. It runs each example in turn (sleep,
 * power, async, factorial, and the scraper against the local books site with
 * latency), shows their output, and ends with a table of serial and pool
 * times.
 *
 *     deno run -A examples/demo.ts [--out DIR]
 *
 * @module
 */
import { startBooksSite } from "./books_site.ts";
import { parseFlags } from "./_cli.ts";

const USAGE = "Usage: deno run -A examples/demo.ts [--out DIR]";

interface Step {
  title: string;
  args: (context: { site: string; out: string }) => string[];
  /** Where the serial and pool times are in the output, if it has them. */
  serial?: RegExp;
  pool?: RegExp;
}

const STEPS: Step[] = [
  {
    title: "sleep(1..4), scaled to a quarter",
    args: () => ["--allow-read", "examples/sleep.ts", "--scale", "0.25"],
    serial: /Serial ([\d.]+) s/,
    pool: /pool ([\d.]+) s/,
  },
  {
    title: "x ** 3,000,000 for x in 1..6",
    args: () => ["examples/power.ts", "--exponent", "3000000"],
    serial: /Serial: ([\d.]+) s/,
    pool: /Pool of \d+: ([\d.]+) s/,
  },
  {
    title: "mapAsync while the program keeps working",
    args: () => ["--allow-read", "examples/async.ts"],
  },
  {
    // Serial here is the same ranges on one thread: the rewrite alone also
    // speeds the loop up, and the table is about what the pool adds.
    title: "80000! as products of ranges",
    args: () => ["examples/factorial.ts"],
    serial: /one after the other, on this thread: ([\d.]+) s/,
    pool: /The ranges on the pool \([\d.]+ s\), combined [^:]*: ([\d.]+) s/,
  },
  {
    title: "the books scraper, 50 pages, 100 ms per response",
    args: ({ site, out }) => [
      "-A",
      "examples/scrape.ts",
      "--base-url",
      site,
      "--out",
      out,
      "--compare",
    ],
    serial: /Serial time: ([\d.]+) s/,
    pool: /Pool time \(\d+ workers\): ([\d.]+) s/,
  },
];

async function run(args: string[]): Promise<{ code: number; stdout: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = await child.output();
  const stdout = new TextDecoder().decode(output.stdout);
  await Deno.stdout.write(output.stdout);
  return { code: output.code, stdout };
}

if (import.meta.main) {
  const flags = parseFlags(USAGE, {
    out: { type: "string", default: "out/books" },
  });
  const out = String(flags.out);
  const site = startBooksSite({ latencyMs: 100 });
  const rows: string[][] = [];
  let failures = 0;
  try {
    for (const [i, step] of STEPS.entries()) {
      console.log(`\n# ${i + 1}. ${step.title}\n`);
      const { code, stdout } = await run(step.args({ site: site.url, out }));
      if (code !== 0) {
        failures++;
        console.error(`(exit code ${code})`);
      }
      const serial = Number(step.serial?.exec(stdout)?.[1]);
      const pool = Number(step.pool?.exec(stdout)?.[1]);
      if (serial > 0 && pool > 0) {
        rows.push([
          step.title,
          `${serial.toFixed(2)} s`,
          `${pool.toFixed(2)} s`,
          `${(serial / pool).toFixed(1)}x`,
        ]);
      }
    }
  } finally {
    await site.close();
  }
  const header = ["step", "serial", "pool", "speedup"];
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map((r) => r[c]!.length))
  );
  const line = (cells: string[]) =>
    `| ${
      cells.map((cell, c) =>
        c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)
      ).join(" | ")
    } |`;
  console.log(`\n# Summary (${navigator.hardwareConcurrency} cores)\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  console.log(`\nThe scraper's CSV files are in ${out}/`);
  if (failures > 0) Deno.exit(1);
}
