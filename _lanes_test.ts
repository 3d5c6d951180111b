// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { assignLanes, type Interval } from "./_lanes.ts";

const span = (started: number, ended: number): Interval => ({
  started,
  ended,
});

/** Whether two spans of one lane overlap (touching ends do not). */
function overlapping(spans: Interval[], lanes: number[]): boolean {
  return spans.some((a, i) =>
    spans.some((b, j) =>
      i < j && lanes[i] === lanes[j] && a.started < b.ended &&
      b.started < a.ended
    )
  );
}

Deno.test("assignLanes() puts spans that do not overlap in one lane", () => {
  assert.deepEqual(assignLanes([]), { lanes: [], count: 0 });
  assert.deepEqual(
    assignLanes([span(0, 10), span(10, 20), span(25, 30)]),
    { lanes: [0, 0, 0], count: 1 },
  );
});

Deno.test("assignLanes() gives overlapping spans their own lanes, lowest free first", () => {
  // Given out of order: the lanes follow the starts, not the order given.
  const spans = [span(5, 15), span(0, 10), span(12, 20), span(0, 30)];
  const { lanes, count } = assignLanes(spans);
  // (0,10) → 0, (0,30) → 1, (5,15) → 2, (12,20) → 0 (free since 10).
  assert.deepEqual(lanes, [2, 0, 0, 1]);
  assert.equal(count, 3);
  assert.ok(!overlapping(spans, lanes));
});

Deno.test("assignLanes() uses as many lanes as the most spans at once", () => {
  // Four at once, then four more at once after a gap, then one.
  const spans = [
    ...[0, 1, 2, 3].map((i) => span(i, 100 + i)),
    ...[0, 1, 2, 3].map((i) => span(200 + i, 300)),
    span(300, 310),
  ];
  const { lanes, count } = assignLanes(spans);
  assert.equal(count, 4);
  assert.deepEqual(lanes, [0, 1, 2, 3, 0, 1, 2, 3, 0]);
  // A random case: never two overlapping in a lane, and no lane too many.
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const many = Array.from({ length: 200 }, () => {
    const started = random() * 1000;
    return span(started, started + random() * 100);
  });
  const result = assignLanes(many);
  assert.ok(!overlapping(many, result.lanes));
  const mostAtOnce = Math.max(
    ...many.map((a) =>
      many.filter((b) => b.started <= a.started && a.started < b.ended).length
    ),
  );
  assert.equal(result.count, mostAtOnce);
});
