// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Runs `examples/lesson.ipynb` top to bottom in Deno's Jupyter kernel, with
 * nbclient, Jupyter's own client, and checks what the cells showed: results
 * in input order, the pool faster than the serial loop, `ready()` false then
 * true, the pool's HTML table, the timeline picture, and each progress bar
 * as one display updated in place.
 *
 * It needs `/usr/bin/python3` with nbclient (`apt-get install
 * python3-nbclient`); without it the test is skipped, and says so in its
 * name, unless `PARALELO_REQUIRE_ALL=1` (as `.ci/run` sets), which turns the
 * skip into a failure. The kernel is installed in a temporary folder of the
 * test's own (`tools/notebook.ts`).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type CellOutput,
  nbclientMissing,
  type NotebookRun,
  type RunCell,
  runNotebook,
} from "../tools/notebook.ts";
import { deadline } from "./_helpers.ts";

const NOTEBOOK = new URL("../examples/lesson.ipynb", import.meta.url).pathname;

/** The variable that turns a skip for a missing tool into a failure. */
const REQUIRE_ALL = "PARALELO_REQUIRE_ALL";

const required = Deno.permissions.querySync({
      name: "env",
      variable: REQUIRE_ALL,
    }).state === "granted" && Deno.env.get(REQUIRE_ALL) === "1";
const missing = nbclientMissing();
const skipped = missing !== null && !required;

/** How long the whole run may take: it takes about 40 s. */
const RUN_MS = 150_000;

function text(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join("") : value ?? "";
}

/** The cells tagged `tag`, in order; fails if there is none. */
function tagged(run: NotebookRun, tag: string): RunCell[] {
  const cells = run.cells.filter((cell) => cell.tags.includes(tag));
  assert.ok(cells.length > 0, `The notebook has no cell tagged '${tag}'`);
  return cells;
}

function only(run: NotebookRun, tag: string): RunCell {
  const cells = tagged(run, tag);
  assert.equal(cells.length, 1, `More than one cell is tagged '${tag}'`);
  return cells[0]!;
}

function stdout(cell: RunCell): string {
  return cell.outputs.filter((output) => output.output_type === "stream")
    .map((output) => text(output.text)).join("");
}

/** The cell's value, as the kernel's `text/plain`. */
function value(cell: RunCell): string {
  const result = cell.outputs.find((output) =>
    output.output_type === "execute_result"
  );
  assert.ok(result, `Cell ${cell.index} has no value: ${cell.source}`);
  return text(result.data?.["text/plain"]);
}

function wallTime(cell: RunCell): number {
  const times = [...stdout(cell).matchAll(/Wall time: (\d+\.\d+) s/g)];
  assert.equal(times.length, 1, `Cell ${cell.index} printed no one wall time`);
  return Number(times[0]![1]);
}

/** Every display (`display_data` or a value) with `mime` in it. */
function shown(cell: RunCell, mime: string): string[] {
  return cell.outputs.filter((output: CellOutput) =>
    output.data?.[mime] !== undefined
  ).map((output) => text(output.data![mime]));
}

/** The four "sleep" lines come before any "return" line, each of 1..4 once. */
function assertSideBySide(out: string, sleeping: RegExp, returning: RegExp) {
  const lines = out.split("\n");
  const sleeps = lines.flatMap((line, i) => sleeping.test(line) ? [i] : []);
  const returns = lines.flatMap((line, i) => returning.test(line) ? [i] : []);
  assert.equal(sleeps.length, 4, out);
  assert.equal(returns.length, 4, out);
  assert.ok(Math.max(...sleeps) < Math.min(...returns), out);
  // A task's last line comes before its result.
  assert.ok(Math.max(...returns) < lines.findIndex((l) => /Wall time/.test(l)));
}

/** A progress bar: one display, then updates of that same display only. */
function assertOneUpdatedBar(cell: RunCell, label: string) {
  const displays = cell.messages.filter((m) =>
    m.msg_type === "display_data" || m.msg_type === "update_display_data"
  );
  const ids = new Set(displays.map((m) => m.display_id));
  assert.equal(ids.size, 1, `Displays of more than one id: ${[...ids]}`);
  assert.ok([...ids][0]?.startsWith("paralelo-progress-"));
  assert.equal(displays[0]?.msg_type, "display_data");
  assert.equal(
    displays.filter((m) => m.msg_type === "display_data").length,
    1,
    "The bar was displayed more than once",
  );
  const updates = displays.filter((m) => m.msg_type === "update_display_data");
  assert.ok(updates.length >= 1, "The bar was never updated");
  // Throttled to one update per 100 ms at most, plus the last: fewer
  // messages than the 50 items.
  assert.ok(updates.length <= 50, `${updates.length} updates for 50 items`);
  for (const m of displays) {
    assert.deepEqual(m.mimetypes, ["text/html", "text/plain"]);
  }
  // What the notebook keeps: one output, the bar's last state.
  const bars = cell.outputs.filter((o) => o.output_type === "display_data");
  assert.equal(bars.length, 1);
  assert.match(
    text(bars[0]!.data?.["text/plain"]),
    new RegExp(`^${label}: 100%\\|█{20}\\| 50/50 \\[`),
  );
  assert.match(
    text(bars[0]!.data?.["text/html"]),
    /<progress value="50" max="50"><\/progress>/,
  );
}

Deno.test({
  name:
    `examples/lesson.ipynb runs top to bottom in Deno's Jupyter kernel through nbclient${
      skipped
        ? ` (skipped: ${missing}; set ${REQUIRE_ALL}=1 to fail instead)`
        : ""
    }`,
  ignore: skipped,
  async fn(t) {
    if (missing !== null) {
      throw new Error(
        `Cannot run the notebook as ${missing} (${REQUIRE_ALL}=1 is set, so this is a failure, not a skip)`,
      );
    }
    const run = await deadline(
      runNotebook(NOTEBOOK, { ms: RUN_MS }),
      "running the notebook",
      RUN_MS + 10_000,
    );
    const step = (name: string, fn: () => void) =>
      deadline(t.step(name, fn), name);

    await step("every cell ran, and none failed", () => {
      const failed = run.cells.find((cell) =>
        cell.outputs.some((output) => output.output_type === "error")
      );
      assert.equal(
        failed,
        undefined,
        failed &&
          `Cell ${failed.index} failed:\n${failed.source}\n${
            failed.outputs.map((o) => `${o.ename}: ${o.evalue}`).join("\n")
          }`,
      );
      assert.ok(run.ok, run.error?.message);
      assert.ok(run.cells.every((cell) => cell.seconds !== null));
    });

    await step("the pool beat the serial loop in the sleep step", () => {
      const serial = wallTime(only(run, "serial-loop"));
      const inline = wallTime(only(run, "pool-inline"));
      const typed = wallTime(only(run, "pool-module"));
      assert.ok(serial >= 9.9, `The serial loop took ${serial} s, not 10 s`);
      for (const pool of [inline, typed]) {
        // 4 s is the longest sleep; the serial loop waits 10 s.
        assert.ok(pool >= 3.9 && pool < serial - 3, `${pool} s vs ${serial} s`);
      }
    });

    await step(
      "the printed lines interleave: every sleep starts before one ends",
      () => {
        assertSideBySide(
          stdout(only(run, "pool-inline")),
          /^Dormindo por [1-4] segundos\.$/,
          /^Retornando [1-4]$/,
        );
        assertSideBySide(
          stdout(only(run, "pool-module")),
          /^Sleeping for [1-4] seconds?\.$/,
          /^Returning [1-4]$/,
        );
      },
    );

    await step("results come in input order", () => {
      assert.equal(value(only(run, "pool-inline")), "[ 1, 2, 3, 4 ]");
      assert.match(
        stdout(only(run, "pool-module-result")),
        /^\[ 1, 2, 3, 4 \]$/m,
      );
      assert.equal(value(only(run, "factorial")), "true");
      assert.match(stdout(only(run, "power-check")), /^true$/m);
      assert.match(
        stdout(only(run, "async-result")),
        /^Now go on and use the results obtained - 2,2,2,2,2,2$/m,
      );
      const pages = Array.from({ length: 50 }, (_, i) => i + 1).join(" ");
      const scraped = stdout(only(run, "scrape-order"));
      assert.match(scraped, /^50 pages ok, 1000 books$/m);
      assert.ok(scraped.includes(`\n${pages}\n`), scraped);
    });

    await step("ready() is false while the work runs, then true", () => {
      assert.deepEqual(
        tagged(run, "ready").map(value),
        ["false", "false", "true"],
      );
    });

    await step(
      "the pool shows as an HTML table, and as Python-like text",
      () => {
        const cell = only(run, "pool-html");
        const [html] = shown(cell, "text/html");
        assert.match(html ?? "", /^<table class="paralelo-pool">/);
        assert.match(html ?? "", /<tr><th>state<\/th><td>running<\/td><\/tr>/);
        assert.match(html ?? "", /<tr><th>size<\/th><td>4<\/td><\/tr>/);
        assert.equal(value(cell), "<Pool state=running size=4 workers=0>");
        assert.equal(
          value(only(run, "pool-module-result")),
          "<Pool module=sleep.ts state=running size=4 workers=4>",
        );
        const [after] = shown(only(run, "pool-module-result"), "text/html");
        assert.match(after ?? "", /<tr><th>completed<\/th><td>8<\/td><\/tr>/);
      },
    );

    await step("the timeline shows as an SVG picture", () => {
      const [svg] = shown(only(run, "timeline"), "image/svg+xml");
      assert.match(svg ?? "", /^<svg /);
      assert.equal((svg ?? "").match(/<rect class="span"/g)?.length, 4);
      assert.equal((svg ?? "").match(/<rect class="serial"/g)?.length, 4);
    });

    await step("each progress bar is one display, updated in place", () => {
      assertOneUpdatedBar(only(run, "progress-serial"), "serial");
      assertOneUpdatedBar(only(run, "progress-pool"), "pool");
    });

    await step("the scraper wrote its CSV files", () => {
      const out = stdout(only(run, "csv"));
      assert.match(out, /^50 CSV files: /m);
      assert.match(out, /^Title,Price,Stock Availability$/m);
    });
  },
});
