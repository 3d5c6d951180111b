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
      default: "8",
      description:
        "How many workers the pool has; more than the cores pays off when they wait on the network",
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
  /** The serial run's pages, or the pool's trace when asked for. */
  spans?: SerialSpan[];
  trace?: PoolTrace;
  /** True if the run was stopped by its signal before every page was done. */
  interrupted?: boolean;
}

/** How {@linkcode scrapeOnPool} runs. */
export interface PoolRunOptions {
  /** Record the pool's trace, for a timeline. @default {false} */
  trace?: boolean;
  /** Stops the run: the pool is terminated, and the run returns what was done. */
  signal?: AbortSignal;
}

/**
 * Shows progress on stderr: a bar on a terminal; otherwise a line each
 * tenth of the pages (at most every 10 pages) and one at the end with the
 * time, so that a log or the demo gets a few lines, not one per page.
 */
function progress(label: string, total: number): (done: number) => void {
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

/** Scrapes the pages one after the other, as the notebook's first loop. */
export async function scrapeSerially(
  pages: number[],
  options: ScrapeOptions,
  signal?: AbortSignal,
): Promise<ScrapeRun> {
  const started = performance.now();
  const report = progress("serial", pages.length);
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
    ? { reports, seconds, spans, interrupted: true }
    : { reports, seconds, spans };
}

/**
 * The scraper's pool: made here only, so that a new pool option is a
 * one-line change.
 */
function scrapePool(workers: number, trace: boolean): Pool<typeof bookTasks> {
  return new Pool<typeof bookTasks>(
    new URL("../workers/books.ts", import.meta.url),
    { size: workers, trace },
  );
}

/**
 * Scrapes the pages on a pool of `workers`, as the notebook's `pool.map`,
 * taking each page's report as soon as it is done (`imapUnordered`), so that
 * an interrupted run still knows which pages it wrote.
 */
export async function scrapeOnPool(
  pages: number[],
  options: ScrapeOptions,
  workers: number,
  runOptions: PoolRunOptions = {},
): Promise<ScrapeRun> {
  const { trace = false, signal } = runOptions;
  await using pool = scrapePool(workers, trace);
  const stop = () => pool.terminate();
  signal?.addEventListener("abort", stop, { once: true });
  const report = progress("pool", pages.length);
  const reports: PageReport[] = [];
  const jobs: PageJob[] = pages.map((page) => ({ page, options }));
  const started = performance.now();
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
  const seconds = (performance.now() - started) / 1000;
  reports.sort((a, b) => a.page - b.page);
  if (signal?.aborted) return { reports, seconds, interrupted: true };
  return trace
    ? { reports, seconds, trace: pool.trace() }
    : { reports, seconds };
}

/**
 * Removes the run's folder of temporary files, and returns how many files
 * were in it. Once it is gone, a write that a stopped worker had begun
 * cannot land; one that lands while it is being removed is removed on the
 * next pass.
 */
async function removeTempDir(dir: string): Promise<number> {
  let removed = 0;
  for (let pass = 1;; pass++) {
    try {
      for await (const entry of Deno.readDir(dir)) {
        await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
        removed++;
      }
      await Deno.remove(dir);
      return removed;
    } catch (error) {
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
    console.log(
      `Pool time (${plural(workers, "worker")}): ${
        parallel.seconds.toFixed(2)
      } s`,
    );
  }
  if (serial && parallel) {
    // From the unrounded times: the demo's table shows this same figure.
    console.log(`Speedup: ${formatRatio(serial.seconds / parallel.seconds)}`);
  }
  if (flags.timeline && parallel?.trace) {
    const file = `${outDir}/timeline.svg`;
    await Deno.writeTextFile(
      file,
      timelineSvg(parallel.trace, {
        title: `${plural(pages.length, "page")} on ${
          plural(workers, "worker")
        }`,
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
