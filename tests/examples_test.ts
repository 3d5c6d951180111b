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
