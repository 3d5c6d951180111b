// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Socket } from "node:net";
import { guard } from "./_nats_connect.ts";

Deno.test("a socket's late 'error' after removeAllListeners() throws, unless guarded", () => {
  const reset = () => new Error("read ECONNRESET");
  // What the Node transport does to its socket, then what Deno's node:net
  // may still do after it: an error event with no listener throws.
  const bare = new Socket();
  bare.on("error", () => {});
  bare.removeAllListeners();
  assert.throws(() => bare.emit("error", reset()), /ECONNRESET/);

  const guarded = guard(new Socket());
  let seen = 0;
  guarded.on("error", () => seen++);
  guarded.emit("error", reset());
  assert.equal(seen, 1, "the transport's own listener still hears it");
  guarded.removeAllListeners();
  assert.doesNotThrow(() => guarded.emit("error", reset()));
  guarded.removeAllListeners("error");
  assert.doesNotThrow(() => guarded.emit("error", reset()));
  assert.equal(seen, 1);
  guarded.destroy();
  bare.destroy();
});
