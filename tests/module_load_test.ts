// Copyright 2026 the @paralelo/pool authors. MIT license.
// A task module that cannot load is not an item's failure: the pool says
// what it was given, where that resolved and how, why it failed and what to
// do, with a ModuleLoadError that names no item, at once and for every call.
import assert from "node:assert/strict";
import { ModuleLoadError, Pool, TaskError } from "../mod.ts";
import type { Backend } from "../mod.ts";
import {
  collect,
  deadline,
  fixture,
  rejection,
  runDeno,
  test,
  withPool,
} from "./_helpers.ts";

/** "Promptly": far under the default deadline, though CI is slow. */
const PROMPT_MS = 10_000;

function workerIds(pool: Pool): number[] {
  return pool.stats().workers.map((worker) => worker.id);
}

/** Checks the rejection of every kind of call on `pool`, and returns one. */
async function everyCallRejects(pool: Pool): Promise<ModuleLoadError> {
  const [map, apply, imap, starmap] = await deadline(
    Promise.all([
      rejection(pool.map("task", [1, 2, 3, 4, 5, 6]), "map"),
      rejection(pool.apply("task", [1]), "apply"),
      rejection(collect(pool.imap("task", [1, 2]), "imap"), "imap"),
      rejection(pool.starmapAsync("task", [[1], [2]]), "starmapAsync"),
    ]),
    "the calls on a module that cannot load",
    PROMPT_MS,
  );
  for (const error of [map, apply, imap, starmap]) {
    assert.ok(error instanceof ModuleLoadError, String(error));
    assert.ok(!(error instanceof TaskError));
    assert.equal("index" in error, false);
    assert.doesNotMatch(error.message, /item \d/);
  }
  return map as ModuleLoadError;
}

/** A temporary folder with `files`, removed after `body`. */
async function withFiles(
  files: Record<string, string>,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

test("a relative path where no file is: new Pool() throws, naming the path, the directory it resolved against, and the fix", (backend) => {
  const given = "tests/workers/no_such_tasks.ts";
  const error = (() => {
    try {
      new Pool(given, { backend, size: 1 });
    } catch (error) {
      return error;
    }
    assert.fail("new Pool() did not throw");
  })();
  assert.ok(error instanceof ModuleLoadError, String(error));
  const cwd = Deno.cwd();
  const url = new URL(given, `file://${cwd}/`).href;
  assert.equal(error.module, given);
  assert.equal(error.url, url);
  assert.equal(error.resolution, `relative to the working directory ${cwd}`);
  assert.equal(error.kind, "not-found");
  assert.ok(error.cause instanceof Deno.errors.NotFound);
  assert.equal(
    error.message,
    `Cannot load the pool's module '${given}' (resolved relative to the working directory ${cwd}, to ${url}) as no file is there: a path in a string is resolved against the directory the program runs in, not against the file that creates the pool: name it relative to that file instead, new Pool(new URL("./${given}", import.meta.url))`,
  );
});

test("a URL or an absolute path where no file is: new Pool() throws, saying how it was read", (backend) => {
  assert.throws(
    () => new Pool(new URL("file:///no/such/tasks.ts"), { backend }),
    (error: unknown) =>
      error instanceof ModuleLoadError && error.kind === "not-found" &&
      error.resolution === "as given, a URL" &&
      error.message ===
        `Cannot load the pool's module 'file:///no/such/tasks.ts' (a URL, used as given) as no file is there: check the path; to name a module beside the file that creates the pool, write new Pool(new URL("./tasks.ts", import.meta.url))`,
  );
  assert.throws(
    () => new Pool("/no/such/tasks.ts", { backend }),
    (error: unknown) =>
      error instanceof ModuleLoadError &&
      error.resolution === "as an absolute path" &&
      error.url === "file:///no/such/tasks.ts" &&
      /'\/no\/such\/tasks\.ts' \(resolved as an absolute path, to file:\/\/\/no\/such\/tasks\.ts\) as no file is there/
        .test(error.message),
  );
  assert.throws(
    () => new Pool(new URL("./workers/", import.meta.url), { backend }),
    (error: unknown) =>
      error instanceof ModuleLoadError && error.kind === "not-found" &&
      /as it is a directory, not a module: name the module's file itself/
        .test(error.message),
  );
});

test("a module that does not parse: every call rejects at once with a ModuleLoadError, and the pool stays usable", async (backend) => {
  await withFiles(
    { "broken.ts": "export function task(x: number) { return x +; }\n" },
    async (dir) => {
      const module = new URL(`file://${dir}/broken.ts`);
      await withPool(new Pool(module, { backend, size: 2 }), async (pool) => {
        for (let round = 0; round < 3; round++) {
          const error = await everyCallRejects(pool);
          assert.equal(error.kind, "syntax-error");
          assert.equal(error.url, module.href);
          assert.equal(error.module, module.href);
          assert.match(
            error.message,
            new RegExp(
              `^Cannot load the pool's module '${module.href}' \\(a URL, used as given\\) as it does not parse \\(SyntaxError: Expression expected at ${module.href}:1:\\d+\\): fix the syntax error; \`deno check ${module.href}\` shows it$`,
            ),
          );
          // The loader's own error, code frame and all.
          assert.ok(error.cause instanceof Error);
          assert.match(error.cause.message, /return x \+;/);
        }
        // Usable: inline functions run, on the same workers, none restarted.
        assert.equal(await deadline(pool.apply(() => 42), "inline"), 42);
        assert.ok(
          Math.max(...workerIds(pool)) <= 2,
          `workers ${workerIds(pool)}`,
        );
      });
    },
  );
});

test("a module whose top level throws: ModuleLoadError 'threw', with the module's own error as the cause", async (backend) => {
  await withPool(
    new Pool(fixture("throws_on_load.ts"), { backend, size: 2 }),
    async (pool) => {
      const error = await everyCallRejects(pool);
      assert.equal(error.kind, "threw");
      assert.equal(error.detail, "Error: this module refuses to load");
      assert.match(
        error.message,
        /as its top-level code threw as a worker imported it \(Error: this module refuses to load\): fix the module's top-level code/,
      );
      assert.ok(error.cause instanceof Error);
      assert.equal(error.cause.message, "this module refuses to load");
      assert.match(error.cause.stack ?? "", /throws_on_load\.ts/);
    },
  );
});

test("a module that imports a missing one: ModuleLoadError 'not-found' that names the import", async (backend) => {
  await withFiles(
    {
      "importer.ts":
        'import { x } from "./gone.ts";\nexport function task() { return x; }\n',
    },
    async (dir) => {
      await withPool(
        new Pool(`${dir}/importer.ts`, { backend, size: 1 }),
        async (pool) => {
          const error = await everyCallRejects(pool);
          assert.equal(error.kind, "not-found");
          assert.equal(error.resolution, "as an absolute path");
          assert.match(
            error.message,
            /as a module it imports was not found \(Module not found "file:\/\/.*\/gone\.ts"( at file:\/\/.*\/importer\.ts:1:\d+)?\): fix that import in the module$/,
          );
        },
      );
    },
  );
});

test("a module removed after new Pool(): the workers' not-found is a ModuleLoadError too", async (backend) => {
  await withFiles(
    { "tasks.ts": "export const task = (x: number) => x;\n" },
    async (dir) => {
      const pool = new Pool(`${dir}/tasks.ts`, { backend, size: 1 });
      await Deno.remove(`${dir}/tasks.ts`);
      await withPool(pool, async (pool) => {
        const error = await everyCallRejects(pool);
        assert.equal(error.kind, "not-found");
        assert.match(
          error.message,
          /as no file is there: check the path; to name a module beside the file that creates the pool, write new Pool\(new URL\("\.\/tasks\.ts", import\.meta\.url\)\)$/,
        );
      });
    },
  );
});

test("an initializer from a module that cannot load: the calls hear of the module, not of the initializer", async (backend) => {
  await withPool(
    new Pool(fixture("throws_on_load.ts"), {
      backend,
      size: 1,
      initializer: "setUp",
    }),
    async (pool) => {
      const error = await rejection(
        pool.map((x: number) => x, [1]),
        "an inline call behind the initializer",
      );
      assert.ok(error instanceof ModuleLoadError, String(error));
      assert.equal(error.kind, "threw");
    },
  );
});

/** Runs a pool on tests/workers/tasks.ts in a child without --allow-read. */
async function withoutRead(backend: Backend): Promise<Record<string, string>> {
  const script = `
    import { Pool } from "${new URL("../mod.ts", import.meta.url).href}";
    await using pool = new Pool("${
    fixture("tasks.ts").href
  }", { backend: "${backend}", size: 1 });
    const error = await pool.map("double", [1]).catch((e) => e);
    console.log(JSON.stringify({ name: error.name, kind: error.kind, message: error.message }));
  `;
  const child = await runDeno(["run", "--quiet", "-"], {
    stdin: script,
    ms: 30_000,
  });
  assert.equal(child.killed, false, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  return JSON.parse(child.stdout);
}

test("a module the workers may not read: ModuleLoadError 'permission-denied' with the flag to pass, and no prompt", async (backend) => {
  const result = await withoutRead(backend);
  const path = fixture("tasks.ts").pathname;
  assert.equal(result.name, "ModuleLoadError");
  assert.equal(result.kind, "permission-denied");
  assert.match(
    result.message!,
    new RegExp(
      `as the workers may not read it \\(Requires read access to "${path}".*\\): run with --allow-read=${path} \\(the workers import the module`,
    ),
  );
});
