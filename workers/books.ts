// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's scraping task, as an importable module: fetch a listing page
 * of books.toscrape.com, take each book's title, price and stock flag, and
 * write them as `results_${page}.csv`, byte for byte what the notebook's
 * pandas code writes. Each piece also works on its own: {@linkcode parseBooks}
 * turns a page's HTML into rows, {@linkcode booksToCsv} rows into CSV.
 *
 * The page is read with htmlparser2, the parser under linkedom's
 * `DOMParser`, as a stream of tags and text: only the three things the
 * lesson takes are kept, and no document is built. The same tokens give the
 * same titles and texts as linkedom's DOM queries, in about a tenth of the
 * time (the 50 real pages: ~30 ms against ~300 ms on one thread) and of the
 * module's load in each worker (~15 ms against ~100 ms): that parsing was
 * most of a pool run's work once the network waits overlap.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { Parser } from "htmlparser2";

/** One book of a listing page. */
export interface Book {
  /** The `title` attribute of the book's `h3 > a` (the full title). */
  title: string;
  /** The text of `p.price_color`, such as `£51.77`. */
  price: string;
  /** Whether `p.instock.availability`, trimmed, says `In stock`. */
  inStock: boolean;
}

/** The CSV header the notebook's DataFrame writes. */
export const CSV_HEADER: readonly string[] = [
  "Title",
  "Price",
  "Stock Availability",
];

/** Whether a class list (`class="..."`) holds every one of `names`. */
function hasClasses(list: string | undefined, names: readonly string[]) {
  if (list === undefined) return false;
  // Split as css-select does for `.name`: on any white space.
  const classes = list.split(/\s+/);
  return names.every((name) => classes.includes(name));
}

/** An open `p` whose text is being gathered, as its `textContent`. */
interface OpenText {
  /** How deep it is, to know which closing tag is its own. */
  depth: number;
  /** Its text so far: every text inside it, however nested. */
  text: string;
  /** Takes the whole text once it closes. */
  done: (text: string) => void;
}

/**
 * Extracts the books of a listing page, as the lesson's BeautifulSoup code
 * does: the titles of the `h3` links (each `h3`'s first `a`), the
 * `p.price_color` texts and the `p.instock.availability` flags, matched by
 * position. It reads the page as htmlparser2's stream of tags and text, the
 * same stream linkedom builds its DOM from, and keeps only those three:
 * what `querySelectorAll("h3")`, `h3.querySelector("a")`,
 * `getAttribute("title")` and `textContent` would give, without a document.
 * Where linkedom departs from HTML, so from BeautifulSoup, this follows
 * HTML: attribute names are case-insensitive (`CLASS=` is `class=`), and a
 * `<template>`'s content is markup like the rest.
 *
 * @throws {Error} If the page has no books, or the three lists differ in
 * length (the markup is not a listing page).
 */
export function parseBooks(html: string): Book[] {
  const titles: string[] = [];
  const prices: string[] = [];
  const stocks: boolean[] = [];
  let depth = 0;
  // The open h3 elements that have no `a` inside them yet, by position in
  // `titles`: the next `a` that opens is the first one of each.
  const waiting: Array<{ depth: number; index: number }> = [];
  const texts: OpenText[] = [];
  const gather = (done: (text: string) => void) =>
    texts.push({ depth, text: "", done });
  const parser = new Parser({
    onopentag(name, attributes) {
      depth++;
      if (name === "a") {
        for (const h3 of waiting) titles[h3.index] = attributes.title ?? "";
        waiting.length = 0;
      } else if (name === "h3") {
        waiting.push({ depth, index: titles.push("") - 1 });
      } else if (name === "p") {
        // A p may be both, and then counts in both lists, as in the DOM.
        if (hasClasses(attributes.class, ["price_color"])) {
          const index = prices.push("") - 1;
          gather((text) => (prices[index] = text));
        }
        if (hasClasses(attributes.class, ["instock", "availability"])) {
          const index = stocks.push(false) - 1;
          gather((text) => (stocks[index] = text.trim() === "In stock"));
        }
      }
    },
    ontext(text) {
      for (const open of texts) open.text += text;
    },
    onclosetag() {
      // Every opened tag is closed, implied or not, the last at `end()`.
      while (texts.at(-1)?.depth === depth) {
        const open = texts.pop()!;
        open.done(open.text);
      }
      if (waiting.at(-1)?.depth === depth) waiting.pop();
      depth--;
    },
  }, { lowerCaseAttributeNames: true, decodeEntities: true });
  parser.write(html);
  parser.end();
  if (titles.length === 0) {
    throw new Error("The page's markup has no books (no 'h3 > a' titles)");
  }
  if (prices.length !== titles.length || stocks.length !== titles.length) {
    throw new Error(
      `The page's markup does not line up: ${titles.length} titles, ${prices.length} prices, ${stocks.length} stock flags`,
    );
  }
  return titles.map((title, i) => ({
    title,
    price: prices[i]!,
    inStock: stocks[i]!,
  }));
}

/**
 * Writes books as the notebook's `df.to_csv(index=False)` does: the header
 * `Title,Price,Stock Availability`, booleans as `True`/`False`, quotes only
 * where needed (a comma, a quote or a line break), `\n` line ends.
 */
export function booksToCsv(books: readonly Book[]): string {
  return stringify(
    books.map((book) => [book.title, book.price, book.inStock]),
    {
      header: true,
      columns: [...CSV_HEADER],
      record_delimiter: "unix",
      cast: { boolean: (value: boolean) => (value ? "True" : "False") },
    },
  );
}

/**
 * Decodes a page as it declares itself: the charset of the `Content-Type`
 * header, else of a `<meta>` in the page, else UTF-8. (The real site sends
 * no charset in its header, only `<meta ... charset=UTF-8>`, which is how
 * `£` stays `£`.)
 */
export function decodeHtml(
  bytes: Uint8Array,
  contentType?: string | null,
): string {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(contentType ?? "")?.[1];
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 4096));
  const fromMeta = /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1];
  const label = fromHeader ?? fromMeta ?? "utf-8";
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}

/**
 * Writes a file so that it is either whole or absent, never half written:
 * to a temporary file, renamed into place. The temporary file goes beside
 * `path`, or in `tempDir`, a folder on the same file system: one that the
 * caller can remove as a whole if the writer is stopped half way.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  tempDir?: string,
): Promise<void> {
  const slash = path.lastIndexOf("/") + 1;
  const name = `${path.slice(slash)}.${crypto.randomUUID()}.tmp`;
  const temporary = tempDir === undefined
    ? `${path.slice(0, slash)}${name}`
    : `${tempDir}/${name}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(temporary, data);
    else await Deno.writeFile(temporary, data);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/** How to scrape a page. */
export interface ScrapeOptions {
  /** The site's base URL, such as `http://books.toscrape.com`. */
  baseUrl: string;
  /** The folder the CSV files (and HTML, with `saveHtml`) go to. */
  outDir: string;
  /**
   * Tries after the first one fails, for failures that may pass: network
   * errors, timeouts, HTTP 5xx and 429. @default {2}
   */
  retries?: number;
  /** The wait before the first retry, doubled for each next one. @default {200} */
  backoffMs?: number;
  /** The most a request may take. @default {10000} */
  timeoutMs?: number;
  /** Also keep the page's raw HTML, as the lesson's `download_html`. @default {false} */
  saveHtml?: boolean;
  /**
   * The folder the files are written in before they are renamed into
   * `outDir`, on the same file system. A run that may be stopped half way
   * gives one of its own, and removes it: a write begun by a stopped
   * worker then has nowhere to land. @default {outDir}
   */
  tempDir?: string;
}

/**
 * Where a written page's time went, for a run's summary: the last try's
 * response, its parsing, and its files.
 */
export interface PageTimings {
  /**
   * When the page began, in milliseconds since the epoch
   * (`performance.timeOrigin + performance.now()`), comparable across
   * threads: the first page of a pool run tells when its workers were up.
   */
  startedAt: number;
  /** From the request to the response's last byte, in milliseconds. */
  fetchMs: number;
  /** Decoding and parsing the HTML and making the CSV text, in milliseconds. */
  parseMs: number;
  /** Writing the files and renaming them into place, in milliseconds. */
  writeMs: number;
}

/** What became of one page: the task never throws, so one bad page loses no other. */
export interface PageReport {
  page: number;
  url: string;
  ok: boolean;
  /** How many books were written. */
  rows: number;
  /** The CSV file written, if any. */
  file?: string;
  /** Why the page failed, after every try. */
  error?: string;
  attempts: number;
  /** Where the time went, for a page written. */
  timings?: PageTimings;
}

/** The URL of listing page `page`. */
export function pageUrl(baseUrl: string, page: number): string {
  return `${baseUrl.replace(/\/+$/, "")}/catalogue/page-${page}.html`;
}

/**
 * Why a fetch failed, and whether trying again may help: a network error, a
 * timeout, or HTTP 5xx or 429 may; a 404 or a local error will not.
 */
class FetchError extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = "FetchError";
    this.retryable = retryable;
  }
}

/**
 * An error's message followed by its causes' (Deno puts the reason for a
 * `fetch failed`, such as `Connection refused`, in `error.cause`). The
 * "error sending request for url (...)" part is dropped: the report already
 * names the URL.
 */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (
    let current: unknown = error, depth = 0;
    current !== undefined && depth < 5;
    current = current instanceof Error ? current.cause : undefined, depth++
  ) {
    const message = current instanceof Error
      ? current.message
      : String(current);
    const trimmed = message.replace(
      /^error sending request for url \([^)]*\): /,
      "",
    );
    if (trimmed !== "" && !parts.includes(trimmed)) parts.push(trimmed);
    // A FetchError's message already holds its cause's.
    if (current instanceof FetchError) break;
  }
  return parts.join(": ");
}

async function fetchPage(
  url: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ bytes: Uint8Array; contentType: string | null }> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      signal: signal === undefined
        ? timeout
        : AbortSignal.any([timeout, signal]),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new FetchError(
        `HTTP ${response.status} ${response.statusText}`.trim(),
        response.status >= 500 || response.status === 429,
      );
    }
    return {
      bytes: new Uint8Array(await response.arrayBuffer()),
      contentType: response.headers.get("content-type"),
    };
  } catch (error) {
    if (error instanceof FetchError || signal?.aborted) throw error;
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new FetchError(`timed out after ${timeoutMs} ms`, true, {
        cause: error,
      });
    }
    // fetch rejects with a TypeError when the network fails (refused, no
    // such host, connection reset), also while reading the body; anything
    // else, such as a missing permission, is not the network's fault.
    if (error instanceof TypeError) {
      throw new FetchError(describeError(error), true, { cause: error });
    }
    throw error;
  }
}

/** Waits `ms`, or less if `signal` aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Scrapes listing page `page` into `results_${page}.csv` under
 * `options.outDir`, with retries and backoff. It reports failure instead of
 * throwing, so that a pool's `map` still writes every other page.
 *
 * `signal` (on the thread that calls it; a worker is stopped instead) stops
 * the fetch and the backoff, and no file is begun after it aborts: the page
 * is reported failed, with `error: "stopped"`.
 */
export async function scrapePage(
  page: number,
  options: ScrapeOptions,
  signal?: AbortSignal,
): Promise<PageReport> {
  const url = pageUrl(options.baseUrl, page);
  const tries = (options.retries ?? 2) + 1;
  const began = performance.now();
  let last: unknown;
  for (let attempt = 1; attempt <= tries; attempt++) {
    if (attempt > 1) {
      await wait((options.backoffMs ?? 200) * 2 ** (attempt - 2), signal);
    }
    try {
      signal?.throwIfAborted();
      const started = performance.now();
      const { bytes, contentType } = await fetchPage(
        url,
        options.timeoutMs ?? 10_000,
        signal,
      );
      const fetched = performance.now();
      const books = parseBooks(decodeHtml(bytes, contentType));
      const csv = booksToCsv(books);
      const parsed = performance.now();
      signal?.throwIfAborted();
      const file = `${options.outDir}/results_${page}.csv`;
      if (options.saveHtml) {
        await writeFileAtomic(
          `${options.outDir}/html_books_${page}.html`,
          bytes,
          options.tempDir,
        );
      }
      await writeFileAtomic(file, csv, options.tempDir);
      return {
        page,
        url,
        ok: true,
        rows: books.length,
        file,
        attempts: attempt,
        timings: {
          startedAt: performance.timeOrigin + began,
          fetchMs: fetched - started,
          parseMs: parsed - fetched,
          writeMs: performance.now() - parsed,
        },
      };
    } catch (error) {
      last = error;
      if (signal?.aborted) {
        return {
          page,
          url,
          ok: false,
          rows: 0,
          error: "stopped",
          attempts: attempt,
        };
      }
      // Only the network may do better next time: a 404, a page without
      // books or a file that cannot be written fail the same way again.
      if (!(error instanceof FetchError && error.retryable)) {
        return {
          page,
          url,
          ok: false,
          rows: 0,
          error: describeError(error),
          attempts: attempt,
        };
      }
    }
  }
  return {
    page,
    url,
    ok: false,
    rows: 0,
    error: describeError(last),
    attempts: tries,
  };
}

/** One page to scrape, as one item of a pool's `imap`: {@linkcode scrapePage}'s two arguments. */
export interface PageJob {
  page: number;
  options: ScrapeOptions;
}

/**
 * {@linkcode scrapePage} with its arguments in one object, for the pool
 * calls that take one argument per item (`imap`, `imapUnordered`), which
 * hand each report back as soon as it is ready.
 */
export function scrapeJob(job: PageJob): Promise<PageReport> {
  return scrapePage(job.page, job.options);
}
