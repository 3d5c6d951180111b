// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What `tests/runtimes_test.ts` needs to drive other runtimes: finding each
 * one (and saying what to install when it is missing), running a child
 * process under a deadline, building the library with the project's own
 * tasks, and reading the JSON line a runner prints.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
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
    const path = fileURLToPath(new URL(candidate, NPM));
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
  const path = fileURLToPath(new URL("node_modules/.bin/esbuild", NPM));
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
 * Builds `dist/browser/pool.js` and the npm form in `dist/npm/` with the
 * project's own tasks (`deno task build:browser`, `deno task build:npm`),
 * once per test run.
 */
export function buildDist(): Promise<void> {
  building ??= (async () => {
    for (const task of ["build:browser", "build:npm"]) {
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

/** The npm packages that {@linkcode nodeProject} links, besides the package's own dependencies. */
const PROJECT_TOOLS = ["typescript", "@types/node"];

/**
 * The npm form's dependencies and the TypeScript that checks a user's
 * code, as `npm/package-lock.json` pins them: present, or what to install.
 */
export function findNpmDependencies(): Found {
  // The npm form's dependencies (tools/build_npm.ts lists them in its
  // package.json; nodeProject() checks each version), and the tools.
  const wanted = [
    "acorn",
    "eslint-scope",
    "@nats-io/jetstream",
    "@nats-io/nats-core",
    "@nats-io/transport-node",
    ...PROJECT_TOOLS,
  ];
  const missing = wanted.filter((name) =>
    !exists(new URL(`node_modules/${name}/package.json`, NPM))
  );
  if (missing.length > 0) {
    return {
      missing: `${missing.join(", ")} ${
        missing.length === 1 ? "is" : "are"
      } not installed: ${NPM_INSTALL}`,
    };
  }
  return { path: fileURLToPath(new URL("node_modules/", NPM)), version: "" };
}

/** Where {@linkcode nodeProject} puts the project, under the root. */
export const NODE_PROJECT = "dist/node-app";

let project: Promise<string> | undefined;

/**
 * A Node project that has installed the package the way `npx jsr add
 * @paralelo/pool` does: `dist/npm` (built first) copied to
 * `node_modules/@paralelo/pool`, the alias of `@jsr/paralelo__pool`, with
 * each dependency its manifest names linked from `npm/node_modules` at the
 * exact version named (a dependency missing from the manifest would fail
 * to load, as it would for a user). `files` are written into the project.
 * Made once per test run; returns its absolute path.
 */
export function nodeProject(
  files: Record<string, string> = {},
): Promise<string> {
  project ??= (async () => {
    await buildDist();
    const dir = rootPath(NODE_PROJECT);
    await Deno.remove(dir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    const installed = `${dir}/node_modules/@paralelo/pool`;
    await copyTree(rootPath("dist/npm"), installed);
    const manifest = JSON.parse(
      await Deno.readTextFile(`${installed}/package.json`),
    ) as {
      name: string;
      version: string;
      dependencies: Record<string, string>;
    };
    const links: Array<[string, string | null]> = [
      ...Object.entries(manifest.dependencies),
      ...PROJECT_TOOLS.map((name) => [name, null] as [string, null]),
    ];
    for (const [name, version] of links) {
      const source = fileURLToPath(new URL(`node_modules/${name}/`, NPM));
      let found: string;
      try {
        found = (JSON.parse(
          await Deno.readTextFile(`${source}package.json`),
        ) as { version: string }).version;
      } catch {
        throw new Error(
          `Cannot install the npm form into ${NODE_PROJECT}: its dependency ${name} is not in tests/runtimes/npm: add it to tests/runtimes/npm/package.json and run ${NPM_INSTALL}`,
        );
      }
      if (version !== null && found !== version) {
        throw new Error(
          `Cannot install the npm form into ${NODE_PROJECT}: it needs ${name}@${version}, tests/runtimes/npm has ${found}: pin ${version} there`,
        );
      }
      const link = `${dir}/node_modules/${name}`;
      await Deno.mkdir(link.slice(0, link.lastIndexOf("/")), {
        recursive: true,
      });
      await Deno.symlink(source.replace(/\/$/, ""), link);
    }
    await Deno.writeTextFile(
      `${dir}/package.json`,
      JSON.stringify(
        {
          private: true,
          type: "module",
          dependencies: {
            "@paralelo/pool": `npm:${manifest.name}@${manifest.version}`,
          },
        },
        null,
        2,
      ) + "\n",
    );
    return dir;
  })();
  return project.then(async (dir) => {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    return dir;
  });
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) {
      await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    } else {
      await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
    }
  }
}

/** The absolute path of a file under the root. */
export function rootPath(path: string): string {
  return fileURLToPath(new URL(path, ROOT));
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
