// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import {
  generatedBooks,
  generatedPage,
  startBooksSite,
} from "../examples/books_site.ts";
import { booksToCsv, parseBooks } from "../workers/books.ts";
import { deadline } from "./_helpers.ts";
import { csvFiles, scrape, SHARED, sharedExists } from "./_scrape.ts";

async function withSite(
  options: Parameters<typeof startBooksSite>[0],
  body: (url: string) => Promise<void>,
): Promise<void> {
  const site = startBooksSite(options);
  try {
    await body(site.url);
  } finally {
    await deadline(site.close(), "the books site to close");
  }
}

Deno.test("the books site serves listing pages in the real paths, 404 elsewhere", async () => {
  await withSite({}, async (url) => {
    const page = await deadline(
      fetch(`${url}/catalogue/page-2.html`),
      "page 2",
    );
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html");
    const books = parseBooks(await deadline(page.text(), "page 2 body"));
    assert.deepEqual(
      books.map((b) => b.title),
      generatedBooks(2).map((b) => b.title),
    );
    for (
      const path of [
        "/catalogue/page-51.html",
        "/catalogue/page-0.html",
        "/robots.txt",
      ]
    ) {
      const missing = await deadline(fetch(`${url}${path}`), path);
      assert.equal(missing.status, 404, path);
      await missing.body?.cancel();
    }
  });
  assert.equal(parseBooks(generatedPage(1)).length, 20);
});

Deno.test("scrape.ts writes 50 files and 1000 rows from the local site", async () => {
  const out = await Deno.makeTempDir();
  try {
    await withSite({ latencyMs: 5 }, async (url) => {
      const child = await scrape([
        "--base-url",
        url,
        "--out",
        out,
        "--workers",
        "4",
        "--timeline",
      ]);
      assert.equal(child.killed, false, child.stderr);
      assert.equal(child.code, 0, child.stderr);
      assert.match(child.stdout, /Pages: 50 \(50 written, 0 failed\)/);
      assert.match(child.stdout, /Rows: 1000/);
      assert.match(child.stdout, /Files: 50 CSV files/);
      // Not a terminal: a few plain progress lines on stderr, not one a page.
      assert.match(child.stderr, /^pool: 50\/50 pages, done in [\d.]+ s$/m);
      const lines = child.stderr.match(/^pool: \d+\/50 pages/gm) ?? [];
      assert.deepEqual(
        lines,
        [10, 20, 30, 40, 50].map((n) => `pool: ${n}/50 pages`),
      );
    });
    const timeline = await Deno.readTextFile(`${out}/timeline.svg`);
    assert.equal(timeline.match(/<rect class="span"/g)?.length, 50);
    const files = await csvFiles(out);
    assert.equal(files.size, 50);
    let rows = 0;
    for (const [name, csv] of files) {
      const page = Number(/results_(\d+)\.csv/.exec(name)![1]);
      const expected = generatedBooks(page).map((b) => ({
        ...b,
        inStock: true,
      }));
      assert.equal(csv, booksToCsv(expected), name);
      rows += csv.trimEnd().split("\n").length - 1;
    }
    assert.equal(rows, 1000);
    assert.match(files.get("results_1.csv")!, /"The ""Perfect"" Crime",£/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("scrape.ts reports a 404, an empty page and a timeout, and writes every other page", async () => {
  const out = await Deno.makeTempDir();
  try {
    await withSite({ pages: 4, emptyPages: [2] }, async (url) => {
      const child = await scrape([
        "--base-url",
        url,
        "--out",
        out,
        "--pages",
        "5",
        "--retries",
        "1",
        "--save-html",
      ]);
      assert.equal(child.code, 1, child.stderr);
      assert.match(child.stdout, /Pages: 5 \(3 written, 2 failed\)/);
      assert.match(
        child.stderr,
        /Failed: page 5 \(http:\/\/127\.0\.0\.1:\d+\/catalogue\/page-5\.html\) after 1 try: HTTP 404 Not Found/,
      );
      // Neither is retried: they would fail the same way again.
      assert.match(
        child.stderr,
        /Failed: page 2 .*after 1 try: .*has no books/,
      );
    });
    const files = await csvFiles(out);
    assert.deepEqual([...files.keys()].sort(), [
      "results_1.csv",
      "results_3.csv",
      "results_4.csv",
    ]);
    assert.ok((await Deno.stat(`${out}/html_books_1.html`)).isFile);
    await withSite({ latencyMs: 2_000 }, async (url) => {
      const child = await scrape([
        "--base-url",
        url,
        "--out",
        out,
        "--pages",
        "1",
        "--retries",
        "0",
        "--timeout-ms",
        "200",
      ]);
      assert.equal(child.code, 1, child.stderr);
      assert.match(child.stderr, /page 1 .*timed out after 200 ms/);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("scrape.ts retries a page that fails once, with backoff, and writes it", async () => {
  const out = await Deno.makeTempDir();
  try {
    await withSite({ pages: 3, flakyPages: [2] }, async (url) => {
      const started = performance.now();
      const child = await scrape([
        "--base-url",
        url,
        "--out",
        out,
        "--pages",
        "3",
        "--retries",
        "1",
        "--serial",
      ]);
      assert.equal(child.code, 0, child.stderr);
      assert.match(child.stdout, /Pages: 3 \(3 written, 0 failed\)/);
      assert.match(child.stdout, /Serial time: /);
      assert.doesNotMatch(child.stdout, /Pool time/);
      // The retry waited for its backoff (200 ms) first.
      assert.ok(performance.now() - started >= 200);
    });
    assert.equal((await csvFiles(out)).size, 3);
    await withSite({ pages: 1, flakyPages: [1] }, async (url) => {
      const child = await scrape([
        "--base-url",
        url,
        "--out",
        out,
        "--pages",
        "1",
        "--retries",
        "0",
      ]);
      assert.equal(child.code, 1);
      assert.match(
        child.stderr,
        /page 1 .*after 1 try: HTTP 503 Service Unavailable/,
      );
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("scrape.ts reports a dead host with its URL and exits non-zero", async () => {
  // A port that was just free: nothing listens there.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const out = await Deno.makeTempDir();
  try {
    const child = await scrape([
      "--base-url",
      `http://127.0.0.1:${port}`,
      "--out",
      out,
      "--pages",
      "2",
      "--retries",
      "1",
    ]);
    assert.equal(child.code, 1, child.stderr);
    assert.match(child.stdout, /Pages: 2 \(0 written, 2 failed\)/);
    assert.match(
      child.stderr,
      new RegExp(
        `Failed: page 1 \\(http://127.0.0.1:${port}/catalogue/page-1.html\\)`,
      ),
    );
    // Deno's reason, from error.cause, not just "fetch failed"; a network
    // error is retried.
    assert.match(
      child.stderr,
      /page 1 .*after 2 tries: fetch failed: .*Connection refused/i,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("scrape.ts: unknown flags and bad values print usage and exit 2", async () => {
  for (
    const args of [
      ["--nope"],
      ["--pages", "0"],
      ["--workers", "x"],
      ["--retries", "-1"],
      ["--base-url", "ftp://x"],
      ["--serial", "--compare"],
    ]
  ) {
    const child = await scrape(args, 15_000);
    assert.equal(child.code, 2, `${args.join(" ")}: ${child.stderr}`);
    assert.match(child.stderr, /Usage: deno run -A examples\/scrape\.ts/);
  }
});

/** Why the real-pages test is skipped, and how to run it: in its name, as `deno test` prints it. */
const SKIPPED = " (skipped: it needs the 50 saved real pages and the " +
  "notebook's CSVs, catalogue/page-N.html and expected/results_N.csv, " +
  "which are not in the repository; put them in " +
  "../shared/fixtures/books.toscrape.com/ beside the clone, or set " +
  "BOOKS_FIXTURES=/path/to/books.toscrape.com, then run " +
  "deno test -A tests/scrape_test.ts)";

Deno.test({
  name:
    "scrape.ts writes byte for byte the notebook's CSVs for the 50 real pages" +
    (sharedExists ? "" : SKIPPED),
  ignore: !sharedExists,
  async fn() {
    const out = await Deno.makeTempDir();
    try {
      await withSite({ dir: new URL(".", SHARED).pathname }, async (url) => {
        const child = await scrape([
          "--base-url",
          url,
          "--out",
          out,
          "--compare",
        ]);
        assert.equal(child.code, 0, child.stderr);
        assert.match(child.stdout, /Speedup: /);
      });
      const ours = await csvFiles(out);
      const theirs = await csvFiles(new URL("expected", SHARED).pathname);
      assert.equal(ours.size, 50);
      assert.deepEqual(ours, theirs);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("scrape.ts shows Deno's reason for an unknown host", async () => {
  const out = await Deno.makeTempDir();
  try {
    // .invalid never resolves (RFC 6761).
    const child = await scrape([
      "--base-url",
      "http://no-such-host.invalid",
      "--out",
      out,
      "--pages",
      "1",
      "--retries",
      "0",
    ]);
    assert.equal(child.code, 1, child.stderr);
    assert.match(
      child.stderr,
      /page 1 .*after 1 try: fetch failed: .*dns error/i,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("scrape.ts does not retry a page it cannot write, and writes the others", async () => {
  const out = await Deno.makeTempDir();
  try {
    // A folder where results_1.csv should go: the rename fails, as a
    // missing write permission would, and the process may well run as root.
    await Deno.mkdir(`${out}/results_1.csv`);
    const site = startBooksSite({ pages: 2 });
    try {
      const child = await scrape([
        "--base-url",
        site.url,
        "--out",
        out,
        "--pages",
        "2",
        "--retries",
        "2",
      ]);
      assert.equal(child.code, 1, child.stderr);
      assert.match(child.stdout, /Pages: 2 \(1 written, 1 failed\)/);
      assert.match(child.stderr, /Failed: page 1 .* after 1 try: /);
      // One request a page: the local error did not fetch the page again.
      assert.equal(site.requests, 2);
    } finally {
      await deadline(site.close(), "the books site to close");
    }
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(names, ["results_1.csv", "results_2.csv"]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("scrape.ts says 1 worker, 1 page and 1 CSV file", async () => {
  const out = await Deno.makeTempDir();
  try {
    await withSite({ pages: 1 }, async (url) => {
      const child = await scrape([
        "--base-url",
        url,
        "--out",
        out,
        "--pages",
        "1",
        "--workers",
        "1",
      ]);
      assert.equal(child.code, 0, child.stderr);
      assert.match(child.stdout, /^Files: 1 CSV file in /m);
      assert.match(
        child.stdout,
        /^Pool time \(1 worker\): [\d.]+ s, up to 1 page at once on each, start-up included \([\d.]+ s before the first page began\)$/m,
      );
      assert.match(child.stdout, / \/ 1 core = /);
      assert.match(child.stderr, /^pool: 1\/1 page, done in [\d.]+ s$/m);
    });
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
