// Copyright 2026 the @paralelo/pool authors. MIT license.
/** What the scraper's tests share: the real pages, a run of scrape.ts, its files. */
import { type ChildResult, runDeno } from "./_helpers.ts";

/**
 * The 50 real listing pages, saved, and the CSVs the lesson's notebook wrote
 * from them: the project's shared folder beside the clone, or where
 * `BOOKS_FIXTURES` points.
 */
export const SHARED: URL = (() => {
  const env = Deno.permissions.querySync({
      name: "env",
      variable: "BOOKS_FIXTURES",
    }).state === "granted"
    ? Deno.env.get("BOOKS_FIXTURES")
    : undefined;
  return env === undefined
    ? new URL("../../shared/fixtures/books.toscrape.com/", import.meta.url)
    : new URL(`file://${env.replace(/\/*$/, "/")}`);
})();

/** Whether {@linkcode SHARED} holds the pages and CSVs. */
export const sharedExists: boolean = (() => {
  try {
    return Deno.statSync(new URL("expected/results_1.csv", SHARED)).isFile;
  } catch {
    return false;
  }
})();

/** Runs `examples/scrape.ts` with `args` in a child, killed after `ms`. */
export function scrape(args: string[], ms = 60_000): Promise<ChildResult> {
  return runDeno(["run", "-A", "examples/scrape.ts", ...args], { ms });
}

/** The CSV files of `dir`, by name. */
export async function csvFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.endsWith(".csv")) {
      files.set(entry.name, await Deno.readTextFile(`${dir}/${entry.name}`));
    }
  }
  return files;
}
