// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Builds the package's npm form into `dist/npm/`, the way JSR's npm side
 * (npm.jsr.io) serves a JSR package to Node and Bun users: `npx jsr add
 * @paralelo/pool` installs `@jsr/paralelo__pool` under the alias
 * `@paralelo/pool`, and that package is the published modules transpiled
 * file by file, not a bundle:
 *
 * - every module that the exports of `deno.json` reach, at its own path,
 *   as `x.js` and `x.d.ts`, with the JSDoc kept;
 * - relative imports of `./y.ts` rewritten to `./y.js`, and `npm:`
 *   imports (`npm:acorn@8.19.0`) to bare ones (`acorn`), each such package
 *   a dependency of the exact version named;
 * - a `package.json` whose `exports` map each export to its types and
 *   code.
 *
 * TypeScript does the transpiling: `transpileModule` for the code and
 * `transpileDeclaration` (isolated declarations, which `deno publish`'s
 * no-slow-types rule already guarantees) for the types. Specifiers are
 * rewritten on the syntax tree, so a string that merely looks like a path
 * (an error message's `new URL("./tasks.ts", ...)`) is left alone.
 *
 * The build refuses what it cannot carry into the npm form as it stands: an
 * import other than a relative, `node:` or `npm:` one (JSR itself would
 * rewrite a `jsr:` import to an `@jsr/` package, which this package does
 * not need), an npm import without an exact version, and a transpile
 * diagnostic.
 *
 * Flags: `--out-dir DIR` (default `dist/npm`). It must be a build of its
 * own: the build refuses a folder that holds the repository, or one with
 * files that are not an earlier build, rather than delete it.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import ts from "npm:typescript@6.0.3";
import { ROOT, runDeno } from "./_deno.ts";

/** The manifest that {@linkcode buildNpm} writes, as JSR writes it. */
export interface NpmManifest {
  name: string;
  version: string;
  license?: string;
  type: "module";
  exports: Record<string, { types: string; default: string }>;
  dependencies: Record<string, string>;
}

/** What {@linkcode buildNpm} wrote. */
export interface NpmBuildResult {
  /** The package's directory, absolute. */
  dir: string;
  /** The modules transpiled, relative to the root, sorted. */
  modules: string[];
  manifest: NpmManifest;
}

/** `@scope/name` as npm.jsr.io names it: `@jsr/scope__name`. */
export function npmName(jsrName: string): string {
  const match = /^@([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(jsrName);
  if (match === null) {
    throw new TypeError(
      `Cannot name the npm package as deno.json's 'name' is not @scope/name: received '${jsrName}'`,
    );
  }
  return `@jsr/${match[1]}__${match[2]}`;
}

/** An `npm:` specifier's parts: `npm:@a/b@1.2.3/sub` is `@a/b`, `1.2.3`, `/sub`. */
export function parseNpmSpecifier(
  specifier: string,
): { name: string; version: string; path: string } {
  const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(\/.*)?$/.exec(
    specifier,
  );
  if (match === null) {
    throw new TypeError(`Cannot parse the npm specifier '${specifier}'`);
  }
  const [, name, version = "", path = ""] = match as unknown as string[];
  if (!/^\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(version)) {
    throw new TypeError(
      `Cannot build the npm form as '${specifier}' has no exact version: pin it, as in npm:${name}@1.2.3${path}`,
    );
  }
  return { name: name!, version, path };
}

/**
 * What a module specifier becomes in the npm form, recording npm packages in
 * `dependencies`. `from` names the importing module, for errors.
 */
export function rewriteSpecifier(
  specifier: string,
  from: string,
  dependencies: Map<string, string>,
): string {
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    return /\.d\.m?ts$/.test(specifier) ? specifier : jsPath(specifier, "code");
  }
  if (specifier.startsWith("node:")) return specifier;
  if (specifier.startsWith("npm:")) {
    const { name, version, path } = parseNpmSpecifier(specifier);
    const known = dependencies.get(name);
    if (known !== undefined && known !== version) {
      throw new TypeError(
        `Cannot build the npm form as ${from} imports ${name}@${version} while another module imports ${name}@${known}: use one version`,
      );
    }
    dependencies.set(name, version);
    return `${name}${path}`;
  }
  throw new TypeError(
    `Cannot build the npm form as ${from} imports '${specifier}': this build carries only relative, node: and npm: imports into it; import the package through npm: instead`,
  );
}

/** `Symbol.asyncDispose` for `[Symbol.asyncDispose]`, or undefined. */
function computedKey(name: ts.PropertyName): string | undefined {
  if (!ts.isComputedPropertyName(name)) return undefined;
  const key = (expression: ts.Expression): string | undefined =>
    ts.isIdentifier(expression)
      ? expression.text
      : ts.isPropertyAccessExpression(expression)
      ? `${key(expression.expression)}.${expression.name.text}`
      : undefined;
  return key(name.expression);
}

/**
 * `node` without the property that TypeScript's `transpileDeclaration`
 * (5.9 and 6.0) emits beside each method with a computed name: for
 * `[Symbol.asyncDispose]() {}` it writes both `[Symbol.asyncDispose]: () =>
 * Promise<void>;` and `[Symbol.asyncDispose](): Promise<void>;`, which a
 * user's `tsc` refuses as a duplicate identifier. Only a property whose
 * name a method of the class also has is dropped.
 */
function dropDuplicateMembers(
  factory: ts.NodeFactory,
  node: ts.ClassDeclaration,
): ts.ClassDeclaration {
  const isStatic = (member: ts.ClassElement) =>
    ts.canHaveModifiers(member) &&
    ts.getModifiers(member)?.some((modifier) =>
        modifier.kind === ts.SyntaxKind.StaticKeyword
      ) === true;
  const keyOf = (member: ts.ClassElement) => {
    const key = member.name === undefined
      ? undefined
      : computedKey(member.name);
    return key === undefined ? undefined : `${isStatic(member)}:${key}`;
  };
  const methods = new Set(
    node.members.flatMap((member) =>
      ts.isMethodDeclaration(member) ? [keyOf(member)] : []
    ).filter((key) => key !== undefined),
  );
  const members = node.members.filter((member) =>
    !(ts.isPropertyDeclaration(member) && methods.has(keyOf(member) ?? ""))
  );
  if (members.length === node.members.length) return node;
  return factory.updateClassDeclaration(
    node,
    node.modifiers,
    node.name,
    node.typeParameters,
    node.heritageClauses,
    members,
  );
}

/**
 * A transformer that rewrites every module specifier in a file (and drops
 * the duplicate members of {@linkcode dropDuplicateMembers}).
 */
function specifierRewriter<T extends ts.SourceFile | ts.Bundle>(
  from: string,
  dependencies: Map<string, string>,
  declarations: boolean,
): ts.TransformerFactory<T> {
  return (context) => {
    const { factory } = context;
    const literal = (node: ts.Expression): ts.Expression =>
      ts.isStringLiteral(node)
        ? factory.createStringLiteral(
          rewriteSpecifier(node.text, from, dependencies),
        )
        : node;
    const visit = (node: ts.Node): ts.Node => {
      if (declarations && ts.isClassDeclaration(node)) {
        node = dropDuplicateMembers(factory, node);
      }
      if (ts.isImportDeclaration(node)) {
        return factory.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          literal(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined) {
        return factory.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          literal(node.moduleSpecifier),
          node.attributes,
        );
      }
      if (
        ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) &&
        ts.isStringLiteral(node.argument.literal)
      ) {
        return factory.updateImportTypeNode(
          node,
          factory.updateLiteralTypeNode(
            node.argument,
            literal(node.argument.literal) as ts.StringLiteral,
          ),
          node.attributes,
          node.qualifier,
          node.typeArguments,
          node.isTypeOf,
        );
      }
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments.length >= 1 && ts.isStringLiteral(node.arguments[0]!)
      ) {
        return factory.updateCallExpression(
          node,
          node.expression,
          node.typeArguments,
          [literal(node.arguments[0]!), ...node.arguments.slice(1)],
        );
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (node) =>
      ts.isSourceFile(node) ? ts.visitNode(node, visit) as T : node;
  };
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  isolatedModules: true,
  // Keep `import type` and every import as written: what TypeScript may
  // elide is elided by the transpile of each file on its own.
  verbatimModuleSyntax: false,
  removeComments: false,
  useDefineForClassFields: true,
};

function describeDiagnostics(
  file: string,
  diagnostics: readonly ts.Diagnostic[] | undefined,
): string | null {
  const errors = (diagnostics ?? []).filter((diagnostic) =>
    diagnostic.category === ts.DiagnosticCategory.Error
  );
  if (errors.length === 0) return null;
  return errors.map((diagnostic) => {
    const where =
      diagnostic.file !== undefined && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
        : undefined;
    return `${file}${
      where === undefined ? "" : `:${where.line + 1}:${where.character + 1}`
    }: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")}`;
  }).join("\n");
}

/** One module's JavaScript and declarations, specifiers rewritten. */
export function transpileFile(
  path: string,
  source: string,
  dependencies: Map<string, string>,
): { js: string; dts: string } {
  const code = ts.transpileModule(source, {
    fileName: path,
    compilerOptions: COMPILER_OPTIONS,
    reportDiagnostics: true,
    transformers: { after: [specifierRewriter(path, dependencies, false)] },
  });
  const declaration = ts.transpileDeclaration(source, {
    fileName: path,
    compilerOptions: {
      ...COMPILER_OPTIONS,
      declaration: true,
      isolatedDeclarations: true,
    },
    reportDiagnostics: true,
    transformers: {
      afterDeclarations: [specifierRewriter(path, dependencies, true)],
    },
  });
  const problems = [
    describeDiagnostics(path, code.diagnostics),
    describeDiagnostics(path, declaration.diagnostics),
  ].filter((text) => text !== null);
  if (problems.length > 0) {
    throw new Error(`Cannot transpile ${path}:\n${problems.join("\n")}`);
  }
  return { js: code.outputText, dts: declaration.outputText };
}

/** The local modules that `entries` reach, relative to the root. */
async function moduleGraph(entries: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const entry of entries) {
    const printed = await runDeno(
      ["info", "--json", entry],
      `read the module graph of ${entry}`,
    );
    const graph = JSON.parse(printed) as {
      modules: Array<{ specifier: string }>;
    };
    for (const { specifier } of graph.modules) {
      if (!specifier.startsWith(ROOT.href)) continue;
      found.add(specifier.slice(ROOT.href.length));
    }
  }
  return [...found].sort();
}

/** Where a module's code (`x.js`) or declarations (`x.d.ts`) go. */
function jsPath(path: string, kind: "code" | "types"): string {
  return path.replace(
    /\.(tsx?|mts)$/,
    (_, ext: string) =>
      ext === "mts"
        ? kind === "code" ? ".mjs" : ".d.mts"
        : kind === "code"
        ? ".js"
        : ".d.ts",
  );
}

/**
 * Writes the npm form of the package into `outDir` (relative to the root,
 * or absolute), replacing what was there.
 *
 * @throws {Error} If a module cannot be transpiled, or imports what the npm
 * form cannot carry.
 */
export async function buildNpm(
  outDir = "dist/npm",
): Promise<NpmBuildResult> {
  const root = fileURLToPath(ROOT).replace(/\/$/, "");
  const dir = fileURLToPath(new URL(outDir, ROOT)).replace(/\/$/, "");
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", ROOT)),
  ) as {
    name: string;
    version: string;
    license?: string;
    exports: string | Record<string, string>;
  };
  const exportsMap = typeof config.exports === "string"
    ? { ".": config.exports }
    : config.exports;
  const name = npmName(config.name);
  await checkOutDir(dir, root, name);
  const modules = await moduleGraph(Object.values(exportsMap));
  // Built beside, then put in place, so that a failed build leaves the
  // last good one.
  const building = `${dir}.building-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await writePackage(building, modules, exportsMap, config, name);
    await Deno.remove(dir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.rename(building, dir);
  } finally {
    await Deno.remove(building, { recursive: true }).catch(() => {});
  }
  const manifest = JSON.parse(
    await Deno.readTextFile(`${dir}/package.json`),
  ) as NpmManifest;
  return { dir, modules, manifest };
}

/**
 * Refuses an output folder that the build must not replace: the
 * repository or a folder that holds it, or a folder with files in it that
 * are not an earlier build of this package (a `package.json` of `name`).
 */
async function checkOutDir(
  dir: string,
  root: string,
  name: string,
): Promise<void> {
  if (root === dir || root.startsWith(`${dir}/`) || dir === "") {
    throw new TypeError(
      `Cannot build the npm form into ${
        dir || "/"
      } as it holds the repository, which the build would replace: choose a folder of its own, such as dist/npm`,
    );
  }
  const entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) entries.push(entry.name);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (entries.length === 0) return;
  let built: string | undefined;
  try {
    built = (JSON.parse(
      await Deno.readTextFile(`${dir}/package.json`),
    ) as { name?: string }).name;
  } catch {
    built = undefined;
  }
  if (built !== name) {
    throw new TypeError(
      `Cannot build the npm form into ${dir} as it holds files that are not an earlier build of ${name}, which the build would delete: choose an empty folder, or remove it first`,
    );
  }
}

/** Transpiles `modules` into `dir` and writes the manifest. */
async function writePackage(
  dir: string,
  modules: string[],
  exportsMap: Record<string, string>,
  config: { version: string; license?: string },
  name: string,
): Promise<void> {
  const dependencies = new Map<string, string>();
  for (const path of modules) {
    const source = await Deno.readTextFile(new URL(path, ROOT));
    const { js, dts } = transpileFile(path, source, dependencies);
    const target = `${dir}/${path}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), {
      recursive: true,
    });
    await Deno.writeTextFile(jsPath(target, "code"), js);
    await Deno.writeTextFile(jsPath(target, "types"), dts);
  }
  const manifest: NpmManifest = {
    name,
    version: config.version,
    ...(config.license === undefined ? {} : { license: config.license }),
    type: "module",
    exports: Object.fromEntries(
      Object.entries(exportsMap).map(([key, path]) => {
        const relative = path.replace(/^\.\//, "");
        return [key, {
          types: `./${jsPath(relative, "types")}`,
          default: `./${jsPath(relative, "code")}`,
        }];
      }),
    ),
    dependencies: Object.fromEntries(
      [...dependencies].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
    ),
  };
  await Deno.writeTextFile(
    `${dir}/package.json`,
    JSON.stringify(manifest, null, 2) + "\n",
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { "out-dir": { type: "string", default: "dist/npm" } },
  });
  try {
    const built = await buildNpm(values["out-dir"]);
    const deps = Object.entries(built.manifest.dependencies)
      .map(([name, version]) => `${name}@${version}`).join(", ");
    console.log(
      `Wrote ${built.manifest.name}@${built.manifest.version} to ${built.dir}: ${built.modules.length} modules, depending on ${
        deps || "nothing"
      }`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
}
