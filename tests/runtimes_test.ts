// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The pool outside Deno, and as its users build it. One runtime-neutral
 * scenario (`tests/runtimes/scenario.mjs`: order, inline and module tasks,
 * closure rejection, `TaskError` fidelity, a worker's exit, the timeout of a
 * synchronous loop and whether its thread stops, `maxHeapMb`, abort, close
 * and terminate, imap) runs:
 *
 * - in Deno, here, on `mod.ts`, on both backends;
 * - in headless Chromium (Debian's `chromium`, driven by puppeteer-core in
 *   Node: `runtimes/chromium.mjs`), on the browser build, in a page this
 *   test serves on 127.0.0.1 with the cross-origin isolation headers, and
 *   once without them (no `SharedArrayBuffer`: the pool then sends its
 *   workers' state in messages, and everything still works);
 * - in Bun (npm's `bun`) and Node, on the npm form, installed into a Node
 *   project as `npx jsr add` installs it (`dist/node-app/`), by a program
 *   that imports `@paralelo/pool` (`runtimes/main.mjs`).
 *
 * The builds are the project's own tasks (`deno task build:browser`,
 * `deno task build:npm`). Other tests type-check and run a Node user's
 * TypeScript against the npm form's `.d.ts` files; bundle a small app that
 * imports the library with `deno bundle` and with esbuild (from the npm
 * form), with and without `--keep-names`, and run it; and load the browser demo
 * (`examples/browser/`) in Chromium, checking that it completes with its
 * bar at 100% and its timeline, and that the page's thread stayed free.
 *
 * A runtime that is missing skips its test, whose name says what to
 * install (`apt-get install chromium`, `npm ci --prefix tests/runtimes/npm`),
 * unless `PARALELO_REQUIRE_ALL=1` (as `.ci/run` sets), which makes the skip
 * a failure. Every child process runs under a deadline.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as lib from "../mod.ts";
import { importsOf } from "../tools/build_dist.ts";
import {
  DEMO_PATH,
  ISOLATION_HEADERS,
  serveStatic,
} from "../examples/browser/serve.ts";
import { run } from "./runtimes/scenario.mjs";
import { deadline } from "./_helpers.ts";
import {
  NATS_SERVER,
  startNats,
  withCleanup,
} from "./fixtures/cluster_harness.ts";
import {
  assertPresent,
  buildDist,
  findBun,
  findChromium,
  findEsbuild,
  findNode,
  findNpmDependencies,
  type Found,
  gate,
  HERE,
  lastJson,
  NODE_PROJECT,
  nodeProject,
  rootPath,
  runChild,
  tail,
  type Tool,
} from "./runtimes/_harness.ts";

/** One step of the scenario, as `run()` reports it. */
interface StepResult {
  name: string;
  ok: boolean;
  error: string | null;
  ms: number;
  note?: string;
}

/**
 * What a runtime's backend does where runtimes differ, measured
 * (tests/runtimes/scenario.mjs's `ScenarioOptions`): whether a timed-out
 * synchronous loop's thread really stops, and what `maxHeapMb` does.
 */
interface Expected {
  loopStops: boolean;
  heapLimit: "enforced" | "refused";
}

/** The steps every full run has, whatever the runtime. */
const CONTRACT = [
  "cpuCount",
  "default backend",
  "order",
  "inline task",
  "module task",
  "closure rejection",
  "TaskError fidelity",
  "worker exit: ",
  "timeout of a synchronous loop",
  "the thread of a timed-out loop stops",
  "maxHeapMb",
  "abort",
  "close",
  "terminate",
  "imap",
];

const TASKS_URL = new URL("tasks.mjs", HERE).href;
const MAIN_URL = new URL("main.mjs", HERE).href;
const CHROMIUM_DRIVER = fileURLToPath(new URL("chromium.mjs", HERE));

const node = findNode();
const bun = findBun();
const chromium = findChromium();
const esbuild = findEsbuild();
const npmDependencies = findNpmDependencies();
const natsServer: Found = NATS_SERVER === undefined
  ? { missing: "nats-server is not on PATH: apt-get install nats-server" }
  : { path: NATS_SERVER, version: "" };

function tool(found: Found): Tool {
  if ("missing" in found) throw new Error(found.missing);
  return found;
}

/** A test that needs `tools`: skipped, or failed, when one is missing. */
function runtimeTest(
  name: string,
  tools: Found[],
  fn: (t: Deno.TestContext) => Promise<void>,
): void {
  const gated = gate(name, tools);
  Deno.test({
    name: gated.name,
    ignore: gated.ignore,
    fn: async (t) => {
      assertPresent(gated.missing);
      await fn(t);
    },
  });
}

/**
 * Reports each step of a run as a test step, so that a failure names the
 * step and the runtime, and checks that the run had every step.
 */
async function reportSteps(
  t: Deno.TestContext,
  where: string,
  results: StepResult[],
): Promise<void> {
  const names = results.map((result) => result.name);
  for (const step of CONTRACT) {
    assert.ok(
      names.some((name) => name.startsWith(step)),
      `${where}: the run has no step '${step}' (it had ${names.join(", ")})`,
    );
  }
  const failed = results.filter((result) => !result.ok);
  console.log(
    `${where}: ${
      results.length - failed.length
    } of ${results.length} steps passed${
      failed.length === 0
        ? ""
        : `; failed: ${failed.map((result) => result.name).join(", ")}`
    }`,
  );
  for (const result of results) {
    await t.step(result.name, () => {
      if (result.note !== undefined) {
        console.log(
          `${where}: ${result.name} (${result.ms} ms): ${result.note}`,
        );
      }
      if (!result.ok) {
        throw new Error(`${where} (${result.ms} ms): ${result.error}`);
      }
    });
  }
}

/** The results a runner printed, or a failure that shows its output. */
function resultsOf(
  what: string,
  output: Awaited<ReturnType<typeof runChild>>,
): StepResult[] {
  const parsed = lastJson(output.stdout);
  const results = parsed?.results as StepResult[] | undefined;
  if (!Array.isArray(results)) {
    throw new Error(
      `${what} printed no results (code ${output.code}${
        output.killed ? ", killed at its deadline" : ""
      }):\n${tail(output.stderr)}\n${tail(output.stdout, 5)}`,
    );
  }
  return results;
}

// --- the builds -------------------------------------------------------------

Deno.test("deno task build:browser writes a self-contained bundle, and build:npm the npm form", async () => {
  await deadline(buildDist(), "the builds", 130_000);
  const browser = await Deno.readTextFile(rootPath("dist/browser/pool.js"));
  assert.deepEqual(
    importsOf(browser),
    [],
    "the browser build imports nothing: acorn and eslint-scope are inlined",
  );
  assert.doesNotMatch(browser, /["']npm:/, "no npm: specifier is left");
  // The build is the library: the same exports as mod.ts.
  const built = await import(rootPath("dist/browser/pool.js"));
  assert.deepEqual(Object.keys(built).sort(), Object.keys(lib).sort());

  // The npm form: JSR's package.json, and every module as .js and .d.ts
  // whose imports are relative .js files that exist, node: built-ins, or
  // the dependencies the manifest names.
  const manifest = JSON.parse(
    await Deno.readTextFile(rootPath("dist/npm/package.json")),
  );
  assert.equal(manifest.name, "@jsr/paralelo__pool");
  assert.equal(manifest.type, "module");
  assert.deepEqual(manifest.exports["."], {
    types: "./mod.d.ts",
    default: "./mod.js",
  });
  assert.deepEqual(Object.keys(manifest.exports), [
    ".",
    "./cluster",
    "./cluster/worker",
  ]);
  const dependencies = new Set(Object.keys(manifest.dependencies));
  const seen = new Set<string>();
  const pending = ["mod.js", "cluster/mod.js", "cluster/worker.js"];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await Deno.readTextFile(rootPath(`dist/npm/${file}`));
    await Deno.stat(rootPath(`dist/npm/${file.replace(/\.js$/, ".d.ts")}`));
    for (const specifier of importsOf(code)) {
      if (specifier.startsWith(".")) {
        assert.match(specifier, /\.js$/, `${file} imports ${specifier}`);
        const target = new URL(specifier, `file:///${file}`).pathname.slice(1);
        pending.push(target);
      } else if (!specifier.startsWith("node:")) {
        const name = specifier.match(/^(@[^/]+\/)?[^/]+/)![0];
        assert.ok(
          dependencies.has(name),
          `${file} imports ${specifier}, which package.json does not name`,
        );
      }
    }
  }
  assert.ok(seen.has("_task_ref.js") && seen.has("_worker_source.js"));
});

// --- Deno -------------------------------------------------------------------

// Deno's Web Workers cannot be stopped in a synchronous loop: the thread
// spins on (the pool warns); node:worker_threads' terminate() stops it.
for (
  const [backend, exits, expected] of [
    ["web", ["self.close", "Deno.exit", "process.exit"], {
      loopStops: false,
      heapLimit: "refused",
    }],
    ["node", ["process.exit", "Deno.exit"], {
      loopStops: true,
      heapLimit: "enforced",
    }],
  ] as const
) {
  Deno.test(`the runtime scenario in Deno, on mod.ts [${backend}]`, async (t) => {
    const results = await deadline(
      run(lib, {
        backend,
        exits: [...exits],
        ...expected,
        tasksUrl: TASKS_URL,
      }),
      `the scenario in Deno [${backend}]`,
      300_000,
    ) as StepResult[];
    await reportSteps(t, `Deno ${Deno.version.deno} [${backend}]`, results);
  });
}

// --- Chromium ---------------------------------------------------------------

/** What `chromium.mjs` printed. */
interface ChromiumOutput {
  report: Record<string, unknown> | null;
  console: string[];
  errors: string[];
  shown: string;
}

/**
 * Serves the pages (isolated or not), opens `path` in headless Chromium and
 * returns what the page reported, with the paths the server did not find.
 */
async function openInChromium(
  path: string,
  isolated: boolean,
  timeoutMs: number,
): Promise<{ output: ChromiumOutput; misses: string[] }> {
  await deadline(buildDist(), "the builds", 130_000);
  const misses: string[] = [];
  const server = await serveStatic({
    port: 0,
    isolated,
    onMiss: (missed, status) => {
      if (missed !== "/favicon.ico") misses.push(`${status} ${missed}`);
    },
  });
  try {
    const result = await runChild(
      tool(node).path,
      [
        CHROMIUM_DRIVER,
        `${server.origin}${path}`,
        "--timeout-ms",
        String(timeoutMs),
        "--chromium",
        tool(chromium).path,
      ],
      { ms: timeoutMs + 45_000 },
    );
    const output = lastJson(result.stdout) as ChromiumOutput | null;
    if (output === null) {
      throw new Error(
        `chromium.mjs printed nothing (code ${result.code}${
          result.killed ? ", killed" : ""
        }):\n${tail(result.stderr)}`,
      );
    }
    if (output.report === null) {
      throw new Error(
        `The page ${path} reported nothing: ${output.errors.join("\n")}\n` +
          `It showed: ${output.shown.slice(0, 2_000)}\n` +
          `Its console: ${output.console.slice(-20).join("\n")}\n` +
          `Not found: ${misses.join(", ") || "nothing"}`,
      );
    }
    return { output, misses };
  } finally {
    await server.shutdown();
  }
}

for (const isolated of [true, false]) {
  runtimeTest(
    `the runtime scenario in headless Chromium, on dist/browser/pool.js, ${
      isolated
        ? "cross-origin isolated (COOP/COEP)"
        : "not isolated (no COOP/COEP: no SharedArrayBuffer)"
    }`,
    [node, chromium],
    async (t) => {
      const { output, misses } = await openInChromium(
        "/tests/runtimes/page.html",
        isolated,
        240_000,
      );
      const report = output.report!;
      assert.equal(report.error, undefined, String(report.error));
      assert.equal(report.isolated, isolated, "crossOriginIsolated");
      assert.equal(report.sharedArrayBuffer, isolated, "SharedArrayBuffer");
      assert.deepEqual(misses, [], "every file the page asked for was served");
      assert.deepEqual(output.errors, [], "no uncaught error in the page");
      await reportSteps(
        t,
        `Chromium ${tool(chromium).version.match(/\d[\d.]*/)?.[0]}, ${
          isolated ? "isolated" : "not isolated"
        }`,
        report.results as StepResult[],
      );
    },
  );
}

// --- Bun and Node -----------------------------------------------------------

/**
 * A user's program in the Node project that installed the npm form: it
 * imports the package by its name and hands it to `main.mjs`.
 */
const APP_MJS = `import * as lib from "@paralelo/pool";
await (await import(${JSON.stringify(MAIN_URL)})).main(lib);
`;

/**
 * Runs the scenario in `runtime` on the npm form, as a user's program in a
 * Node project that installed it, and reports its steps.
 */
async function runBuilt(
  t: Deno.TestContext,
  runtime: Tool,
  label: string,
  backend: string,
  exits: string[],
  expected: Expected,
): Promise<void> {
  const dir = await deadline(
    nodeProject({ "app.mjs": APP_MJS }),
    "the Node project",
    130_000,
  );
  const what = `${label} [${backend}]`;
  const output = await runChild(
    runtime.path,
    ["app.mjs", backend, exits.join(","), JSON.stringify(expected)],
    { ms: 300_000, cwd: dir },
  );
  const results = resultsOf(what, output);
  await reportSteps(t, what, results);
  // After its results, the process must end by itself: nothing it left
  // (an idle worker, a timer) may keep it alive.
  assert.ok(
    !output.killed,
    `${what} printed its results but did not exit by itself`,
  );
  assert.equal(output.code, 0, `${what} exited with ${output.code}`);
}

// Bun's Web Workers have no self.close(): a task exits them with
// process.exit(), which Bun reports as the worker's "close" event. Both of
// Bun's backends stop a thread in a synchronous loop. Bun's
// node:worker_threads takes resourceLimits and ignores it (a task kept
// 2 GiB under a limit of 64 MiB), so the pool refuses maxHeapMb in Bun.
for (
  const [backend, exits, expected] of [
    ["web", ["process.exit"], { loopStops: true, heapLimit: "refused" }],
    ["node", ["process.exit"], { loopStops: true, heapLimit: "refused" }],
  ] as const
) {
  runtimeTest(
    `the runtime scenario in Bun, on the npm form in a Node project [${backend}]`,
    [bun, npmDependencies],
    (t) =>
      runBuilt(
        t,
        tool(bun),
        `Bun ${tool(bun).version}`,
        backend,
        [...exits],
        expected,
      ),
  );
}

// Node has no Web Worker: with no backend named, a pool runs on
// node:worker_threads.
runtimeTest(
  "the runtime scenario in Node, on the npm form in a Node project [default backend: node]",
  [node, npmDependencies],
  (t) =>
    runBuilt(t, tool(node), `Node ${tool(node).version}`, "default", [
      "process.exit",
    ], { loopStops: true, heapLimit: "enforced" }),
);

// --- a Node user's TypeScript, on the npm form's declarations --------------

/** A typed task module, as a Node user writes one. */
const TYPED_TASKS = `export function square(x: number): number {
  return x * x;
}

export function tooBig(x: number): number {
  if (x > 1) throw new RangeError(\`\${x} is too big\`);
  return x;
}

export async function greet(name: string, ms: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return \`hello, \${name}\`;
}
`;

/**
 * A user's program that must type-check as it is: each \`@ts-expect-error\`
 * fails the check if the declarations let its line through, so the types
 * are real, not \`any\`.
 */
const TYPED_APP = `import { cpuCount, Pool, TaskError } from "@paralelo/pool";
import { ClusterPool, type ClusterPoolOptions } from "@paralelo/pool/cluster";
import { serve, type ServeOptions } from "@paralelo/pool/cluster/worker";
import type * as tasks from "./tasks.mjs";

// The cluster's types, checked and never run (a cluster needs a server).
const clusterOptions: ClusterPoolOptions = { servers: "nats://127.0.0.1:4222" };
const serveOptions: ServeOptions = { servers: "nats://127.0.0.1:4222", size: 1 };
export async function clusterTypes(): Promise<number[]> {
  await using cluster = new ClusterPool<typeof tasks>(
    new URL("./tasks.mjs", import.meta.url),
    clusterOptions,
  );
  // @ts-expect-error: 'cube' is not a task of the module
  await cluster.map("cube", [1]);
  await serve(serveOptions);
  return await cluster.map("square", [1, 2]);
}

const pool = new Pool<typeof tasks>(new URL("./tasks.mjs", import.meta.url), {
  size: Math.min(2, cpuCount()),
});
try {
  const squares: number[] = await pool.map("square", [1, 2, 3]);
  const greetings: string[] = await pool.starmap("greet", [["a", 5], ["b", 1]]);
  const later = pool.mapAsync("square", [4]);
  const ready: boolean = later.ready();
  const got: number[] = await later.get(10_000);
  const inline: string[] = await pool.map((x: number) => x.toFixed(1), [1, 2]);
  // @ts-expect-error: 'cube' is not a task of the module
  await pool.map("cube", [1]).catch(() => null);
  // @ts-expect-error: square takes a number, not a string
  await pool.map("square", ["two"]).catch(() => null);
  // @ts-expect-error: the results are numbers
  const wrong: string[] = await pool.map("square", [1]);
  const failed = await pool.map("tooBig", [1, 2]).then(() => null, (e: unknown) => e);
  console.log(JSON.stringify({
    squares, greetings, ready, got, inline, wrong,
    taskError: failed instanceof TaskError
      ? { index: failed.index, cause: String(failed.cause) }
      : String(failed),
  }));
} finally {
  await pool[Symbol.asyncDispose]();
}
`;

/**
 * A Node project's tsconfig, with the library's .d.ts files checked too
 * (`skipLibCheck: false`). `lib` as TypeScript's default for the target
 * has the DOM's types; a Node project often has only the language's,
 * which the declarations must not need beyond what @types/node gives.
 */
function tsconfig(lib: string[] | undefined): string {
  return JSON.stringify(
    {
      compilerOptions: {
        strict: true,
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        types: ["node"],
        ...(lib === undefined ? {} : { lib, noEmit: true }),
        skipLibCheck: false,
        outDir: "out",
      },
      files: ["typed.mts", "tasks.mts"],
    },
    null,
    2,
  );
}

runtimeTest(
  "a Node user's TypeScript type-checks against the npm form's .d.ts files, and runs",
  [node, npmDependencies],
  async () => {
    const dir = await deadline(
      nodeProject({
        "typed.mts": TYPED_APP,
        "tasks.mts": TYPED_TASKS,
        "tsconfig.json": tsconfig(undefined),
        "tsconfig.es2022.json": tsconfig(["es2022"]),
      }),
      "the Node project",
      130_000,
    );
    for (const config of ["tsconfig.es2022.json", "tsconfig.json"]) {
      const checked = await runChild(
        tool(node).path,
        ["node_modules/typescript/bin/tsc", "-p", config],
        { ms: 120_000, cwd: dir },
      );
      assert.equal(
        checked.code,
        0,
        `tsc -p ${config} found errors in ${NODE_PROJECT}:\n${checked.stdout}${checked.stderr}`,
      );
    }
    const ran = await runChild(tool(node).path, ["out/typed.mjs"], {
      ms: 60_000,
      cwd: dir,
    });
    assert.equal(ran.code, 0, `out/typed.mjs failed: ${tail(ran.stderr)}`);
    assert.deepEqual(lastJson(ran.stdout), {
      squares: [1, 4, 9],
      greetings: ["hello, a", "hello, b"],
      ready: false,
      got: [16],
      inline: ["1.0", "2.0"],
      // What the line that does not type-check gets at run time.
      wrong: [1],
      taskError: { index: 1, cause: "RangeError: 2 is too big" },
    });
  },
);

// --- ClusterPool and its consumer in Node ----------------------------------

/** The cluster's task module in the Node project. */
const CLUSTER_TASKS = `export function square(x) {
  return x * x;
}

export function failOnTwo(x) {
  if (x === 2) throw new RangeError(\`\${x} is too big\`);
  return x;
}
`;

/** A Node program that maps through the cluster: `node cluster_app.mjs URL NAME`. */
const CLUSTER_APP = `import { TaskError } from "@paralelo/pool";
import { ClusterPool } from "@paralelo/pool/cluster";

const [servers, name] = process.argv.slice(2);
const pool = new ClusterPool(new URL("./cluster_tasks.mjs", import.meta.url), {
  servers,
  name,
  timeout: 30_000,
});
try {
  const items = Array.from({ length: 200 }, (_, i) => i);
  const squares = await pool.map("square", items, { chunkSize: 10 });
  const error = await pool.map("failOnTwo", [0, 1, 2, 3], { chunkSize: 1 })
    .then(() => null, (error) => error);
  console.log(JSON.stringify({
    inOrder: squares.every((square, i) => square === i * i),
    count: squares.length,
    taskError: error instanceof TaskError,
    index: error?.index,
    cause: String(error?.cause),
  }));
} finally {
  pool.close();
  await pool.join();
}
`;

for (const [label, found] of [["Node", node], ["Bun", bun]] as const) {
  runtimeTest(
    `ClusterPool and its consumer run in ${label}, from the npm form`,
    [found, npmDependencies, natsServer],
    () => clusterIn(tool(found), label),
  );
}

/**
 * Starts a nats-server and a consumer in `runtime`, maps through the
 * cluster from a program in the same runtime, and stops the consumer.
 */
function clusterIn(runtime: Tool, label: string): Promise<void> {
  const name = label.toLowerCase();
  return withCleanup(async (cleanup) => {
    const dir = await deadline(
      nodeProject({
        "cluster_app.mjs": CLUSTER_APP,
        "cluster_tasks.mjs": CLUSTER_TASKS,
      }),
      "the Node project",
      130_000,
    );
    const nats = await startNats(cleanup);
    // Worker permissions are Deno's: refused at start, before any pull.
    const refused = await runChild(runtime.path, [
      "node_modules/@paralelo/pool/cluster/worker.js",
      "--servers",
      nats.url,
      "--permissions",
      "none",
    ], { ms: 30_000, cwd: dir });
    assert.equal(refused.code, 2, `--permissions none: ${refused.stderr}`);
    assert.match(
      refused.stderr,
      new RegExp(
        `^Cannot start the consumer with --permissions as worker permissions are Deno's, and this consumer runs on ${label}, whose workers would run with all of its rights: leave --permissions out, or run the consumer in Deno`,
      ),
    );
    // The consumer, as a Node user starts it: the package's
    // cluster/worker.js, which knows it is the entry point without
    // import.meta.main (Node 20 has none).
    const consumer = new Deno.Command(runtime.path, {
      args: [
        "node_modules/@paralelo/pool/cluster/worker.js",
        "--servers",
        nats.url,
        "--name",
        `${name}-test`,
        "--size",
        "2",
      ],
      cwd: dir,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const said = new Response(consumer.stderr).text();
    let exited = false;
    cleanup.add(async () => {
      if (!exited) consumer.kill("SIGKILL");
      await deadline(consumer.status, "the consumer to end", 15_000);
      await deadline(said, "the consumer's output to end", 5_000);
    });
    const ran = await runChild(
      runtime.path,
      ["cluster_app.mjs", nats.url, `${name}-test`],
      { ms: 60_000, cwd: dir },
    );
    assert.equal(
      ran.code,
      0,
      `cluster_app.mjs failed: ${tail(ran.stderr)}${tail(ran.stdout)}`,
    );
    assert.deepEqual(lastJson(ran.stdout), {
      inOrder: true,
      count: 200,
      taskError: true,
      index: 2,
      cause: "RangeError: 2 is too big",
    });
    // SIGTERM stops it cleanly, through process.on outside Deno.
    consumer.kill("SIGTERM");
    const status = await deadline(
      consumer.status,
      "the consumer to stop",
      20_000,
    );
    exited = true;
    const log = await deadline(said, "the consumer's output", 5_000);
    assert.equal(
      status.code,
      0,
      `the consumer exited with ${status.code}:\n${log}`,
    );
    assert.match(
      log,
      new RegExp(
        `serving stream '${name}-test' on nats://127\\.0\\.0\\.1:\\d+ with 2 workers`,
      ),
    );
    assert.match(log, /stopped after \d+ chunks/);
  });
}

// --- bundling an app that uses the library ----------------------------------

/** What `runtimes/bundle_app.mjs` prints when all is well. */
const APP_OUTPUT = {
  inline: [2, 4, 6],
  named: [1, 2, 3],
  module: [1, 4, 9],
  taskError: {
    isTaskError: true,
    index: 2,
    cause: "RangeError: 2 is too big",
  },
};

const APP = rootPath("tests/runtimes/bundle_app.mjs");

/**
 * What `--minify --keep-names` may print for the named function instead:
 * the minifier renames the `__name` helper (to `u`, say), which the worker
 * cannot know, so the pool refuses the task before it runs, by the
 * helper's new name, as it does any variable from the enclosing scope (the
 * README: "the check rejects them by name"). Refused, never a hang or a
 * `ReferenceError` in the worker.
 */
const MINIFIED_HELPER =
  /^TypeError: Cannot run inline task '[\w$]+' as it uses '[\w$]+' from the enclosing scope/;

/**
 * Checks a bundle that `flags` built at `bundle` (that `--keep-names` named
 * the nested function), runs it and checks what it printed.
 */
async function checkApp(
  what: string,
  bundle: string,
  flags: string[],
  command: string,
  args: string[],
  cwd: string,
): Promise<void> {
  if (flags.includes("--keep-names")) {
    assert.match(
      await Deno.readTextFile(bundle),
      /\(count, "count"\)|\(\w+,"count"\)/,
      "the bundle names the nested function, as --keep-names does",
    );
  }
  const minified = flags.includes("--minify");
  const output = await runChild(command, [...args, TASKS_URL], {
    cwd,
    ms: 60_000,
  });
  const printed = lastJson(output.stdout);
  assert.ok(
    printed !== null,
    `${what} printed nothing (code ${output.code}${
      output.killed ? ", killed" : ""
    }):\n${tail(output.stderr)}`,
  );
  if (minified && typeof printed?.named === "string") {
    assert.match(printed.named, MINIFIED_HELPER, what);
    console.log(`${what}: the named task was refused: ${printed.named}`);
    printed.named = APP_OUTPUT.named;
  }
  assert.deepEqual(printed, APP_OUTPUT, `${what}: ${output.stdout.trim()}`);
  assert.ok(!output.killed, `${what} did not exit by itself`);
  assert.equal(output.code, 0, `${what} exited with ${output.code}`);
}

/** The variants of a bundler's flags that each test builds and runs. */
const NAME_FLAGS: ReadonlyArray<[string, string[]]> = [
  ["plain", []],
  ["--keep-names", ["--keep-names"]],
  ["--minify --keep-names", ["--minify", "--keep-names"]],
];

Deno.test("an app bundled with deno bundle, with and without --keep-names, runs in Deno", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "paralelo_bundle_" });
  try {
    const map = `${dir}/import_map.json`;
    await Deno.writeTextFile(
      map,
      JSON.stringify({ imports: { "@paralelo/pool": rootPath("mod.ts") } }),
    );
    for (const [label, flags] of NAME_FLAGS) {
      await t.step(`deno bundle ${label}`, async () => {
        const out = `${dir}/app_${flags.join("").replaceAll("-", "")}.js`;
        const built = await runChild(Deno.execPath(), [
          "bundle",
          "--quiet",
          "--platform",
          "deno",
          "--format",
          "esm",
          ...flags,
          "--import-map",
          map,
          "--output",
          out,
          APP,
        ], { ms: 60_000 });
        assert.equal(built.code, 0, `deno bundle failed: ${built.stderr}`);
        await checkApp(
          `the app bundled by deno bundle ${label}`,
          out,
          flags,
          Deno.execPath(),
          ["run", "--allow-all", "--no-config", out],
          dir,
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

runtimeTest(
  "an app bundled with esbuild from the npm form, with and without --keep-names, runs in Node",
  [node, esbuild, npmDependencies],
  async (t) => {
    // The app sits in the Node project, so that esbuild finds
    // @paralelo/pool in its node_modules, as it would a user's.
    const project = await deadline(
      nodeProject({ "bundle_app.mjs": await Deno.readTextFile(APP) }),
      "the Node project",
      130_000,
    );
    const dir = await Deno.makeTempDir({ prefix: "paralelo_esbuild_" });
    try {
      for (const [label, flags] of NAME_FLAGS) {
        await t.step(`esbuild ${label}`, async () => {
          const out = `${dir}/app_${flags.join("").replaceAll("-", "")}.mjs`;
          const built = await runChild(tool(esbuild).path, [
            "bundle_app.mjs",
            "--bundle",
            "--log-level=warning",
            "--platform=node",
            "--format=esm",
            ...flags,
            `--outfile=${out}`,
          ], { ms: 60_000, cwd: project });
          assert.equal(built.code, 0, `esbuild failed: ${built.stderr}`);
          await checkApp(
            `the app bundled by esbuild ${label}`,
            out,
            flags,
            tool(node).path,
            [out],
            dir,
          );
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

// --- the browser demo -------------------------------------------------------

runtimeTest(
  "the browser demo completes in headless Chromium, bar at 100% and timeline shown, the page's thread free",
  [node, chromium],
  async () => {
    const { output, misses } = await openInChromium(
      `${DEMO_PATH}?autorun`,
      true,
      120_000,
    );
    const report = output.report as {
      error?: string;
      done?: boolean;
      isolated: boolean;
      longTaskSupported: boolean;
      runMs: number;
      longestTaskMs: number;
      longTasks: number;
      longestFrameGapMs: number;
      progress: { value: number; max: number };
      progressText: string;
      svg: boolean;
      spans: number;
      digits: number[];
      longestText: string;
    };
    assert.equal(report.error, undefined, String(report.error));
    assert.equal(report.done, true);
    assert.deepEqual(misses, [], "every file the page asked for was served");
    assert.deepEqual(output.errors, [], "no uncaught error in the page");
    assert.equal(report.isolated, true, "the demo's page is isolated");
    assert.deepEqual(report.progress, { value: 6, max: 6 }, "the bar is full");
    assert.match(report.progressText, /6 \/ 6 \(100%\)/);
    assert.equal(report.svg, true, "the timeline is drawn");
    assert.equal(report.spans, 6, "a bar per x in the timeline");
    assert.deepEqual(
      report.digits,
      [1, 3010300, 4771213, 6020600, 6989701, 7781513],
      "the digits of x ** 10_000_000",
    );
    assert.match(report.longestText, /Longest main-thread task/);
    console.log(
      `The demo: ${
        (report.runMs / 1000).toFixed(2)
      } s on the pool; longest main-thread task ${
        report.longTasks === 0
          ? "under 50 ms (none reported)"
          : `${report.longestTaskMs.toFixed(0)} ms`
      }; longest gap between frames ${report.longestFrameGapMs.toFixed(0)} ms`,
    );
    assert.ok(report.longTaskSupported, "Chromium reports long tasks");
    assert.ok(
      report.longestTaskMs < 200,
      `the page's thread was held for ${report.longestTaskMs} ms at once`,
    );
    assert.ok(
      report.longestTaskMs < report.runMs / 4,
      `the longest main-thread task (${report.longestTaskMs} ms) is not well under the run (${report.runMs} ms)`,
    );
  },
);

Deno.test("deno task browser-demo's server prints its URL and serves the page isolated", async () => {
  await deadline(buildDist(), "the builds", 130_000);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "examples/browser/serve.ts",
      "--port",
      "0",
    ],
    cwd: rootPath("."),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const stderr = child.stderr.pipeTo(new WritableStream());
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let printed = "";
    const url = await deadline(
      (async () => {
        while (true) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`The server exited: ${printed}`);
          printed += value;
          const found = printed.match(/(http:\/\/127\.0\.0\.1:\d+\S*)/);
          if (found && printed.includes("\n")) return found[1]!;
        }
      })(),
      "the demo server's URL",
      30_000,
    );
    assert.ok(url.endsWith(DEMO_PATH), url);
    for (
      const [path, type] of [
        [url, "text/html"],
        [new URL("main.js", url).href, "text/javascript"],
        [new URL("/dist/browser/pool.js", url).href, "text/javascript"],
      ] as const
    ) {
      const response = await deadline(fetch(path), `GET ${path}`);
      await response.body?.cancel();
      assert.equal(response.status, 200, path);
      assert.ok(response.headers.get("content-type")?.startsWith(type), path);
      for (const [name, value] of Object.entries(ISOLATION_HEADERS)) {
        assert.equal(response.headers.get(name), value, `${name} of ${path}`);
      }
    }
    const hidden = await deadline(
      fetch(new URL("/deno.json", url)),
      "GET /deno.json",
    );
    await hidden.body?.cancel();
    assert.equal(hidden.status, 404, "only the demo's files are served");
  } finally {
    child.kill("SIGTERM");
    await reader.cancel().catch(() => {});
    await deadline(child.status, "the demo server's exit", 10_000);
    await stderr.catch(() => {});
  }
});
