// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { runDeno } from "./_helpers.ts";

Deno.test("examples/sleep.ts runs the lesson's loop serially and on a pool", async () => {
  const child = await runDeno(
    ["run", "--allow-read", "examples/sleep.ts", "--scale", "0.1"],
    { ms: 30_000 },
  );
  assert.equal(child.killed, false, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  const out = child.stdout;
  assert.match(out, /cpuCount\(\) = \d+/);
  assert.equal(out.match(/Wall time: [\d.]+ s/g)?.length, 3);
  assert.equal(out.match(/\[ 0\.1, 0\.2, 0\.3, 0\.4 \]/g)?.length, 3);
  // In the pool run, sleeps overlap: several start before the first returns
  // (not necessarily all four, as workers start one after the other).
  const parallel = out.slice(out.indexOf('pool.map("sleep"'));
  const beforeFirstReturn = parallel.slice(0, parallel.indexOf("Returning"));
  assert.ok(beforeFirstReturn.split("Sleeping for").length - 1 >= 2, parallel);
  assert.match(out, /Serial [\d.]+ s, pool [\d.]+ s: [\d.]+x faster/);
});

Deno.test("examples/sleep.ts rejects bad flags with usage and exit code 2", async () => {
  for (const args of [["--scale", "-1"], ["--workers", "0"], ["--nope"]]) {
    const child = await runDeno([
      "run",
      "--allow-read",
      "examples/sleep.ts",
      ...args,
    ], {
      ms: 15_000,
    });
    assert.equal(child.code, 2, `${args.join(" ")}: ${child.stderr}`);
    assert.match(child.stderr, /Usage: deno run/);
  }
});

Deno.test("examples/power.ts computes x ** n on a pool and checks it against serial", async () => {
  const child = await runDeno([
    "run",
    "examples/power.ts",
    "--exponent",
    "200000",
  ], {
    ms: 60_000,
  });
  assert.equal(child.killed, false, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  assert.match(child.stdout, /Serial: [\d.]+ s/);
  assert.match(child.stdout, /Pool of \d+: [\d.]+ s/);
  assert.match(child.stdout, /Speedup: [\d.]+x/);
  // 2 ** 200000 has floor(200000 * log10(2)) + 1 = 60206 digits.
  assert.match(child.stdout, /2 \*\* 200000 has 60206 digits/);
  assert.match(child.stdout, /^1 \*\* 200000 has 1 digit$/m);
  const bad = await runDeno(["run", "examples/power.ts", "--exponent", "0"], {
    ms: 15_000,
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Usage:/);
});

// The demo's test is in examples_live_test.ts: it watches the lines arrive.

Deno.test("examples/sleep.ts --timeline draws the serial run and the workers", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/sleep.svg`;
    const child = await runDeno(
      [
        "run",
        "--allow-read",
        "--allow-write",
        "examples/sleep.ts",
        "--scale",
        "0.02",
        "--timeline",
        file,
      ],
      { ms: 30_000 },
    );
    assert.equal(child.code, 0, child.stderr);
    const svg = await Deno.readTextFile(file);
    assert.equal(svg.match(/<rect class="serial"/g)?.length, 4);
    assert.equal(svg.match(/<rect class="span"/g)?.length, 4);
    const events = JSON.parse(await Deno.readTextFile(`${file}.json`));
    assert.equal(
      events.traceEvents.filter((e: { ph: string }) => e.ph === "X").length,
      4,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples whose workers import a file say so when run without --allow-read", async () => {
  for (const example of ["examples/sleep.ts", "examples/async.ts"]) {
    const child = await runDeno(["run", example], { ms: 15_000 });
    assert.equal(child.code, 2, child.stderr);
    assert.match(
      child.stderr,
      /workers\/sleep\.ts, which Deno lets them read only with --allow-read/,
    );
  }
});
