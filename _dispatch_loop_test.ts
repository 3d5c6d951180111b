// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { DispatchLoop } from "./_dispatch_loop.ts";

Deno.test("DispatchLoop.run() asked for inside itself goes round again instead of nesting", () => {
  const loop = new DispatchLoop();
  const seen: string[] = [];
  let rounds = 0;
  const ran = loop.run(() => {
    rounds++;
    seen.push(`start ${rounds}`);
    if (rounds < 3) assert.equal(loop.run(() => seen.push("nested")), false);
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

Deno.test("DispatchLoop.run() can run again after its body threw", () => {
  const loop = new DispatchLoop();
  assert.throws(() =>
    loop.run(() => {
      throw new Error("boom");
    }), /boom/);
  let ran = 0;
  assert.equal(loop.run(() => void ran++), true);
  assert.equal(ran, 1);
});

Deno.test("DispatchLoop.soon() calls its body once a microtask, however often asked", async () => {
  const loop = new DispatchLoop();
  let calls = 0;
  loop.soon(() => calls++);
  loop.soon(() => calls++);
  assert.equal(calls, 0, "not at once");
  await Promise.resolve();
  assert.equal(calls, 1);
  loop.soon(() => calls++);
  await Promise.resolve();
  assert.equal(calls, 2, "asked again after it ran: once more");
});
