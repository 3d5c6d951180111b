// Copyright 2026 the @paralelo/pool authors. MIT license.
// What a user reads when a call does not type-check. `types_test.ts` proves
// that the bad calls are errors (`@ts-expect-error`); this proves that the
// errors are readable: it type-checks bad calls in a child `deno check` and
// reads its output. The valid task names are spelled out, the error is on
// the user's line, and nothing points into the pool's own files (as
// "TS2793: ... implementation signatures of overloads are not externally
// visible" did, on every bad call).
import assert from "node:assert/strict";
import { runDeno } from "./_helpers.ts";

const root = new URL("../", import.meta.url);

/** Each line a call; those that end in `// error` must be the only errors. */
const CALLS = `
import { type NoModule, Pool } from "${new URL("mod.ts", root).href}";
import type * as tasks from "${new URL("tests/workers/tasks.ts", root).href}";

declare const url: URL;
const typed = new Pool<typeof tasks>(url);
const untyped = new Pool(url);
const none: Pool<NoModule> = new Pool();

typed.map("tripple", [1]); // error
typed.imap("dubble", [1]); // error
typed.apply("add", [1, "2"]); // error
typed.map("double", ["one"]); // error
none.map("double", [1]); // error
untyped.map("sleep", [1, "two"]);
untyped.apply("double", [2]);
untyped.imap("double", [1]);
untyped.map((x: number) => x * 2, [1]);
`;

interface Diagnostic {
  code: string;
  line: number;
  text: string;
}

/** Splits `deno check` output into its diagnostics. */
function diagnostics(output: string, file: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const block of output.split(/\n(?=TS\d+ \[ERROR\])/)) {
    const code = /^(TS\d+) \[ERROR\]/.exec(block.trim())?.[1];
    if (code === undefined) continue;
    const at = new RegExp(`at ${file.replaceAll(".", "\\.")}:(\\d+):\\d+`)
      .exec(block);
    found.push({ code, line: at === null ? -1 : Number(at[1]), text: block });
  }
  return found;
}

Deno.test("type errors on pool calls are readable: the valid names, on the caller's line, nothing in pool.ts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/calls.ts`;
    await Deno.writeTextFile(path, CALLS);
    const file = new URL(`file://${path}`).href;
    const child = await runDeno([
      "check",
      "--quiet",
      "--config",
      new URL("deno.json", root).pathname,
      path,
    ], { ms: 60_000 });
    assert.equal(child.killed, false, child.stderr);
    const output = child.stdout + child.stderr;
    const lines = CALLS.split("\n");
    const expected = lines.flatMap((line, i) =>
      line.endsWith("// error") ? [i + 1] : []
    );
    const found = diagnostics(output, file);
    // One error per bad call, each on its own line: no second one pointing
    // elsewhere, and none for the untyped pool's calls.
    assert.deepEqual(found.map((each) => each.line), expected, output);
    assert.doesNotMatch(output, /TS2793|not externally visible/, output);
    assert.doesNotMatch(output, /pool\.ts|types\.ts/, output);
    assert.doesNotMatch(output, /TaskName<|resolution-mode/, output);
    const names = `"double" | "add" | "later" | "failOn" | "nothing"`;
    const [misspelled, imap, apply, item, none] = found;
    assert.match(
      misspelled!.text,
      new RegExp(
        `Argument of type '"tripple"' is not assignable to parameter of type '${
          names.replaceAll("|", "\\|")
        }'`,
      ),
    );
    assert.match(imap!.text, /Argument of type '"dubble"' is not assignable/);
    assert.match(
      apply!.text,
      /'\(task: "add", args\?: \[a: number, b: number\] \| undefined.*\n.*Type 'string' is not assignable to type 'number'/,
    );
    assert.match(
      item!.text,
      /Type 'string' is not assignable to type 'number'/,
    );
    assert.match(
      none!.text,
      /Argument of type '"double"' is not assignable to parameter of type 'never'/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
