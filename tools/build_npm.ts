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
 * The build refuses what JSR would refuse or a Node user could not load: a
 * `jsr:` or `https:` import, an npm import without an exact version, or a
 * transpile diagnostic.
 *
 * Flags: `--out-dir DIR` (default `dist/npm`).
 *
 * @module
 */
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
    return specifier.replace(
      /\.(ts|tsx|mts)$/,
      (_, ext: string) => ext === "mts" ? ".mjs" : ".js",
    );
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
    `Cannot build the npm form as ${from} imports '${specifier}': only relative, node: and npm: imports have an npm form`,
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
  const methods = new Set(
    node.members.flatMap((member) =>
      ts.isMethodDeclaration(member) ? [computedKey(member.name)] : []
    ).filter((key) => key !== undefined),
  );
  const members = node.members.filter((member) =>
    !(ts.isPropertyDeclaration(member) &&
      methods.has(computedKey(member.name) ?? ""))
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
      if (ts.isClassDeclaration(node)) {
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
    transformers: { after: [specifierRewriter(path, dependencies)] },
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
      afterDeclarations: [specifierRewriter(path, dependencies)],
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

function jsPath(path: string, ext: ".js" | ".d.ts"): string {
  return path.replace(/\.(ts|tsx|mts)$/, ext);
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
  const dir = outDir.startsWith("/") ? outDir : new URL(outDir, ROOT).pathname;
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
  const modules = await moduleGraph(Object.values(exportsMap));
  await Deno.remove(dir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  const dependencies = new Map<string, string>();
  for (const path of modules) {
    const source = await Deno.readTextFile(new URL(path, ROOT));
    const { js, dts } = transpileFile(path, source, dependencies);
    const target = `${dir}/${path}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), {
      recursive: true,
    });
    await Deno.writeTextFile(jsPath(target, ".js"), js);
    await Deno.writeTextFile(jsPath(target, ".d.ts"), dts);
  }
  const manifest: NpmManifest = {
    name: npmName(config.name),
    version: config.version,
    ...(config.license === undefined ? {} : { license: config.license }),
    type: "module",
    exports: Object.fromEntries(
      Object.entries(exportsMap).map(([key, path]) => {
        const relative = path.replace(/^\.\//, "");
        return [key, {
          types: `./${jsPath(relative, ".d.ts")}`,
          default: `./${jsPath(relative, ".js")}`,
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
  return { dir, modules, manifest };
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
