// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import {
  buildNpm,
  npmName,
  parseNpmSpecifier,
  rewriteSpecifier,
  transpileFile,
} from "./build_npm.ts";

Deno.test("npmName() is npm.jsr.io's name for a JSR package", () => {
  assert.equal(npmName("@paralelo/pool"), "@jsr/paralelo__pool");
  assert.throws(
    () => npmName("pool"),
    /'name' is not @scope\/name: received 'pool'/,
  );
});

Deno.test("parseNpmSpecifier() splits name, exact version and subpath", () => {
  assert.deepEqual(parseNpmSpecifier("npm:acorn@8.19.0"), {
    name: "acorn",
    version: "8.19.0",
    path: "",
  });
  assert.deepEqual(
    parseNpmSpecifier("npm:@nats-io/transport-node@3.4.0/lib/x.js"),
    { name: "@nats-io/transport-node", version: "3.4.0", path: "/lib/x.js" },
  );
  assert.throws(
    () => parseNpmSpecifier("npm:acorn@^8"),
    /'npm:acorn@\^8' has no exact version: pin it, as in npm:acorn@1\.2\.3/,
  );
  assert.throws(() => parseNpmSpecifier("npm:acorn"), /no exact version/);
});

Deno.test("rewriteSpecifier() gives relative .js, bare npm names, and refuses the rest", () => {
  const deps = new Map<string, string>();
  assert.equal(rewriteSpecifier("./pool.ts", "mod.ts", deps), "./pool.js");
  assert.equal(
    rewriteSpecifier("../errors.ts", "a/b.ts", deps),
    "../errors.js",
  );
  assert.equal(rewriteSpecifier("./data.json", "mod.ts", deps), "./data.json");
  assert.equal(rewriteSpecifier("./esm.mts", "mod.ts", deps), "./esm.mjs");
  assert.equal(rewriteSpecifier("./t.d.ts", "mod.ts", deps), "./t.d.ts");
  assert.equal(rewriteSpecifier("node:os", "mod.ts", deps), "node:os");
  assert.equal(
    rewriteSpecifier("npm:@nats-io/nats-core@3.4.0/internal", "x.ts", deps),
    "@nats-io/nats-core/internal",
  );
  assert.deepEqual([...deps], [["@nats-io/nats-core", "3.4.0"]]);
  assert.throws(
    () => rewriteSpecifier("npm:@nats-io/nats-core@3.5.0", "y.ts", deps),
    /y\.ts imports @nats-io\/nats-core@3\.5\.0 while another module imports @nats-io\/nats-core@3\.4\.0/,
  );
  assert.throws(
    () => rewriteSpecifier("jsr:@std/async@1", "z.ts", deps),
    /z\.ts imports 'jsr:@std\/async@1': this build carries only relative, node: and npm: imports/,
  );
});

Deno.test("transpileFile() rewrites imports, not strings that look like them", () => {
  const deps = new Map<string, string>();
  const { js, dts } = transpileFile(
    "x.ts",
    `import { parse } from "npm:acorn@8.19.0";
import type { Options } from "./options.ts";
export { helper } from "./helper.ts";
/** The fix a message gives. */
export const HINT = 'new Pool(new URL("./tasks.ts", import.meta.url))';
export function load(options?: Options): Promise<unknown> {
  parse("1", { ecmaVersion: "latest" });
  return import("./lazy.ts").then((m) => m.value ?? options);
}
export class Box implements AsyncDisposable {
  #value = 1;
  /** Disposes. */
  [Symbol.asyncDispose](): Promise<void> {
    return Promise.resolve();
  }
}
`,
    deps,
  );
  assert.match(js, /from "acorn"/);
  assert.match(js, /from "\.\/helper\.js"/);
  assert.match(js, /import\("\.\/lazy\.js"\)/);
  assert.doesNotMatch(js, /options\.ts/, "a type-only import leaves the code");
  assert.match(js, /new URL\("\.\/tasks\.ts", import\.meta\.url\)/);
  assert.match(dts, /from "\.\/options\.js"/);
  assert.match(
    dts,
    /export declare function load\(options\?: Options\): Promise<unknown>;/,
  );
  assert.match(dts, /\/\*\* The fix a message gives\. \*\//, "JSDoc is kept");
  assert.equal(
    dts.match(/\[Symbol\.asyncDispose\]/g)?.length,
    1,
    `one [Symbol.asyncDispose], not a property beside the method:\n${dts}`,
  );
  assert.deepEqual([...deps], [["acorn", "8.19.0"]]);
});

Deno.test("transpileFile() refuses what has no isolated declaration", () => {
  assert.throws(
    () =>
      transpileFile(
        "bad.ts",
        "export function f(x: number) { return x; }\n",
        new Map(),
      ),
    /Cannot transpile bad\.ts:\nbad\.ts:1:17: Function must have an explicit return type/,
  );
});

Deno.test("transpileFile() drops only the property TypeScript repeats beside a computed method", () => {
  const { js, dts } = transpileFile(
    "c.ts",
    `export class C {
  static [Symbol.iterator](): Iterator<number> {
    return [1][Symbol.iterator]();
  }
  [Symbol.iterator]: () => Iterator<number> = () => [2][Symbol.iterator]();
}
`,
    new Map(),
  );
  // The instance field and the static method are different members: both stay.
  assert.match(dts, /static \[Symbol\.iterator\]\(\): Iterator<number>;/);
  assert.match(dts, /\[Symbol\.iterator\]: \(\) => Iterator<number>;/);
  assert.match(
    js,
    /\[Symbol\.iterator\] = \(\) =>/,
    "the code keeps the field",
  );
});

Deno.test("buildNpm() refuses to replace the repository or a folder that is not its own", async () => {
  for (const outDir of [".", "", "..", "/"]) {
    await assert.rejects(
      () => buildNpm(outDir),
      /as it holds the repository, which the build would replace: choose a folder of its own, such as dist\/npm/,
      `--out-dir '${outDir}'`,
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "paralelo_npm_out_" });
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
    await assert.rejects(
      () => buildNpm(dir),
      /as it holds files that are not an earlier build of @jsr\/paralelo__pool, which the build would delete/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/notes.txt`), "mine");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
