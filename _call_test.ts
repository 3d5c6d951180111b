// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Call, type CallHost, type CallMode, type Chunk } from "./_call.ts";
import { deadline, rejection, runDeno } from "./tests/_helpers.ts";

/** A `CallHost` with no engine behind it: it records what the call says. */
class FakeHost implements CallHost {
  log: string[] = [];
  room = true;
  refusal: Error | undefined;

  wake(): void {
    this.log.push("wake");
  }
  admit(): Error | undefined {
    return this.refusal;
  }
  hasRoom(): boolean {
    return this.room;
  }
  aborted(call: Call): void {
    this.log.push(`aborted ${call.id}`);
  }
  dropUnwanted(call: Call): void {
    this.log.push(`stopped ${call.id}`);
  }
}

interface MakeOptions {
  chunkSize?: number;
  poolSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined) => void;
  host?: FakeHost;
}

function makeCall(
  mode: CallMode,
  input: unknown,
  options: MakeOptions = {},
): { call: Call; host: FakeHost } {
  const host = options.host ?? new FakeHost();
  const call = new Call({
    task: { kind: "source", name: "task", source: "(x) => x" },
    spread: false,
    mode,
    transfer: false,
    input: input as Iterable<unknown>,
    chunkSize: options.chunkSize,
    poolSize: options.poolSize ?? 2,
    timeout: undefined,
    signal: options.signal,
    onProgress: options.onProgress,
    host,
  });
  return { call, host };
}

/** Takes every chunk the call gives now. */
function takeAll(call: Call): Chunk[] {
  const chunks: Chunk[] = [];
  for (let chunk = call.takeChunk(); chunk; chunk = call.takeChunk()) {
    chunks.push(chunk);
  }
  return chunks;
}

/** Runs every chunk the call gives, as a worker would, doubling each item. */
function runAll(call: Call): void {
  for (let chunk = call.takeChunk(); chunk; chunk = call.takeChunk()) {
    call.complete(chunk, chunk.items.map((x) => (x as number) * 2));
  }
}

Deno.test("Call of a map resolves with the results in input order, whatever order chunks end in", async () => {
  const progress: [number, number | undefined][] = [];
  const { call } = makeCall("collect", [1, 2, 3, 4, 5], {
    chunkSize: 2,
    onProgress: (done, total) => progress.push([done, total]),
  });
  const results = call.promise;
  const chunks = takeAll(call);
  assert.equal(chunks.length, 3);
  assert.equal(call.finished, false);
  for (const chunk of chunks.reverse()) {
    call.complete(chunk, chunk.items.map((x) => (x as number) * 10));
  }
  assert.equal(call.finished, true);
  assert.deepEqual(await deadline(results, "the map"), [10, 20, 30, 40, 50]);
  assert.deepEqual(progress, [[1, 5], [3, 5], [5, 5]]);
});

Deno.test("Call of a map of nothing resolves with [] without a chunk", async () => {
  const { call } = makeCall("collect", []);
  assert.equal(call.finished, true);
  assert.equal(call.hasWork, false);
  assert.equal(call.takeChunk(), undefined);
  assert.deepEqual(await deadline(call.promise, "the empty map"), []);
});

Deno.test("Call of a map over an async iterable reads it whole, then runs like an array", async () => {
  async function* items() {
    yield* [1, 2, 3];
  }
  const { call, host } = makeCall("collect", items(), { chunkSize: 2 });
  const results = call.promise;
  assert.equal(call.takeChunk(), undefined);
  await deadline(
    (async () => {
      while (!call.hasWork || call.queuedItems === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })(),
    "the async input",
  );
  assert.ok(host.log.includes("wake"), "the host was not woken");
  assert.equal(call.queuedItems, 3);
  runAll(call);
  assert.deepEqual(await deadline(results, "the async map"), [2, 4, 6]);
});

Deno.test("Call of a map rejects at once on a task failure, and stops", async () => {
  const { call, host } = makeCall("collect", [1, 2, 3, 4], { chunkSize: 1 });
  const results = call.promise;
  const [first, second, third] = takeAll(call);
  const failure = new Error("task failed");
  call.complete(second!, [], failure);
  assert.equal(await rejection(results, "the failed map"), failure);
  assert.equal(call.finished, true);
  assert.equal(call.hasWork, false);
  assert.equal(call.queuedItems, 0);
  assert.equal(call.wants(first!), false);
  assert.ok(host.log.includes(`stopped ${call.id}`));
  // Late answers and chunks given back are dropped quietly.
  call.complete(first!, [2]);
  call.requeue(third!);
  assert.equal(call.takeChunk(), undefined);
});

Deno.test("Call of a map is refused whole when the queue has no room, before any chunk", async () => {
  const host = new FakeHost();
  host.refusal = new RangeError("no room");
  const { call } = makeCall("collect", [1, 2, 3], { host });
  assert.equal(call.takeChunk(), undefined);
  assert.equal(
    await rejection(call.promise, "the refused map"),
    host.refusal,
  );
});

Deno.test("Call of a map with an item that cannot be cloned fails before any chunk", async () => {
  const { call } = makeCall("collect", [1, { f: () => {} }]);
  assert.equal(call.takeChunk(), undefined);
  const error = await rejection(call.promise, "the map");
  assert.ok(error instanceof TypeError);
  assert.match(
    error.message,
    /^Cannot run the call as item 1\.f \(a function\) cannot be cloned to be sent to a worker/,
  );
});

Deno.test("Call of a map rejects with the error of an input that throws", async () => {
  function* broken() {
    yield 1;
    throw new Error("input broke");
  }
  const { call } = makeCall("collect", broken());
  const error = await rejection(call.promise, "the map");
  assert.equal((error as Error).message, "input broke");
  assert.equal(call.finished, true);
});

Deno.test("Call of a map fails when onProgress throws", async () => {
  const { call } = makeCall("collect", [1, 2], {
    chunkSize: 1,
    onProgress: () => {
      throw new Error("progress bar broke");
    },
  });
  const results = call.promise;
  runAll(call);
  const error = await rejection(results, "the map");
  assert.equal((error as Error).message, "progress bar broke");
});

Deno.test("Call aborted: rejects with the reason, tells the host, and drops its abort listener", async () => {
  const controller = new AbortController();
  let listeners = 0;
  const { signal } = controller;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    listeners++;
    add(...args);
  }) as typeof add;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    listeners--;
    remove(...args);
  }) as typeof remove;
  const { call, host } = makeCall("collect", [1, 2], { signal });
  const results = call.promise;
  assert.equal(listeners, 1);
  takeAll(call);
  const reason = new Error("stop");
  controller.abort(reason);
  assert.equal(await rejection(results, "the aborted map"), reason);
  assert.ok(host.log.includes(`aborted ${call.id}`));
  assert.equal(listeners, 0);
  assert.equal(call.finished, true);
});

Deno.test("Call with a signal aborted already fails at once", async () => {
  const reason = new Error("before");
  const { call } = makeCall("collect", [1], {
    signal: AbortSignal.abort(reason),
  });
  assert.equal(call.finished, true);
  assert.equal(await rejection(call.promise, "the map"), reason);
});

Deno.test("Call hands its results to one consumer only", () => {
  const { call } = makeCall("ordered", [1]);
  call.stream();
  assert.throws(
    () => call.promise,
    /Cannot read the results of call \d+ twice/,
  );
});

Deno.test("Call of an imap yields chunk by chunk in input order", async () => {
  const { call } = makeCall("ordered", [1, 2, 3, 4], { poolSize: 4 });
  const stream = call.stream();
  const chunks = takeAll(call);
  assert.equal(chunks.length, 4);
  const first = stream.next();
  call.complete(chunks[1]!, [20]);
  call.complete(chunks[0]!, [10]);
  assert.deepEqual(await deadline(first, "the first result"), {
    value: 10,
    done: false,
  });
  call.complete(chunks[3]!, [40]);
  call.complete(chunks[2]!, [30]);
  const rest: unknown[] = [];
  await deadline(
    (async () => {
      for await (const value of stream) rest.push(value);
    })(),
    "the rest",
  );
  assert.deepEqual(rest, [20, 30, 40]);
  assert.equal(call.finished, true);
});

Deno.test("Call of an imap fails at chunk N after every result before it", async () => {
  const { call, host } = makeCall("ordered", [0, 1, 2, 3, 4], {
    poolSize: 4,
  });
  const stream = call.stream();
  const [c0, c1, c2, c3] = takeAll(call);
  const failure = new Error("three");
  call.complete(c3!, [], failure);
  // Chunks before the failure are still wanted, and those after are not.
  assert.equal(call.wants(c0!), true);
  assert.equal(call.wants(c2!), true);
  assert.equal(call.finished, false);
  assert.ok(host.log.includes(`stopped ${call.id}`));
  assert.equal(call.takeChunk(), undefined, "read past a failure");
  // A chunk before it given back by a dying worker still runs.
  call.requeue(c1!);
  assert.equal(call.takeChunk(), c1);
  call.complete(c2!, [2]);
  call.complete(c0!, [0]);
  call.complete(c1!, [1]);
  const seen: unknown[] = [];
  const error = await rejection(
    (async () => {
      for await (const value of stream) seen.push(value);
    })(),
    "the failing imap",
  );
  assert.equal(error, failure);
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(call.finished, true);
});

Deno.test("Call of an imap keeps the lowest failure", async () => {
  const { call } = makeCall("ordered", [0, 1, 2], { poolSize: 4 });
  const stream = call.stream();
  const [c0, c1, c2] = takeAll(call);
  call.complete(c2!, [], new Error("two"));
  call.complete(c1!, [], new Error("one"));
  assert.equal(call.wants(c1!), false);
  call.complete(c0!, [0]);
  const seen: unknown[] = [];
  const error = await rejection(
    (async () => {
      for await (const value of stream) seen.push(value);
    })(),
    "the failing imap",
  );
  assert.equal((error as Error).message, "one");
  assert.deepEqual(seen, [0]);
});

Deno.test("Call of an imap yields what was read before its input threw, then throws", async () => {
  function* broken() {
    yield* [1, 2];
    throw new Error("input broke");
  }
  const { call } = makeCall("ordered", broken(), { poolSize: 4 });
  const stream = call.stream();
  runAll(call);
  const seen: unknown[] = [];
  const error = await rejection(
    (async () => {
      for await (const value of stream) seen.push(value);
    })(),
    "the imap",
  );
  assert.equal((error as Error).message, "input broke");
  assert.deepEqual(seen, [2, 4]);
});

Deno.test("Call of an imapUnordered yields as chunks come, and throws once all are back", async () => {
  const { call } = makeCall("unordered", [0, 1, 2], { poolSize: 4 });
  const stream = call.stream();
  const [c0, c1, c2] = takeAll(call);
  call.complete(c2!, [2]);
  assert.deepEqual(await deadline(stream.next(), "the first result"), {
    value: 2,
    done: false,
  });
  const failure = new Error("zero");
  call.complete(c0!, [], failure);
  const next = stream.next();
  // Chunk 1 is still out: its result may yet come, so no throw yet.
  call.complete(c1!, [1]);
  assert.deepEqual(await deadline(next, "the second result"), {
    value: 1,
    done: false,
  });
  assert.equal(await rejection(stream.next(), "the end"), failure);
});

Deno.test("Call of a stream: return() before the first result stops the call and closes its input", async () => {
  let closed = false;
  function* endless() {
    try {
      for (let n = 0;; n++) yield n;
    } finally {
      closed = true;
    }
  }
  const { call, host } = makeCall("ordered", endless());
  const stream = call.stream();
  const chunk = call.takeChunk()!;
  assert.deepEqual(await deadline(stream.return(), "return()"), {
    value: undefined,
    done: true,
  });
  assert.ok(closed, "the input's finally block did not run");
  assert.equal(call.finished, true);
  assert.equal(call.wants(chunk), false);
  assert.ok(host.log.includes(`stopped ${call.id}`));
  assert.equal(call.takeChunk(), undefined);
});

Deno.test("Call of a stream: return() while a next() is pending settles both", async () => {
  const { call } = makeCall("ordered", [1, 2]);
  const stream = call.stream();
  takeAll(call);
  const next = stream.next();
  const returned = stream.return();
  assert.deepEqual(await deadline(returned, "return()"), {
    value: undefined,
    done: true,
  });
  assert.equal((await deadline(next, "the pending next()")).done, true);
});

Deno.test("Call of a stream fails at its next step when failed outright, results or not", async () => {
  const { call } = makeCall("unordered", [1, 2], { chunkSize: 1 });
  const stream = call.stream();
  const [c0] = takeAll(call);
  call.complete(c0!, [1]);
  const reason = new Error("terminated");
  call.fail(reason);
  assert.equal(await rejection(stream.next(), "the next step"), reason);
});

Deno.test("Call of a stream waits for room in the queue and reads within its window", () => {
  const host = new FakeHost();
  const { call } = makeCall(
    "ordered",
    Array.from({ length: 20 }, (_, i) => i),
    {
      poolSize: 1,
      host,
    },
  );
  host.room = false;
  assert.equal(call.takeChunk(), undefined);
  assert.equal(call.hasWork, true);
  assert.equal(call.finished, false);
  host.room = true;
  // One worker, two chunks ahead of a consumer that has taken nothing.
  assert.equal(takeAll(call).length, 2);
  call.unbound();
  assert.equal(takeAll(call).length, 18);
});

Deno.test("Call counts the items given back as queued, and sends them first", () => {
  const { call } = makeCall("collect", [1, 2, 3, 4], { chunkSize: 2 });
  assert.equal(call.queuedItems, 4);
  const [c0] = takeAll(call);
  assert.equal(call.queuedItems, 0);
  call.requeue(c0!);
  assert.equal(call.queuedItems, 2);
  assert.equal(call.takeChunk(), c0);
});

Deno.test("Call pipelines only once its chunks are known to be quick", () => {
  const { call } = makeCall("collect", [1]);
  assert.equal(call.depth, 1);
  for (let i = 0; i < 8; i++) call.observe(0.1);
  assert.equal(call.depth, 2);
  call.observe(50);
  assert.equal(call.depth, 1);
});

// --- memory: a settled call holds nothing big ------------------------------

/**
 * The child of the next test, run with `--expose-gc`: settles calls in each
 * way a call can end, keeps each `Call` alive (as an engine still listing it
 * would), drops every other reference to their inputs and results, collects
 * garbage, and prints which of them are still alive.
 */
async function gcChild(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  const calls: Call[] = [];
  const refs = new Map<string, WeakRef<object>>();
  const big = () => new Uint8Array(1 << 20);
  function watch(name: string, value: object): void {
    refs.set(name, new WeakRef(value));
  }

  async function map(): Promise<void> {
    const input = [big(), big()];
    watch("map input", input);
    watch("map item", input[0]!);
    const { call } = makeCall("collect", input, { chunkSize: 1 });
    calls.push(call);
    const results = call.promise;
    for (let chunk = call.takeChunk(); chunk; chunk = call.takeChunk()) {
      call.complete(chunk, [big()]);
    }
    const values = await results;
    watch("map results", values);
    watch("map result", values[0] as object);
  }

  async function stream(mode: CallMode): Promise<void> {
    const input = [big(), big(), big()];
    watch(`${mode} input`, input);
    const { call } = makeCall(mode, input);
    calls.push(call);
    const stream = call.stream();
    call.unbound();
    for (let chunk = call.takeChunk(); chunk; chunk = call.takeChunk()) {
      const value = big();
      watch(`${mode} result ${chunk.seq}`, value);
      call.complete(chunk, [value]);
    }
    for await (const _ of stream) { /* consumed to the end */ }
  }

  async function failed(): Promise<void> {
    const input = [big(), big(), big()];
    watch("failed map input", input);
    const { call } = makeCall("collect", input, { chunkSize: 1 });
    calls.push(call);
    const results = call.promise;
    const [first, second] = [call.takeChunk()!, call.takeChunk()!];
    const value = big();
    watch("failed map result", value);
    call.complete(first, [value]);
    call.complete(second, [], new Error("task failed"));
    await results.catch(() => {});
  }

  async function cancelled(): Promise<void> {
    const input = [big(), big(), big(), big()];
    watch("cancelled imap input", input);
    const { call } = makeCall("ordered", input, { poolSize: 4 });
    calls.push(call);
    const stream = call.stream();
    const chunks = [call.takeChunk()!, call.takeChunk()!];
    const value = big();
    watch("cancelled imap result", value);
    call.complete(chunks[1]!, [value]);
    await stream.return();
  }

  async function aborted(): Promise<void> {
    const controller = new AbortController();
    const input = [big(), big()];
    watch("aborted map input", input);
    const { call } = makeCall("collect", input, {
      chunkSize: 1,
      signal: controller.signal,
    });
    calls.push(call);
    const results = call.promise;
    call.takeChunk();
    controller.abort(new Error("stop"));
    await results.catch(() => {});
  }

  await map();
  await stream("ordered");
  await stream("unordered");
  await failed();
  await cancelled();
  await aborted();
  // A control: what is still referenced must survive, or the test proves
  // nothing.
  const kept = big();
  watch("kept", kept);
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  const alive = [...refs].filter(([, ref]) => ref.deref() !== undefined)
    .map(([name]) => name);
  console.log(
    JSON.stringify({ alive, calls: calls.length, kept: kept.length }),
  );
}

if (import.meta.main) await gcChild();

Deno.test("Call settled in any way holds neither its input nor its results (WeakRef and gc in a child)", async () => {
  const child = await runDeno([
    "run",
    "--quiet",
    "--v8-flags=--expose-gc",
    new URL(import.meta.url).pathname,
  ]);
  assert.equal(child.killed, false, "the child hung");
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split("\n").at(-1)!);
  assert.equal(report.calls, 6);
  assert.deepEqual(report.alive, ["kept"]);
});
