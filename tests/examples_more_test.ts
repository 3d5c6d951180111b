// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { runDeno } from "./_helpers.ts";

Deno.test("examples/async.ts keeps working while mapAsync runs, then takes the results", async () => {
  const child = await runDeno(
    ["run", "--allow-read", "examples/async.ts", "--scale", "0.03"],
    { ms: 30_000 },
  );
  assert.equal(child.killed, false, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  const out = child.stdout;
  // A future cannot settle within the call that made it: not ready at first.
  assert.match(
    out,
    /returned a future[^\n]*\n\[[\d.]+ s\] future\.ready\(\) = false\n/,
  );
  assert.match(out, /Do something that doesn't depend on the result\.\.\./);
  assert.match(
    out,
    /other work, step 1 done; future\.ready\(\) = (true|false)/,
  );
  assert.match(out, /Now the time came when the result is needed\./);
  // Waiting ends with the future ready (how many waits said false before
  // depends on the machine's speed, so it is not checked).
  assert.match(out, /await future\.wait\(\d+\) = true\n/);
  const results = "[ 0.3, 0.3, 0.3, 0.3, 0.3, 0.3 ]";
  assert.ok(out.includes(`await future.get() = ${results}`), out);
  assert.match(out, /future\.successful\(\) = true/);
  assert.ok(
    out.includes(`Now go on and use the results obtained - ${results}`),
    out,
  );
  // Six sleeps ran, printed by the workers.
  assert.equal(out.match(/Sleeping for 0\.3 seconds\./g)?.length, 6, out);
  assert.equal(out.match(/Returning 0\.3/g)?.length, 6, out);
  // The last lines come after every result.
  assert.ok(
    out.lastIndexOf("Returning") < out.indexOf("await future.get()"),
    out,
  );
});

Deno.test("examples/factorial.ts splits n! into ranges on a pool and checks it against serial", async () => {
  const child = await runDeno([
    "run",
    "examples/factorial.ts",
    "--n",
    "3000",
    "--workers",
    "2",
  ], { ms: 60_000 });
  assert.equal(child.killed, false, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  const out = child.stdout;
  assert.match(out, /^5! = 120$/m);
  assert.match(out, /cannot run side by side/);
  assert.match(
    out,
    /pool\.starmap\(rangeProduct, \[\[1, 3\], \[4, 5\]\]\) = \[ 6n, 20n \]/,
  );
  assert.match(out, /^6 × 20 = 120: 5! = 120 again$/m);
  assert.match(out, /3000!: 8 ranges on a pool of 2/);
  assert.match(out, /The serial loop, 1 × 2 × … × 3000: [\d.]+ s/);
  assert.match(out, /The ranges one after the other, on this thread: [\d.]+ s/);
  assert.match(out, /The ranges on the pool \([\d.]+ s\)/);
  // 3000! has 9131 digits.
  assert.match(out, /Same result all three ways: 3000! has 9131 digits/);
  assert.match(out, /Speedup over the serial loop: [\d.]+x/);
});

Deno.test("examples/factorial.ts handles more ranges than numbers", async () => {
  const child = await runDeno([
    "run",
    "examples/factorial.ts",
    "--n",
    "3",
    "--chunks",
    "10",
  ], { ms: 30_000 });
  assert.equal(child.code, 0, child.stderr);
  assert.match(child.stdout, /3!: 3 ranges on a pool of \d+/);
  assert.match(child.stdout, /Same result all three ways: 3! has 1 digit$/m);
});

Deno.test("examples/async.ts and examples/factorial.ts reject bad flags with usage and exit code 2", async () => {
  const cases = [
    ["examples/async.ts", "--scale", "0"],
    ["examples/async.ts", "--workers", "1.5"],
    ["examples/async.ts", "--nope"],
    ["examples/factorial.ts", "--n", "0"],
    ["examples/factorial.ts", "--workers", "-2"],
    ["examples/factorial.ts", "--chunks", "abc"],
    ["examples/factorial.ts", "--nope"],
  ];
  for (const args of cases) {
    const child = await runDeno(["run", "--allow-read", ...args], {
      ms: 15_000,
    });
    assert.equal(child.killed, false, `${args.join(" ")}: ${child.stderr}`);
    assert.equal(child.code, 2, `${args.join(" ")}: ${child.stderr}`);
    assert.match(child.stderr, /Usage: deno run/, args.join(" "));
    assert.equal(child.stdout, "", args.join(" "));
  }
});

Deno.test("examples/one_file.ts is its own task module: the pool imports the file that made it", async () => {
  const child = await runDeno(
    ["run", "--allow-read", "examples/one_file.ts"],
    { ms: 30_000 },
  );
  assert.equal(child.killed, false, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  // pi(2,000,000) = 148,933; the workers ran the exports and nothing under
  // the import.meta.main guard (else the line would be printed again).
  assert.equal(
    child.stdout.match(/^148933 primes below 2,000,000, counted in 8 ranges/gm)
      ?.length,
    1,
    child.stdout,
  );
});
