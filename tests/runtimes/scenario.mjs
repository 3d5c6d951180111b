// Copyright 2026 the @paralelo/pool authors. MIT license.
// Plain JavaScript that every runtime loads as it is: its types are in JSDoc.
// deno-lint-ignore-file explicit-module-boundary-types
/**
 * The pool's contract as one runtime-neutral scenario, run unchanged in
 * Deno, headless Chromium, Bun and Node (`tests/runtimes_test.ts` drives
 * each). It is plain JavaScript that reads no runtime's globals but the
 * ones a step is about, and it takes the library as an argument: `mod.ts`
 * in Deno, the bundle of `deno task build:browser` in Chromium, and the
 * npm form of `deno task build:npm` in Node and Bun.
 *
 * `run(lib, options)` runs every step, each under its own deadline, and
 * returns one `{ name, ok, error, ms }` per step: it never throws and never
 * hangs. Every pool a step makes is terminated after it, whatever happened.
 *
 * @module
 */

/**
 * @typedef {object} StepResult
 * @property {string} name What the step checks.
 * @property {boolean} ok Whether it passed.
 * @property {string | null} error Why not: the error's name, message and
 *   the top of its stack.
 * @property {number} ms How long it took.
 * @property {string} [note] What a step that passed saw, where that is
 *   not the same everywhere (whether a stopped thread really stopped, what
 *   `maxHeapMb` did, or that it could not measure). The name stays the
 *   same from run to run; the runners print the note beside it.
 */

/**
 * @typedef {object} ScenarioOptions
 * @property {string} [backend] The pools' `backend`; none for the
 *   runtime's default.
 * @property {string} tasksUrl The URL of `tasks.mjs`, for module tasks.
 * @property {string[]} [exits] How a task makes its worker exit, one step
 *   each: `"self.close"`, `"process.exit"`, `"Deno.exit"`. By default
 *   `self.close()` on `"web"` and `process.exit(3)` on `"node"` (named
 *   or the default where there is no Web Worker).
 * @property {number} [stepMs] Each step's deadline. @default {20000}
 * @property {number} [hungLimit] After this many steps in a row hang,
 *   report the rest as not run. @default {3}
 * @property {boolean} [loopStops] Whether this runtime's backend really
 *   stops the thread of a task that timed out in a synchronous loop
 *   (measured with a `SharedArrayBuffer` counter that the loop increments).
 *   `true`: the counter must stop advancing within 3 s of the
 *   `TaskTimeoutError`, or the step fails. `false`: the thread may spin on
 *   (Deno's Web Workers); the step checks only that the pool still answers,
 *   and says in its note what it saw. By default `true` on `"node"`, whose
 *   `terminate()` stops a thread in Deno, Bun and Node alike, and `false`
 *   on `"web"`, where that differs by runtime.
 * @property {"enforced" | "refused"} [heapLimit] What the pool's
 *   `maxHeapMb` does here. `"enforced"`: a task that allocates past it
 *   fails with a `WorkerCrashedError` that names `maxHeapMb`, and the pool
 *   goes on (`node:worker_threads`' `resourceLimits` in Node and Deno).
 *   `"refused"`: `new Pool()` throws a `TypeError` that names `maxHeapMb`
 *   (on `"web"`, which has no heap limit, and in Bun, whose
 *   `node:worker_threads` ignores `resourceLimits`). By default
 *   `"enforced"` on `"node"` and `"refused"` on `"web"`.
 * @property {string[]} [only] Run only the steps whose names start with one
 *   of these.
 * @property {(line: string) => void} [log] Told when each step starts and
 *   ends.
 */

/** How long the synchronous loop of the timeout step spins, in ms. */
const SPIN_MS = 4_000;

/**
 * How long after its `TaskTimeoutError` a looping thread has to stop, and
 * how often its counter is read meanwhile: it has stopped once two reads in
 * a row are the same (a spinning thread adds millions in that time).
 * Chromium lets a terminated worker run on for 2 s before it stops it by
 * force (Blink's `kForcibleTerminationDelay`). Where the thread may spin on
 * (`loopStops: false`), a second of reads is enough to report it. The loop
 * itself ends after `LOOP_SPIN_MS`, well after either.
 */
const LOOP_GRACE_MS = 3_000;
const LOOP_SPIN_GRACE_MS = 1_000;
const LOOP_READ_MS = 250;
const LOOP_SPIN_MS = 6_000;

/** The `maxHeapMb` of the heap step's pool, and how much its task keeps. */
const HEAP_LIMIT_MB = 64;
const HEAP_KEEP_MB = 4 * HEAP_LIMIT_MB;

/** Rejects after `ms` unless `promise` settles first, naming what hung. */
function within(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Hang: ${what} did not settle within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([Promise.resolve(promise), expired]).finally(() =>
    clearTimeout(timer)
  );
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Every value of an async iterable (Node 20 has no `Array.fromAsync`). */
async function collect(iterable) {
  const values = [];
  for await (const value of iterable) values.push(value);
  return values;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function show(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function equal(actual, expected, what) {
  check(
    show(actual) === show(expected),
    `${what}: expected ${show(expected)}, got ${show(actual)}`,
  );
}

function describe(error) {
  if (!(error instanceof Error)) return `a non-error: ${show(error)}`;
  const stack = typeof error.stack === "string"
    ? error.stack.split("\n").slice(1, 4).map((line) => line.trim()).join(
      " | ",
    )
    : "";
  return `${error.name}: ${error.message}${stack ? ` [${stack}]` : ""}`;
}

/** The rejection of `promise` (under a deadline); fails if it fulfils. */
async function rejection(promise, what, ms = 10_000) {
  let value;
  try {
    value = await within(promise, ms, what);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Hang: ")) {
      throw error;
    }
    return error;
  }
  throw new Error(`Expected ${what} to reject, but it gave ${show(value)}`);
}

/** The scenario's steps: `[name, body]`, the body given a context. */
function steps(options) {
  // The backend the pools get: without one named, "node" where there is no
  // Web Worker (Node), as the pool chooses.
  const backend = options.backend ??
    (typeof globalThis.Worker === "function" ? "web" : "node");
  const exits = options.exits ??
    (backend === "node" ? ["process.exit"] : ["self.close"]);
  /**
   * A body may resolve with a note: what it saw, where that differs by
   * runtime (see `StepResult`'s `note`).
   * @type {Array<[string, (t: Context) => Promise<void | string>]>}
   */
  const list = [
    ["cpuCount", (t) => {
      const count = t.lib.cpuCount();
      check(
        Number.isInteger(count) && count >= 1,
        `cpuCount() gave ${show(count)}, not an integer of at least 1`,
      );
      return Promise.resolve();
    }],

    ["default backend", async (t) => {
      // No backend named: the runtime's own default must work.
      const pool = t.track(new t.lib.Pool({ size: 2 }));
      equal(
        await t.within(pool.map((x) => x + 1, [1, 2, 3]), "a map"),
        [2, 3, 4],
        "map",
      );
    }],

    ["order", async (t) => {
      const pool = t.pool({ size: 3 });
      // The first items finish last; the results still come in input order.
      const items = [0, 1, 2, 3, 4, 5];
      const results = await t.within(
        pool.map(
          async (x) => {
            await new Promise((resolve) => setTimeout(resolve, (6 - x) * 25));
            return x * 10;
          },
          items,
          { chunkSize: 1 },
        ),
        "a map whose first items finish last",
      );
      equal(results, [0, 10, 20, 30, 40, 50], "map's results");
    }],

    ["inline task", async (t) => {
      const pool = t.pool({ size: 2 });
      equal(
        await t.within(pool.map((x) => x ** 2, [1, 2, 3]), "map"),
        [1, 4, 9],
        "map",
      );
      equal(
        await t.within(pool.starmap((a, b) => a * b, [[2, 3], [4, 5]]), "sm"),
        [6, 20],
        "starmap",
      );
      // A named function with a nested one, as bundlers' --keep-names
      // rewrites them.
      function digits(n) {
        function count(text) {
          return text.length;
        }
        return count(String(n));
      }
      equal(
        await t.within(pool.apply(digits, [12345]), "apply"),
        5,
        "apply of a named function with a nested function",
      );
    }],

    ["module task", async (t) => {
      const pool = t.pool(t.tasksUrl, { size: 2 });
      equal(
        await t.within(pool.map("square", [1, 2, 3]), "map of 'square'"),
        [1, 4, 9],
        "map",
      );
      equal(
        await t.within(pool.apply("later", [7, 20]), "apply of 'later'"),
        7,
        "apply",
      );
      equal(
        await t.within(
          pool.starmap("later", [[1, 40], [2, 5]]),
          "starmap of 'later'",
        ),
        [1, 2],
        "starmap",
      );
    }],

    ["closure rejection", async (t) => {
      const pool = t.pool({ size: 1 });
      // Not a literal: Bun's transpiler inlines a `const` of a literal into
      // the function, which then uses nothing from its scope.
      const factor = t.tasksUrl === "" ? 4 : 3;
      const error = await rejection(
        pool.map((x) => x * factor, [1, 2, 3]),
        "a map of a function that uses 'factor' from its scope",
      );
      check(
        error instanceof TypeError,
        `expected a TypeError: ${describe(error)}`,
      );
      check(
        /uses 'factor' from the enclosing scope/.test(error.message),
        `the message does not name 'factor': ${error.message}`,
      );
      equal(
        await t.within(
          pool.starmap((x, k) => x * k, [[1, factor], [2, factor]]),
          "the fix",
        ),
        [3, 6],
        "the same function with factor as an argument",
      );
    }],

    ["TaskError fidelity", async (t) => {
      const pool = t.pool(t.tasksUrl, { size: 2 });
      const error = await rejection(
        pool.map("failOnTwo", [0, 1, 2, 3], { chunkSize: 1 }),
        "a map that fails on item 2",
      );
      check(
        error instanceof t.lib.TaskError,
        `expected a TaskError: ${describe(error)}`,
      );
      equal(error.index, 2, "index");
      equal(error.task, "failOnTwo", "task");
      check(error.cause instanceof Error, "its cause is not an Error");
      equal(error.cause.name, "RangeError", "cause.name");
      equal(error.cause.message, "2 is too big", "cause.message");
      check(
        error.cause instanceof RangeError,
        "its cause is not rebuilt as a RangeError",
      );
      // An error class of the task's own, with a field.
      const custom = await rejection(
        pool.map((x) => {
          class ParseError extends Error {
            constructor(message) {
              super(message);
              this.name = "ParseError";
              this.code = "E_PARSE";
            }
          }
          if (x === 1) throw new ParseError(`cannot parse ${x}`);
          return x;
        }, [0, 1, 2]),
        "an inline map that throws its own error class",
      );
      check(
        custom instanceof t.lib.TaskError,
        `expected a TaskError: ${describe(custom)}`,
      );
      equal(custom.index, 1, "index");
      equal(custom.cause.name, "ParseError", "cause.name");
      equal(custom.cause.message, "cannot parse 1", "cause.message");
      equal(custom.cause.code, "E_PARSE", "cause.code");
    }],

    ...exits.map((how) => [`worker exit: ${how}`, async (t) => {
      const pool = t.pool({ size: 1 });
      // Started first, so that the exit is not the worker's first message.
      equal(await t.within(pool.apply(() => 1), "a first task"), 1, "apply");
      const task = how === "self.close"
        ? () => {
          self.close();
          return "closed";
        }
        : how === "process.exit"
        ? () => process.exit(3)
        : () => Deno.exit(3);
      const error = await rejection(
        pool.map(task, [0]),
        `a task that calls ${how}()`,
      );
      check(
        error instanceof t.lib.WorkerCrashedError,
        `expected a WorkerCrashedError: ${describe(error)}`,
      );
      equal(error.index, 0, "index");
      check(
        error.reason.includes(how),
        `its reason does not name ${how}(): ${error.reason}`,
      );
      if (how !== "self.close") equal(error.exitCode, 3, "exitCode");
      // The pool replaces the worker and goes on.
      equal(
        await t.within(pool.apply((a, b) => a + b, [1, 2]), "a task after"),
        3,
        "the next task",
      );
    }]),

    ["timeout of a synchronous loop", async (t) => {
      const pool = t.pool({ size: 1 });
      await t.within(pool.apply(() => 0), "a first task");
      const started = Date.now();
      const error = await rejection(
        pool.apply(
          (ms) => {
            const end = Date.now() + ms;
            while (Date.now() < end) {
              // A synchronous loop: the worker answers nothing meanwhile.
            }
            return "late";
          },
          [SPIN_MS],
          { timeout: 250 },
        ),
        "a task stuck in a loop, with a timeout of 250 ms",
      );
      const elapsed = Date.now() - started;
      check(
        error instanceof t.lib.TaskTimeoutError,
        `expected a TaskTimeoutError: ${describe(error)}`,
      );
      equal(error.name, "TimeoutError", "name");
      equal(error.timeoutMs, 250, "timeoutMs");
      check(
        elapsed < SPIN_MS - 1_000,
        `it rejected after ${elapsed} ms: the pool waited for the loop`,
      );
      equal(
        await t.within(pool.apply(() => "after"), "a task after"),
        "after",
        "the next task, on a new worker",
      );
    }],

    ["the thread of a timed-out loop stops", async (t) => {
      if (typeof SharedArrayBuffer !== "function") {
        return "not measured: there is no SharedArrayBuffer here (a page that is not cross-origin isolated), so nothing can watch the thread";
      }
      const loopStops = options.loopStops ?? backend === "node";
      const warnings = [];
      const pool = t.pool({
        size: 1,
        onWarning: (message) => warnings.push(message),
      });
      await t.within(pool.apply(() => 0), "a first task");
      // [0]: the loop's count; [1]: 1 once the loop ended by itself.
      const counter = new Int32Array(new SharedArrayBuffer(8));
      const error = await rejection(
        pool.apply(
          (buffer, ms) => {
            const count = new Int32Array(buffer);
            // Bounded, so that a thread that cannot be stopped still ends.
            const end = Date.now() + ms;
            while (Date.now() < end) Atomics.add(count, 0, 1);
            Atomics.store(count, 1, 1);
            return "late";
          },
          [counter.buffer, LOOP_SPIN_MS],
          { timeout: 250 },
        ),
        "a task that counts in a loop, with a timeout of 250 ms",
      );
      const rejected = Date.now();
      check(
        error instanceof t.lib.TaskTimeoutError,
        `expected a TaskTimeoutError: ${describe(error)}`,
      );
      const first = Atomics.load(counter, 0);
      check(first > 0, "the loop never counted: the counter is not shared");
      let last = first;
      let lastAt = 0;
      let since = 0;
      let stopped = false;
      const grace = loopStops ? LOOP_GRACE_MS : LOOP_SPIN_GRACE_MS;
      while (!stopped && Date.now() - rejected < grace) {
        await sleep(LOOP_READ_MS);
        const now = Atomics.load(counter, 0);
        stopped = now === last;
        since = lastAt;
        last = now;
        lastAt = Date.now() - rejected;
      }
      const after = lastAt;
      check(
        Atomics.load(counter, 1) === 0,
        "the loop ended by itself before the step could tell whether it was stopped",
      );
      check(
        stopped || !loopStops,
        `the thread spins on, where loopStops says it stops: its counter went from ${first} to ${last} in the ${after} ms after the TaskTimeoutError`,
      );
      equal(
        await t.within(pool.apply(() => "after"), "a task after"),
        "after",
        "the next task, on a new worker",
      );
      return stopped
        ? `stopped: the counter was ${first} at the TaskTimeoutError, and ${last} both ${since} and ${after} ms after it`
        : `spins on (allowed here, as loopStops is false): the counter went from ${first} to ${last} in the ${after} ms after the TaskTimeoutError${
          warnings.length > 0
            ? "; the pool warned that the thread still runs"
            : "; the pool did not warn (yet)"
        }`;
    }],

    ["maxHeapMb", async (t) => {
      const expected = options.heapLimit ??
        (backend === "node" ? "enforced" : "refused");
      check(
        ["enforced", "refused"].includes(expected),
        `heapLimit ${show(expected)} is neither "enforced" nor "refused"`,
      );
      if (expected === "refused") {
        let refused = null;
        try {
          t.pool({ size: 1, maxHeapMb: HEAP_LIMIT_MB });
        } catch (error) {
          refused = error;
        }
        check(
          refused instanceof TypeError,
          refused === null
            ? `new Pool() took maxHeapMb on backend '${backend}'`
            : `expected a TypeError: ${describe(refused)}`,
        );
        check(
          refused.message.includes("maxHeapMb"),
          `the message does not name maxHeapMb: ${refused.message}`,
        );
        return `refused on backend '${backend}': ${refused.message}`;
      }
      const pool = t.pool({ size: 1, maxHeapMb: HEAP_LIMIT_MB });
      await t.within(pool.apply(() => 0), "a first task");
      const started = Date.now();
      // Allocates past the limit: it stops at four times the limit, so that
      // a limit that does not hold cannot take all of the machine's memory.
      const outcome = await t.within(
        pool.apply(
          (mb) => {
            const kept = [];
            // Each array holds 100 000 doubles: 0.76 MiB.
            while (kept.length * 0.76 < mb) {
              kept.push(new Array(100_000).fill(kept.length + 0.5));
            }
            return `kept ${Math.round(kept.length * 0.76)} MiB`;
          },
          [HEAP_KEEP_MB],
        ).then((value) => ({ value }), (error) => ({ error })),
        `a task that keeps ${HEAP_KEEP_MB} MiB, under maxHeapMb ${HEAP_LIMIT_MB}`,
      );
      const elapsed = Date.now() - started;
      check(
        "error" in outcome,
        `maxHeapMb was not enforced: the task ${
          show(outcome.value)
        } under maxHeapMb ${HEAP_LIMIT_MB}`,
      );
      const error = outcome.error;
      check(
        error instanceof t.lib.WorkerCrashedError,
        `expected a WorkerCrashedError: ${describe(error)}`,
      );
      check(
        error.message.includes("maxHeapMb") &&
          error.message.includes(`${HEAP_LIMIT_MB} MiB`),
        `the message does not name maxHeapMb and its limit: ${error.message}`,
      );
      equal(error.index, 0, "index");
      equal(
        await t.within(pool.apply((a, b) => a + b, [1, 2]), "a task after"),
        3,
        "the next task",
      );
      return `enforced: WorkerCrashedError after ${elapsed} ms`;
    }],

    ["abort", async (t) => {
      const pool = t.pool({ size: 2 });
      const controller = new AbortController();
      const reason = new Error("enough");
      reason.name = "StopError";
      const call = pool.map(
        async (x) => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return x;
        },
        Array.from({ length: 40 }, (_, i) => i),
        {
          chunkSize: 1,
          signal: controller.signal,
        },
      );
      const outcome = rejection(call, "an aborted map");
      await sleep(120);
      const aborted = Date.now();
      controller.abort(reason);
      const error = await outcome;
      check(
        error === reason,
        `rejected with ${describe(error)}, not the reason`,
      );
      check(
        Date.now() - aborted < 1_000,
        "the map took more than 1 s to reject after the abort",
      );
      const early = await rejection(
        pool.apply(() => 1, [], { signal: AbortSignal.abort() }),
        "an apply with an aborted signal",
      );
      equal(early?.name, "AbortError", "the already-aborted call's error");
      equal(
        await t.within(pool.map((x) => -x, [1, 2]), "a map after"),
        [-1, -2],
        "a map after the abort",
      );
    }],

    ["close", async (t) => {
      const pool = t.pool({ size: 2 });
      const queued = pool.map(
        async (x) => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return x + 1;
        },
        [1, 2, 3, 4, 5, 6],
        { chunkSize: 1 },
      );
      const finished = t.within(queued, "work queued before close()");
      pool.close();
      const refused = await rejection(
        pool.map((x) => x, [1]),
        "a map after close()",
      );
      check(
        refused instanceof t.lib.PoolClosedError,
        `expected a PoolClosedError: ${describe(refused)}`,
      );
      equal(
        await finished,
        [2, 3, 4, 5, 6, 7],
        "queued work",
      );
      await t.within(pool.join(), "join() after close()");
    }],

    ["terminate", async (t) => {
      const pool = t.pool({ size: 1 });
      await t.within(pool.apply(() => 0), "a first task");
      const pending = pool.apply(async () => {
        await new Promise((resolve) => setTimeout(resolve, 60_000));
        return "never";
      });
      const queued = pool.apply(() => "queued");
      const outcomes = [
        ["running", rejection(pending, "a running call at terminate()")],
        ["queued", rejection(queued, "a queued call at terminate()")],
      ];
      await sleep(50);
      pool.terminate();
      for (const [what, outcome] of outcomes) {
        const error = await outcome;
        check(
          error instanceof t.lib.PoolClosedError,
          `the ${what} call: expected a PoolClosedError: ${describe(error)}`,
        );
      }
      await t.within(pool.join(), "join() after terminate()", 5_000);
    }],

    ["imap", async (t) => {
      const pool = t.pool(t.tasksUrl, { size: 2 });
      const slow = async (x) => {
        await new Promise((resolve) => setTimeout(resolve, (5 - x) * 20));
        return x * 10;
      };
      const ordered = await t.within(
        collect(pool.imap(slow, [0, 1, 2, 3, 4])),
        "an imap",
      );
      equal(ordered, [0, 10, 20, 30, 40], "imap, in input order");
      function* lazy() {
        for (let i = 0; i < 5; i++) yield i;
      }
      const unordered = await t.within(
        collect(pool.imapUnordered(slow, lazy())),
        "an imapUnordered over a generator",
      );
      equal(
        [...unordered].sort((a, b) => a - b),
        [0, 10, 20, 30, 40],
        "imapUnordered, sorted",
      );
      // A failing item ends the stream after the results before it.
      const seen = [];
      const error = await rejection(
        (async () => {
          for await (const value of pool.imap("failOnTwo", [0, 1, 2, 3])) {
            seen.push(value);
          }
        })(),
        "an imap that fails on item 2",
      );
      check(
        error instanceof t.lib.TaskError && error.index === 2,
        `expected a TaskError on item 2: ${describe(error)}`,
      );
      equal(seen, [0, 1], "the results before the failure");
    }],
  ];
  return list.filter(([name]) =>
    options.only === undefined ||
    options.only.some((prefix) => name.startsWith(prefix))
  );
}

/**
 * @typedef {object} Context
 * @property {Record<string, any>} lib The library.
 * @property {string} tasksUrl The URL of `tasks.mjs`.
 * @property {(a: any, b?: any) => any} pool A pool on the scenario's
 *   backend, terminated after the step.
 * @property {(pool: any) => any} track Terminate this pool after the step.
 * @property {(p: Promise<any>, what: string, ms?: number) => Promise<any>}
 *   within `p` under a deadline.
 */

/**
 * Runs every step of the scenario on `lib` and says how each went.
 *
 * @param {Record<string, any>} lib The library's module (`mod.ts` or a
 *   build of it).
 * @param {ScenarioOptions} options The backend, the task module and limits.
 * @returns {Promise<StepResult[]>} One result per step, in order.
 */
export async function run(lib, options) {
  const stepMs = options.stepMs ?? 20_000;
  const results = [];
  // After this many steps in a row hang, the pool answers nothing here: the
  // rest are reported as not run, rather than each waiting out its deadline.
  const hungLimit = options.hungLimit ?? 3;
  let hung = 0;
  for (const [name, body] of steps(options)) {
    if (hung >= hungLimit) {
      results.push({
        name,
        ok: false,
        error: `not run: the ${hungLimit} steps before it hung`,
        ms: 0,
      });
      continue;
    }
    const pools = [];
    const warnings = [];
    const backend = options.backend === undefined
      ? {}
      : { backend: options.backend };
    /** @type {Context} */
    const context = {
      lib,
      tasksUrl: options.tasksUrl,
      track(pool) {
        pools.push(pool);
        return pool;
      },
      pool(first, second) {
        const moduleUrl = typeof first === "string" ? first : undefined;
        const given = (moduleUrl === undefined ? first : second) ?? {};
        const poolOptions = {
          ...backend,
          onWarning: (message) => warnings.push(message),
          ...given,
        };
        return this.track(
          moduleUrl === undefined
            ? new lib.Pool(poolOptions)
            : new lib.Pool(moduleUrl, poolOptions),
        );
      },
      within(promise, what, ms = 10_000) {
        return within(promise, ms, what);
      },
    };
    options.log?.(`start ${name}`);
    const started = Date.now();
    let error = null;
    let note;
    try {
      const said = await within(
        Promise.resolve().then(() => body(context)),
        stepMs,
        `step '${name}'`,
      );
      if (typeof said === "string") note = said;
    } catch (caught) {
      error = describe(caught);
    }
    // Whatever happened, no pool outlives its step.
    for (const pool of pools) {
      try {
        pool.terminate();
        await within(pool.join(), 5_000, `join() of a pool of '${name}'`);
      } catch (caught) {
        error ??= `after the step: ${describe(caught)}`;
      }
    }
    const result = {
      name,
      ok: error === null,
      error,
      ms: Date.now() - started,
      ...(note === undefined || error !== null ? {} : { note }),
    };
    options.log?.(
      `${result.ok ? "ok" : "FAILED"} ${name} (${result.ms} ms)${
        error === null ? (note === undefined ? "" : `: ${note}`) : `: ${error}`
      }`,
    );
    hung = error?.startsWith("Error: Hang: ") ? hung + 1 : 0;
    results.push(result);
  }
  return results;
}
