// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What `tests/runtimes_test.ts` needs to drive other runtimes: finding each
 * one (and saying what to install when it is missing), running a child
 * process under a deadline, building the library with the project's own
 * tasks, and reading the JSON line a runner prints.
 *
 * @module
 */
import { runChild } from "../_helpers.ts";

/** The repository's root. */
export const ROOT: URL = new URL("../../", import.meta.url);
/** This folder. */
export const HERE: URL = new URL("./", import.meta.url);
/** Where `npm ci --prefix tests/runtimes/npm` installs Bun, esbuild, puppeteer-core. */
export const NPM: URL = new URL("./npm/", import.meta.url);

/** The command that installs what `npm/package-lock.json` pins. */
export const NPM_INSTALL = "npm ci --prefix tests/runtimes/npm";

/** The variable that turns a skip for a missing tool into a failure. */
export const REQUIRE_ALL = "PARALELO_REQUIRE_ALL";

function env(name: string): string | undefined {
  return Deno.permissions.querySync({ name: "env", variable: name }).state ===
      "granted"
    ? Deno.env.get(name)
    : undefined;
}

/** Whether `PARALELO_REQUIRE_ALL=1`: then a missing runtime fails its test. */
export const required: boolean = env(REQUIRE_ALL) === "1";

/** Child processes under deadlines, as the other tests run them. */
export { type ChildOptions, type ChildResult, runChild } from "../_helpers.ts";

/** Runs `command --version`; its first line, or null if it cannot run. */
function version(command: string, args = ["--version"]): string | null {
  try {
    const output = new Deno.Command(command, {
      args,
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).outputSync();
    if (!output.success) return null;
    return new TextDecoder().decode(output.stdout).trim().split("\n")[0] ??
      null;
  } catch {
    return null;
  }
}

function exists(url: URL | string): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

/** A runtime or tool the tests drive: where it is, or why it is missing. */
export interface Tool {
  /** What runs it, such as `/usr/bin/node`. */
  path: string;
  /** Its `--version`. */
  version: string;
}

/** A tool, or what is missing and how to install it. */
export type Found = Tool | { missing: string };

/**
 * Node, as `PARALELO_NODE` or `node` on the PATH: 20.16 or later, for
 * `process.getBuiltinModule`, through which the pool loads its built-ins.
 */
export function findNode(): Found {
  const path = env("PARALELO_NODE") ?? "node";
  const found = version(path);
  if (found === null) {
    return {
      missing:
        `there is no Node.js (${path}): install Node.js 20.16 or later (apt-get install nodejs) or set PARALELO_NODE`,
    };
  }
  const [major = 0, minor = 0] = found.replace(/^v/, "").split(".").map(
    Number,
  );
  if (major < 20 || (major === 20 && minor < 16)) {
    return {
      missing:
        `Node.js ${found} is too old: the pool needs 20.16 or later (process.getBuiltinModule)`,
    };
  }
  return { path, version: found };
}

/** Bun, from the npm package `bun` that `npm/package-lock.json` pins. */
export function findBun(): Found {
  for (
    const candidate of [
      "node_modules/.bin/bun",
      // Where the binary is when the package's postinstall did not run.
      "node_modules/@oven/bun-linux-x64/bin/bun",
      "node_modules/@oven/bun-linux-aarch64/bin/bun",
      "node_modules/@oven/bun-darwin-aarch64/bin/bun",
      "node_modules/@oven/bun-darwin-x64/bin/bun",
    ]
  ) {
    const path = new URL(candidate, NPM).pathname;
    if (!exists(path)) continue;
    const found = version(path);
    if (found !== null) return { path, version: found };
  }
  return {
    missing: `Bun is not installed: ${NPM_INSTALL} (npm's bun@1.4.5)`,
  };
}

/** esbuild, from the npm package that `npm/package-lock.json` pins. */
export function findEsbuild(): Found {
  const path = new URL("node_modules/.bin/esbuild", NPM).pathname;
  const found = exists(path) ? version(path) : null;
  return found === null
    ? {
      missing: `esbuild is not installed: ${NPM_INSTALL} (esbuild@0.28.2)`,
    }
    : { path, version: found };
}

/**
 * Chromium (`PARALELO_CHROMIUM`, or Debian's `/usr/bin/chromium`), which
 * `chromium.mjs` drives with puppeteer-core under Node (which a test that
 * needs Chromium asks for too, with {@linkcode findNode}).
 */
export function findChromium(): Found {
  const path = env("PARALELO_CHROMIUM") ?? "/usr/bin/chromium";
  const found = exists(path) ? version(path) : null;
  if (found === null) {
    return {
      missing:
        `there is no Chromium at ${path}: apt-get install chromium, or set PARALELO_CHROMIUM`,
    };
  }
  if (!exists(new URL("node_modules/puppeteer-core/package.json", NPM))) {
    return {
      missing:
        `puppeteer-core is not installed: ${NPM_INSTALL} (puppeteer-core@24.43.1)`,
    };
  }
  return { path, version: found };
}

/**
 * The name a test registers under, and whether it is skipped: a missing
 * tool skips it (and says what to install in its name), unless
 * `PARALELO_REQUIRE_ALL=1`, which keeps it to fail.
 */
export function gate(
  name: string,
  found: Found[],
): { name: string; ignore: boolean; missing: string | null } {
  const missing = [
    ...new Set(
      found.flatMap((tool) => "missing" in tool ? [tool.missing] : []),
    ),
  ].join("; ") || null;
  if (missing === null) return { name, ignore: false, missing };
  if (required) return { name, ignore: false, missing };
  return {
    name: `${name} (skipped: ${missing}; set ${REQUIRE_ALL}=1 to fail instead)`,
    ignore: true,
    missing,
  };
}

/** Fails with what is missing, when {@linkcode gate} kept a test to fail. */
export function assertPresent(missing: string | null): void {
  if (missing !== null) {
    throw new Error(
      `Cannot run: ${missing} (${REQUIRE_ALL}=1 is set, so this is a failure, not a skip)`,
    );
  }
}

let building: Promise<void> | undefined;

/**
 * Builds `dist/browser/pool.js` and `dist/node/pool.js` with the project's
 * own tasks (`deno task build:browser`, `deno task build:node`), once per
 * test run.
 */
export function buildDist(): Promise<void> {
  building ??= (async () => {
    for (const task of ["build:browser", "build:node"]) {
      const result = await runChild(Deno.execPath(), ["task", task], {
        ms: 120_000,
      });
      if (result.code !== 0 || result.killed) {
        throw new Error(
          `deno task ${task} failed (code ${result.code}${
            result.killed ? ", killed" : ""
          }):\n${result.stderr}${result.stdout}`,
        );
      }
    }
  })();
  return building;
}

/** The absolute path of a file under the root. */
export function rootPath(path: string): string {
  return new URL(path, ROOT).pathname;
}

/** The last line of `stdout` that parses as a JSON object, or null. */
export function lastJson(stdout: string): Record<string, unknown> | null {
  const lines = stdout.trim().split("\n").reverse();
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    try {
      return JSON.parse(line);
    } catch {
      // Not this one.
    }
  }
  return null;
}

/** The end of a child's output, for a failure's message. */
export function tail(text: string, lines = 30): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}
