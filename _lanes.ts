// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Lanes for spans that overlap in time, as the chunks of one worker do when
 * it runs several at once (the pool's `concurrency`): each span gets the
 * lowest lane free when it starts, so that no two spans of a lane overlap
 * and there are as few lanes as the most spans running at once.
 *
 * @module
 */

/** A span of time, as {@linkcode assignLanes} reads it. */
export interface Interval {
  started: number;
  ended: number;
}

/** What {@linkcode assignLanes} gives: a lane per span, and how many lanes. */
export interface Lanes {
  /** The lane of each span, from 0, in the order the spans were given. */
  lanes: number[];
  /** How many lanes there are: the most spans that overlap at one time. */
  count: number;
}

/**
 * Gives each span a lane, from 0, so that the spans of a lane do not
 * overlap: in order of start, each takes the lowest lane whose last span
 * has ended (a span that starts as another ends may follow it in its lane).
 * This uses as few lanes as the most spans that overlap at once, and spans
 * that never overlap all get lane 0.
 */
export function assignLanes(spans: readonly Interval[]): Lanes {
  const order = spans.map((_, i) => i).sort((a, b) =>
    spans[a]!.started - spans[b]!.started ||
    spans[a]!.ended - spans[b]!.ended || a - b
  );
  const lanes = new Array<number>(spans.length).fill(0);
  /** When the last span of each lane ends. */
  const ends: number[] = [];
  for (const i of order) {
    const span = spans[i]!;
    let lane = ends.findIndex((end) => end <= span.started);
    if (lane === -1) lane = ends.push(span.ended) - 1;
    else ends[lane] = span.ended;
    lanes[i] = lane;
  }
  return { lanes, count: ends.length };
}
