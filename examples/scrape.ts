// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's appendix: scrape the 50 listing pages of books.toscrape.com
 * into `results_N.csv` files (title, price, stock flag), serially and on a
 * pool. The pages are fetched by workers running `workers/books.ts`, the
 * lesson's importable `download(i)`; a page that fails is retried, then
 * reported, and every other page is still written.
 *
 *     deno run -A examples/scrape.ts [--pages 50] [--base-url URL] [--out DIR]
 *       [--workers N] [--concurrency N] [--serial] [--compare] [--save-html]
 *       [--retries N] [--timeout-ms N] [--timeline]
 *
 * A page is mostly waiting: each worker has several pages in flight at once
 * (the pool's `concurrency`), by default enough for every page to be in
 * flight from the start. The summary puts the pool's time beside the floor
 * it cannot beat: the larger of one response's time and the parsing of all
 * pages shared by the cores. The pool's time counts its start-up, as the
 * lesson's `%%time` of `with Pool() as p: p.map(...)` does, and says how
 * much of it went by before the first page began.
 *
 * `--help` says what each flag does. Ctrl-C stops the pool, removes the
 * half-written temporary files and says how many pages were written (exit
 * code 130). Off a terminal, progress is a line every tenth of the pages.
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
  cpuCount,
  Pool,
  type PoolTrace,
  type SerialSpan,
  timelineSvg,
  traceEvents,
} from "../mod.ts";
import {
  type PageJob,
  type PageReport,
  type ScrapeOptions,
  scrapePage,
} from "../workers/books.ts";
import type * as bookTasks from "../workers/books.ts";
import {
  type Command,
  fail,
  formatRatio,
  parseFlags,
  plural,
  positiveInteger,
  usageError,
} from "./_cli.ts";

const COMMAND: Command = {
  run: "deno run -A examples/scrape.ts",
  summary:
    "Scrapes the listing pages of books.toscrape.com into results_N.csv files (title, price, stock), on a pool, serially, or both to compare.",
  flags: {
    pages: {
      type: "string",
      value: "N",
      default: "50",
      description: "How many listing pages to scrape, from page 1",
    },
    "base-url": {
      type: "string",
      value: "URL",
      default: "http://books.toscrape.com",
      description:
        "The site to scrape, such as a local copy from examples/books_site.ts",
    },
    out: {
      type: "string",
      value: "DIR",
      default: "out/books",
      description: "The folder the CSV files go to, made if missing",
    },
    workers: {
      type: "string",
      value: "N",
      default: String(cpuCount()),
      defaultText: `the number of cores, ${cpuCount()} here`,
      description:
        "How many workers the pool has; with several pages in flight on each, more than the cores only adds start-ups and cold parsers",
    },
    concurrency: {
      type: "string",
      value: "N",
      defaultText: "pages / workers, rounded up: every page in flight at once",
      description:
        "How many pages each worker has in flight at once, the pool's concurrency: while one waits on the network, the worker starts the next",
    },
    serial: {
      type: "boolean",
      default: false,
      description: "Scrape one page after the other on this thread, no pool",
    },
    compare: {
      type: "boolean",
      default: false,
      description: "Scrape serially, then on the pool, and print the speedup",
    },
    "save-html": {
      type: "boolean",
      default: false,
      description: "Also keep each page's HTML as html_books_N.html",
    },
    retries: {
      type: "string",
      value: "N",
      default: "2",
      description:
        "Tries after a failed first one, for network errors, timeouts, HTTP 5xx and 429",
    },
    "timeout-ms": {
      type: "string",
      value: "N",
      default: "10000",
      description: "The most a request may take, in milliseconds",
    },
    timeline: {
      type: "boolean",
      default: false,
      description:
        "Draw the workers (and the serial run, with --compare) to DIR/timeline.svg, and DIR/timeline.svg.json for Perfetto",
    },
  },
};

/** What a scraping run did. */
export interface ScrapeRun {
  /** The pages' reports, in page order; only those done, if interrupted. */
  reports: PageReport[];
  seconds: number;
  /**
   * When the timed part began, in milliseconds since the epoch, as each
   * page's `timings.startedAt`: for a pool, before its workers started.
   */
  startedAt: number;
  /** The serial run's pages, or the pool's trace when asked for. */
  spans?: SerialSpan[];
  trace?: PoolTrace;
  /** True if the run was stopped by its signal before every page was done. */
  interrupted?: boolean;
}

/** How {@linkcode scrapeOnPool} runs. */
export interface PoolRunOptions {
  /**
   * How many pages each worker has in flight at once (the pool's
   * `concurrency`). @default {defaultConcurrency(pages, workers)}
   */
  concurrency?: number;
  /** Record the pool's trace, for a timeline. @default {false} */
  trace?: boolean;
  /** Stops the run: the pool is terminated, and the run returns what was done. */
  signal?: AbortSignal;
  /** Show progress on stderr. @default {true} */
  progress?: boolean;
}

/**
 * The default `--concurrency`: enough pages a worker for every page to be
 * in flight at once, as a page is mostly a wait on the network.
 */
export function defaultConcurrency(pages: number, workers: number): number {
  return Math.max(1, Math.ceil(pages / workers));
}

/**
 * Shows progress on stderr: a bar on a terminal; otherwise a line each
 * tenth of the pages (at most every 10 pages) and one at the end with the
 * time, so that a log or the demo gets a few lines, not one per page.
 */
function progress(
  label: string,
  total: number,
  show = true,
): (done: number) => void {
  if (!show) return () => {};
  const terminal = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  const started = performance.now();
  const step = Math.max(10, Math.ceil(total / 10));
  return (done) => {
    if (terminal) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      const bar = "#".repeat(filled) + ".".repeat(width - filled);
      const end = done === total ? "\n" : "";
      Deno.stderr.writeSync(
        encoder.encode(
          `\r${label} [${bar}] ${done}/${plural(total, "page")}${end}`,
        ),
      );
    } else if (done === total) {
      const seconds = (performance.now() - started) / 1000;
      Deno.stderr.writeSync(
        encoder.encode(
          `${label}: ${done}/${plural(total, "page")}, done in ${
            seconds.toFixed(2)
          } s\n`,
        ),
      );
    } else if (done % step === 0) {
      Deno.stderr.writeSync(
        encoder.encode(`${label}: ${done}/${plural(total, "page")}\n`),
      );
    }
  };
}

/**
 * Scrapes the pages one after the other, as the notebook's first loop;
 * `show: false` keeps stderr quiet.
 */
export async function scrapeSerially(
  pages: number[],
  options: ScrapeOptions,
  signal?: AbortSignal,
  show = true,
): Promise<ScrapeRun> {
  const started = performance.now();
  const startedAt = performance.timeOrigin + started;
  const report = progress("serial", pages.length, show);
  const reports: PageReport[] = [];
  const spans: SerialSpan[] = [];
  for (const page of pages) {
    if (signal?.aborted) break;
    const start = performance.now() - started;
    // On abort, the page in flight stops before it begins a file, and is
    // waited for: nothing is left running to write after the clean-up.
    const result = await scrapePage(page, options, signal);
    if (signal?.aborted && !result.ok) break;
    reports.push(result);
    spans.push({
      label: `page ${page}`,
      start,
      end: performance.now() - started,
    });
    report(reports.length);
  }
  const seconds = (performance.now() - started) / 1000;
  return signal?.aborted
    ? { reports, seconds, startedAt, spans, interrupted: true }
    : { reports, seconds, startedAt, spans };
}

/**
 * The scraper's pool: made here only, so that a new pool option is a
 * one-line change.
 */
function scrapePool(
  workers: number,
  concurrency: number,
  trace: boolean,
): Pool<typeof bookTasks> {
  return new Pool<typeof bookTasks>(
    new URL("../workers/books.ts", import.meta.url),
    { size: workers, concurrency, trace },
  );
}

/**
 * Scrapes the pages on a pool of `workers`, as the notebook's `pool.map`,
 * taking each page's report as soon as it is done (`imapUnordered`), so that
 * an interrupted run still knows which pages it wrote. Each worker has up
 * to `concurrency` pages in flight, one item a chunk (a stream's), so that
 * they overlap.
 *
 * The time counts the pool's start-up and close, as the lesson's `%%time`
 * of a `with Pool() as p:` block does.
 */
export async function scrapeOnPool(
  pages: number[],
  options: ScrapeOptions,
  workers: number,
  runOptions: PoolRunOptions = {},
): Promise<ScrapeRun> {
  const {
    concurrency = defaultConcurrency(pages.length, workers),
    trace = false,
    signal,
  } = runOptions;
  const report = progress("pool", pages.length, runOptions.progress ?? true);
  const reports: PageReport[] = [];
  const jobs: PageJob[] = pages.map((page) => ({ page, options }));
  const started = performance.now();
  let recorded: PoolTrace | undefined;
  {
    await using pool = scrapePool(workers, concurrency, trace);
    const stop = () => pool.terminate();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      for await (const result of pool.imapUnordered("scrapeJob", jobs)) {
        reports.push(result);
        report(reports.length);
      }
    } catch (error) {
      // Terminated by the signal: the calls in flight fail, as they should.
      if (!signal?.aborted) throw error;
    } finally {
      signal?.removeEventListener("abort", stop);
    }
    if (trace && !signal?.aborted) recorded = pool.trace();
  }
  const seconds = (performance.now() - started) / 1000;
  const startedAt = performance.timeOrigin + started;
  reports.sort((a, b) => a.page - b.page);
  if (signal?.aborted) {
    return { reports, seconds, startedAt, interrupted: true };
  }
  return recorded
    ? { reports, seconds, startedAt, trace: recorded }
    : { reports, seconds, startedAt };
}

/**
 * What a pool run cannot beat, from the runs' own measures: the larger of
 * one response's time (all pages are in flight at once, so the run waits at
 * least that) and the parsing of all pages, shared by the threads that can
 * run at once (the workers, at most the cores).
 */
export interface Floor {
  /** The quickest response of the runs, from the request to its last byte. */
  responseSeconds: number;
  /** The pool's parse time of all pages, summed over its workers. */
  parseSeconds: number;
  /** How many threads parse at once: the workers, at most the cores. */
  cores: number;
  /** `max(responseSeconds, parseSeconds / cores)`. */
  seconds: number;
}

/**
 * The floor of `pool`, with the quickest response of any of `runs` (a
 * serial run's responses do not wait on a busy thread); undefined if no
 * page was written.
 */
export function poolFloor(
  pool: ScrapeRun,
  runs: readonly ScrapeRun[],
  workers: number,
): Floor | undefined {
  const timings = (run: ScrapeRun) =>
    run.reports.flatMap((report) => report.timings ? [report.timings] : []);
  const responses = runs.flatMap(timings).map((t) => t.fetchMs);
  const parsing = timings(pool).map((t) => t.parseMs);
  if (responses.length === 0 || parsing.length === 0) return undefined;
  const responseSeconds = Math.min(...responses) / 1000;
  const parseSeconds = parsing.reduce((sum, ms) => sum + ms, 0) / 1000;
  const cores = Math.min(workers, cpuCount());
  return {
    responseSeconds,
    parseSeconds,
    cores,
    seconds: Math.max(responseSeconds, parseSeconds / cores),
  };
}

/**
 * How long a pool run went before its first page began, in seconds: the
 * workers' start-up and their loading of `workers/books.ts`.
 */
export function startUpSeconds(pool: ScrapeRun): number | undefined {
  const starts = pool.reports.flatMap((report) =>
    report.timings ? [report.timings.startedAt] : []
  );
  return starts.length === 0
    ? undefined
    : Math.max(0, Math.min(...starts) - pool.startedAt) / 1000;
}

/**
 * Removes the run's folder of temporary files, and returns how many files
 * were in it. Once it is gone, a write that a stopped worker had begun
 * cannot land; one that lands while it is being removed is removed on the
 * next pass, and one renamed into place meanwhile is skipped.
 */
async function removeTempDir(dir: string): Promise<number> {
  let removed = 0;
  for (let pass = 1;; pass++) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        try {
          await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
          removed++;
        } catch (error) {
          // A stopped worker renamed it into place after the listing: it
          // is whole and no longer here. The folder itself is not gone, so
          // this is no reason to stop.
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
      await Deno.remove(dir);
      return removed;
    } catch (error) {
      // The folder is gone: nothing is left to land in it.
      if (error instanceof Deno.errors.NotFound) return removed;
      if (pass === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Exits with one line (code 2) unless Deno may do what the run needs: the
 * workers read `workers/books.ts`, the CSV files are written (and renamed,
 * which takes read too) under `outDir`, and the site is fetched.
 */
function requirePermissions(outDir: string, baseUrl: string): void {
  const granted = (descriptor: Deno.PermissionDescriptor) =>
    Deno.permissions.querySync(descriptor).state === "granted";
  const host = new URL(baseUrl).host;
  const missing = [
    granted({
        name: "read",
        path: new URL("../workers/books.ts", import.meta.url),
      }) &&
      granted({ name: "read", path: outDir })
      ? []
      : ["--allow-read"],
    granted({ name: "write", path: outDir }) ? [] : [`--allow-write=${outDir}`],
    granted({ name: "net", host }) ? [] : [`--allow-net=${host}`],
  ].flat();
  if (missing.length > 0) {
    fail(
      `Cannot scrape as Deno lacks permission for this run: add ${
        missing.join(" ")
      }, or run it with deno run -A examples/scrape.ts`,
    );
  }
}

/**
 * Makes `outDir` and, in it, the run's folder of temporary files, and checks
 * that a file can be written there, or exits with one line (code 2) that
 * says what is in the way: before the work, not after every page failed.
 * Returns the temporary folder: files are written there, then renamed into
 * `outDir`, so that on Ctrl-C removing it removes every half-written file,
 * even one a stopped worker was writing.
 */
async function prepareOutDir(outDir: string): Promise<string> {
  const refuse = (why: string): never =>
    fail(
      `Cannot write the CSV files to ${outDir} as ${why}: choose another folder with --out`,
    );
  const tempDir = `${outDir}/.scrape-${crypto.randomUUID()}`;
  try {
    await Deno.mkdir(outDir, { recursive: true });
    await Deno.mkdir(tempDir);
    await Deno.writeTextFile(`${tempDir}/probe`, "");
    await Deno.remove(`${tempDir}/probe`);
    return tempDir;
  } catch (error) {
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    if (
      error instanceof Deno.errors.NotADirectory ||
      error instanceof Deno.errors.AlreadyExists
    ) {
      // Name the part of the path that is a file.
      let path = outDir.replace(/\/+$/, "");
      while (path.includes("/")) {
        try {
          if (Deno.statSync(path).isFile) {
            refuse(`${path} is a file, not a folder`);
          }
        } catch {
          // Not there yet: look at its parent.
        }
        path = path.slice(0, path.lastIndexOf("/"));
      }
      refuse("a part of that path is a file, not a folder");
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      refuse("this user may not write there");
    }
    if (error instanceof Deno.errors.NotCapable) {
      refuse("Deno may not write there (add --allow-write)");
    }
    throw error;
  }
}

/** Runs the scraper as its flags say; returns the exit code. */
async function main(): Promise<number> {
  const flags = parseFlags(COMMAND);
  const pageCount = positiveInteger(COMMAND, "pages", flags.pages);
  const workers = positiveInteger(COMMAND, "workers", flags.workers);
  const concurrency = flags.concurrency === undefined
    ? defaultConcurrency(pageCount, workers)
    : positiveInteger(COMMAND, "concurrency", flags.concurrency);
  const retries = Number(flags.retries);
  if (!Number.isSafeInteger(retries) || retries < 0) {
    usageError(
      COMMAND,
      `Cannot run as '--retries' must be 0 or more: received ${flags.retries}`,
    );
  }
  const timeoutMs = positiveInteger(COMMAND, "timeout-ms", flags["timeout-ms"]);
  const baseUrl = String(flags["base-url"]);
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    usageError(
      COMMAND,
      `Cannot run as '--base-url' must be an http(s) URL: received ${baseUrl}`,
    );
  }
  if (flags.serial && flags.compare) {
    usageError(
      COMMAND,
      "Cannot run as '--serial' and '--compare' cannot go together: pass one",
    );
  }
  const outDir = String(flags.out).replace(/(.)\/+$/, "$1");
  requirePermissions(outDir, baseUrl);
  const tempDir = await prepareOutDir(outDir);
  const options: ScrapeOptions = {
    baseUrl,
    outDir,
    retries,
    timeoutMs,
    saveHtml: Boolean(flags["save-html"]),
    tempDir,
  };
  const pages = Array.from({ length: pageCount }, (_, i) => i + 1);

  // Ctrl-C: stop, clean up and say what is on disk, instead of dying with
  // temporary files left behind.
  const interrupt = new AbortController();
  Deno.addSignalListener("SIGINT", () => interrupt.abort());
  const signal = interrupt.signal;

  let serial: ScrapeRun | undefined;
  let parallel: ScrapeRun | undefined;
  let removed = 0;
  try {
    if (flags.serial || flags.compare) {
      serial = await scrapeSerially(pages, options, signal);
    }
    if (!flags.serial && !signal.aborted) {
      parallel = await scrapeOnPool(pages, options, workers, {
        concurrency,
        trace: Boolean(flags.timeline),
        signal,
      });
    }
  } finally {
    removed = await removeTempDir(tempDir);
  }
  const last = (parallel ?? serial)!;

  if (signal.aborted) {
    const written = last.reports.filter((r) => r.ok).length;
    console.error(
      `Interrupted: ${written} of ${
        plural(pages.length, "page")
      } written to ${outDir}/; stopped the ${
        parallel ? "pool" : "serial loop"
      } and removed ${plural(removed, "temporary file")}`,
    );
    return 130;
  }

  const written = last.reports.filter((r) => r.ok);
  const failed = last.reports.filter((r) => !r.ok);
  const rows = written.reduce((sum, r) => sum + r.rows, 0);
  console.log(
    `Pages: ${pages.length} (${written.length} written, ${failed.length} failed)`,
  );
  console.log(`Rows: ${rows}`);
  console.log(
    `Files: ${plural(written.length, "CSV file")} in ${outDir}/`,
  );
  if (serial) console.log(`Serial time: ${serial.seconds.toFixed(2)} s`);
  if (parallel) {
    const startUp = startUpSeconds(parallel);
    console.log(
      `Pool time (${plural(workers, "worker")}): ${
        parallel.seconds.toFixed(2)
      } s, up to ${
        plural(concurrency, "page")
      } at once on each, start-up included${
        startUp === undefined
          ? ""
          : ` (${startUp.toFixed(2)} s before the first page began)`
      }`,
    );
  }
  if (serial && parallel) {
    // From the unrounded times: the demo's table shows this same figure.
    console.log(`Speedup: ${formatRatio(serial.seconds / parallel.seconds)}`);
  }
  const floor = parallel &&
    poolFloor(parallel, serial ? [serial, parallel] : [parallel], workers);
  if (parallel && floor) {
    // Both terms, so that the reader sees which one binds.
    console.log(
      `Floor: ${floor.seconds.toFixed(2)} s = max(one response ${
        floor.responseSeconds.toFixed(2)
      } s, parsing ${floor.parseSeconds.toFixed(2)} s / ${
        plural(floor.cores, "core")
      } = ${(floor.parseSeconds / floor.cores).toFixed(2)} s); the pool took ${
        formatRatio(parallel.seconds / floor.seconds)
      } the floor`,
    );
  }
  if (flags.timeline && parallel?.trace) {
    const file = `${outDir}/timeline.svg`;
    await Deno.writeTextFile(
      file,
      timelineSvg(parallel.trace, {
        title: `${plural(pages.length, "page")} on ${
          plural(workers, "worker")
        }, up to ${concurrency} at once on each`,
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
      `Failed: page ${report.page} (${report.url}) after ${
        plural(report.attempts, "try", "tries")
      }: ${report.error}`,
    );
  }
  return failed.length > 0 ? 1 : 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    // A permission the checks above did not foresee: still one line.
    if (error instanceof Deno.errors.NotCapable) {
      fail(
        `Cannot scrape as Deno lacks a permission: ${error.message} (or run it with deno run -A examples/scrape.ts)`,
      );
    }
    throw error;
  }
}
