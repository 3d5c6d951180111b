// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A local books.toscrape.com for offline scraping: listing pages in the real
 * site's markup and paths (`/catalogue/page-N.html`, 404 elsewhere), made up
 * by a generator (1,000 books on 50 pages), or served from a folder of saved
 * pages. An added latency per response shows what parallelism buys: a local
 * server answers in microseconds, the real one in a few hundred milliseconds.
 *
 *     deno run --allow-net --allow-read examples/books_site.ts \
 *       [--port 8000] [--latency-ms 0] [--pages 50] [--dir PATH]
 *
 * Like the real site, it sends `Content-Type: text/html` with no charset: the
 * page declares UTF-8 in a `<meta>`.
 *
 * @module
 */
import {
  type Command,
  fail,
  parseFlags,
  positiveInteger,
  usageError,
} from "./_cli.ts";

/** Options for {@linkcode startBooksSite}. */
export interface BooksSiteOptions {
  /** @default {0, any free port} */
  port?: number;
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** Added before every response, in milliseconds. @default {0} */
  latencyMs?: number;
  /** How many listing pages the generator makes. @default {50} */
  pages?: number;
  /** Serve the files of this folder instead of generated pages. */
  dir?: string;
  /** Generated pages that come without any book, to test failures. @default {[]} */
  emptyPages?: number[];
  /** Pages whose first request fails with HTTP 503, to test retries. @default {[]} */
  flakyPages?: number[];
}

/** A running site. */
export interface BooksSite {
  /** Its base URL, such as `http://127.0.0.1:8000`. */
  url: string;
  /** How many requests it has answered or is answering, each retry included. */
  readonly requests: number;
  /**
   * The most requests it was answering at once: how many a scraper had in
   * flight together, as each waits out the latency here.
   */
  readonly peakInFlight: number;
  /** Stops the server. */
  close(): Promise<void>;
}

const WORDS = [
  "Light",
  "Attic",
  "Velvet",
  "River",
  "Garden",
  "Shadow",
  "Winter",
  "Ocean",
  "Harbor",
  "Mountain",
  "Silence",
  "Lantern",
  "Orchard",
  "Compass",
  "Meadow",
  "Ember",
];

/** Titles that test a scraper and a CSV writer: commas, quotes, non-ASCII, `&`. */
const SPECIAL_TITLES = [
  "Sapiens: A Brief History of Humankind",
  "Tipping the Velvet, Volume 1",
  'The "Perfect" Crime',
  "Café Society — Stories of Paris’ Nights",
  "Rock & Roll: “Live”, Loud, Raw",
];

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** A small deterministic PRNG, so the site is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The books of generated page `page`: 20, as on the real site. */
export function generatedBooks(
  page: number,
): Array<{ title: string; price: string }> {
  const next = random(page);
  return Array.from({ length: 20 }, (_, i) => {
    const special = page === 1 ? SPECIAL_TITLES[i] : undefined;
    const words = Array.from(
      { length: 2 + Math.floor(next() * 3) },
      () => WORDS[Math.floor(next() * WORDS.length)],
    );
    const title = special ??
      `The ${words.join(" ")} (Book ${(page - 1) * 20 + i + 1})`;
    const price = `£${(10 + next() * 50).toFixed(2)}`;
    return { title, price };
  });
}

function productPod(title: string, price: string, slug: string): string {
  const shortTitle = title.length > 20 ? `${title.slice(0, 20)}...` : title;
  return `
                        <li class="col-xs-6 col-sm-4 col-md-3 col-lg-3">






    <article class="product_pod">
        
            <div class="image_container">
                
                    
                    <a href="${slug}/index.html"><img src="../media/cache/${slug}.jpg" alt="${
    escapeHtml(title)
  }" class="thumbnail"></a>
                    
                
            </div>
        

        
            
                <p class="star-rating Three">
                    <i class="icon-star"></i>
                    <i class="icon-star"></i>
                    <i class="icon-star"></i>
                    <i class="icon-star"></i>
                    <i class="icon-star"></i>
                </p>
            
        

        
            <h3><a href="${slug}/index.html" title="${escapeHtml(title)}">${
    escapeHtml(shortTitle)
  }</a></h3>
        

        
            <div class="product_price">
                






    
        <p class="price_color">${price}</p>
    

<p class="instock availability">
    <i class="icon-ok"></i>
    
        In stock
    
</p>

                
                    






    
    <form>
        <button type="submit" class="btn btn-primary btn-block" data-loading-text="Adding...">Add to basket</button>
    </form>


                
            </div>
        
    </article>

</li>
`;
}

/** Generated listing page `page` of `pages`, in the real site's markup. */
export function generatedPage(page: number, pages = 50, empty = false): string {
  const books = empty ? [] : generatedBooks(page);
  const pods = books.map(({ title, price }, i) =>
    productPod(title, price, `book-${(page - 1) * 20 + i + 1}`)
  ).join("");
  const previous = page > 1
    ? `<li class="previous"><a href="page-${page - 1}.html">previous</a></li>`
    : "";
  const next = page < pages
    ? `<li class="next"><a href="page-${page + 1}.html">next</a></li>`
    : "";
  return `

<!DOCTYPE html>
<!--[if gt IE 8]><!--> <html lang="en-us" class="no-js"> <!--<![endif]-->
    <head>
        <title>
    All products | Books to Scrape - Sandbox
</title>

        <meta http-equiv="content-type" content="text/html; charset=UTF-8" />
        <meta name="description" content="" />
        <meta name="viewport" content="width=device-width" />
    </head>

    <body id="default" class="default">
        <div class="container-fluid page">
            <div class="page_inner">
                <div class="page-header action">
                    <h1>All products</h1>
                </div>
    <form method="get" class="form-horizontal">
                    <strong>${pages * 20}</strong> results - showing <strong>${
    (page - 1) * 20 + 1
  }</strong> to <strong>${page * 20}</strong>.
    </form>
        <section>
            <div class="alert alert-warning" role="alert"><strong>Warning!</strong> This is a demo website for web scraping purposes. Prices and ratings here were randomly assigned and have no real meaning.</div>

            <div>
                <ol class="row">
${pods}
                </ol>
                <div>
        <ul class="pager">
            ${previous}
            <li class="current">
                Page ${page} of ${pages}
            </li>
            ${next}
        </ul>
    </div>
            </div>
        </section>
            </div>
        </div>
    </body>
</html>
`;
}

const NOT_FOUND = () =>
  new Response("<h1>Not Found</h1>", {
    status: 404,
    headers: { "content-type": "text/html" },
  });

/** Starts the site; close it with `close()`. */
export function startBooksSite(options: BooksSiteOptions = {}): BooksSite {
  const pages = options.pages ?? 50;
  const latencyMs = options.latencyMs ?? 0;
  const empty = new Set(options.emptyPages ?? []);
  const flaky = new Set(options.flakyPages ?? []);
  const dir = options.dir?.replace(/\/+$/, "");
  let requests = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: () => {},
  }, async (request) => {
    requests++;
    peakInFlight = Math.max(peakInFlight, ++inFlight);
    try {
      return await respond(request);
    } finally {
      inFlight--;
    }
  });
  async function respond(request: Request): Promise<Response> {
    if (latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
    }
    const path = new URL(request.url).pathname;
    if (dir !== undefined) {
      const file = path.endsWith("/") ? `${path}index.html` : path;
      if (file.split("/").includes("..")) return NOT_FOUND();
      try {
        const body = await Deno.readFile(`${dir}${file}`);
        return new Response(body, { headers: { "content-type": "text/html" } });
      } catch {
        return NOT_FOUND();
      }
    }
    const match = /^\/catalogue\/page-(\d+)\.html$/.exec(path);
    const page = match ? Number(match[1]) : path === "/" ? 1 : 0;
    if (!(page >= 1 && page <= pages)) return NOT_FOUND();
    if (flaky.delete(page)) {
      return new Response("busy", {
        status: 503,
        statusText: "Service Unavailable",
      });
    }
    return new Response(generatedPage(page, pages, empty.has(page)), {
      headers: { "content-type": "text/html" },
    });
  }
  return {
    url: `http://${server.addr.hostname}:${server.addr.port}`,
    get requests() {
      return requests;
    },
    get peakInFlight() {
      return peakInFlight;
    },
    close: () => server.shutdown(),
  };
}

const COMMAND: Command = {
  run: "deno run --allow-net --allow-read examples/books_site.ts",
  summary:
    "A local books.toscrape.com: the real site's listing pages and paths, made up or from saved files.",
  flags: {
    port: {
      type: "string",
      value: "N",
      default: "8000",
      description:
        "The port to listen on, from 1 to 65535, or 0 for any free one",
    },
    "latency-ms": {
      type: "string",
      value: "N",
      default: "0",
      description: "Wait this many milliseconds before every response",
    },
    pages: {
      type: "string",
      value: "N",
      default: "50",
      description: "How many listing pages to make up",
    },
    dir: {
      type: "string",
      value: "PATH",
      defaultText: "make pages up",
      description: "Serve the saved pages of this folder instead",
    },
  },
};

/** The port `--port` names, or a one-line refusal that says which to use. */
function portFlag(value: unknown): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(
      `Cannot serve the books site on port ${value} as ports go from 0 to 65535: pass --port 8000, or --port 0 for any free one`,
    );
  }
  return port;
}

if (import.meta.main) {
  const flags = parseFlags(COMMAND);
  const latencyMs = Number(flags["latency-ms"]);
  if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) {
    usageError(
      COMMAND,
      `Cannot run as '--latency-ms' must be 0 or more: received ${
        flags["latency-ms"]
      }`,
    );
  }
  const port = portFlag(flags.port);
  const pages = positiveInteger(COMMAND, "pages", flags.pages);
  const dir = typeof flags.dir === "string" ? flags.dir : undefined;
  const hostname = "127.0.0.1";
  const missing = [
    Deno.permissions.querySync({ name: "net", host: `${hostname}:${port}` })
        .state === "granted"
      ? []
      : ["--allow-net"],
    dir === undefined ||
      Deno.permissions.querySync({ name: "read", path: dir }).state ===
        "granted"
      ? []
      : ["--allow-read"],
  ].flat();
  if (missing.length > 0) {
    fail(
      `Cannot serve the books site as Deno lacks a permission: add ${
        missing.join(" ")
      } (deno run --allow-net --allow-read examples/books_site.ts)`,
    );
  }
  if (dir !== undefined) {
    let isDirectory = false;
    try {
      isDirectory = Deno.statSync(dir).isDirectory;
    } catch {
      // Not there: refused below.
    }
    if (!isDirectory) {
      fail(
        `Cannot serve the pages of --dir ${dir} as it is not a folder: pass the folder that holds catalogue/page-1.html`,
      );
    }
  }
  let site: BooksSite;
  try {
    site = startBooksSite({
      hostname,
      port,
      latencyMs,
      pages,
      ...(dir === undefined ? {} : { dir }),
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      fail(
        `Cannot serve the books site on ${hostname}:${port} as something else listens there: pass another port with --port, or --port 0 for any free one`,
      );
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      fail(
        `Cannot serve the books site on ${hostname}:${port} as this user may not listen on that port: pass --port 8000, or --port 0 for any free one`,
      );
    }
    throw error;
  }
  console.log(`Serving books at ${site.url} (Ctrl-C to stop)`);
}
