// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Builds the JavaScript that users outside Deno get, from `mod.ts`, with
 * `deno bundle`:
 *
 * - `deno task build:browser` writes `dist/browser/pool.js`, one ES module
 *   for a page (`<script type="module">` or a bundler), with `acorn` and
 *   `eslint-scope` inlined: no import is left in it.
 * - `deno task build:node` writes `dist/node/pool.js` and a
 *   `dist/node/package.json`: what a Node or Bun user of the package runs.
 *   JSR's npm side would give them `mod.ts` and its modules transpiled file
 *   by file, with `acorn` and `eslint-scope` as dependencies; the closest
 *   honest stand-in that needs no publishing is this one bundle, which
 *   keeps only `node:` built-ins as imports (`deno bundle` has no `node`
 *   platform; `--platform deno` leaves `node:` imports to the runtime, as
 *   esbuild's `node` platform does).
 *
 * Each build checks its output with acorn: the only imports a bundle may
 * keep are `node:` built-ins (none for the browser), so that a build that
 * would fail to load where it is used fails here instead. It also drops
 * the JSDoc comments (the code stays as readable, and smaller): they
 * are the sources' documentation, which `deno test --doc` would otherwise
 * run a second time from `dist/`.
 *
 * Flags: `--target browser|node|all` (default `all`), `--out-dir DIR`
 * (default `dist/<target>`), `--minify`, `--keep-names`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parse } from "npm:acorn@8.19.0";

/** The repository's root, where `deno bundle` runs. */
const ROOT = new URL("../", import.meta.url);

/** What can be built. */
export type DistTarget = "browser" | "node";

/** Options of {@linkcode buildDist}. */
export interface BuildOptions {
  /** Where to write, relative to the root or absolute. @default {`dist/<target>`} */
  outDir?: string;
  /** Pass `--minify` to `deno bundle`. */
  minify?: boolean;
  /** Pass `--keep-names` to `deno bundle`. */
  keepNames?: boolean;
}

/** What {@linkcode buildDist} wrote. */
export interface BuildResult {
  target: DistTarget;
  /** The bundle's absolute path. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  /** The imports it keeps (only `node:` built-ins, for node). */
  imports: string[];
}

/** Every static or literal dynamic import of an ES module's source. */
export function importsOf(code: string): string[] {
  const program = parse(code, { ecmaVersion: "latest", sourceType: "module" });
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const record = node as Record<string, unknown> & { type?: string };
    if (
      (record.type === "ImportDeclaration" ||
        record.type === "ExportNamedDeclaration" ||
        record.type === "ExportAllDeclaration" ||
        record.type === "ImportExpression") &&
      record.source !== null && typeof record.source === "object"
    ) {
      const source = record.source as { type?: string; value?: unknown };
      if (source.type === "Literal" && typeof source.value === "string") {
        found.push(source.value);
      }
    }
    for (const [key, value] of Object.entries(record)) {
      if (key !== "loc" && key !== "range") visit(value);
    }
  };
  visit(program);
  return found;
}

/**
 * `code` without its JSDoc comments (`/** ... *\/`), found by acorn, so
 * that none inside a string is touched. Comments marked `@license` or
 * `@preserve`, or `/*!`, are kept. A comment alone on its lines takes its
 * lines with it.
 */
export function stripDocComments(code: string): string {
  const comments: Array<{ start: number; end: number }> = [];
  parse(code, {
    ecmaVersion: "latest",
    sourceType: "module",
    onComment(block, text, start, end) {
      if (block && text.startsWith("*") && !/@license|@preserve/.test(text)) {
        comments.push({ start, end });
      }
    },
  });
  let out = "";
  let at = 0;
  for (let { start, end } of comments) {
    const lineStart = code.lastIndexOf("\n", start - 1) + 1;
    const lineEnd = code.indexOf("\n", end);
    const before = code.slice(lineStart, start);
    const after = code.slice(end, lineEnd === -1 ? code.length : lineEnd);
    if (/^[ \t]*$/.test(before) && /^[ \t]*$/.test(after)) {
      start = Math.max(lineStart, at);
      end = lineEnd === -1 ? code.length : lineEnd + 1;
      out += code.slice(at, start);
    } else {
      out += `${code.slice(at, start)} `;
    }
    at = end;
  }
  return out + code.slice(at);
}

function absolute(path: string): string {
  return path.startsWith("/") ? path : new URL(path, ROOT).pathname;
}

/**
 * Bundles `mod.ts` for `target` into `options.outDir` and checks what it
 * imports.
 *
 * @throws {Error} If `deno bundle` fails, or the bundle keeps an import
 * that its target cannot load.
 */
export async function buildDist(
  target: DistTarget,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const outDir = absolute(options.outDir ?? `dist/${target}`);
  await Deno.mkdir(outDir, { recursive: true });
  const file = `${outDir}/pool.js`;
  const args = [
    "bundle",
    "--quiet",
    "--platform",
    target === "browser" ? "browser" : "deno",
    "--format",
    "esm",
    ...(options.minify ? ["--minify"] : []),
    ...(options.keepNames ? ["--keep-names"] : []),
    "--output",
    file,
    "mod.ts",
  ];
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  if (!result.success) {
    throw new Error(
      `Cannot build ${target}: deno ${
        args.join(" ")
      } exited with code ${result.code}\n${decoder.decode(result.stderr)}${
        decoder.decode(result.stdout)
      }`,
    );
  }
  const code = stripDocComments(await Deno.readTextFile(file));
  await Deno.writeTextFile(file, code);
  const imports = importsOf(code);
  const refused = imports.filter((specifier) =>
    target === "browser" || !specifier.startsWith("node:")
  );
  if (refused.length > 0) {
    throw new Error(
      `The ${target} bundle ${file} still imports ${
        refused.join(", ")
      }: it must be self-contained${
        target === "node" ? " but for node: built-ins" : ""
      }`,
    );
  }
  if (target === "node") {
    const config = JSON.parse(
      await Deno.readTextFile(new URL("deno.json", ROOT)),
    ) as { name: string; version: string };
    const manifest = {
      name: config.name,
      version: config.version,
      description:
        "Built by `deno task build:node` (tools/build_dist.ts): a stand-in for the package's npm form",
      type: "module",
      exports: { ".": "./pool.js" },
      // process.getBuiltinModule, through which the pool loads node:os and
      // node:worker_threads.
      engines: { node: ">=20.16" },
    };
    await Deno.writeTextFile(
      `${outDir}/package.json`,
      JSON.stringify(manifest, null, 2) + "\n",
    );
  }
  return { target, file, bytes: code.length, imports };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      target: { type: "string", default: "all" },
      "out-dir": { type: "string" },
      minify: { type: "boolean", default: false },
      "keep-names": { type: "boolean", default: false },
    },
  });
  const targets: DistTarget[] = values.target === "all"
    ? ["browser", "node"]
    : values.target === "browser" || values.target === "node"
    ? [values.target]
    : [];
  if (targets.length === 0) {
    console.error(
      `Unknown --target '${values.target}': use browser, node or all`,
    );
    Deno.exit(2);
  }
  for (const target of targets) {
    const built = await buildDist(target, {
      ...(values["out-dir"] === undefined ? {} : {
        outDir: targets.length === 1
          ? values["out-dir"]
          : `${values["out-dir"]}/${target}`,
      }),
      minify: values.minify,
      keepNames: values["keep-names"],
    });
    const kept = built.imports.length === 0
      ? "no imports"
      : `imports ${[...new Set(built.imports)].join(", ")}`;
    console.log(
      `Wrote ${built.file} (${(built.bytes / 1024).toFixed(0)} KiB, ${kept})`,
    );
  }
}
