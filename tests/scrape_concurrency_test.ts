// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The scraper on a pool with `concurrency`: each worker has several pages in
 * flight, the files are the same as a serial run's, a bad `--concurrency` is
 * refused before any work, the summary shows the floor with both its terms,
 * and the parser that makes the pages cheap reads what the DOM would. None
 * of these is timed: the speed goals are in `bench/pool_bench.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DOMParser } from "linkedom";
import {
  generatedBooks,
  generatedPage,
  startBooksSite,
} from "../examples/books_site.ts";
import { booksToCsv, parseBooks } from "../workers/books.ts";
import { deadline } from "./_helpers.ts";
import { csvFiles, scrape, SHARED, sharedExists } from "./_scrape.ts";

/** Runs `body` in fresh temporary folders, removed after. */
async function withDirs(
  count: number,
  body: (...dirs: string[]) => Promise<void>,
): Promise<void> {
  const dirs = await Promise.all(
    Array.from({ length: count }, () => Deno.makeTempDir()),
  );
  try {
    await body(...dirs);
  } finally {
    for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("scrape.ts --concurrency writes the same CSV files as the serial loop", async () => {
  await withDirs(2, async (serialOut, poolOut) => {
    const site = startBooksSite({ latencyMs: 5 });
    try {
      const serial = await scrape([
        "--base-url",
        site.url,
        "--out",
        serialOut,
        "--serial",
      ]);
      assert.equal(serial.code, 0, serial.stderr);
      const pool = await scrape([
        "--base-url",
        site.url,
        "--out",
        poolOut,
        "--workers",
        "2",
        "--concurrency",
        "7",
      ]);
      assert.equal(pool.code, 0, pool.stderr);
      assert.match(
        pool.stdout,
        /^Pool time \(2 workers\): [\d.]+ s, up to 7 pages at once on each, /m,
      );
    } finally {
      await deadline(site.close(), "the books site to close");
    }
    const ours = await csvFiles(poolOut);
    assert.equal(ours.size, 50);
    assert.deepEqual(ours, await csvFiles(serialOut));
    for (const [name, csv] of ours) {
      const page = Number(/results_(\d+)\.csv/.exec(name)![1]);
      const books = generatedBooks(page).map((b) => ({ ...b, inStock: true }));
      assert.equal(csv, booksToCsv(books), name);
    }
  });
});

Deno.test({
  name:
    "scrape.ts --concurrency writes byte for byte the notebook's CSVs for the 50 real pages" +
    (sharedExists ? "" : " (skipped: no saved real pages; see scrape_test.ts)"),
  ignore: !sharedExists,
  async fn() {
    await withDirs(1, async (out) => {
      const site = startBooksSite({ dir: new URL(".", SHARED).pathname });
      try {
        const child = await scrape([
          "--base-url",
          site.url,
          "--out",
          out,
          "--workers",
          "2",
          "--concurrency",
          "4",
        ]);
        assert.equal(child.code, 0, child.stderr);
      } finally {
        await deadline(site.close(), "the books site to close");
      }
      const theirs = await csvFiles(new URL("expected", SHARED).pathname);
      assert.equal(theirs.size, 50);
      assert.deepEqual(await csvFiles(out), theirs);
    });
  },
});

Deno.test("scrape.ts has up to workers × concurrency pages in flight, never more", async () => {
  await withDirs(1, async (out) => {
    // Each response waits 300 ms at the site, so that the pages a worker
    // has started are all still there when the last of them arrives.
    for (
      const [workers, concurrency, peak] of [
        ["1", "3", 3],
        ["2", "1", 2],
      ] as const
    ) {
      const site = startBooksSite({ latencyMs: 300, pages: 6 });
      try {
        const child = await scrape([
          "--base-url",
          site.url,
          "--out",
          out,
          "--pages",
          "6",
          "--workers",
          workers,
          "--concurrency",
          concurrency,
        ]);
        assert.equal(child.code, 0, child.stderr);
        assert.equal(site.requests, 6);
        assert.equal(
          site.peakInFlight,
          peak,
          `${workers} workers × ${concurrency}`,
        );
      } finally {
        await deadline(site.close(), "the books site to close");
      }
    }
    assert.equal((await csvFiles(out)).size, 6);
  });
});

Deno.test("scrape.ts refuses --concurrency 0, -1 and abc in one line, exit code 2, before any work", async () => {
  await withDirs(1, async (dir) => {
    const out = `${dir}/out`;
    for (const value of ["0", "-1", "abc"]) {
      const child = await scrape(
        ["--out", out, "--concurrency", value],
        15_000,
      );
      assert.equal(child.killed, false, child.stderr);
      assert.equal(child.code, 2, `${value}: ${child.stderr}`);
      assert.equal(child.stdout, "", value);
      // The error in one line, then the usage and where to read more, as
      // every other flag of the examples.
      const [message, usage, hint, ...rest] = child.stderr.trimEnd().split(
        "\n",
      );
      assert.equal(
        message,
        `Cannot run as '--concurrency' must be a positive integer: received ${value}`,
      );
      assert.match(
        usage!,
        /^Usage: deno run -A examples\/scrape\.ts .*\[--concurrency N\]/,
      );
      assert.equal(hint, "(--help says what each flag means)");
      assert.deepEqual(rest, []);
      // Refused before the output folder was made.
      assert.throws(() => Deno.statSync(out), Deno.errors.NotFound);
    }
  });
});

Deno.test("scrape.ts prints the floor, both its terms, beside the pool time and the speedup", async () => {
  await withDirs(1, async (out) => {
    const site = startBooksSite({ latencyMs: 20, pages: 10 });
    let stdout = "";
    try {
      const child = await scrape([
        "--base-url",
        site.url,
        "--out",
        out,
        "--pages",
        "10",
        "--workers",
        "2",
        "--compare",
      ]);
      assert.equal(child.code, 0, child.stderr);
      stdout = child.stdout;
    } finally {
      await deadline(site.close(), "the books site to close");
    }
    const lines = stdout.trimEnd().split("\n");
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const pool = at(/^Pool time /);
    assert.match(
      lines[pool]!,
      /^Pool time \(2 workers\): [\d.]+ s, up to 5 pages at once on each, start-up included \([\d.]+ s before the first page began\)$/,
    );
    assert.equal(at(/^Speedup: [\d.]+x$/), pool + 1, stdout);
    const floor =
      /^Floor: ([\d.]+) s = max\(one response ([\d.]+) s, parsing ([\d.]+) s \/ (\d+) cores? = ([\d.]+) s\); the pool took ([\d.]+)x the floor$/
        .exec(lines[pool + 2] ?? "");
    assert.ok(floor, stdout);
    const [, total, response, parsing, cores, share] = floor.map(Number);
    // The parsing is shared by the workers, at most the cores.
    assert.equal(cores, Math.min(2, navigator.hardwareConcurrency));
    assert.ok(Math.abs(share! - parsing! / cores!) <= 0.01, stdout);
    assert.ok(Math.abs(total! - Math.max(response!, share!)) <= 0.01, stdout);
    // No response comes before the site's 20 ms of latency.
    assert.ok(response! >= 0.02, stdout);
  });
});

/** What the lesson's DOM queries give, through linkedom's `DOMParser`. */
function domQueries(html: string) {
  const document = new DOMParser().parseFromString(html, "text/html");
  return {
    titles: [...document.querySelectorAll("h3")].map((h3) =>
      h3.querySelector("a")?.getAttribute("title") ?? ""
    ),
    prices: [...document.querySelectorAll("p.price_color")].map((p) =>
      p.textContent ?? ""
    ),
    stocks: [...document.querySelectorAll("p.instock.availability")].map(
      (p) => (p.textContent ?? "").trim() === "In stock",
    ),
  };
}

function parsed(html: string) {
  const books = parseBooks(html);
  return {
    titles: books.map((b) => b.title),
    prices: books.map((b) => b.price),
    stocks: books.map((b) => b.inStock),
  };
}

Deno.test("parseBooks() reads what the DOM queries read, on tricky markup too", async () => {
  const stock = '<p class="instock availability">In stock</p>';
  const pages = [
    generatedPage(1),
    generatedPage(7),
    await Deno.readTextFile(
      new URL("./fixtures/books_page.html", import.meta.url),
    ),
    // Entities, comments and nested tags in the texts, white space around.
    `<h3><a title="A &amp; B &quot;c&quot; &#39;d&#39; &eacute; &pound;">x</a></h3>` +
    `<p class="price_color">&pound;1<!-- no --><b>2</b></p>` +
    `<p class="instock availability"> <i></i>In stock </p>`,
    // An h3 without a link, and one whose link is deep: its first one.
    `<h3>none</h3><h3><span><a title="deep">x</a><a title="2nd">y</a></span></h3>` +
    `<p class="price_color">1</p><p class="price_color">2</p>${stock}` +
    `<p class="availability instock">Out</p>`,
    // No title; classes among others, split on any white space.
    `<h3><a>x</a></h3><p class="x price_color y">1</p>` +
    `<p class="instock\tavailability\n">In stock</p>`,
    // Unclosed tags, closed by the next one or by the end.
    `<h3><a title="t1">x</h3><h3><a title="t2">y</a></h3>` +
    `<p class="price_color">1<p class="price_color">2</p>${stock}` +
    `<p class="instock availability">In stock`,
    // One p in both lists; a repeated attribute (the first wins).
    `<h3><a title="a" title="b">x</a></h3><p class="price_color instock availability">In stock</p>`,
    // Script and style text is text, a CDATA section in HTML a comment.
    `<h3><a title="s">x</a></h3><p class="price_color"><script>var x="<b>";</script>1</p>` +
    `<p class="instock availability"><style>p{}</style>In stock<![CDATA[x]]></p>`,
    `<h3 class="x"><a title="&notanentity; &amp &lt">x</a></h3>` +
    `<p class="price_color">&#163;&#x00A3;</p>` +
    `<p class="instock availability">&nbsp;In stock&nbsp;</p>`,
  ];
  for (const html of pages) {
    assert.deepEqual(parsed(html), domQueries(html), html.slice(0, 200));
  }
  // Two places where linkedom departs from HTML parsing, and so from the
  // notebook's BeautifulSoup: attribute names are case-insensitive, and a
  // template's content is markup like any other.
  assert.deepEqual(
    parsed(
      '<H3><A TITLE="upper">x</A></H3><P CLASS="price_color">1</P><P CLASS="instock availability">In stock</P>',
    ),
    { titles: ["upper"], prices: ["1"], stocks: [true] },
  );
  assert.deepEqual(
    parsed(
      `<h3><template><a title="in template">x</a></template><a title="after">y</a></h3><p class="price_color">1</p>${stock}`,
    ).titles,
    ["in template"],
  );
});
