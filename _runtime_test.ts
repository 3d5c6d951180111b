// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import {
  formatValue,
  type GlobalsLike,
  Runtime,
  runtime,
  simulateRuntime,
} from "./_runtime.ts";

const NODE_20 = { versions: { node: "20.20.2" }, cwd: () => "/srv/app" };

Deno.test("Runtime tells Deno, Bun, Node and browsers apart", () => {
  assert.equal(runtime().name, "deno");
  assert.equal(new Runtime(globalThis as GlobalsLike).name, "deno");
  // Bun's process says it is Node, as Deno's does: Bun is asked first.
  assert.equal(
    new Runtime({
      Bun: {},
      process: { versions: { node: "22.6.0", bun: "1.4.5" } },
    }).name,
    "bun",
  );
  assert.equal(
    new Runtime({ process: { versions: { node: "22.6.0", bun: "1.4.5" } } })
      .name,
    "bun",
  );
  assert.equal(new Runtime({ process: NODE_20 }).name, "node");
  assert.equal(
    new Runtime({ navigator: { hardwareConcurrency: 8 }, Worker: class {} })
      .name,
    "browser",
  );
  assert.equal(new Runtime({}).name, "browser");
});

Deno.test("Runtime reads a global that throws as absent", () => {
  const globals = {
    get Deno(): unknown {
      throw new Error("no");
    },
    get navigator(): unknown {
      throw new Error("no");
    },
  };
  const here = new Runtime(globals);
  assert.equal(here.name, "browser");
  assert.equal(here.cpuCount(), 1);
  assert.equal(here.locks, undefined);
});

Deno.test("Runtime.defaultBackend is 'web' where there is a Web Worker, 'node' in Node", () => {
  assert.equal(runtime().defaultBackend, "web");
  assert.equal(new Runtime({ process: NODE_20 }).defaultBackend, "node");
  assert.equal(
    new Runtime({ Bun: {}, process: NODE_20, Worker: class {} })
      .defaultBackend,
    "web",
  );
  assert.equal(new Runtime({ Worker: class {} }).defaultBackend, "web");
});

Deno.test("Runtime.cpuCount() uses navigator, else node:os, else 1", () => {
  assert.equal(runtime().cpuCount(), navigator.hardwareConcurrency);
  assert.equal(
    new Runtime({ navigator: { hardwareConcurrency: 12 } }).cpuCount(),
    12,
  );
  const os = { availableParallelism: () => 3, cpus: () => [1, 2, 3, 4] };
  const node20 = {
    ...NODE_20,
    getBuiltinModule: (id: string) => id === "node:os" ? os : undefined,
  };
  // Node 20 has no navigator.
  assert.equal(new Runtime({ process: node20 }).cpuCount(), 3);
  // An older node:os without availableParallelism: its CPUs.
  const older = {
    ...NODE_20,
    getBuiltinModule: () => ({ cpus: () => [1, 2] }),
  };
  assert.equal(new Runtime({ process: older }).cpuCount(), 2);
  assert.equal(new Runtime({}).cpuCount(), 1);
  assert.equal(
    new Runtime({ navigator: { hardwareConcurrency: 0 } }).cpuCount(),
    1,
  );
});

Deno.test("Runtime.sharedMemory needs a SharedArrayBuffer on a page that is cross-origin isolated", () => {
  assert.equal(runtime().sharedMemory, true);
  assert.equal(
    new Runtime({ SharedArrayBuffer, crossOriginIsolated: true }).sharedMemory,
    true,
  );
  // A page without COOP/COEP: browsers hide the constructor, or refuse to
  // post one.
  assert.equal(new Runtime({}).sharedMemory, false);
  assert.equal(
    new Runtime({ SharedArrayBuffer, crossOriginIsolated: false })
      .sharedMemory,
    false,
  );
  // Node and Bun have no crossOriginIsolated: memory is shared.
  assert.equal(
    new Runtime({ SharedArrayBuffer, process: NODE_20 }).sharedMemory,
    true,
  );
});

Deno.test("Runtime.moduleBase() is the working directory, or the page's location", () => {
  assert.deepEqual(new Runtime({ process: NODE_20 }).moduleBase(), {
    url: "file:///srv/app/",
    resolution: "relative to the working directory /srv/app",
  });
  assert.deepEqual(
    new Runtime({
      process: { versions: { node: "20.20.2" }, cwd: () => "C:\\work" },
    }).moduleBase(),
    {
      url: "file:///C:/work/",
      resolution: "relative to the working directory C:\\work",
    },
  );
  assert.deepEqual(
    new Runtime({ location: { href: "https://example.com/app/index.html" } })
      .moduleBase(),
    {
      url: "https://example.com/app/index.html",
      resolution:
        "relative to the page's location https://example.com/app/index.html",
    },
  );
  assert.equal(new Runtime({}).moduleBase(), undefined);
  const here = runtime().moduleBase();
  assert.equal(
    here?.resolution,
    `relative to the working directory ${Deno.cwd()}`,
  );
});

Deno.test("Runtime.statModule() tells a missing file, a directory and a file apart", () => {
  const here = runtime();
  assert.deepEqual(here.statModule(new URL(import.meta.url)), {
    kind: "file",
  });
  assert.deepEqual(here.statModule(new URL(".", import.meta.url)), {
    kind: "directory",
  });
  const missing = here.statModule(
    new URL("./no_such_file.ts", import.meta.url),
  );
  assert.equal(missing?.kind, "missing");
  // Node's and Bun's node:fs, through process.getBuiltinModule.
  const node = new Runtime({
    process: {
      ...NODE_20,
      getBuiltinModule: (id: string) => process.getBuiltinModule(id),
    },
  });
  assert.deepEqual(node.statModule(new URL(import.meta.url)), {
    kind: "file",
  });
  assert.equal(
    node.statModule(new URL("./no_such_file.ts", import.meta.url))?.kind,
    "missing",
  );
  assert.equal(new Runtime({}).statModule(new URL(import.meta.url)), undefined);
});

Deno.test("Runtime.denoFlags() is Deno's only", () => {
  assert.equal(new Runtime({ process: NODE_20 }).denoFlags(), undefined);
  // deno test --allow-all: the flags can be read on Linux.
  const flags = runtime().denoFlags();
  if (flags !== undefined) {
    assert.ok(flags.includes("--allow-all"), flags.join(" "));
  }
});

Deno.test("Runtime.stuckThreadAdvice names the runtime's own way out", () => {
  assert.match(runtime().stuckThreadAdvice, /Deno\.exit\(\)/);
  assert.match(
    new Runtime({ process: NODE_20 }).stuckThreadAdvice,
    /process\.exit\(\)/,
  );
  assert.match(new Runtime({}).stuckThreadAdvice, /reload the page/);
  assert.equal(runtime().stopGraceMs, 1_000);
  assert.equal(new Runtime({}).stopGraceMs, 5_000);
});

Deno.test("simulateRuntime() changes what runtime() says until restored", () => {
  const real = runtime();
  const restore = simulateRuntime({ sharedMemory: false });
  try {
    assert.notEqual(runtime(), real);
    assert.equal(runtime().name, "deno");
    assert.equal(runtime().sharedMemory, false);
    assert.equal(runtime().cpuCount(), real.cpuCount());
  } finally {
    restore();
  }
  assert.equal(runtime(), real);
  const node = simulateRuntime({ globals: { process: NODE_20 } });
  try {
    assert.equal(runtime().name, "node");
  } finally {
    node();
  }
});

Deno.test("formatValue() shows small values as Deno.inspect does", () => {
  class Point {
    x = 1;
    y = 2;
  }
  const values: unknown[] = [
    "1s",
    'say "hi"',
    `it's "x"`,
    "line\nbreak",
    "",
    0,
    -0,
    1.5,
    NaN,
    -Infinity,
    10n,
    true,
    undefined,
    null,
    Symbol("s"),
    [],
    {},
    [1, "a", null],
    [1, [2, [3]]],
    { disk: true },
    { a: { b: { c: 1 } } },
    { "a-b": 1, 2: 3 },
    new Map([["a", 1]]),
    new Set([1, 2]),
    new Date(0),
    /x/g,
    new Uint8Array([1, 2]),
    Object.create(null),
    new Point(),
    { f() {}, g: () => 1, h: class K {} },
    {
      get x() {
        return 1;
      },
    },
    [, 1],
    { [Symbol("k")]: 1 },
    { s: Symbol("q") },
    [undefined, null],
  ];
  for (const value of values) {
    assert.equal(
      formatValue(value, 1),
      Deno.inspect(value, { depth: 1, colors: false }),
    );
    assert.equal(
      formatValue(value, 0),
      Deno.inspect(value, { depth: 0, colors: false }),
    );
  }
});

Deno.test("formatValue() keeps to one line, and never throws", () => {
  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  assert.equal(formatValue(cycle), "{ a: 1, self: [Circular] }");
  assert.equal(formatValue(new Error("boom")), "Error: boom");
  assert.equal(formatValue(new TypeError("")), "TypeError");
  assert.equal(formatValue(new URL("https://x/y")), 'URL "https://x/y"');
  assert.equal(formatValue(new Date(NaN)), "Invalid Date");
  assert.equal(
    formatValue(Array.from({ length: 103 }, (_, i) => i)).endsWith(
      ", 99, ... 3 more items ]",
    ),
    true,
  );
  assert.ok(
    formatValue("x".repeat(1_005)).endsWith(
      `${"x".repeat(10)}... 5 more characters"`,
    ),
  );
  assert.equal(formatValue(function named() {}), "[Function: named]");
  assert.equal(formatValue(() => {}), "[Function (anonymous)]");
  const hostile = new Proxy({}, {
    ownKeys() {
      throw new Error("no keys");
    },
  });
  assert.equal(formatValue(hostile), "a value that could not be read");
  assert.equal(formatValue({ a: hostile }), "a value that could not be read");
});

Deno.test("Runtime reads files, names the process and finds its entry point, in Deno and elsewhere", async () => {
  const here = runtime();
  const self = new URL(import.meta.url);
  const bytes = await here.readFile(self);
  assert.equal(
    new TextDecoder().decode(bytes),
    await Deno.readTextFile(self),
  );
  const stat = await here.statFile(self);
  assert.equal(stat.size, bytes.length);
  assert.equal(typeof stat.mtimeMs, "number");
  const missing = await here.readFile(new URL("./nope.ts", self)).then(
    () => null,
    (error) => error,
  );
  assert.ok(here.isNotFound(missing), String(missing));
  assert.ok(!here.isNotFound(new Error("other")));
  assert.match(here.processName(), new RegExp(`:${Deno.pid}$`));
  assert.deepEqual(here.args, Deno.args);
  assert.equal(here.isMain({ url: import.meta.url, main: true }), true);
  assert.equal(here.isMain({ url: import.meta.url, main: false }), false);

  // Node 20: node:fs, process.argv, and no import.meta.main.
  const script = new URL("./cpu_count.ts", self).pathname;
  const node = new Runtime({
    process: {
      ...NODE_20,
      pid: 42,
      argv: ["/usr/bin/node", script, "--size", "2"],
      getBuiltinModule: (id: string) => process.getBuiltinModule(id),
    },
  });
  assert.equal(
    new TextDecoder().decode(await node.readFile(self)),
    await Deno.readTextFile(self),
  );
  const enoent = await node.readFile(new URL("./nope.ts", self)).then(
    () => null,
    (error) => error,
  );
  assert.ok(node.isNotFound(enoent), String(enoent));
  assert.match(node.processName(), /:42$/);
  assert.deepEqual(node.args, ["--size", "2"]);
  assert.equal(node.isMain({ url: new URL(script, "file:///").href }), true);
  assert.equal(node.isMain({ url: import.meta.url }), false);

  // A browser has no files and no process.
  const page = new Runtime({});
  await assert.rejects(
    () => page.readFile(self),
    /Cannot read file:.* as a browser has no file system: use an http: or https: URL/,
  );
  assert.deepEqual(page.args, []);
  assert.throws(() => page.exit(1), /Cannot exit as a browser has no process/);
  assert.equal(page.isMain({ url: import.meta.url }), false);
});

Deno.test("Runtime.processName() never gives two processes one name", () => {
  // No host name to read (Deno without --allow-sys=hostname is the same).
  const bare = new Runtime({
    process: { versions: { node: "20.20.2" }, pid: 7 },
  });
  const first = bare.processName();
  assert.match(first, /^node-[0-9a-f]{8}:7$/);
  assert.notEqual(bare.processName(), first);
  assert.match(
    new Runtime({}).processName(),
    /^browser-[0-9a-f]{8}:[0-9a-f]{8}$/,
  );
});

Deno.test("Runtime.isMain() in Node 20 finds the script as Node does: by real path, with or without .js", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paralelo_main_" });
  try {
    await Deno.mkdir(`${dir}/real`);
    await Deno.writeTextFile(`${dir}/real/worker.js`, "");
    await Deno.symlink(`${dir}/real`, `${dir}/linked`);
    const meta = { url: `file://${dir}/real/worker.js` };
    const started = (script: string) =>
      new Runtime({
        process: {
          versions: { node: "20.20.2" },
          argv: ["/usr/bin/node", script],
          getBuiltinModule: (id: string) => process.getBuiltinModule(id),
        },
      });
    assert.equal(started(`${dir}/real/worker.js`).isMain(meta), true);
    assert.equal(started(`${dir}/real/worker`).isMain(meta), true);
    assert.equal(started(`${dir}/linked/worker.js`).isMain(meta), true);
    assert.equal(started(`${dir}/real/other.js`).isMain(meta), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Runtime.onStopSignals() and exit() use process outside Deno", () => {
  const calls: string[] = [];
  const fake = new Runtime({
    process: {
      versions: { node: "20.20.2" },
      on: (event: string) => calls.push(`on ${event}`),
      off: (event: string) => calls.push(`off ${event}`),
      exit: (code: number) => {
        calls.push(`exit ${code}`);
      },
    },
  });
  const stop = fake.onStopSignals(() => {});
  stop();
  fake.exit(3);
  assert.deepEqual(calls, [
    "on SIGINT",
    "on SIGTERM",
    "off SIGINT",
    "off SIGTERM",
    "exit 3",
  ]);
  // In Deno: its own signal listeners, added and removed.
  const unlisten = runtime().onStopSignals(() => {});
  unlisten();
});
