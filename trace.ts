// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Where the time goes: the pool's statistics, the trace of a pool created
 * with `{ trace: true }`, and two ways to look at a trace: an SVG timeline
 * (the lesson's serial-against-parallel picture) and Chrome trace JSON,
 * which opens in Perfetto (ui.perfetto.dev) or `chrome://tracing`.
 *
 * @module
 */
import { assignLanes } from "./_lanes.ts";

/**
 * One chunk's trip through the pool. Times are in ms since the pool was created.
 *
 * @example Usage
 * ```ts
 * import { Pool, type TraceSpan } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1, trace: true });
 * await pool.map((x: number) => x, [1]);
 * const [span]: TraceSpan[] = pool.trace().spans;
 * assert.ok(span!.started <= span!.ended);
 * ```
 */
export interface TraceSpan {
  /** The worker that ran it (the pool's number for it, from 1). */
  worker: number;
  /** The call it belongs to (a number unique in the process). */
  call: number;
  /** The task's name. */
  task: string;
  /** The input position of its first item. */
  start: number;
  /** How many items it had. */
  count: number;
  /** When it was read from the input. */
  enqueued: number;
  /** When it was sent to the worker. */
  sent: number;
  /** When the worker started it. */
  started: number;
  /** When the worker finished it (or, if it stopped, when that was seen). */
  ended: number;
  /** False if a task threw or the worker stopped under it. */
  ok: boolean;
}

/**
 * What a pool created with `{ trace: true }` recorded.
 *
 * @example Usage
 * ```ts
 * import { Pool, type PoolTrace } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2, trace: true });
 * await pool.map((x: number) => x, [1, 2], { chunkSize: 1 });
 * const trace: PoolTrace = pool.trace();
 * assert.equal(trace.size, 2);
 * assert.equal(trace.spans.length, 2);
 * ```
 */
export interface PoolTrace {
  /** The pool's size. */
  size: number;
  /** A span per chunk, in the order they ended. */
  spans: TraceSpan[];
}

/**
 * Per worker, in {@linkcode PoolStats}.
 *
 * @example Usage
 * ```ts
 * import { Pool, type WorkerStats } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1 });
 * await pool.map((x: number) => x, [1, 2]);
 * const [worker]: WorkerStats[] = pool.stats().workers;
 * assert.equal(worker!.items, 2);
 * ```
 */
export interface WorkerStats {
  /** The pool's number for the worker. */
  id: number;
  /** How long it has spent running tasks, in ms. */
  busyMs: number;
  /** How many items it has completed. */
  items: number;
}

/**
 * The numbers `Pool.stats()` returns.
 *
 * @example Usage
 * ```ts
 * import { Pool, type PoolStats } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1 });
 * await pool.map((x: number) => x, [1, 2, 3]);
 * const stats: PoolStats = pool.stats();
 * assert.equal(stats.completed, 3);
 * assert.equal(stats.workersAlive, 1);
 * ```
 */
export interface PoolStats {
  /** Items completed without error. */
  completed: number;
  /** Items whose task threw, or whose worker stopped under them. */
  failed: number;
  /** Items waiting to be sent to a worker (of inputs of known length). */
  queued: number;
  /** Items sent to a worker and not yet answered. */
  running: number;
  /** Workers running now. */
  workersAlive: number;
  /** Each worker running now. */
  workers: WorkerStats[];
  /** How long the pool has existed (until it closed), in ms. */
  lifetimeMs: number;
  /**
   * The share of the workers' lives spent running tasks, over the pool's
   * life (replaced workers included), from 0 to 1.
   */
  utilization: number;
}

/**
 * A bar of the serial run that {@linkcode timelineSvg} draws beside the pool's.
 *
 * @example Usage
 * ```ts
 * import { Pool, type SerialSpan, timelineSvg } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1, trace: true });
 * await pool.map((x: number) => x, [1]);
 * const serial: SerialSpan[] = [{ label: "x(1)", start: 0, end: 5 }];
 * assert.match(timelineSvg(pool.trace(), { serial }), /rect class="serial"/);
 * ```
 */
export interface SerialSpan {
  /** What ran, such as `sleep(2)`. */
  label: string;
  /** When it started, in ms from the start of the serial run. */
  start: number;
  /** When it ended, in ms from the start of the serial run. */
  end: number;
}

/**
 * Options for {@linkcode timelineSvg}.
 *
 * @example Usage
 * ```ts
 * import { Pool, type TimelineOptions, timelineSvg } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1, trace: true });
 * await pool.map((x: number) => x, [1]);
 * const options: TimelineOptions = { title: "One item", width: 400 };
 * assert.match(timelineSvg(pool.trace(), options), /width="400"/);
 * ```
 */
export interface TimelineOptions {
  /** The chart's title. @default {"Pool timeline"} */
  title?: string;
  /** A serial run of the same work, drawn above the pool's rows. */
  serial?: SerialSpan[];
  /** The chart's width in pixels. @default {900} */
  width?: number;
}

const COLORS = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#e15759",
  "#76b7b2",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
];

function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

function itemsLabel(span: TraceSpan): string {
  return span.count === 1
    ? `${span.task}[${span.start}]`
    : `${span.task}[${span.start}..${span.start + span.count - 1}]`;
}

/** A tick step of 1, 2 or 5 times a power of ten that gives about 8 ticks. */
function tickStep(totalMs: number): number {
  const rough = totalMs / 8;
  const power = 10 ** Math.floor(Math.log10(Math.max(rough, 1e-3)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ??
    10 * power;
}

/** The height of a lane in a worker's row, for `lanes` lanes. */
function lanePitch(lanes: number): number {
  return lanes <= 8 ? 14 : Math.max(3, Math.floor(112 / lanes));
}

/**
 * Draws a trace as an SVG Gantt chart: a row per worker, a bar per chunk
 * (labelled with the task and its items), and, if given, the serial run of
 * the same work in a row above, on the same time scale. A worker that ran
 * several chunks at once (the pool's `concurrency`) gets a taller row with
 * a lane per chunk at once, so that no two bars of a row overlap.
 *
 * @param trace What `pool.trace()` returned.
 * @param options A title, a serial run to compare with, the width.
 * @returns The SVG document.
 *
 * @example Usage
 * ```ts
 * import { Pool, timelineSvg } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2, trace: true });
 * await pool.map((x: number) => x * 2, [1, 2, 3, 4], { chunkSize: 1 });
 * const svg = timelineSvg(pool.trace(), { title: "Doubling" });
 * assert.ok(svg.startsWith("<svg"));
 * assert.equal(svg.match(/<rect class="span"/g)?.length, 4);
 * ```
 */
export function timelineSvg(
  trace: PoolTrace,
  options: TimelineOptions = {},
): string {
  const width = options.width ?? 900;
  const serial = options.serial ?? [];
  const workers = [...new Set(trace.spans.map((s) => s.worker))].sort((a, b) =>
    a - b
  );
  const origin = Math.min(...trace.spans.map((s) => s.started), Infinity);
  const poolEnd = Math.max(...trace.spans.map((s) => s.ended - origin), 0);
  const serialEnd = Math.max(...serial.map((s) => s.end), 0);
  const total = Math.max(poolEnd, serialEnd, 1e-3);
  const left = 110;
  const right = 20;
  const rowHeight = 28;
  const top = 50;
  const plot = width - left - right;
  const x = (ms: number) => left + (ms / total) * plot;
  const rows: Array<{ label: string; bars: string[]; height: number }> = [];
  if (serial.length > 0) {
    rows.push({
      label: `serial (${(serialEnd / 1000).toFixed(2)} s)`,
      height: rowHeight,
      bars: serial.map((s) =>
        `<rect class="serial" x="${
          x(s.start).toFixed(1)
        }" y="4" height="20" rx="3" width="${
          Math.max(1, x(s.end) - x(s.start)).toFixed(1)
        }" fill="#9c9c9c"/><text class="label" y="18" x="${
          (x(s.start) + 4).toFixed(1)
        }">${escapeXml(s.label)}</text>`
      ),
    });
  }
  for (const worker of workers) {
    const spans = trace.spans.filter((s) => s.worker === worker);
    const { lanes, count } = assignLanes(spans);
    // One lane draws as it always has; several share a taller row.
    const pitch = count > 1 ? lanePitch(count) : 0;
    rows.push({
      label: `worker ${worker}`,
      height: count > 1 ? 8 + count * pitch : rowHeight,
      bars: spans.map((s, i) => {
        const x0 = x(s.started - origin);
        const w = Math.max(1, x(s.ended - origin) - x0);
        const fill = s.ok ? COLORS[s.call % COLORS.length] : "#d62728";
        const lane = lanes[i]!;
        const y = count > 1 ? 4 + lane * pitch : 4;
        const height = count > 1 ? Math.max(2, pitch - 2) : 20;
        const labelled = w > 40 && height >= 12;
        return `<rect class="span" x="${
          x0.toFixed(1)
        }" y="${y}" height="${height}" rx="${
          count > 1 ? Math.min(3, height / 2) : 3
        }"${count > 1 ? ` data-lane="${lane}"` : ""} width="${
          w.toFixed(1)
        }" fill="${fill}"><title>${escapeXml(itemsLabel(s))}: ${
          (s.ended - s.started).toFixed(1)
        } ms${s.ok ? "" : " (failed)"}</title></rect>${
          labelled
            ? `<text class="label" y="${
              y + height - 2 - (count > 1 ? 0 : 4)
            }" x="${(x0 + 4).toFixed(1)}">${escapeXml(itemsLabel(s))}</text>`
            : ""
        }`;
      }),
    });
  }
  const height = top + rows.reduce((sum, row) => sum + row.height, 0) + 40;
  const step = tickStep(total);
  const ticks: string[] = [];
  for (let t = 0; t <= total + 1e-9; t += step) {
    const label = total >= 2000
      ? `${(t / 1000).toFixed(1)} s`
      : `${+t.toFixed(3)} ms`;
    ticks.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${
        top - 6
      }" y2="${height - 34}" stroke="#ddd"/><text x="${x(t).toFixed(1)}" y="${
        height - 20
      }" text-anchor="middle" class="tick">${label}</text>`,
    );
  }
  let rowTop = top;
  const body = rows.map((row) => {
    const y = rowTop;
    rowTop += row.height;
    return `<g transform="translate(0 ${y})"><text x="${left - 8}" y="${
      row.height / 2 + 4
    }" text-anchor="end" class="row">${
      escapeXml(row.label)
    }</text><g class="bars">${row.bars.join("")}</g></g>`;
  }).join("\n");
  const title = options.title ?? "Pool timeline";
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<style>
.row { font-size: 12px; fill: #333; }
.tick { font-size: 10px; fill: #666; }
.label { font-size: 10px; fill: #fff; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="${left}" y="24" font-size="15" fill="#222">${
    escapeXml(title)
  } (pool of ${trace.size}: ${(poolEnd / 1000).toFixed(2)} s)</text>
${ticks.join("\n")}
${body}
</svg>
`;
}

/**
 * A Chrome trace event, as Perfetto and `chrome://tracing` read them.
 *
 * @example Usage
 * ```ts
 * import { Pool, type TraceEvent, traceEvents } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1, trace: true });
 * await pool.map((x: number) => x, [1]);
 * const events: TraceEvent[] = traceEvents(pool.trace()).traceEvents;
 * assert.ok(events.some((event) => event.ph === "X"));
 * ```
 */
export interface TraceEvent {
  /** The event's name: the task and its items, `thread_name` or `thread_sort_index`. */
  name: string;
  /** `X` for a complete event (a chunk), `M` for metadata (a worker's name). */
  ph: "X" | "M";
  /** The process: always 1. */
  pid: number;
  /**
   * The thread: the worker's number. A worker that ran chunks at once
   * (`concurrency`) has a thread per lane, so that no two chunks of a thread
   * overlap; `args.worker` is then the worker's number.
   */
  tid: number;
  /** When the chunk started, in µs since the pool was created. */
  ts?: number;
  /** How long it ran, in µs. */
  dur?: number;
  /** The category: the task's name. */
  cat?: string;
  /** Details: the call, the items, whether it succeeded, time queued and in delivery. */
  args?: Record<string, unknown>;
}

/**
 * Exports a trace as Chrome trace JSON: a complete event per chunk on the
 * thread of its worker (a thread per lane where a worker ran chunks at once,
 * as the timeline draws them). Save `JSON.stringify(traceEvents(trace))` to a file
 * and open it in Perfetto.
 *
 * @param trace What `pool.trace()` returned.
 * @returns The trace file's content, as an object.
 *
 * @example Usage
 * ```ts
 * import { Pool, traceEvents } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1, trace: true });
 * await pool.map((x: number) => x, [1, 2], { chunkSize: 1 });
 * const { traceEvents: events } = traceEvents(pool.trace());
 * assert.equal(events.filter((e) => e.ph === "X").length, 2);
 * ```
 */
export function traceEvents(
  trace: PoolTrace,
): { traceEvents: TraceEvent[]; displayTimeUnit: "ms" } {
  const workers = [...new Set(trace.spans.map((s) => s.worker))];
  // A worker that ran several chunks at once (`concurrency`) gets a thread
  // per lane, since a viewer draws the events of one thread as a stack and
  // overlapping ones that do not nest would be drawn wrong. Lane 0 keeps the
  // worker's own number; the others take numbers past every worker's.
  let nextTid = Math.max(0, ...workers) + 1;
  const events: TraceEvent[] = [];
  const complete: TraceEvent[] = [];
  let sortIndex = 0;
  for (const worker of workers) {
    const spans = trace.spans.filter((s) => s.worker === worker);
    const { lanes, count } = assignLanes(spans);
    const tids = Array.from(
      { length: count },
      (_, lane) => lane === 0 ? worker : nextTid++,
    );
    tids.forEach((tid, lane) => {
      const name = count > 1
        ? `worker ${worker}, lane ${lane + 1} of ${count}`
        : `worker ${worker}`;
      events.push(
        { name: "thread_name", ph: "M", pid: 1, tid, args: { name } },
        {
          name: "thread_sort_index",
          ph: "M",
          pid: 1,
          tid,
          args: { sort_index: sortIndex++ },
        },
      );
    });
    spans.forEach((span, i) => {
      complete.push({
        name: itemsLabel(span),
        cat: span.task,
        ph: "X",
        pid: 1,
        tid: tids[lanes[i]!]!,
        ts: Math.round(span.started * 1000),
        dur: Math.max(0, Math.round((span.ended - span.started) * 1000)),
        args: {
          worker,
          call: span.call,
          start: span.start,
          count: span.count,
          ok: span.ok,
          queuedMs: span.sent - span.enqueued,
          deliveryMs: span.started - span.sent,
        },
      });
    });
  }
  complete.sort((a, b) => a.ts! - b.ts!);
  events.push(...complete);
  return { traceEvents: events, displayTimeUnit: "ms" };
}
