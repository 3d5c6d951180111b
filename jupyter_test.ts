// Copyright 2026 the @paralelo/pool authors. MIT license.
// The pure parts of jupyter.ts, without a kernel: what a notebook would be
// sent. tests/notebook_test.ts runs them in Deno's real Jupyter kernel.
import assert from "node:assert/strict";
import {
  type HtmlBundle,
  notebookConsole,
  notebookProgress,
  poolBundle,
  type PoolSnapshot,
  progressBundle,
  timelinePicture,
} from "./jupyter.ts";
import { Pool } from "./pool.ts";
import type { PoolStats } from "./trace.ts";
import { deadline } from "./tests/_helpers.ts";

const DISPLAY = Symbol.for("Jupyter.display");

/** What Deno's kernel calls on a value to show it. */
function display(value: object): unknown {
  const method = (value as Record<symbol, unknown>)[DISPLAY];
  assert.equal(typeof method, "function", "the value has no display method");
  return (method as () => unknown).call(value);
}

function stats(overrides: Partial<PoolStats> = {}): PoolStats {
  return {
    completed: 0,
    failed: 0,
    queued: 0,
    running: 0,
    workersAlive: 0,
    workers: [],
    lifetimeMs: 0,
    utilization: 0,
    ...overrides,
  };
}

Deno.test("poolBundle() gives Python's repr as text and a table of the numbers as HTML", () => {
  const snapshot: PoolSnapshot = {
    state: "running",
    size: 4,
    module: "file:///home/ana/lesson/workers/sleep.ts",
    stats: stats({
      completed: 4,
      queued: 2,
      running: 1,
      workersAlive: 2,
      workers: [
        { id: 1, busyMs: 1_000, items: 1 },
        { id: 2, busyMs: 2_500, items: 3 },
      ],
      lifetimeMs: 4_210,
      utilization: 0.384,
    }),
  };
  const bundle = poolBundle(snapshot);
  assert.equal(
    bundle["text/plain"],
    "<Pool module=sleep.ts state=running size=4 workers=2>",
  );
  const html = bundle["text/html"];
  assert.match(html, /^<table class="paralelo-pool">/);
  assert.match(html, /<caption><b>Pool<\/b> of <code>sleep\.ts<\/code>/);
  for (
    const [name, value] of [
      ["state", "running"],
      ["size", "4"],
      ["workers alive", "2"],
      ["completed", "4"],
      ["failed", "0"],
      ["queued", "2"],
      ["running", "1"],
      ["busy per worker", "#1: 1.00 s, 1 item<br>#2: 2.50 s, 3 items"],
      ["utilization", "38%"],
      ["lifetime", "4.21 s"],
    ]
  ) {
    assert.ok(
      html.includes(`<tr><th>${name}</th><td>${value}</td></tr>`),
      `no row ${name} = ${value} in ${html}`,
    );
  }
  // The machine's path stays out of what a committed notebook keeps.
  assert.doesNotMatch(html + bundle["text/plain"], /home\/ana/);
});

Deno.test("poolBundle() shows a pool of inline tasks with no module, and escapes names", () => {
  const plain = poolBundle({ state: "closed", size: 1, stats: stats() });
  assert.equal(plain["text/plain"], "<Pool state=closed size=1 workers=0>");
  assert.match(plain["text/html"], /<caption><b>Pool<\/b><\/caption>/);
  assert.match(plain["text/html"], /<td>none alive<\/td>/);

  const odd = poolBundle({
    state: "running",
    size: 1,
    stats: stats(),
    module: "file:///tmp/%3Cb%3E&co.ts",
  });
  assert.match(odd["text/html"], /<code>&lt;b&gt;&amp;co\.ts<\/code>/);
});

Deno.test("progressBundle() draws tqdm's bar: percent, bar, count, elapsed<remaining, rate", () => {
  const cases: Array<[number, number, number, string]> = [
    [0, 50, 0, "  0%|                    | 0/50 [00:00<?, ? page/s]"],
    [
      20,
      50,
      4_000,
      " 40%|████████            | 20/50 [00:04<00:06, 5.00 page/s]",
    ],
    [
      1,
      3,
      1_000,
      " 33%|██████▋             | 1/3 [00:01<00:02, 1.00 page/s]",
    ],
    [
      50,
      50,
      10_000,
      "100%|████████████████████| 50/50 [00:10<00:00, 5.00 page/s]",
    ],
  ];
  for (const [done, total, elapsedMs, text] of cases) {
    const bundle = progressBundle({ done, total, elapsedMs }, {
      label: "pool",
      unit: "page",
    });
    assert.equal(bundle["text/plain"], `pool: ${text}`);
    assert.ok(
      bundle["text/html"].includes(
        `<progress value="${done}" max="${total}"></progress>`,
      ),
      bundle["text/html"],
    );
    assert.ok(
      bundle["text/html"].startsWith('<div class="paralelo-progress">pool '),
    );
  }
});

Deno.test("progressBundle() with no total shows the count and the rate, and hours past an hour", () => {
  const open = progressBundle({ done: 7, total: undefined, elapsedMs: 2_000 });
  assert.equal(open["text/plain"], "7 it [00:02, 3.50 it/s]");
  assert.match(open["text/html"], /<progress><\/progress> <code>7 it/);

  const long = progressBundle({ done: 1, total: 2, elapsedMs: 3_723_000 });
  assert.match(long["text/plain"], /\[1:02:03<1:02:03, 0\.00 it\/s\]$/);

  const escaped = progressBundle({ done: 0, total: 1, elapsedMs: 0 }, {
    label: "<b>",
  });
  assert.match(
    escaped["text/html"],
    /^<div class="paralelo-progress">&lt;b&gt; /,
  );
});

Deno.test("notebookProgress() and notebookConsole() do nothing outside a notebook", () => {
  const onProgress = notebookProgress({ label: "x", total: 3 });
  // No display, no timer: the sanitizers would see a timer left behind.
  for (let done = 0; done <= 3; done++) onProgress(done, 3);
  onProgress(4, undefined);
  assert.equal(onProgress, notebookProgress());
  assert.deepEqual(notebookConsole(), {});
});

Deno.test("Pool's Jupyter display is poolBundle() of its state, size and numbers", async () => {
  const pool = new Pool({ size: 2 });
  try {
    const before = await deadline(
      display(pool) as Promise<HtmlBundle>,
      "the pool's display",
    );
    assert.equal(before["text/plain"], "<Pool state=running size=2 workers=0>");
    assert.match(before["text/html"], /<tr><th>completed<\/th><td>0<\/td>/);

    await deadline(
      pool.map((x: number) => x, [1, 2, 3], { chunkSize: 1 }),
      "a map",
    );
    const after = await deadline(
      display(pool) as Promise<HtmlBundle>,
      "the pool's display",
    );
    assert.match(
      after["text/plain"],
      /^<Pool state=running size=2 workers=[12]>$/,
    );
    assert.match(after["text/html"], /<tr><th>completed<\/th><td>3<\/td>/);
  } finally {
    pool.close();
    await deadline(pool.join(), "closing the pool");
  }
  const closed = await deadline(
    display(pool) as Promise<HtmlBundle>,
    "the closed pool's display",
  );
  assert.equal(closed["text/plain"], "<Pool state=closed size=2 workers=0>");
});

Deno.test("timelinePicture() shows timelineSvg() as an image/svg+xml picture", () => {
  const trace = {
    size: 2,
    spans: [1, 2].map((worker) => ({
      worker,
      call: 1,
      task: "sleep",
      start: worker - 1,
      count: 1,
      enqueued: 0,
      sent: 0,
      started: 1,
      ended: 1_001,
      ok: true,
    })),
  };
  const picture = timelinePicture(trace, { title: "Two sleeps" });
  assert.ok(picture.svg.startsWith("<svg"));
  assert.match(picture.svg, /Two sleeps \(pool of 2: 1\.00 s\)/);
  assert.deepEqual(display(picture), {
    "text/plain": "Two sleeps: 2 chunks on 2 workers (an SVG picture)",
    "image/svg+xml": picture.svg,
  });
});
