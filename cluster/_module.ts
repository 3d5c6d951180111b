// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A cluster's task module travels as a URL, with the SHA-256 of its content
 * in the query (`tasks.ts?sha256=…`): Deno caches a remote module by its
 * URL (a `#fragment` does not count: measured), so a changed module gets a
 * new URL and is fetched anew, and a consumer never runs a stale copy. The
 * consumer checks the hash before it runs anything: a module that differs
 * where it runs (another checkout, a server that changed meanwhile) fails
 * the call with a `ModuleLoadError` that says so, rather than run other
 * code than the pool's.
 *
 * Only `file:` and `http(s):` modules are hashed; `jsr:` and `npm:`
 * specifiers travel as they are (pin a version: a published version never
 * changes).
 *
 * @module
 */
import { runtime } from "../_runtime.ts";

/** The query parameter that carries the hash. */
export const HASH_PARAM = "sha256";

/** The hex SHA-256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Whether the module's scheme is one that is hashed. */
function hashed(url: URL): boolean {
  return url.protocol === "file:" || url.protocol === "http:" ||
    url.protocol === "https:";
}

/** The module's content, from disk or over the network. */
async function read(url: URL): Promise<Uint8Array> {
  if (url.protocol === "file:") return await runtime().readFile(url);
  const response = await fetch(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Resolves a module given as a URL or a path to an absolute URL. */
export function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== "string" || module === "") {
    throw new TypeError(
      `Cannot create pool as 'module' must be a URL or a path: received ${
        module === "" ? "an empty string" : typeof module
      }`,
    );
  }
  const drive = /^[a-zA-Z]:[\\/]/.test(module);
  if (URL.canParse(module) && !drive) return new URL(module).href;
  const path = module.replaceAll("\\", "/");
  if (drive || path.startsWith("/")) {
    return new URL(`file://${drive ? "/" : ""}${path}`).href;
  }
  const base = runtime().moduleBase();
  if (base === undefined) {
    throw new TypeError(
      `Cannot create pool as the module path '${module}' is relative, and ${runtime().label} has no working directory to resolve it against: pass a URL, such as new URL("./tasks.js", import.meta.url)`,
    );
  }
  return new URL(path, base.url).href;
}

/**
 * The pool's side: the module's URL with its hash, recomputed when a file
 * changes (by its modification time and size), once for a remote module.
 */
export class ModuleHasher {
  readonly url: string;
  #key = "";
  #hashed: Promise<string> | null = null;

  constructor(url: string) {
    this.url = url;
  }

  /**
   * The URL to send, with the content's hash.
   *
   * @throws {Error} If the module cannot be read, naming it.
   */
  async current(): Promise<string> {
    const url = new URL(this.url);
    if (!hashed(url)) return this.url;
    let key = "remote";
    if (url.protocol === "file:") {
      try {
        const info = await runtime().statFile(url);
        key = `${info.mtimeMs}:${info.size}`;
      } catch (error) {
        throw unreadable(this.url, error);
      }
    }
    if (this.#hashed === null || key !== this.#key) {
      this.#key = key;
      this.#hashed = read(url).then(
        async (bytes) => {
          url.searchParams.set(HASH_PARAM, await sha256(bytes));
          return url.href;
        },
        (error) => {
          this.#hashed = null;
          throw unreadable(this.url, error);
        },
      );
    }
    return this.#hashed;
  }
}

function unreadable(url: string, error: unknown): Error {
  return new Error(
    `Cannot send the pool's module ${url} to the cluster as it cannot be read to hash it (${
      error instanceof Error ? error.message : String(error)
    }): check the path, and that the program may read it`,
    { cause: error },
  );
}

/** What a consumer learns of a module before it runs it. */
export type Verified =
  | { ok: true; url: string }
  | { ok: false; detail: string; kind: "not-found" | "other"; url: string };

/**
 * The consumer's side: checks that the module it would import is the one
 * the pool hashed, and returns the URL to import: a `file:` module without
 * the query (so that stacks name the file as a local pool's do; files are
 * not cached), a remote one with it.
 */
export async function verifyModule(sent: string): Promise<Verified> {
  const url = new URL(sent);
  const expected = url.searchParams.get(HASH_PARAM);
  if (!hashed(url) || expected === null) return { ok: true, url: sent };
  url.searchParams.delete(HASH_PARAM);
  const plain = url.href;
  let bytes: Uint8Array;
  try {
    bytes = await read(url);
  } catch (error) {
    return {
      ok: false,
      kind: runtime().isNotFound(error) ? "not-found" : "other",
      url: plain,
      detail: `it cannot be read on this consumer (${
        error instanceof Error ? error.message : String(error)
      })`,
    };
  }
  const actual = await sha256(bytes);
  if (actual !== expected) {
    return {
      ok: false,
      kind: "other",
      url: plain,
      detail:
        `its content on this consumer (sha256 ${actual}) differs from the pool's (sha256 ${expected}): the pool and the consumer see different versions of it; deploy the same version to both`,
    };
  }
  return { ok: true, url: url.protocol === "file:" ? plain : sent };
}
