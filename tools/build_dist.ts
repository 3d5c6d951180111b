// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Builds the JavaScript that a page gets, from `mod.ts`, with `deno bundle`:
 * `deno task build:browser` writes `dist/browser/pool.js`, one ES module for
 * a page (`<script type="module">`) or a bundler, with `acorn` and
 * `eslint-scope` inlined. Node and Bun users get the npm form instead
 * (`tools/build_npm.ts`), as JSR serves it.
 *
 * The build checks its output with acorn: no import may be left in it, so
 * that a build that would fail to load in a page fails here instead. It
 * also drops the JSDoc comments (the code stays as readable, and smaller):
 * they are the sources' documentation, which `deno test --doc` would
 * otherwise run a second time from `dist/`.
 *
 * Flags: `--out-dir DIR` (default `dist/browser`), `--minify`,
 * `--keep-names`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse } from "npm:acorn@8.19.0";
import { ROOT, runDeno } from "./_deno.ts";

/** Options of {@linkcode buildDist}. */
export interface BuildOptions {
  /** Where to write, relative to the root or absolute. @default {"dist/browser"} */
  outDir?: string;
  /** Pass `--minify` to `deno bundle`. */
  minify?: boolean;
  /** Pass `--keep-names` to `deno bundle`. */
  keepNames?: boolean;
}

/** What {@linkcode buildDist} wrote. */
export interface BuildResult {
  /** The bundle's absolute path. */
  file: string;
  /** Its size in bytes. */
  bytes: number;
  /** The imports it keeps: none, or the build fails. */
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
  return fileURLToPath(new URL(path, ROOT));
}

/**
 * Bundles `mod.ts` for browsers into `options.outDir` and checks that it
 * imports nothing.
 *
 * @throws {Error} If `deno bundle` fails, or the bundle keeps an import.
 */
export async function buildDist(
  options: BuildOptions = {},
): Promise<BuildResult> {
  const outDir = absolute(options.outDir ?? "dist/browser");
  await Deno.mkdir(outDir, { recursive: true });
  const file = `${outDir}/pool.js`;
  const args = [
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "--format",
    "esm",
    ...(options.minify ? ["--minify"] : []),
    ...(options.keepNames ? ["--keep-names"] : []),
    "--output",
    file,
    "mod.ts",
  ];
  await runDeno(args, "build for browsers");
  const code = stripDocComments(await Deno.readTextFile(file));
  await Deno.writeTextFile(file, code);
  const imports = importsOf(code);
  if (imports.length > 0) {
    throw new Error(
      `The browser bundle ${file} still imports ${
        imports.join(", ")
      }: it must be self-contained`,
    );
  }
  return { file, bytes: code.length, imports };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      "out-dir": { type: "string" },
      minify: { type: "boolean", default: false },
      "keep-names": { type: "boolean", default: false },
    },
  });
  const built = await buildDist({
    ...(values["out-dir"] === undefined ? {} : { outDir: values["out-dir"] }),
    minify: values.minify,
    keepNames: values["keep-names"],
  });
  console.log(
    `Wrote ${built.file} (${(built.bytes / 1024).toFixed(0)} KiB, no imports)`,
  );
}
