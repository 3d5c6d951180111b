// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The examples watched while they run: when their lines arrive (the demo
 * streams its steps), what Ctrl-C does to a scrape, what the bench prints
 * after its table, and what a skipped test says. `runDeno` from
 * `_helpers.ts` gives the output only at the end and cannot send a signal,
 * so these run their child through {@linkcode spawnDeno}, under the same
 * kind of deadline.
 *
 * @module
 */
import assert from "node:assert/strict";
import { generatedBooks, startBooksSite } from "../examples/books_site.ts";
import { booksToCsv } from "../workers/books.ts";
import { deadline } from "./_helpers.ts";

/** One line of a child's output, and when it arrived (ms since the spawn). */
interface Line {
  at: number;
  stream: "stdout" | "stderr";
  text: string;
}

/** A running child `deno`, its lines as they arrive. */
interface LiveChild {
  lines: Line[];
  /** Resolves with the first line that matches, as soon as it arrives. */
  waitFor(pattern: RegExp, what: string): Promise<Line>;
  kill(signal: Deno.Signal): void;
  /** Resolves when the child has exited and its output has been read. */
  done(): Promise<
    { code: number; killed: boolean; stdout: string; stderr: string }
  >;
}

/**
 * Spawns `deno` with `args`, reading its output line by line as it comes,
 * and kills it (SIGKILL) if it has not exited within `ms`.
 */
function spawnDeno(
  args: string[],
  options: { ms: number; env?: Record<string, string> },
): LiveChild {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("..", import.meta.url).pathname,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, options.ms);
  const lines: Line[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: Line) => void }> = [];
  const texts = { stdout: "", stderr: "" };
  async function read(
    stream: ReadableStream<Uint8Array>,
    name: "stdout" | "stderr",
  ): Promise<void> {
    let pending = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      texts[name] += text;
      pending += text;
      let end: number;
      while ((end = pending.indexOf("\n")) >= 0) {
        const line = {
          at: performance.now() - started,
          stream: name,
          text: pending.slice(0, end),
        };
        pending = pending.slice(end + 1);
        lines.push(line);
        for (const waiter of [...waiters]) {
          if (waiter.pattern.test(line.text)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    }
    if (pending !== "") {
      lines.push({
        at: performance.now() - started,
        stream: name,
        text: pending,
      });
    }
  }
  const output = Promise.all([
    read(child.stdout, "stdout"),
    read(child.stderr, "stderr"),
    child.status,
  ]).finally(() => clearTimeout(timer));
  return {
    lines,
    waitFor(pattern, what) {
      const seen = lines.find((line) => pattern.test(line.text));
      if (seen !== undefined) return Promise.resolve(seen);
      // A child that exits without the line fails the wait at once.
      const exited = output.then(() => {
        throw new Error(
          `The child exited before ${what}:\n${texts.stdout}\n${texts.stderr}`,
        );
      });
      return deadline(
        Promise.race([
          new Promise<Line>((resolve) => waiters.push({ pattern, resolve })),
          exited,
        ]),
        what,
        options.ms,
      );
    },
    kill: (signal) => child.kill(signal),
    async done() {
      const [, , status] = await deadline(
        output,
        `deno ${args.join(" ")}`,
        options.ms + 5_000,
      );
      return { code: status.code, killed, ...texts };
    },
  };
}

Deno.test("deno task demo streams each step as it runs, shows progress, and ends with the examples' own figures", async () => {
  const out = await Deno.makeTempDir();
  try {
    const child = spawnDeno(["run", "-A", "examples/demo.ts", "--out", out], {
      ms: 150_000,
    });
    const { code, killed, stdout, stderr } = await child.done();
    assert.equal(killed, false, stderr);
    assert.equal(code, 0, stderr);

    // Live: the sleep step's first print arrives seconds before its last
    // line (its serial loops alone take 5 s at a quarter scale). Held back
    // until the step ended, they would arrive together.
    const first = child.lines.find((l) => l.text.startsWith("Sleeping for"));
    const last = child.lines.find((l) => /^Serial [\d.]+ s, pool/.test(l.text));
    assert.ok(first !== undefined && last !== undefined, stdout);
    assert.ok(
      last.at - first.at >= 2_000,
      `the sleep step's lines came ${last.at - first.at} ms apart`,
    );

    // Progress: never a long silence. A quiet step gets a line after 1 s,
    // then every 2 s; 4 s leaves room for a slow machine.
    const times = child.lines.map((l) => l.at).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    assert.ok(
      Math.max(...gaps) < 4_000,
      `the longest silence was ${Math.max(...gaps)} ms`,
    );

    // The table, and each speedup in it is the one its example printed.
    const row = (step: string) => {
      const match = new RegExp(
        `^\\| ${step}.*\\| +[\\d.]+ s \\| +[\\d.]+ s \\| +([\\d.]+)x( \\(slower\\))? \\|$`,
        "m",
      ).exec(stdout);
      assert.ok(match, `no row for ${step}:\n${stdout}`);
      return match[1];
    };
    const section = (n: number) =>
      stdout.slice(
        stdout.indexOf(`\n# ${n}. `),
        stdout.indexOf(`\n# ${n + 1}. `) >= 0
          ? stdout.indexOf(`\n# ${n + 1}. `)
          : stdout.indexOf("\n# Summary"),
      );
    assert.equal(row("sleep"), /: ([\d.]+)x faster/.exec(section(1))?.[1]);
    assert.equal(
      row("x \\*\\* 3,000,000"),
      /Speedup: ([\d.]+)x/.exec(section(2))?.[1],
    );
    assert.equal(
      row("80000!"),
      /the pool (?:makes it slower, )?([\d.]+)x/.exec(section(4))?.[1],
    );
    assert.equal(
      row("the books scraper"),
      /^Speedup: ([\d.]+)x$/m.exec(section(5))?.[1],
    );
    assert.match(stdout, /Now go on and use the results obtained/);

    // Off a terminal, the scraper gives a few progress lines, not 100.
    const progress = stderr.match(/^(serial|pool): \d+\/50 pages/gm) ?? [];
    assert.ok(
      progress.length > 0 && progress.length <= 12,
      progress.join("\n"),
    );

    const csvs = [...Deno.readDirSync(out)].filter((e) =>
      e.name.endsWith(".csv")
    );
    assert.equal(csvs.length, 50);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task demo on SIGINT stops its step and itself, with exit code 130", async () => {
  const out = await Deno.makeTempDir();
  try {
    const child = spawnDeno(["run", "-A", "examples/demo.ts", "--out", out], {
      ms: 60_000,
    });
    // The signal reaches only the demo, as from `kill -INT`: it passes it on.
    await child.waitFor(/^Sleeping for/, "the sleep step's first line");
    child.kill("SIGINT");
    const { code, killed, stdout, stderr } = await child.done();
    assert.equal(killed, false, stderr);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /^Interrupted during step 1, sleep/m);
    assert.doesNotMatch(stdout, /# 2\. |# Summary/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

/** Checks what a scrape stopped by SIGINT left in `out`, and returns how many pages it said. */
async function assertInterrupted(
  child: LiveChild,
  out: string,
  stopped: string,
): Promise<void> {
  const { code, killed, stderr } = await child.done();
  assert.equal(killed, false, stderr);
  assert.equal(code, 130, stderr);
  const said = new RegExp(
    `^Interrupted: (\\d+) of 50 pages written to ${out}/; stopped the ${stopped} and removed (\\d+) temporary files?$`,
    "m",
  ).exec(stderr);
  assert.ok(said, stderr);
  const written = Number(said[1]);
  assert.ok(written >= 1 && written < 50, stderr);
  // Nothing but the CSV files: no temporary file, no temporary folder.
  const names = [...Deno.readDirSync(out)].map((e) => e.name);
  assert.deepEqual(names.filter((name) => !name.endsWith(".csv")), []);
  // Every page said written is there, whole; a page in flight may have
  // landed too, and it is whole as well.
  const csvs = names.filter((name) => name.endsWith(".csv"));
  assert.ok(csvs.length >= written, `${csvs.length} files, ${written} said`);
  for (const name of csvs) {
    const page = Number(/^results_(\d+)\.csv$/.exec(name)![1]);
    const expected = generatedBooks(page).map((b) => ({ ...b, inStock: true }));
    assert.equal(
      await Deno.readTextFile(`${out}/${name}`),
      booksToCsv(expected),
      name,
    );
  }
}

Deno.test("scrape.ts on SIGINT stops the pool, removes its temporary files, says what it wrote and exits 130", async () => {
  // 300 ms a response, one page at a time on each of 8 workers: 50 pages
  // take about 2 s, so the signal after the first progress line (10 pages)
  // comes well before the end. (With every page in flight at once, the
  // default, they would all land together.)
  const site = startBooksSite({ latencyMs: 300 });
  const out = await Deno.makeTempDir();
  try {
    const child = spawnDeno([
      "run",
      "-A",
      "examples/scrape.ts",
      "--base-url",
      site.url,
      "--out",
      out,
      "--pages",
      "50",
      "--workers",
      "8",
      "--concurrency",
      "1",
    ], { ms: 60_000 });
    await child.waitFor(/^pool: \d+\/50 pages/, "the first progress line");
    child.kill("SIGINT");
    await assertInterrupted(child, out, "pool");
  } finally {
    await deadline(site.close(), "the books site to close");
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("scrape.ts --serial on SIGINT stops its loop, says what it wrote and exits 130", async () => {
  const site = startBooksSite({ latencyMs: 100 });
  const out = await Deno.makeTempDir();
  try {
    const child = spawnDeno([
      "run",
      "-A",
      "examples/scrape.ts",
      "--base-url",
      site.url,
      "--out",
      out,
      "--pages",
      "50",
      "--serial",
    ], { ms: 60_000 });
    await child.waitFor(/^serial: \d+\/50 pages/, "the first progress line");
    child.kill("SIGINT");
    await assertInterrupted(child, out, "serial loop");
  } finally {
    await deadline(site.close(), "the books site to close");
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno bench ends with the headline ratios in plain words, after the table", async () => {
  // Types are `deno task check`'s job: this is about what the run prints.
  const child = spawnDeno(
    ["bench", "--allow-all", "--no-check", "bench/pool_bench.ts"],
    { ms: 180_000, env: { BENCH_QUICK: "1" } },
  );
  const { code, killed, stdout, stderr } = await child.done();
  assert.equal(killed, false, stderr);
  assert.equal(code, 0, stderr);
  const words = stdout.slice(stdout.lastIndexOf("\nIn plain words"));
  assert.match(
    words,
    /^\nIn plain words \(the median of each case's runs; BENCH_QUICK=1 shrinks every size, so these only show the file runs\):\n/,
  );
  // Nothing of Deno's table or summaries comes after them.
  assert.doesNotMatch(words, /^\||summary|faster than \S+$/m);
  const lines = words.trim().split("\n").slice(1);
  assert.equal(lines.length, 5, words);
  assert.match(
    lines[0]!,
    /^ {2}sleep\(0\.01, 0\.02, 0\.03, 0\.04\): a new pool of 4, start-up included, is [\d.]+x (faster|slower) than the serial loop \(at best 2\.5x: the longest sleep alone\)\.$/,
  );
  assert.match(
    lines[1]!,
    /^ {2}x \*\* 100000 for x in 1\.\.6: the pool is [\d.]+x (faster|slower) than serial on \d+ cores \(hand-written Workers: [\d.]+x\)\.$/,
  );
  assert.match(
    lines[2]!,
    /^ {2}10000 tiny tasks \(x => x \+ 1\): pool\.map costs [\d.]+ (ns|µs|ms) an item, [\d.]+x the hand-written floor's [\d.]+ (ns|µs|ms) \(chunks of 1,000\)\.$/,
  );
  assert.match(
    lines[3]!,
    /^ {2}With chunkSize: 1, it costs [\d.]+ (ns|µs|ms) an item, [\d.]+x the hand-written floor's [\d.]+ (ns|µs|ms) \(one message a task\)\.$/,
  );
  // The scraper against the local site, with both terms of its floor.
  assert.match(
    lines[4]!,
    /^ {2}The books scraper, 10 pages at 100 ms a response: a new pool of 2 with up to 5 pages in flight on each, start-up included, is [\d.]+x (faster|slower) than the serial loop \([\d.]+ (µs|ms|s); floor [\d.]+ (µs|ms|s) = max\(one response [\d.]+ (µs|ms|s), parsing [\d.]+ (µs|ms|s) \/ \d+ cores? = [\d.]+ (µs|ms|s)\)\)\.$/,
  );
});

Deno.test("the skipped real-pages test says why in its name, and how to run it", async () => {
  const child = spawnDeno([
    "test",
    "--allow-all",
    "--no-check",
    "tests/scrape_test.ts",
    "--filter",
    "byte for byte",
  ], { ms: 60_000, env: { BOOKS_FIXTURES: "/no/such/folder" } });
  const { code, stdout, stderr } = await child.done();
  assert.equal(code, 0, stderr);
  assert.match(
    stdout,
    /byte for byte the notebook's CSVs for the 50 real pages \(skipped: it needs the 50 saved real pages .* set BOOKS_FIXTURES=\/path\/to\/books\.toscrape\.com, then run deno test -A tests\/scrape_test\.ts\) \.\.\. ignored/,
  );
});
