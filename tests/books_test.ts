// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import {
  booksToCsv,
  decodeHtml,
  pageUrl,
  parseBooks,
  writeFileAtomic,
} from "../workers/books.ts";

const fixture = new URL("./fixtures/books_page.html", import.meta.url);

Deno.test("parseBooks() reads titles, prices and stock flags from the site's markup", async () => {
  const books = parseBooks(await Deno.readTextFile(fixture));
  assert.deepEqual(books, [
    {
      title:
        "The Coming Woman: A Novel Based on the Life of the Infamous Feminist, Victoria Woodhull",
      price: "£17.93",
      inStock: true,
    },
    { title: 'The "Perfect" Crime', price: "£10.00", inStock: true },
    {
      title: "Café Society — Paris’ “Belle Époque”",
      price: "£51.77",
      inStock: true,
    },
    // Not exactly "In stock" once trimmed, so False, as in the notebook.
    { title: "Rock & Roll", price: "£0.99", inStock: false },
  ]);
});

Deno.test("parseBooks() refuses a page with no books, or whose lists do not line up", () => {
  assert.throws(
    () => parseBooks("<html><body><p>Nothing here</p></body></html>"),
    /has no books/,
  );
  assert.throws(
    () =>
      parseBooks('<h3><a title="A">A</a></h3><p class="price_color">£1</p>'),
    /1 titles, 1 prices, 0 stock flags/,
  );
});

Deno.test("booksToCsv() writes what pandas' to_csv(index=False) writes", async () => {
  const csv = booksToCsv(parseBooks(await Deno.readTextFile(fixture)));
  // Minimal quoting: only fields with a comma, a quote or a line break.
  assert.equal(
    csv,
    "Title,Price,Stock Availability\n" +
      '"The Coming Woman: A Novel Based on the Life of the Infamous Feminist, Victoria Woodhull",£17.93,True\n' +
      '"The ""Perfect"" Crime",£10.00,True\n' +
      "Café Society — Paris’ “Belle Époque”,£51.77,True\n" +
      "Rock & Roll,£0.99,False\n",
  );
  assert.equal(booksToCsv([]), "Title,Price,Stock Availability\n");
  // Python's csv module (under pandas) quotes "\n" but, with "\n" line
  // ends, not a lone "\r"; an empty field stays empty.
  assert.equal(
    booksToCsv([{ title: "two\nlines", price: "cr\rhere", inStock: true }]),
    'Title,Price,Stock Availability\n"two\nlines",cr\rhere,True\n',
  );
  assert.equal(
    booksToCsv([{ title: "", price: "£1", inStock: false }]),
    "Title,Price,Stock Availability\n,£1,False\n",
  );
});

Deno.test("decodeHtml() decodes as the page declares, so £ stays £", () => {
  const utf8 = new TextEncoder().encode(
    '<meta http-equiv="content-type" content="text/html; charset=UTF-8" /><p>£51.77</p>',
  );
  assert.match(decodeHtml(utf8, "text/html"), /£51\.77/);
  assert.match(decodeHtml(utf8, null), /£51\.77/);
  // A Latin-1 page says so, and £ is one byte there.
  const latin1 = Uint8Array.from([
    ...new TextEncoder().encode('<meta charset="iso-8859-1"><p>'),
    0xa3,
    ...new TextEncoder().encode("5</p>"),
  ]);
  assert.match(decodeHtml(latin1, "text/html"), /£5/);
  // The header's charset wins over the page's.
  assert.match(decodeHtml(latin1, "text/html; charset=utf-8"), /\uFFFD5/);
});

Deno.test("pageUrl() builds the listing URL from any base", () => {
  assert.equal(
    pageUrl("http://books.toscrape.com/", 3),
    "http://books.toscrape.com/catalogue/page-3.html",
  );
});

Deno.test("writeFileAtomic() leaves the whole file and no temporary one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/a.csv`, "x,y\n");
    assert.equal(await Deno.readTextFile(`${dir}/a.csv`), "x,y\n");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.csv"]);
    await assert.rejects(writeFileAtomic(`${dir}/missing/b.csv`, "z"));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() with a tempDir writes there first, and fails cleanly once it is gone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/tmp`);
    await writeFileAtomic(`${dir}/a.csv`, "x,y\n", `${dir}/tmp`);
    assert.equal(await Deno.readTextFile(`${dir}/a.csv`), "x,y\n");
    assert.deepEqual([...Deno.readDirSync(`${dir}/tmp`)], []);
    // A write begun after its run removed the folder has nowhere to land.
    await Deno.remove(`${dir}/tmp`);
    await assert.rejects(writeFileAtomic(`${dir}/b.csv`, "z", `${dir}/tmp`));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
