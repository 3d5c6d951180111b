// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's appendix: scrape the 50 listing pages of books.toscrape.com
 * into `results_N.csv` files (title, price, stock flag), serially and on a
 * pool. The pages are fetched by workers running `workers/books.ts`, the
 * lesson's importable `download(i)`; a page that fails is retried, then
 * reported, and every other page is still written.
 *
 *     deno run -A examples/scrape.ts [--pages 50] [--base-url URL] [--out DIR]
 *       [--workers N] [--serial] [--compare] [--save-html] [--retries N]
 *       [--timeout-ms N] [--timeline]
 *
 * `--timeline` writes `timeline.svg` (the pool's workers, and the serial run
 * with `--compare`) and `timeline.svg.json` (for Perfetto) to the output
 * folder.
 *
 * The live site is often out of reach: `--base-url` points it at a local
 * copy, such as `examples/books_site.ts`.
 *
 * @module
 */
import {
  Pool,
  type PoolTrace,
  type SerialSpan,
  timelineSvg,
  traceEvents,
} from "../mod.ts";
import {
  type PageReport,
  type ScrapeOptions,
  scrapePage,
} from "../workers/books.ts";
import type * as bookTasks from "../workers/books.ts";
import { parseFlags, positiveInteger, usageError } from "./_cli.ts";

const USAGE =
  "Usage: deno run -A examples/scrape.ts [--pages N] [--base-url URL] [--out DIR] [--workers N] [--serial] [--compare] [--save-html] [--retries N] [--timeout-ms N] [--timeline]";

/** What a scraping run did. */
export interface ScrapeRun {
  reports: PageReport[];
  seconds: number;
  /** The serial run's pages, or the pool's trace when asked for. */
  spans?: SerialSpan[];
  trace?: PoolTrace;
}

/** Shows progress on stderr: a bar on a terminal, plain lines otherwise. */
function progress(
  label: string,
): (done: number, total: number | undefined) => void {
  const terminal = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  return (done, total = done) => {
    if (terminal) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      const bar = "#".repeat(filled) + ".".repeat(width - filled);
      const end = done === total ? "\n" : "";
      Deno.stderr.writeSync(
        encoder.encode(`\r${label} [${bar}] ${done}/${total} pages${end}`),
      );
    } else {
      Deno.stderr.writeSync(
        encoder.encode(`${label}: ${done}/${total} pages\n`),
      );
    }
  };
}

/** Scrapes the pages one after the other, as the notebook's first loop. */
export async function scrapeSerially(
  pages: number[],
  options: ScrapeOptions,
): Promise<ScrapeRun> {
  const started = performance.now();
  const report = progress("serial");
  const reports: PageReport[] = [];
  const spans: SerialSpan[] = [];
  for (const page of pages) {
    const start = performance.now() - started;
    reports.push(await scrapePage(page, options));
    spans.push({
      label: `page ${page}`,
      start,
      end: performance.now() - started,
    });
    report(reports.length, pages.length);
  }
  return { reports, seconds: (performance.now() - started) / 1000, spans };
}

/** Scrapes the pages on a pool of `workers`, as the notebook's `pool.map`. */
export async function scrapeOnPool(
  pages: number[],
  options: ScrapeOptions,
  workers: number,
  trace = false,
): Promise<ScrapeRun> {
  await using pool = new Pool<typeof bookTasks>(
    new URL("../workers/books.ts", import.meta.url),
    { size: workers, trace },
  );
  const started = performance.now();
  const reports = await pool.starmap(
    "scrapePage",
    pages.map((page) => [page, options] as [number, ScrapeOptions]),
    { chunkSize: 1, onProgress: progress("pool") },
  );
  const seconds = (performance.now() - started) / 1000;
  return trace
    ? { reports, seconds, trace: pool.trace() }
    : { reports, seconds };
}

if (import.meta.main) {
  const flags = parseFlags(USAGE, {
    pages: { type: "string", default: "50" },
    "base-url": { type: "string", default: "http://books.toscrape.com" },
    out: { type: "string", default: "out/books" },
    workers: { type: "string", default: "8" },
    serial: { type: "boolean", default: false },
    compare: { type: "boolean", default: false },
    "save-html": { type: "boolean", default: false },
    retries: { type: "string", default: "2" },
    "timeout-ms": { type: "string", default: "10000" },
    timeline: { type: "boolean", default: false },
  });
  const pageCount = positiveInteger(USAGE, "pages", flags.pages);
  const workers = positiveInteger(USAGE, "workers", flags.workers);
  const retries = Number(flags.retries);
  if (!Number.isSafeInteger(retries) || retries < 0) {
    usageError(
      USAGE,
      `'--retries' must be 0 or more: received ${flags.retries}`,
    );
  }
  const timeoutMs = positiveInteger(USAGE, "timeout-ms", flags["timeout-ms"]);
  const baseUrl = String(flags["base-url"]);
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    usageError(
      USAGE,
      `'--base-url' must be an http(s) URL: received ${baseUrl}`,
    );
  }
  if (flags.serial && flags.compare) {
    usageError(USAGE, "'--serial' and '--compare' cannot go together");
  }
  const outDir = String(flags.out);
  await Deno.mkdir(outDir, { recursive: true });
  const options: ScrapeOptions = {
    baseUrl,
    outDir,
    retries,
    timeoutMs,
    saveHtml: Boolean(flags["save-html"]),
  };
  const pages = Array.from({ length: pageCount }, (_, i) => i + 1);

  let serial: ScrapeRun | undefined;
  let parallel: ScrapeRun | undefined;
  if (flags.serial || flags.compare) {
    serial = await scrapeSerially(pages, options);
  }
  if (!flags.serial) {
    parallel = await scrapeOnPool(
      pages,
      options,
      workers,
      Boolean(flags.timeline),
    );
  }
  const last = (parallel ?? serial)!;

  const written = last.reports.filter((r) => r.ok);
  const failed = last.reports.filter((r) => !r.ok);
  const rows = written.reduce((sum, r) => sum + r.rows, 0);
  console.log(
    `Pages: ${pages.length} (${written.length} written, ${failed.length} failed)`,
  );
  console.log(`Rows: ${rows}`);
  console.log(`Files: ${written.length} CSV files in ${outDir}/`);
  if (serial) console.log(`Serial time: ${serial.seconds.toFixed(2)} s`);
  if (parallel) {
    console.log(
      `Pool time (${workers} workers): ${parallel.seconds.toFixed(2)} s`,
    );
  }
  if (serial && parallel) {
    console.log(`Speedup: ${(serial.seconds / parallel.seconds).toFixed(1)}x`);
  }
  if (flags.timeline && parallel?.trace) {
    const file = `${outDir}/timeline.svg`;
    await Deno.writeTextFile(
      file,
      timelineSvg(parallel.trace, {
        title: `${pages.length} pages on ${workers} workers`,
        ...(serial?.spans ? { serial: serial.spans } : {}),
      }),
    );
    await Deno.writeTextFile(
      `${file}.json`,
      JSON.stringify(traceEvents(parallel.trace)),
    );
    console.log(`Timeline: ${file} (and ${file}.json for Perfetto)`);
  }
  for (const report of failed) {
    console.error(
      `Failed: page ${report.page} (${report.url}) after ${report.attempts} ${
        report.attempts === 1 ? "try" : "tries"
      }: ${report.error}`,
    );
  }
  if (failed.length > 0) Deno.exit(1);
}
