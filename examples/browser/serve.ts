// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Serves the browser demo (`examples/browser/`) and the browser build of the
 * library (`dist/browser/pool.js`, from `deno task build:browser`) on
 * loopback, with the headers that make the page cross-origin isolated:
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`. An isolated page has
 * `SharedArrayBuffer`, which the pool uses to see what each worker runs;
 * without it the pool sends that state in messages instead.
 *
 *     deno task browser-demo            # builds, then serves on port 8080
 *     deno run --allow-net=127.0.0.1 --allow-read examples/browser/serve.ts \
 *       [--port 8080] [--no-isolation]
 *
 * `tests/runtimes_test.ts` serves its pages with {@linkcode serveStatic}
 * too.
 *
 * @module
 */
import { type Command, parseFlags, usageError } from "../_cli.ts";

/** The repository's root. */
const ROOT = new URL("../../", import.meta.url);

/** The paths served, under the root; everything else is a 404. */
export const SERVED: readonly string[] = [
  "/dist/browser/",
  "/examples/browser/",
  "/tests/runtimes/",
];

/** Never served, though under {@linkcode SERVED}. */
const HIDDEN: readonly string[] = ["/tests/runtimes/npm/"];

/** Where the demo's page is. */
export const DEMO_PATH = "/examples/browser/";

/** The headers of a cross-origin isolated page. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/** Options of {@linkcode serveStatic}. */
export interface ServeOptions {
  /** The port; 0 picks a free one. @default {8080} */
  port?: number;
  /** Send the cross-origin isolation headers. @default {true} */
  isolated?: boolean;
  /** Told of each request that is not served, with its status. */
  onMiss?: (path: string, status: number) => void;
}

/** A running server. */
export interface StaticServer {
  /** Its origin, such as `http://127.0.0.1:8080`. */
  origin: string;
  /** Whether it sends the isolation headers. */
  isolated: boolean;
  /** Stops it, and resolves once it has. */
  shutdown(): Promise<void>;
}

function respond(
  status: number,
  body: BodyInit | null,
  type: string,
  isolated: boolean,
): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": type,
      "cache-control": "no-store",
      ...(isolated ? ISOLATION_HEADERS : {}),
    },
  });
}

/** Answers one request: a file under {@linkcode SERVED}, or an error. */
async function handle(
  request: Request,
  isolated: boolean,
  onMiss: ServeOptions["onMiss"],
): Promise<Response> {
  const url = new URL(request.url);
  const miss = (status: number, message: string) => {
    onMiss?.(url.pathname, status);
    return respond(status, message, "text/plain; charset=utf-8", isolated);
  };
  if (request.method !== "GET" && request.method !== "HEAD") {
    return miss(405, "Only GET and HEAD\n");
  }
  if (url.pathname === "/") {
    return new Response(null, {
      status: 302,
      headers: { location: DEMO_PATH },
    });
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return miss(400, "Bad path\n");
  }
  if (path.split("/").includes("..")) return miss(400, "Bad path\n");
  if (path.endsWith("/")) path += "index.html";
  if (
    !SERVED.some((prefix) => path.startsWith(prefix)) ||
    HIDDEN.some((prefix) => path.startsWith(prefix))
  ) {
    return miss(404, `Not served: ${path}\n`);
  }
  const file = new URL(`.${path}`, ROOT);
  let body: Uint8Array;
  try {
    body = await Deno.readFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return miss(
      404,
      path.startsWith("/dist/browser/")
        ? `Not found: ${path}. Build it first: deno task build:browser\n`
        : `Not found: ${path}\n`,
    );
  }
  const dot = path.lastIndexOf(".");
  const type = TYPES[path.slice(dot)] ?? "application/octet-stream";
  return respond(
    200,
    request.method === "HEAD" ? null : body as Uint8Array<ArrayBuffer>,
    type,
    isolated,
  );
}

/**
 * Serves the demo, the browser build and the runtime tests' pages on
 * 127.0.0.1.
 */
export function serveStatic(options: ServeOptions = {}): Promise<StaticServer> {
  const isolated = options.isolated ?? true;
  return new Promise((resolve, reject) => {
    try {
      const server = Deno.serve({
        hostname: "127.0.0.1",
        port: options.port ?? 8080,
        onListen: ({ port }) =>
          resolve({
            origin: `http://127.0.0.1:${port}`,
            isolated,
            shutdown: () => server.shutdown(),
          }),
      }, (request) => handle(request, isolated, options.onMiss));
    } catch (error) {
      reject(error);
    }
  });
}

const COMMAND: Command = {
  run: "deno run --allow-net=127.0.0.1 --allow-read examples/browser/serve.ts",
  summary:
    "Serves the browser demo and dist/browser/pool.js on 127.0.0.1, cross-origin isolated unless --no-isolation.",
  flags: {
    port: {
      type: "string",
      value: "N",
      default: "8080",
      description: "The port to listen on (0 picks a free one)",
    },
    "no-isolation": {
      type: "boolean",
      description:
        "Leave out the COOP/COEP headers, to see the page without SharedArrayBuffer",
    },
  },
};

if (import.meta.main) {
  const flags = parseFlags(COMMAND);
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    usageError(COMMAND, `--port must be a port number, not '${flags.port}'`);
  }
  try {
    await Deno.stat(new URL("dist/browser/pool.js", ROOT));
  } catch {
    console.error(
      "dist/browser/pool.js is missing: run deno task build:browser (deno task browser-demo does it first)",
    );
    Deno.exit(2);
  }
  const server = await serveStatic({
    port,
    isolated: flags["no-isolation"] !== true,
  });
  console.log(`The browser demo: ${server.origin}${DEMO_PATH}`);
  console.log(
    server.isolated
      ? "Cross-origin isolated (COOP same-origin, COEP require-corp): the pool shares memory with its workers."
      : "Not cross-origin isolated (--no-isolation): no SharedArrayBuffer; the pool sends its workers' state in messages.",
  );
  console.log("Ctrl-C stops the server.");
}
