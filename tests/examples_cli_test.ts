// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The examples' command lines: `--help` lists every flag, bad values say
 * what is wrong, and an operator's mistake ends in one line that names the
 * fix, with exit code 2 and no stack trace, before any work starts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ChildResult, runDeno } from "./_helpers.ts";

/** Each example, how to run it, and every flag its `--help` must list. */
const EXAMPLES: Array<{ args: string[]; flags: string[] }> = [
  {
    args: ["--allow-read", "examples/sleep.ts"],
    flags: ["--scale", "--workers", "--timeline"],
  },
  { args: ["examples/power.ts"], flags: ["--exponent", "--workers"] },
  {
    args: ["--allow-read", "examples/async.ts"],
    flags: ["--scale", "--workers"],
  },
  { args: ["examples/factorial.ts"], flags: ["--n", "--workers", "--chunks"] },
  {
    args: ["-A", "examples/scrape.ts"],
    flags: [
      "--pages",
      "--base-url",
      "--out",
      "--workers",
      "--concurrency",
      "--serial",
      "--compare",
      "--save-html",
      "--retries",
      "--timeout-ms",
      "--timeline",
    ],
  },
  {
    args: ["-A", "examples/books_site.ts"],
    flags: ["--port", "--latency-ms", "--pages", "--dir"],
  },
  { args: ["-A", "examples/demo.ts"], flags: ["--out"] },
];

/** Asserts that the child refused with one line (no stack trace) and code 2. */
function assertOneLine(child: ChildResult, pattern: RegExp, what: string) {
  assert.equal(child.killed, false, `${what}: ${child.stderr}`);
  assert.equal(child.code, 2, `${what}: ${child.stderr}`);
  const lines = child.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `${what}: ${child.stderr}`);
  assert.match(lines[0]!, pattern, what);
  assert.doesNotMatch(child.stderr, /^\s+at /m, what);
}

Deno.test("every example's --help lists each flag with its meaning and default", async () => {
  for (const { args, flags } of EXAMPLES) {
    const child = await runDeno(["run", ...args, "--help"], { ms: 15_000 });
    const what = args.at(-1)!;
    assert.equal(child.code, 0, `${what}: ${child.stderr}`);
    assert.match(child.stdout, /^Usage: deno run /, what);
    for (const flag of [...flags, "--help"]) {
      const line = child.stdout.split("\n").find((l) =>
        l.trimStart().startsWith(`${flag} `) ||
        l.includes(`, ${flag} `)
      );
      assert.ok(line !== undefined, `${what}: no line for ${flag}`);
      // A meaning: words after the flag and its value.
      assert.match(line, /\s{2}[A-Z][a-z]+ /, `${what}: ${line}`);
      if (flag !== "--help") {
        assert.match(line, /\(default: [^)]+\)$/, `${what}: ${line}`);
      }
    }
    // The flags in the usage line are the ones explained.
    const usage = child.stdout.split("\n")[0]!;
    const afterScript = usage.slice(usage.indexOf(".ts ") + 4);
    const listed = [...afterScript.matchAll(/\[(--[a-z-]+)/g)].map((m) => m[1]);
    assert.deepEqual(listed, flags, what);
  }
});

Deno.test("a negative value is refused by its flag's own check, not as ambiguous", async () => {
  for (
    const args of [
      ["--allow-read", "examples/sleep.ts", "--scale", "-1"],
      ["--allow-read", "examples/async.ts", "--scale", "-0.5"],
      ["examples/factorial.ts", "--n", "-3"],
      ["-A", "examples/scrape.ts", "--retries", "-1"],
      ["-A", "examples/scrape.ts", "--concurrency", "-1"],
    ]
  ) {
    const child = await runDeno(["run", ...args], { ms: 15_000 });
    const what = args.slice(-3).join(" ");
    assert.equal(child.code, 2, `${what}: ${child.stderr}`);
    assert.doesNotMatch(child.stderr, /ambiguous/, what);
    assert.match(
      child.stderr,
      new RegExp(
        `'${
          args.at(-2)
        }' must be (positive|a positive integer|0 or more)[^\\n]*: received ${
          args.at(-1)
        }`,
      ),
      what,
    );
    assert.match(child.stderr, /Usage: deno run/, what);
    assert.equal(child.stdout, "", what);
  }
});

Deno.test("books_site.ts refuses a taken port and an impossible one in one line", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const child = await runDeno([
      "run",
      "-A",
      "examples/books_site.ts",
      "--port",
      String(taken.addr.port),
    ], { ms: 15_000 });
    assertOneLine(
      child,
      new RegExp(
        `^Cannot serve the books site on 127\\.0\\.0\\.1:${taken.addr.port} as something else listens there: pass another port with --port`,
      ),
      "taken port",
    );
  } finally {
    taken.close();
  }
  for (const port of ["99999", "-1", "eighty"]) {
    const child = await runDeno(
      ["run", "-A", "examples/books_site.ts", "--port", port],
      { ms: 15_000 },
    );
    assertOneLine(
      child,
      /^Cannot serve the books site on port .* as ports go from 0 to 65535: pass --port 8000, or --port 0/,
      `--port ${port}`,
    );
  }
  const denied = await runDeno(
    ["run", "examples/books_site.ts", "--port", "0"],
    { ms: 15_000 },
  );
  assertOneLine(
    denied,
    /lacks a permission: add --allow-net/,
    "no --allow-net",
  );
});

Deno.test("scrape.ts refuses an --out under a file, and missing permissions, before any work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/a-file`;
    await Deno.writeTextFile(file, "");
    const child = await runDeno(
      ["run", "-A", "examples/scrape.ts", "--out", `${file}/sub`],
      { ms: 15_000 },
    );
    assertOneLine(
      child,
      new RegExp(
        `^Cannot write the CSV files to ${file}/sub as ${file} is a file, not a folder: choose another folder with --out$`,
      ),
      "--out under a file",
    );
    assert.equal(child.stdout, "");

    // Without -A: which flags to add, with their scope.
    const bare = await runDeno(
      ["run", "examples/scrape.ts", "--out", `${dir}/out`],
      { ms: 15_000 },
    );
    assertOneLine(
      bare,
      new RegExp(
        `^Cannot scrape as Deno lacks permission for this run: add --allow-read --allow-write=${dir}/out --allow-net=books\\.toscrape\\.com, or run it with deno run -A examples/scrape\\.ts$`,
      ),
      "no permissions",
    );
    const noNet = await runDeno(
      [
        "run",
        "--allow-read",
        "--allow-write",
        "examples/scrape.ts",
        "--out",
        `${dir}/out`,
        "--base-url",
        "http://127.0.0.1:8123",
      ],
      { ms: 15_000 },
    );
    assertOneLine(
      noNet,
      /lacks permission for this run: add --allow-net=127\.0\.0\.1:8123,/,
      "no --allow-net",
    );
    // Nothing was made: the checks came before the work.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), [
      "a-file",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sleep.ts --timeline without write permission stops before the run, in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/x.svg`;
    const started = performance.now();
    const child = await runDeno(
      ["run", "--allow-read", "examples/sleep.ts", "--timeline", file],
      { ms: 15_000 },
    );
    assertOneLine(
      child,
      /^Cannot write the timeline to .*x\.svg and .*x\.svg\.json as Deno has no write permission there: add --allow-write/,
      "no --allow-write",
    );
    // Before the work: not a sleep ran (the run takes 10 s at scale 1).
    assert.equal(child.stdout, "");
    assert.ok(performance.now() - started < 10_000);
    const missing = await runDeno(
      [
        "run",
        "--allow-read",
        "--allow-write",
        "examples/sleep.ts",
        "--timeline",
        `${dir}/no/such/folder/x.svg`,
      ],
      { ms: 15_000 },
    );
    assertOneLine(
      missing,
      /^Cannot write the timeline to .* as .*\/no\/such\/folder is not a folder: create it/,
      "missing folder",
    );
    assert.equal(missing.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the examples say 1 worker, not 1 workers", async () => {
  const child = await runDeno([
    "run",
    "--allow-read",
    "examples/async.ts",
    "--scale",
    "0.01",
    "--workers",
    "1",
  ], { ms: 30_000 });
  assert.equal(child.code, 0, child.stderr);
  assert.match(child.stdout, /starts its 1 worker meanwhile/);
  assert.match(
    child.stdout,
    /ran one after the other on 1 worker while this program went on/,
  );
  const sleep = await runDeno([
    "run",
    "--allow-read",
    "examples/sleep.ts",
    "--scale",
    "0.01",
    "--workers",
    "1",
  ], { ms: 30_000 });
  assert.equal(sleep.code, 0, sleep.stderr);
  assert.match(sleep.stdout, /on 1 worker: one after the other/);
});

Deno.test("factorial.ts says the pool is slower when it is, and why", async () => {
  // 3! on a pool: the messages cost far more than three multiplications.
  const child = await runDeno([
    "run",
    "examples/factorial.ts",
    "--n",
    "3",
    "--workers",
    "1",
  ], { ms: 30_000 });
  assert.equal(child.code, 0, child.stderr);
  assert.match(
    child.stdout,
    /^but the pool makes it slower, [\d.]+x \([\d.]+ times the time\): sending 3 ranges to the workers and the products back costs more than multiplying ranges this small/m,
  );
  assert.doesNotMatch(child.stdout, /x on top/);
});
