// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The pool in a Jupyter notebook (Deno's kernel, `deno jupyter`): a `Pool`
 * shows as a small table of its state and numbers, a long call draws a
 * progress bar that updates in place (as tqdm's notebook bar does), a
 * trace's timeline shows as a picture, and the workers' `console` output
 * reaches the cell, which Deno's kernel does not do by itself (it shows only
 * the main thread's).
 *
 * Nothing here touches `Deno.jupyter` outside the kernel, or costs anything
 * there: {@linkcode notebookProgress} gives a callback that does nothing,
 * {@linkcode notebookConsole} no options, and the rest are plain values. In a
 * runtime that is not Deno they behave the same.
 *
 * @example A progress bar for a pool call
 * ```ts
 * import { notebookProgress, Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * // In a notebook, one bar that fills as the items complete; here, nothing.
 * const onProgress = notebookProgress({ label: "squares" });
 * const squares = await pool.map((x: number) => x * x, [1, 2, 3], { onProgress });
 * assert.deepEqual(squares, [1, 4, 9]);
 * ```
 *
 * @module
 */
import type { PoolOptions, PoolState } from "./pool.ts";
import { runtime } from "./_runtime.ts";
import {
  type PoolStats,
  type PoolTrace,
  type TimelineOptions,
  timelineSvg,
} from "./trace.ts";

/**
 * What a notebook shows for a value, by MIME type: Jupyter's "mimebundle".
 * The notebook picks the richest type it can show; `text/plain` is the
 * fallback every frontend understands.
 *
 * @example Usage
 * ```ts
 * import type { MimeBundle } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const bundle: MimeBundle = { "text/plain": "hello", "text/html": "<b>hello</b>" };
 * assert.equal(bundle["text/plain"], "hello");
 * ```
 */
export interface MimeBundle {
  /** The text form, for consoles and frontends that show nothing richer. */
  "text/plain": string;
  /** An HTML fragment. */
  "text/html"?: string;
  /** An SVG document, shown as a picture. */
  "image/svg+xml"?: string;
}

/**
 * What {@linkcode poolBundle} shows of a pool: what `Pool`'s notebook display
 * takes from it.
 *
 * @example Usage
 * ```ts
 * import { Pool, type PoolSnapshot } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * const snapshot: PoolSnapshot = { state: pool.state, size: pool.size, stats: pool.stats() };
 * assert.equal(snapshot.stats.workersAlive, 0);
 * ```
 */
export interface PoolSnapshot {
  /** `"running"`, `"closing"` or `"closed"`. */
  state: PoolState;
  /** The most workers the pool runs at once. */
  size: number;
  /** The pool's numbers so far, as `pool.stats()` gives them. */
  stats: PoolStats;
  /** The URL of the pool's module, if it has one. @default {null} */
  module?: string | null;
}

/**
 * A {@linkcode MimeBundle} that always has both the text and the HTML form:
 * what {@linkcode poolBundle} and {@linkcode progressBundle} return.
 *
 * @example Usage
 * ```ts
 * import type { HtmlBundle } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const bundle: HtmlBundle = { "text/plain": "3", "text/html": "<b>3</b>" };
 * assert.equal(bundle["text/html"], "<b>3</b>");
 * ```
 */
export interface HtmlBundle extends MimeBundle {
  /** The HTML fragment. */
  "text/html": string;
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** The file name at the end of a module's URL: `sleep.ts`, not the machine's path. */
function moduleName(module: string): string {
  const path = URL.canParse(module) ? new URL(module).pathname : module;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1)) || module;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Renders a pool for a notebook: `text/plain` like Python's
 * `<multiprocessing.pool.Pool state=RUN pool_size=7>`, and a small HTML
 * table of its state, size, live workers and work so far. A `Pool` that is
 * a cell's value shows this; so does `Deno.jupyter.display(pool)`.
 *
 * @param pool What to show of the pool.
 * @returns The text and HTML forms.
 *
 * @example Usage
 * ```ts
 * import { Pool, poolBundle } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * await pool.map((x: number) => x, [1, 2, 3]);
 * const bundle = poolBundle({ state: pool.state, size: pool.size, stats: pool.stats() });
 * assert.match(bundle["text/plain"], /^<Pool state=running size=2 workers=\d>$/);
 * assert.match(bundle["text/html"], /<th>completed<\/th><td>3<\/td>/);
 * ```
 */
export function poolBundle(pool: PoolSnapshot): HtmlBundle {
  const { stats } = pool;
  const module = pool.module ? moduleName(pool.module) : null;
  const text = `<Pool${
    module === null ? "" : ` module=${module}`
  } state=${pool.state} size=${pool.size} workers=${stats.workersAlive}>`;
  const busy = stats.workers.length === 0
    ? "none alive"
    : stats.workers.map((worker) =>
      `#${worker.id}: ${seconds(worker.busyMs)}, ${worker.items} ${
        worker.items === 1 ? "item" : "items"
      }`
    ).join("<br>");
  const rows: Array<[string, string]> = [
    ["state", escapeHtml(pool.state)],
    ["size", String(pool.size)],
    ["workers alive", String(stats.workersAlive)],
    ["completed", String(stats.completed)],
    ["failed", String(stats.failed)],
    ["queued", String(stats.queued)],
    ["running", String(stats.running)],
    ["busy per worker", busy],
    ["utilization", `${(stats.utilization * 100).toFixed(0)}%`],
    ["lifetime", seconds(stats.lifetimeMs)],
  ];
  const caption = module === null
    ? "<b>Pool</b>"
    : `<b>Pool</b> of <code>${escapeHtml(module)}</code>`;
  const html = `<table class="paralelo-pool">\n<caption>${caption}</caption>\n${
    rows.map(([name, value]) => `<tr><th>${name}</th><td>${value}</td></tr>`)
      .join("\n")
  }\n</table>`;
  return { "text/plain": text, "text/html": html };
}

/**
 * Where a progress bar stands, for {@linkcode progressBundle}.
 *
 * @example Usage
 * ```ts
 * import { type ProgressState, progressBundle } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const state: ProgressState = { done: 5, total: 10, elapsedMs: 2_000 };
 * assert.match(progressBundle(state)["text/plain"], /^ 50%/);
 * ```
 */
export interface ProgressState {
  /** How many items are done. */
  done: number;
  /** How many there are, if known. */
  total: number | undefined;
  /** How long since the bar started, in milliseconds. */
  elapsedMs: number;
}

/**
 * Options for {@linkcode notebookProgress} and {@linkcode progressBundle}.
 *
 * @example Usage
 * ```ts
 * import { notebookProgress, type ProgressOptions } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const options: ProgressOptions = { label: "pages", unit: "page", intervalMs: 200 };
 * assert.equal(typeof notebookProgress(options), "function");
 * ```
 */
export interface ProgressOptions {
  /** Shown before the bar, as tqdm's `desc`. @default {""} */
  label?: string;
  /** What an item is called in the rate, as tqdm's `unit`. @default {"it"} */
  unit?: string;
  /**
   * The number of items, if known before the first one is done: the empty
   * bar then shows at once. Otherwise `total` comes with each call, as
   * `onProgress` passes it. @default {undefined}
   */
  total?: number;
  /**
   * The fewest milliseconds between two updates of the bar, as tqdm's
   * `mininterval`: a call of thousands of quick items does not send
   * thousands of messages. The last item always shows. @default {100}
   */
  intervalMs?: number;
}

/** tqdm's `00:05`, or `1:02:03` past an hour. */
function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const mmss = `${String(minutes).padStart(2, "0")}:${
    String(secs).padStart(2, "0")
  }`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

const BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/** A text bar of `width` cells, with eighths of a cell, as tqdm draws. */
function textBar(fraction: number, width: number): string {
  const eighths = Math.round(Math.min(1, Math.max(0, fraction)) * width * 8);
  const full = Math.floor(eighths / 8);
  const part = BLOCKS[eighths % 8]!;
  return ("█".repeat(full) + part).padEnd(width, " ");
}

/**
 * Renders a progress bar as tqdm does: `label: 40%|████  | 4/10 [00:02<00:03,
 * 2.00 it/s]` as text, and as HTML a `<progress>` element with the same
 * figures beside it. With no `total` it shows the count and the rate only.
 * {@linkcode notebookProgress} sends this to the notebook.
 *
 * @param state How many items are done, of how many, and since when.
 * @param options The label and the unit.
 * @returns The text and HTML forms.
 *
 * @example Usage
 * ```ts
 * import { progressBundle } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * const bundle = progressBundle({ done: 4, total: 10, elapsedMs: 2_000 }, { label: "pages" });
 * assert.equal(
 *   bundle["text/plain"],
 *   "pages:  40%|████████            | 4/10 [00:02<00:03, 2.00 it/s]",
 * );
 * assert.match(bundle["text/html"], /<progress value="4" max="10">/);
 * ```
 */
export function progressBundle(
  state: ProgressState,
  options: Omit<ProgressOptions, "total" | "intervalMs"> = {},
): HtmlBundle {
  const { done, total, elapsedMs } = state;
  const unit = options.unit ?? "it";
  const label = options.label ? `${options.label}: ` : "";
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const rateText = rate > 0 ? `${rate.toFixed(2)} ${unit}/s` : `? ${unit}/s`;
  let text: string;
  let figures: string;
  let bar: string;
  if (total !== undefined && total > 0) {
    const fraction = Math.min(1, done / total);
    const percent = `${Math.floor(fraction * 100)}`.padStart(3, " ");
    const remaining = rate > 0 ? clock(((total - done) * 1000) / rate) : "?";
    figures = `${done}/${total} [${
      clock(elapsedMs)
    }<${remaining}, ${rateText}]`;
    text = `${label}${percent}%|${textBar(fraction, 20)}| ${figures}`;
    bar = `<progress value="${done}" max="${total}"></progress> ${percent}%`;
  } else {
    figures = `${done} ${unit} [${clock(elapsedMs)}, ${rateText}]`;
    text = `${label}${figures}`;
    bar = "<progress></progress>";
  }
  const html = `<div class="paralelo-progress">${
    options.label ? `${escapeHtml(options.label)} ` : ""
  }${bar} <code>${escapeHtml(figures)}</code></div>`;
  return { "text/plain": text, "text/html": html };
}

/** The part of `Deno.jupyter` used here. */
interface JupyterApi {
  display(
    bundle: MimeBundle,
    options: { raw: true; display_id?: string; update?: boolean },
  ): Promise<void>;
}

let kernel: JupyterApi | null | undefined;

/**
 * `Deno.jupyter` inside Deno's kernel, else null. Outside it the property
 * throws ("only available in `deno jupyter`"), and in another runtime there
 * is no `Deno` at all; the answer cannot change, so it is kept.
 */
function jupyterKernel(): JupyterApi | null {
  if (kernel !== undefined) return kernel;
  try {
    const deno = runtime().deno as { jupyter?: JupyterApi } | undefined;
    kernel = deno?.jupyter ?? null;
  } catch {
    kernel = null;
  }
  return kernel;
}

/** What a progress callback is: `CallOptions.onProgress`. */
export type ProgressCallback = (
  done: number,
  total: number | undefined,
) => void;

function ignoreProgress(): void {}

/**
 * A progress bar for a notebook cell, as tqdm's: pass it as a call's
 * `onProgress`, or call it yourself in a loop with `(done, total)`. The bar
 * is one display that is updated in place (a `display_data` message, then
 * `update_display_data` for the same `display_id`), not a new line per
 * item, at most every `intervalMs` and always for the last item.
 *
 * Outside Deno's Jupyter kernel it returns a callback that does nothing.
 *
 * @param options The label, the unit, the total if known, how often to update.
 * @returns A callback for `onProgress`.
 *
 * @example Usage
 * ```ts
 * import { notebookProgress, Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * const onProgress = notebookProgress({ label: "doubling", unit: "item" });
 * assert.deepEqual(await pool.map((x: number) => 2 * x, [1, 2], { onProgress }), [2, 4]);
 * ```
 */
export function notebookProgress(
  options: ProgressOptions = {},
): ProgressCallback {
  const api = jupyterKernel();
  if (api === null) return ignoreProgress;
  const started = performance.now();
  const intervalMs = options.intervalMs ?? 100;
  const id = `paralelo-progress-${crypto.randomUUID()}`;
  let shown = false;
  let lastShown = -Infinity;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const show = (done: number, total: number | undefined) => {
    clearTimeout(trailing);
    trailing = undefined;
    lastShown = performance.now();
    const bundle = progressBundle(
      { done, total, elapsedMs: lastShown - started },
      options,
    );
    // A notebook that cannot show the bar must not fail the call.
    api.display(bundle, { raw: true, display_id: id, update: shown })
      .catch(() => {});
    shown = true;
  };
  if (options.total !== undefined) show(0, options.total);
  let latest: [number, number | undefined] = [0, options.total];
  return (done, total = options.total) => {
    latest = [done, total];
    const last = total !== undefined && done >= total;
    const since = performance.now() - lastShown;
    if (last || !shown || since >= intervalMs) {
      show(done, total);
    } else if (trailing === undefined) {
      // A count held back still shows, once the interval is over.
      trailing = setTimeout(() => show(...latest), intervalMs - since);
    }
  };
}

/**
 * Runs in each worker (the pool's `initializer`): sends what the worker's
 * `console` prints to the main thread, whose output the kernel shows, and
 * waits (up to a second) until the main thread has printed it. So a task's
 * lines come before its result, and a cell shows each line before the cell
 * ends; a main thread that does not answer in time is no longer waited for.
 * Self-contained, as an inline task must be.
 */
function relayConsole(channelName: string): void {
  const channel = new BroadcastChannel(channelName);
  const printed = new Int32Array(new SharedArrayBuffer(4));
  let patient = true;
  const levels = ["log", "info", "debug", "warn", "error"] as const;
  for (const level of levels) {
    console[level] = (...args: unknown[]) => {
      // Only ever in Deno's kernel, but a worker's code guards what it reads.
      const inspect = (globalThis as {
        Deno?: { inspect?: (value: unknown) => string };
      }).Deno?.inspect;
      const text = args.map((arg) =>
        typeof arg === "string"
          ? arg
          : typeof inspect === "function"
          ? inspect(arg)
          : String(arg)
      ).join(" ");
      Atomics.store(printed, 0, 0);
      channel.postMessage({ level, text, printed: printed.buffer });
      if (patient) {
        patient = Atomics.wait(printed, 0, 0, 1_000) !== "timed-out";
      }
    };
  }
}

let consoleChannel: string | undefined;

/** Opens, once, the main thread's end of the workers' console channel. */
function listenToWorkers(): string {
  if (consoleChannel !== undefined) return consoleChannel;
  const name = `paralelo-console-${crypto.randomUUID()}`;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event: MessageEvent) => {
    const { level, text, printed } = event.data as {
      level: "log" | "info" | "debug" | "warn" | "error";
      text: string;
      printed: SharedArrayBuffer;
    };
    console[level](text);
    const flag = new Int32Array(printed);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  };
  consoleChannel = name;
  return name;
}

/**
 * Pool options that show the workers' `console` output in the notebook
 * cell, in the order it is printed: Deno's kernel shows only what the main
 * thread prints, so a task's `console.log` would otherwise be lost. Spread
 * them into the pool's options. Each line waits until the main thread has
 * printed it (about a millisecond, at most a second), so that a task's
 * lines always come before its result. They set the pool's `initializer`,
 * so a pool that needs its own initializer cannot use them.
 *
 * Outside Deno's Jupyter kernel they are `{}`: the workers print as usual.
 *
 * @returns `initializer` and `initArgs` in a notebook, else nothing.
 *
 * @example Usage
 * ```ts
 * import { notebookConsole, Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(notebookConsole(), {}); // not in a notebook
 * await using pool = new Pool({ size: 2, ...notebookConsole() });
 * assert.deepEqual(await pool.map((x: number) => x + 1, [1]), [2]);
 * ```
 */
export function notebookConsole(): Pick<
  PoolOptions,
  "initializer" | "initArgs"
> {
  if (jupyterKernel() === null) return {};
  return { initializer: relayConsole, initArgs: [listenToWorkers()] };
}

/**
 * A timeline as a notebook shows it: {@linkcode timelinePicture}'s value.
 *
 * @example Usage
 * ```ts
 * import { Pool, type TimelinePicture, timelinePicture } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 1, trace: true });
 * await pool.map((x: number) => x, [1]);
 * const picture: TimelinePicture = timelinePicture(pool.trace());
 * assert.ok(picture.svg.startsWith("<svg"));
 * ```
 */
export interface TimelinePicture {
  /** The SVG document, as `timelineSvg` draws it. */
  readonly svg: string;
}

/**
 * Draws a trace with `timelineSvg` as a value that a notebook shows as a
 * picture (`image/svg+xml`) when it is a cell's value or passed to
 * `Deno.jupyter.display`. Elsewhere, take its `svg`.
 *
 * @param trace What `pool.trace()` returned.
 * @param options As for `timelineSvg`: a title, a serial run to compare with, the width.
 * @returns The picture.
 *
 * @example Usage
 * ```ts
 * import { Pool, timelinePicture } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2, trace: true });
 * await pool.map((x: number) => x, [1, 2], { chunkSize: 1 });
 * const picture = timelinePicture(pool.trace(), { title: "Two items" });
 * const show = Symbol.for("Jupyter.display");
 * const bundle = (picture as unknown as Record<symbol, () => Record<string, string>>)[show]!();
 * assert.equal(bundle["image/svg+xml"], picture.svg);
 * ```
 */
export function timelinePicture(
  trace: PoolTrace,
  options: TimelineOptions = {},
): TimelinePicture {
  const svg = timelineSvg(trace, options);
  const workers = new Set(trace.spans.map((span) => span.worker)).size;
  const text = `${options.title ?? "Pool timeline"}: ${trace.spans.length} ${
    trace.spans.length === 1 ? "chunk" : "chunks"
  } on ${workers} ${workers === 1 ? "worker" : "workers"} (an SVG picture)`;
  return {
    svg,
    [Symbol.for("Jupyter.display")](): MimeBundle {
      return { "text/plain": text, "image/svg+xml": svg };
    },
  } as TimelinePicture;
}
