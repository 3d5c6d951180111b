// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { ArraySink, OrderedSink, UnorderedSink } from "./_sinks.ts";

/** Where chunk `seq` of `size` items a chunk starts. */
function at(seq: number, size = 2): { seq: number; start: number } {
  return { seq, start: seq * size };
}

/** Takes every batch ready now. */
function drain(sink: OrderedSink | UnorderedSink): unknown[][] {
  const batches: unknown[][] = [];
  for (let batch = sink.take(); batch !== undefined; batch = sink.take()) {
    batches.push(batch);
  }
  return batches;
}

Deno.test("ArraySink fills one array by input position, in whatever order chunks come", () => {
  const sink = new ArraySink();
  assert.equal(sink.partial, false);
  sink.expect(5);
  sink.put(at(2), ["e"]);
  sink.put(at(0), ["a", "b"]);
  sink.put(at(1), ["c", "d"]);
  assert.deepEqual(sink.take(true), ["a", "b", "c", "d", "e"]);
});

Deno.test("ArraySink hands its array over only once drained, then holds nothing", () => {
  const sink = new ArraySink();
  sink.expect(2);
  sink.put(at(0), [1, 2]);
  assert.equal(sink.take(false), undefined);
  const results = sink.take(true);
  assert.deepEqual(results, [1, 2]);
  assert.equal(sink.take(true), undefined, "handed over twice");
  // A late chunk does not write into the array the caller now owns.
  sink.put(at(0), [9, 9]);
  assert.deepEqual(results, [1, 2]);
});

Deno.test("ArraySink has nothing before it is sized, nor after clear()", () => {
  const unsized = new ArraySink();
  assert.equal(unsized.take(true), undefined);
  const cleared = new ArraySink();
  cleared.expect(1);
  cleared.put(at(0), [1]);
  cleared.clear();
  assert.equal(cleared.take(true), undefined);
});

Deno.test("ArraySink of no items gives an empty array", () => {
  const sink = new ArraySink();
  sink.expect(0);
  assert.deepEqual(sink.take(true), []);
});

Deno.test("ArraySink fails at once: a map gives nothing before a failure", () => {
  const sink = new ArraySink();
  sink.expect(4);
  sink.put(at(0), [1, 2]);
  assert.equal(sink.failsAt(), true);
});

Deno.test("OrderedSink yields chunk by chunk in input order", () => {
  const sink = new OrderedSink();
  assert.equal(sink.partial, true);
  sink.put(at(1), ["c", "d"]);
  assert.equal(sink.take(), undefined, "chunk 1 before chunk 0");
  sink.put(at(2), ["e"]);
  sink.put(at(0), ["a", "b"]);
  assert.deepEqual(drain(sink), [["a", "b"], ["c", "d"], ["e"]]);
  assert.equal(sink.take(), undefined);
});

Deno.test("OrderedSink fails at chunk N after every result before it, and the partial chunk N", () => {
  const sink = new OrderedSink();
  // Chunk 2 failed at its second item; chunk 3 came back before it.
  sink.put(at(3), [7, 8]);
  sink.put(at(2), [5]);
  assert.equal(sink.failsAt(2), false);
  sink.put(at(0), [1, 2]);
  assert.deepEqual(sink.take(), [1, 2]);
  assert.equal(sink.failsAt(2), false, "failed before chunk 1's results");
  sink.put(at(1), [3, 4]);
  assert.deepEqual(sink.take(), [3, 4]);
  assert.equal(sink.failsAt(2), false, "failed before chunk 2's first item");
  assert.deepEqual(sink.take(), [5]);
  assert.equal(sink.failsAt(2), true);
});

Deno.test("OrderedSink fails at an input error once every chunk read before it is out", () => {
  const sink = new OrderedSink();
  // The input threw where chunk 2 would have begun: there is no chunk 2.
  sink.put(at(1), [3, 4]);
  assert.equal(sink.failsAt(2), false);
  sink.put(at(0), [1, 2]);
  drain(sink);
  assert.equal(sink.failsAt(2), true);
});

Deno.test("OrderedSink fails at once at chunk 0 with no results", () => {
  const sink = new OrderedSink();
  sink.put(at(0), []);
  assert.equal(sink.failsAt(0), false);
  assert.deepEqual(sink.take(), []);
  assert.equal(sink.failsAt(0), true);
  const nothing = new OrderedSink();
  assert.equal(nothing.failsAt(0), true);
});

Deno.test("OrderedSink clear() drops what it holds", () => {
  const sink = new OrderedSink();
  sink.put(at(0), [1]);
  sink.clear();
  assert.equal(sink.take(), undefined);
});

Deno.test("UnorderedSink yields chunk by chunk as they come, skipping empty ones", () => {
  const sink = new UnorderedSink();
  assert.equal(sink.partial, true);
  sink.put(at(2), ["e"]);
  sink.put(at(0), []);
  sink.put(at(1), ["c", "d"]);
  assert.deepEqual(drain(sink), [["e"], ["c", "d"]]);
});

Deno.test("UnorderedSink fails once it holds nothing and nothing is outstanding", () => {
  const sink = new UnorderedSink();
  sink.put(at(3), [7]);
  assert.equal(sink.failsAt(1, false), false, "failed before a result in");
  assert.deepEqual(sink.take(), [7]);
  assert.equal(
    sink.failsAt(1, true),
    false,
    "failed with chunks still running",
  );
  assert.equal(sink.failsAt(1, false), true);
});

Deno.test("UnorderedSink clear() drops what it holds", () => {
  const sink = new UnorderedSink();
  sink.put(at(0), [1]);
  sink.clear();
  assert.equal(sink.take(), undefined);
});
