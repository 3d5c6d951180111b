// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `deno task demo`: the lesson from start to end, scaled to run in well
 * under a minute with no network. It runs each example in turn (sleep,
 * power, async, factorial, and the scraper against the local books site with
 * latency), shows their output as it comes, so that the workers' prints
 * interleave live, and ends with a table of serial and pool times.
 *
 *     deno run -A examples/demo.ts [--out DIR]
 *
 * A step that prints nothing for a second gets a line saying it is still
 * running. Ctrl-C stops the step that runs and the demo (exit code 130).
 *
 * @module
 */
import { startBooksSite } from "./books_site.ts";
import { type Command, markdownTable, parseFlags } from "./_cli.ts";

const COMMAND: Command = {
  run: "deno run -A examples/demo.ts",
  summary:
    "Runs the lesson's examples one after the other, serial against the pool, and scrapes a local books site: no network needed.",
  flags: {
    out: {
      type: "string",
      value: "DIR",
      default: "out/books",
      description: "The folder the scraper's CSV files go to",
    },
  },
};

/**
 * How long a step may be silent before the demo says it still runs, and
 * how often it says so again while the silence lasts.
 */
const QUIET_MS = 1_000;
const AGAIN_MS = 2_000;

interface Step {
  title: string;
  args: (context: { site: string; out: string }) => string[];
  /**
   * Where the serial and pool times and the speedup are in the output, if
   * it has them. The speedup is the example's own figure, computed from
   * its unrounded times, so that the table and the example agree.
   */
  serial?: RegExp;
  pool?: RegExp;
  speedup?: RegExp;
  /** A line of the output to repeat under the table, after `label`. */
  note?: { label: string; line: RegExp };
}

const STEPS: Step[] = [
  {
    title: "sleep(1..4), scaled to a quarter",
    args: () => ["--allow-read", "examples/sleep.ts", "--scale", "0.25"],
    serial: /Serial ([\d.]+) s/,
    pool: /pool ([\d.]+) s/,
    speedup: /: ([\d.]+)x faster/,
  },
  {
    title: "x ** 3,000,000 for x in 1..6",
    args: () => ["examples/power.ts", "--exponent", "3000000"],
    serial: /Serial: ([\d.]+) s/,
    pool: /Pool of \d+: ([\d.]+) s/,
    speedup: /Speedup: ([\d.]+)x/,
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
    speedup: /the pool (?:makes it slower, )?([\d.]+)x/,
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
    pool: /Pool time \(\d+ workers?\): ([\d.]+) s/,
    speedup: /Speedup: ([\d.]+)x/,
    // What the pool time compares with: a response, or the parsing.
    note: { label: "The scraper's floor", line: /^Floor: (.*)$/m },
  },
];

/**
 * Copies `stream` to `to` as it comes, and resolves with all of it as
 * text; `onChunk` is told of each chunk.
 */
async function tee(
  stream: ReadableStream<Uint8Array>,
  to: typeof Deno.stdout,
  onChunk: (chunk: Uint8Array) => void,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    onChunk(chunk);
    let written = 0;
    while (written < chunk.length) {
      written += await to.write(chunk.subarray(written));
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/** The step's child process while it runs, for Ctrl-C to pass on. */
let running: Deno.ChildProcess | undefined;

/**
 * Runs `deno run` with `args`: its output is shown as it comes (not held
 * back until it ends), and a silent stretch gets a line now and then, so
 * that every step shows progress.
 */
async function run(
  args: string[],
): Promise<{ code: number; signal: Deno.Signal | null; stdout: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  running = child;
  const started = performance.now();
  let lastOutput = started;
  let quietFor = QUIET_MS;
  // Only at the start of a line, so as not to cut one of the child's.
  let atLineStart = true;
  const seen = (chunk: Uint8Array) => {
    lastOutput = performance.now();
    quietFor = QUIET_MS;
    if (chunk.length > 0) atLineStart = chunk[chunk.length - 1] === 10;
  };
  const heartbeat = setInterval(() => {
    const now = performance.now();
    if (now - lastOutput >= quietFor && atLineStart) {
      console.log(
        `(still running: ${((now - started) / 1000).toFixed(0)} s so far)`,
      );
      lastOutput = now;
      quietFor = AGAIN_MS;
    }
  }, QUIET_MS / 4);
  try {
    const [stdout, , status] = await Promise.all([
      tee(child.stdout, Deno.stdout, seen),
      tee(child.stderr, Deno.stderr, seen),
      child.status,
    ]);
    return { code: status.code, signal: status.signal, stdout };
  } finally {
    clearInterval(heartbeat);
    running = undefined;
  }
}

/** The first number `pattern` captures in `text`, or NaN. */
function figure(pattern: RegExp | undefined, text: string): number {
  return Number(pattern?.exec(text)?.[1]);
}

if (import.meta.main) {
  const flags = parseFlags(COMMAND);
  const out = String(flags.out);
  // On a terminal Ctrl-C reaches the step's process too; from `kill -INT`
  // it reaches only the demo, which passes it on. Either way the step stops
  // in its own way (the scraper cleans up), and then the demo stops.
  let interrupted = false;
  Deno.addSignalListener("SIGINT", () => {
    interrupted = true;
    try {
      running?.kill("SIGINT");
    } catch {
      // It has just exited.
    }
  });
  const site = startBooksSite({ latencyMs: 100 });
  const rows: string[][] = [];
  const notes: string[] = [];
  let failures = 0;
  try {
    for (const [i, step] of STEPS.entries()) {
      console.log(`\n# ${i + 1}. ${step.title}\n`);
      const { code, signal, stdout } = await run(
        step.args({ site: site.url, out }),
      );
      if (interrupted || code === 130 || signal === "SIGINT") {
        interrupted = true;
        console.error(`\nInterrupted during step ${i + 1}, ${step.title}`);
        break;
      }
      if (code !== 0) {
        failures++;
        console.error(`(exit code ${code})`);
      }
      const serial = figure(step.serial, stdout);
      const pool = figure(step.pool, stdout);
      const speedup = step.speedup?.exec(stdout)?.[1];
      if (serial > 0 && pool > 0 && speedup !== undefined) {
        rows.push([
          step.title,
          `${serial.toFixed(2)} s`,
          `${pool.toFixed(2)} s`,
          `${speedup}x${Number(speedup) < 1 ? " (slower)" : ""}`,
        ]);
      }
      const note = step.note?.line.exec(stdout)?.[1];
      if (step.note && note !== undefined) {
        notes.push(`${step.note.label}: ${note}`);
      }
    }
  } finally {
    await site.close();
  }
  if (interrupted) Deno.exit(130);
  console.log(`\n# Summary (${navigator.hardwareConcurrency} cores)\n`);
  console.log(markdownTable(["step", "serial", "pool", "speedup"], rows));
  console.log(
    "\nEach speedup is the example's own, from its unrounded times.",
  );
  for (const note of notes) console.log(note);
  console.log(`The scraper's CSV files are in ${out}/`);
  if (failures > 0) Deno.exit(1);
}
