// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Rerun } from "./_rerun.ts";

Deno.test("Rerun.run() asked for inside itself goes round again instead of nesting", () => {
  const rerun = new Rerun();
  const seen: string[] = [];
  let rounds = 0;
  const ran = rerun.run(() => {
    rounds++;
    seen.push(`start ${rounds}`);
    if (rounds < 3) assert.equal(rerun.run(() => seen.push("nested")), false);
    seen.push(`end ${rounds}`);
  });
  assert.equal(ran, true);
  assert.deepEqual(seen, [
    "start 1",
    "end 1",
    "start 2",
    "end 2",
    "start 3",
    "end 3",
  ]);
});

Deno.test("Rerun.run() can run again after its body threw", () => {
  const rerun = new Rerun();
  assert.throws(() =>
    rerun.run(() => {
      throw new Error("boom");
    }), /boom/);
  let ran = 0;
  assert.equal(rerun.run(() => void ran++), true);
  assert.equal(ran, 1);
});
