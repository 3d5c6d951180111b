// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What makes the pool runtime-neutral, tested in Deno: a runtime without
 * shared memory (a browser page that is not cross-origin isolated), Bun's
 * `close` event, a runtime without Web Workers (Node), a browser's module
 * paths, Deno-only options elsewhere, `process.exit()`, worker scopes that
 * lack `Deno` or `close`, and code bundled with `--keep-names`. Other
 * runtimes are simulated through `_runtime.ts`, the one module that reads
 * them.
 */
import assert from "node:assert/strict";
import { parse } from "npm:acorn@8.19.0";
import { analyze } from "npm:eslint-scope@9.1.2";
import {
  cpuCount,
  ModuleLoadError,
  Pool,
  TaskError,
  TaskTimeoutError,
  WorkerCrashedError,
} from "../mod.ts";
import {
  decodeResult,
  encodeRun,
  type FromWorker,
  ReportedState,
  ReportingState,
  type StateMessage,
  type ToWorker,
} from "../_protocol.ts";
import { resolveModule } from "../_options.ts";
import { simulateRuntime } from "../_runtime.ts";
import { NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from "../_worker_source.ts";
import { deadline, rejection, runDeno, test, withPool } from "./_helpers.ts";

/** `make()`, run while the runtime has no shared memory. */
function unshared<T>(make: () => T): T {
  const restore = simulateRuntime({ sharedMemory: false });
  try {
    return make();
  } finally {
    restore();
  }
}

/** Spins the thread for `ms`, then returns `x`: a synchronous loop that ends. */
const spinAt = (x: number, at: number, ms: number): number => {
  if (x === at) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // Busy.
    }
  }
  return x;
};

// --- no shared memory: the state travels in messages -----------------------

Deno.test("ReportingState posts a timed item at once, a chunk that yields later, a synchronous chunk never", async () => {
  const posted: StateMessage[] = [];
  const state = new ReportingState(2, (message) => posted.push(message));
  // A synchronous chunk, start to end: nothing to tell.
  state.startRun(0, 1);
  state.startClock(0, 10);
  state.startItem(0, 0);
  state.startItem(0, 1);
  state.endRun(0);
  await Promise.resolve();
  assert.equal(posted.length, 0);
  // A timed item: at once, before its task runs.
  state.startRun(0, 2);
  state.startItem(0, 3, 20);
  assert.deepEqual(posted, [
    { type: "state", slot: 0, runId: 2, offset: 3, startedAt: 20 },
  ]);
  state.endRun(0);
  // A chunk still running when the worker yields: then.
  state.startRun(1, 3);
  state.startClock(1, 30);
  state.startItem(1, 4);
  assert.equal(posted.length, 1);
  await Promise.resolve();
  assert.deepEqual(posted[1], {
    type: "state",
    slot: 1,
    runId: 3,
    offset: 4,
    startedAt: 30,
  });
  // flush() before an exit: what changed since.
  state.startItem(1, 5);
  state.flush();
  assert.equal(posted[2]?.offset, 5);
  state.flush();
  assert.equal(posted.length, 3);
});

Deno.test("ReportedState keeps what the worker reports until the run is answered", () => {
  const state = new ReportedState(2);
  assert.equal(state.idle, true);
  state.report({ type: "state", slot: 1, runId: 7, offset: 2, startedAt: 5 });
  state.report({ type: "state", slot: 9, runId: 8, offset: 0, startedAt: 5 });
  assert.equal(state.idle, false);
  assert.deepEqual(state.read(1), { runId: 7, offset: 2, startedAt: 5 });
  assert.deepEqual(state.read(0), { runId: 0, offset: 0, startedAt: 0 });
  state.answered(7);
  assert.equal(state.idle, true);
});

test("without shared memory: map, starmap, imap and a task's error work as with it", async (backend) => {
  await withPool(
    unshared(() => new Pool({ backend, size: 2 })),
    async (pool) => {
      const items = Array.from({ length: 1_000 }, (_, i) => i);
      assert.deepEqual(
        await deadline(pool.map((x: number) => x * 2, items), "a map"),
        items.map((x) => x * 2),
      );
      assert.deepEqual(
        await deadline(
          pool.starmap((a: number, b: number) => a + b, [[1, 2], [3, 4]]),
          "a starmap",
        ),
        [3, 7],
      );
      const streamed: number[] = [];
      for await (
        const value of pool.imap(async (x: number) => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return x + 1;
        }, [1, 2, 3])
      ) streamed.push(value);
      assert.deepEqual(streamed, [2, 3, 4]);
      const error = await rejection(
        pool.map((x: number) => {
          if (x === 5) throw new RangeError("five");
          return x;
        }, items),
        "a failing map",
      );
      assert.ok(error instanceof TaskError, String(error));
      assert.equal(error.index, 5);
    },
  );
});

test("without shared memory: a timeout stops a task stuck in a synchronous loop, at its exact item", async (backend) => {
  await withPool(
    unshared(() => new Pool({ backend, size: 1, onWarning: () => {} })),
    async (pool) => {
      const started = performance.now();
      // One chunk of five; the third item blocks the thread for 1.5 s, so
      // only a start posted before it ran lets the pool see it.
      const error = await rejection(
        pool.starmap(spinAt, [0, 1, 2, 3, 4].map((x) => [x, 2, 1_500]), {
          timeout: 200,
          chunkSize: 5,
        }),
        "a call that loops past its timeout",
      );
      assert.ok(error instanceof TaskTimeoutError, String(error));
      assert.equal(error.index, 2);
      assert.equal(error.timeoutMs, 200);
      assert.ok(performance.now() - started < 1_400, "stopped before it ended");
      assert.deepEqual(
        await deadline(pool.map((x: number) => x + 1, [1]), "a call after it"),
        [2],
      );
    },
  );
});

test("without shared memory: a worker that exits fails the exact item it ran", async (backend) => {
  await withPool(
    unshared(() => new Pool({ backend, size: 1 })),
    async (pool) => {
      // One untimed synchronous chunk: nothing was posted before the exit,
      // which must post the state first.
      const exited = await rejection(
        pool.map(
          (x: number) => {
            if (x === 7) Deno.exit(4);
            return x;
          },
          Array.from({ length: 10 }, (_, i) => i),
          { chunkSize: 10 },
        ),
        "a call whose task exits",
      );
      assert.ok(exited instanceof WorkerCrashedError, String(exited));
      assert.equal(exited.index, 7);
      assert.equal(exited.exitCode, 4);
      const escaped = await rejection(
        pool.map(
          (x: number) => {
            if (x !== 3) return x;
            setTimeout(() => {
              throw new Error("late");
            }, 0);
            return new Promise(() => {});
          },
          [0, 1, 2, 3, 4],
          { chunkSize: 5 },
        ),
        "a call whose task leaves a throwing timer",
      );
      assert.ok(escaped instanceof WorkerCrashedError, String(escaped));
      assert.equal(escaped.index, 3);
      assert.match(escaped.reason, /an error escaped a task.*late/);
    },
  );
});

test("without shared memory: an abort stops the worker running the call, and the pool goes on", async (backend) => {
  await withPool(
    unshared(() => new Pool({ backend, size: 1 })),
    async (pool) => {
      const signal = AbortSignal.timeout(150);
      const error = await rejection(
        pool.apply(() => new Promise(() => {}), [], { signal }),
        "an aborted call",
      );
      assert.equal((error as Error).name, "TimeoutError");
      assert.deepEqual(
        await deadline(pool.map((x: number) => x * 3, [1, 2]), "after"),
        [3, 6],
      );
      // The worker that ran the aborted call was replaced.
      assert.equal(pool.stats().workers[0]?.id, 2);
    },
  );
});

test("without shared memory, concurrency 2: a crash fails the chunk running beside it at its item", async (backend) => {
  await withPool(
    unshared(() => new Pool({ backend, size: 1, concurrency: 2 })),
    async (pool) => {
      await deadline(pool.map((x: number) => x, [0]), "warming up");
      const exits = pool.apply(async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        Deno.exit(3);
      }, []);
      const beside = pool.map(
        async (x: number) => {
          if (x === 1) {
            await new Promise((resolve) => setTimeout(resolve, 5_000));
          }
          return x;
        },
        [0, 1],
        { chunkSize: 2 },
      );
      const first = await rejection(exits, "the task that exits");
      assert.ok(first instanceof WorkerCrashedError, String(first));
      assert.equal(first.index, 0);
      const second = await rejection(beside, "the chunk beside it");
      assert.ok(second instanceof WorkerCrashedError, String(second));
      assert.equal(second.index, 1);
      assert.equal(second.exitCode, 3);
    },
  );
});

test("a runtime with no SharedArrayBuffer at all runs a pool, timeouts included", async (backend) => {
  // What a page that is not cross-origin isolated has: no constructor. The
  // pool's side must never reach for it.
  const scope = globalThis as { SharedArrayBuffer?: unknown };
  const saved = Object.getOwnPropertyDescriptor(
    globalThis,
    "SharedArrayBuffer",
  )!;
  delete scope.SharedArrayBuffer;
  try {
    await withPool(new Pool({ backend, size: 1 }), async (pool) => {
      assert.deepEqual(
        await deadline(pool.map((x: number) => x + 1, [1, 2]), "a map"),
        [2, 3],
      );
      const error = await rejection(
        pool.apply(() => new Promise(() => {}), [], { timeout: 100 }),
        "a call past its timeout",
      );
      assert.ok(error instanceof TaskTimeoutError, String(error));
    });
  } finally {
    Object.defineProperty(globalThis, "SharedArrayBuffer", saved);
  }
});

// --- workers that end by themselves ------------------------------------------

test("process.exit() in a task is a WorkerCrashedError with its code", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.map(
        (x: number) => {
          if (x === 2) process.exit(5);
          return x;
        },
        [0, 1, 2, 3],
        { chunkSize: 4 },
      ),
      "a call whose task calls process.exit()",
    );
    assert.ok(error instanceof WorkerCrashedError, String(error));
    assert.equal(error.index, 2);
    assert.equal(error.exitCode, 5);
    assert.match(error.reason, /process\.exit\(5\)/);
    assert.deepEqual(await deadline(pool.map((x: number) => x, [1]), "after"), [
      1,
    ]);
  });
});

for (const memory of ["shared", "unshared"] as const) {
  test(`self.close() blames the item that called it, though the task runs on (${memory} memory)`, async (backend) => {
    const make = () => new Pool({ backend, size: 1 });
    await withPool(
      memory === "shared" ? make() : unshared(make),
      async (pool) => {
        // As in a browser, where close() lets the script run on: the chunk
        // goes on to its end unless the worker stops it.
        const error = await rejection(
          pool.map(
            (x: number) => {
              if (x === 2) self.close();
              return x;
            },
            [0, 1, 2, 3],
            { chunkSize: 4 },
          ),
          "a call whose task closes its worker",
        );
        assert.ok(error instanceof WorkerCrashedError, String(error));
        assert.equal(error.index, 2);
        assert.equal(error.reason, "the task called self.close()");
      },
    );
  });
}

/**
 * A Web Worker that can end as Bun's do when a task exits and nothing is
 * posted first: the thread stops, and a `close` event with the code is
 * all the parent hears.
 */
class BunLikeWorker extends Worker {
  static created: BunLikeWorker[] = [];

  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    BunLikeWorker.created.push(this);
  }

  exitSilently(code: number): void {
    super.terminate();
    this.dispatchEvent(Object.assign(new Event("close"), { code }));
  }
}

Deno.test("backend 'web': a worker whose thread ends with a 'close' event (Bun) fails its call, not hangs it", async () => {
  const restore = simulateRuntime({ Worker: BunLikeWorker });
  let pool: Pool;
  try {
    pool = new Pool({ size: 1 });
  } finally {
    restore();
  }
  await withPool(pool, async (pool) => {
    const pending = pool.map(
      (x: number) => x === 1 ? new Promise(() => {}) : x,
      [0, 1, 2],
      { chunkSize: 3 },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(BunLikeWorker.created.length, 1);
    BunLikeWorker.created[0]!.exitSilently(7);
    const error = await rejection(pending, "a call whose worker closed");
    assert.ok(error instanceof WorkerCrashedError, String(error));
    assert.equal(error.index, 1);
    assert.equal(error.exitCode, 7);
    assert.equal(error.reason, "the worker exited with code 7");
    assert.deepEqual(
      await deadline(pool.map((x: number) => x * 2, [4]), "after"),
      [8],
    );
    assert.equal(BunLikeWorker.created.length, 2);
  });
});

/**
 * Starts `source` in a Web Worker after `preamble`, which takes away what
 * a runtime lacks, and runs one inline task through the protocol.
 */
async function runIn(preamble: string): Promise<unknown[]> {
  const url = URL.createObjectURL(
    new Blob([`${preamble}\n${WEB_WORKER_SOURCE}`], {
      type: "text/javascript",
    }),
  );
  const worker = new Worker(url, { type: "module" });
  try {
    const reply = new Promise<unknown[]>((resolve, reject) => {
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`The worker failed: ${event.message}`));
      };
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        if (Array.isArray(event.data)) {
          resolve(decodeResult(event.data).values);
        }
      };
    });
    const post = (message: ToWorker) => worker.postMessage(message);
    post({
      type: "init",
      workerId: 1,
      module: null,
      state: 1,
      initializer: null,
      lock: `@paralelo/pool runtime_neutral_test ${crypto.randomUUID()}`,
      initArgs: [],
    });
    post(encodeRun({
      type: "run",
      id: 1,
      task: 1,
      define: { kind: "source", name: "triple", source: "(x) => x * 3" },
      spread: false,
      transfer: false,
      timed: true,
      items: [1, 2],
    }));
    return await deadline(reply, "the worker's result");
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

Deno.test("the worker starts in scopes without Deno, process or close, or with a read-only Deno.exit", async () => {
  // A browser's worker: no Deno, no process.
  assert.deepEqual(
    await runIn(
      "delete globalThis.Deno; delete globalThis.process;",
    ),
    [3, 6],
  );
  // Bun's: no self.close.
  assert.deepEqual(
    await runIn(
      "Object.defineProperty(globalThis, 'close', { value: undefined, configurable: true });",
    ),
    [3, 6],
  );
  // Exits that cannot be replaced.
  assert.deepEqual(
    await runIn(
      "Object.defineProperty(Deno, 'exit', { value: Deno.exit, writable: false, configurable: false }); Object.freeze(process);",
    ),
    [3, 6],
  );
});

// --- other runtimes' defaults and limits --------------------------------------

/** A Node 20 runtime, simulated in Deno: no Web Worker, no navigator. */
function asNode(): () => void {
  return simulateRuntime({
    globals: {
      process: {
        versions: { node: "20.20.2" },
        cwd: () => Deno.cwd(),
        getBuiltinModule: (id: string) => process.getBuiltinModule(id),
      },
      SharedArrayBuffer,
    },
  });
}

Deno.test("in a runtime without Web Workers (Node), the default backend is 'node' and works", async () => {
  const restore = asNode();
  let pool: Pool;
  try {
    assert.equal(cpuCount(), navigator.hardwareConcurrency);
    pool = new Pool({ size: 1 });
    assert.throws(
      () => new Pool({ backend: "web" }),
      (error: Error) =>
        error instanceof TypeError &&
        error.message ===
          "Cannot create pool with backend 'web' as Node has no Web Worker: use backend 'node'",
    );
  } finally {
    restore();
  }
  await withPool(pool, async (pool) => {
    assert.deepEqual(
      await deadline(pool.map((x: number) => x + 1, [1, 2]), "a map"),
      [2, 3],
    );
    // The "node" backend's own: a stuck synchronous loop is really stopped.
    const error = await rejection(
      pool.apply(
        () => {
          while (true) {
            // Stuck.
          }
        },
        [],
        { timeout: 100 },
      ),
      "a loop past its timeout",
    );
    assert.ok(error instanceof TaskTimeoutError, String(error));
  });
});

Deno.test("outside Deno, 'permissions' and 'unstableWorkerOptions' are refused, naming the runtime", () => {
  for (
    const [simulate, label] of [
      [asNode, "Node"],
      [
        () =>
          simulateRuntime({
            globals: { Worker, location: { href: "https://example.com/" } },
          }),
        "a browser",
      ],
    ] as const
  ) {
    const restore = simulate();
    try {
      assert.throws(
        () => new Pool({ permissions: "none" }),
        (error: Error) =>
          error instanceof TypeError &&
          error.message ===
            `Cannot create pool with 'permissions' as worker permissions are Deno's, and this program runs on ${label}, whose workers run with all of the program's rights: leave 'permissions' out`,
      );
      assert.throws(
        () => new Pool({ unstableWorkerOptions: true }),
        (error: Error) =>
          error instanceof TypeError &&
          /'unstableWorkerOptions' as it is a flag of Deno's/.test(
            error.message,
          ),
      );
      // Saying it is off is harmless.
      new Pool({ size: 1, unstableWorkerOptions: false }).terminate();
    } finally {
      restore();
    }
  }
});

Deno.test("in Bun, 'maxHeapMb' is refused, as its worker_threads ignore resourceLimits", () => {
  const restore = simulateRuntime({
    globals: {
      Worker,
      Bun: {},
      process: { versions: { node: "24.3.0", bun: "1.4.5" }, cwd: () => "/" },
    },
  });
  try {
    assert.throws(
      () => new Pool({ backend: "node", maxHeapMb: 64 }),
      (error: Error) =>
        error instanceof TypeError &&
        error.message ===
          "Cannot create pool with 'maxHeapMb' as Bun's node:worker_threads ignores resourceLimits, so no limit would hold: leave 'maxHeapMb' out",
    );
  } finally {
    restore();
  }
  // Node honours it: the pool is made (and never starts a worker).
  const node = asNode();
  try {
    new Pool({ backend: "node", maxHeapMb: 64 }).terminate();
  } finally {
    node();
  }
});

Deno.test("in a browser, a module path resolves against the page's location", () => {
  const href = "https://example.com/app/index.html";
  const restore = simulateRuntime({
    globals: {
      Worker,
      location: { href },
      navigator: { hardwareConcurrency: 6 },
    },
  });
  try {
    assert.equal(cpuCount(), 6);
    assert.deepEqual(resolveModule("tasks.js"), {
      module: "tasks.js",
      url: "https://example.com/app/tasks.js",
      resolution: `relative to the page's location ${href}`,
    });
    // No files in a browser: an absolute path is one on the page's server.
    assert.equal(
      resolveModule("/lib/tasks.js").url,
      "https://example.com/lib/tasks.js",
    );
    assert.equal(
      resolveModule("https://cdn.example/t.js").resolution,
      "as given, a URL",
    );
  } finally {
    restore();
  }
  const error = new ModuleLoadError({
    module: "tasks.js",
    url: "https://example.com/app/tasks.js",
    resolution: `relative to the page's location ${href}`,
    kind: "not-found",
    detail: "404",
  });
  assert.match(
    error.message,
    /resolved against the page's location, not against the script that creates the pool: name it relative to that file instead, new Pool\(new URL\("\.\/tasks\.js", import\.meta\.url\)\)/,
  );
  const nowhere = simulateRuntime({ globals: {} });
  try {
    assert.throws(
      () => resolveModule("tasks.js"),
      /'tasks\.js' is relative, and a browser has no working directory or page location/,
    );
  } finally {
    nowhere();
  }
});

// --- bundled code ------------------------------------------------------------

// What the worker sources may read without a lookup through globalThis:
// ECMAScript's own, and what Deno, Bun, Node 20 and browsers all have.
const UNIVERSAL = new Set([
  "Array",
  "ArrayBuffer",
  "Error",
  "Float64Array",
  "Function",
  "Infinity",
  "Map",
  "Math",
  "Object",
  "Promise",
  "RangeError",
  "Reflect",
  "Set",
  "String",
  "Symbol",
  "TypeError",
  "globalThis",
  "performance",
  "queueMicrotask",
  "setTimeout",
  "structuredClone",
]);

Deno.test("each worker source reads no global but the universal ones: no helper a bundle around it provides", () => {
  for (const source of [WEB_WORKER_SOURCE, NODE_WORKER_SOURCE]) {
    const ast = parse(source, {
      ecmaVersion: "latest",
      sourceType: "module",
      ranges: true,
    });
    // deno-lint-ignore no-explicit-any
    const scopes = analyze(ast as any, {
      ecmaVersion: 2022,
      sourceType: "module",
    });
    const free = new Set(
      (scopes.globalScope?.through ?? []).map((ref) => ref.identifier.name),
    );
    const unknown = [...free].filter((name) => !UNIVERSAL.has(name));
    assert.deepEqual(unknown, [], `reads ${unknown.join(", ")}`);
  }
});

declare const __name: <T>(target: T, value: string) => T;

test("an inline task bundled with --keep-names, which calls __name inside, runs", async (backend) => {
  // What esbuild and deno bundle write for a function with a named helper.
  const task = (x: number): number => {
    const twice = __name((y: number) => y * 2, "twice");
    return twice(x) + (twice.name === "twice" ? 0 : 100);
  };
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    assert.deepEqual(await deadline(pool.map(task, [1, 2]), "a map"), [2, 4]);
  });
});

Deno.test("a program bundled with deno bundle --keep-names runs its inline tasks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paralelo_keep_names_" });
  try {
    const mod = new URL("../mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/app.ts`,
      `import { Pool } from "${mod}";
function square(x: number): number {
  function twice(y: number) {
    return y * 2;
  }
  const half = (y: number) => y / 2;
  return half(twice(x * x));
}
await using pool = new Pool({ size: 2 });
console.log(JSON.stringify(await pool.map(square, [1, 2, 3])));
console.log(String(square).includes("__name("));
`,
    );
    const bundled = await runDeno([
      "bundle",
      "--quiet",
      "--keep-names",
      "--platform",
      "deno",
      "--format",
      "esm",
      "--output",
      `${dir}/app.js`,
      `${dir}/app.ts`,
    ], { ms: 60_000 });
    assert.equal(bundled.code, 0, bundled.stderr);
    const run = await runDeno(["run", "--quiet", "-A", `${dir}/app.js`]);
    assert.equal(run.killed, false, run.stderr);
    assert.equal(run.code, 0, run.stderr);
    // The helper was in the task's source, and the worker had it.
    assert.equal(run.stdout, "[1,4,9]\ntrue\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
