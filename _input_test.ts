// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import {
  autoChunkSize,
  type Chunk,
  type InputHost,
  InputReader,
  STREAM_WINDOW_PER_WORKER,
} from "./_input.ts";
import { deadline } from "./tests/_helpers.ts";

/** An `InputHost` that records what it hears and lets a test wait for it. */
class Recorder implements InputHost {
  room = true;
  refuse = false;
  known_: unknown[][] = [];
  readables = 0;
  ends = 0;
  failures: { error: unknown; seq: number }[] = [];
  #waiters: (() => void)[] = [];

  hasRoom(): boolean {
    return this.room;
  }
  known(items: ArrayLike<unknown>): boolean {
    this.known_.push(Array.from(items));
    return !this.refuse;
  }
  readable(): void {
    this.readables++;
    this.#wakeAll();
  }
  ended(): void {
    this.ends++;
    this.#wakeAll();
  }
  failed(error: unknown, seq: number): void {
    this.failures.push({ error, seq });
    this.#wakeAll();
  }

  /** Resolves once `done()` holds, checking after each event. */
  until(done: () => boolean, what: string): Promise<void> {
    const check = async () => {
      while (!done()) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
    };
    return deadline(check(), what);
  }

  #wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

function reader(
  input: unknown,
  options: { whole?: boolean; chunkSize?: number; poolSize?: number } = {},
): { reader: InputReader<string>; host: Recorder } {
  const host = new Recorder();
  const reader = new InputReader({
    owner: "call",
    input,
    whole: options.whole ?? false,
    chunkSize: options.chunkSize,
    poolSize: options.poolSize ?? 2,
    host,
  });
  return { reader, host };
}

/** Takes chunks until the reader gives none. */
function takeAll(reader: InputReader<string>): Chunk<string>[] {
  const chunks: Chunk<string>[] = [];
  for (let chunk = reader.take(); chunk !== undefined; chunk = reader.take()) {
    chunks.push(chunk);
    reader.consumed();
  }
  return chunks;
}

/** A sync iterator over `items` that counts what is pulled and closed. */
function counted(items: number[]) {
  const seen = { pulled: 0, closed: 0 };
  const iterable: Iterable<number> = {
    [Symbol.iterator]() {
      let i = 0;
      return {
        next() {
          if (i >= items.length) return { done: true, value: undefined };
          seen.pulled++;
          return { done: false, value: items[i++]! };
        },
        return() {
          seen.closed++;
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { iterable, seen };
}

Deno.test("autoChunkSize() gives about four chunks per worker, at least one item", () => {
  assert.equal(autoChunkSize(800, 2), 100);
  assert.equal(autoChunkSize(801, 2), 101);
  assert.equal(autoChunkSize(3, 8), 1);
  assert.equal(autoChunkSize(0, 4), 1);
});

Deno.test("InputReader chunks an array by the chunk size, numbering chunks and positions", () => {
  const { reader: r, host } = reader([1, 2, 3, 4, 5], { chunkSize: 2 });
  r.start();
  assert.equal(r.total, 5);
  const chunks = takeAll(r);
  assert.deepEqual(
    chunks.map(({ call, seq, start, items, sentAt }) => ({
      call,
      seq,
      start,
      items,
      sentAt,
    })),
    [
      { call: "call", seq: 0, start: 0, items: [1, 2], sentAt: 0 },
      { call: "call", seq: 1, start: 2, items: [3, 4], sentAt: 0 },
      { call: "call", seq: 2, start: 4, items: [5], sentAt: 0 },
    ],
  );
  assert.ok(chunks.every((chunk) => chunk.readAt > 0));
  assert.equal(host.ends, 1);
  assert.equal(r.hasMore, false);
  assert.equal(r.take(), undefined);
});

Deno.test("InputReader makes plain arrays of a typed array's items", () => {
  const { reader: r } = reader(new Float64Array([1.5, 2.5, 3.5]), {
    chunkSize: 2,
  });
  r.start();
  const chunks = takeAll(r);
  assert.deepEqual(chunks.map((chunk) => chunk.items), [[1.5, 2.5], [3.5]]);
  assert.ok(Array.isArray(chunks[0]!.items));
});

Deno.test("InputReader ends an empty input at once, before any take()", () => {
  for (const whole of [false, true]) {
    const { reader: r, host } = reader([], { whole });
    r.start();
    assert.equal(host.ends, 1, `whole: ${whole}`);
    assert.equal(r.hasMore, false);
    assert.equal(r.take(), undefined);
  }
});

Deno.test("InputReader reads a whole input in full first, lets the host check it, then chunks it like Python", () => {
  const { iterable, seen } = counted(Array.from({ length: 800 }, (_, i) => i));
  const { reader: r, host } = reader(iterable, { whole: true, poolSize: 2 });
  r.start();
  assert.equal(seen.pulled, 800, "a map reads its input in full first");
  assert.equal(host.known_.length, 1);
  assert.equal(host.known_[0]!.length, 800);
  assert.equal(r.total, 800);
  // A map counts every item as queued at once.
  assert.equal(r.queuedItems, 800);
  const chunks = takeAll(r);
  assert.equal(chunks.length, 8);
  assert.ok(chunks.every((chunk) => chunk.items.length === 100));
  assert.equal(r.queuedItems, 0);
});

Deno.test("InputReader reads nothing more of a whole input the host refuses", () => {
  const { reader: r, host } = reader([1, 2, 3], { whole: true });
  host.refuse = true;
  r.start();
  assert.equal(host.known_.length, 1);
  assert.equal(r.hasMore, false);
  assert.equal(r.queuedItems, 0);
  assert.equal(r.take(), undefined);
  assert.equal(host.ends, 0);
});

Deno.test("InputReader reads a whole async input in full, then chunks it", async () => {
  async function* items() {
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield i;
    }
  }
  const { reader: r, host } = reader(items(), { whole: true, poolSize: 1 });
  r.start();
  assert.equal(r.take(), undefined, "a chunk before the input was read");
  assert.equal(r.total, undefined);
  await host.until(() => host.readables > 0, "the whole async input");
  assert.deepEqual(host.known_, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  assert.equal(r.total, 10);
  const chunks = takeAll(r);
  // ceil(10 / (1 * 4)) = 3 items a chunk.
  assert.deepEqual(chunks.map((chunk) => chunk.items.length), [3, 3, 3, 1]);
  assert.deepEqual(chunks.map((chunk) => chunk.start), [0, 3, 6, 9]);
});

Deno.test("InputReader reads a stream's sync iterable lazily, within its window", () => {
  const { iterable, seen } = counted(Array.from({ length: 100 }, (_, i) => i));
  const { reader: r } = reader(iterable, { poolSize: 2 });
  r.start();
  assert.equal(seen.pulled, 0, "read before any chunk was taken");
  const window = 2 * STREAM_WINDOW_PER_WORKER;
  for (let i = 0; i < window; i++) {
    assert.deepEqual(r.take()?.items, [i]);
  }
  assert.equal(r.take(), undefined, "read past the window");
  assert.equal(seen.pulled, window);
  r.consumed();
  assert.deepEqual(r.take()?.items, [window]);
  r.unbound();
  assert.equal(takeAll(r).length, 100 - window - 1);
});

Deno.test("InputReader waits for room in the pool's queue before reading a stream", () => {
  const { reader: r, host } = reader([1, 2, 3]);
  r.start();
  host.room = false;
  assert.equal(r.take(), undefined);
  assert.equal(r.hasMore, true);
  host.room = true;
  assert.deepEqual(r.take()?.items, [1]);
});

Deno.test("InputReader ignores the queue's room for a whole input, which was admitted", () => {
  const { reader: r, host } = reader([1, 2, 3], { whole: true, chunkSize: 1 });
  host.room = false;
  r.start();
  assert.equal(takeAll(r).length, 3);
});

Deno.test("InputReader reads a stream's async iterable a chunk per worker ahead, and says so only when it read", async () => {
  let pulled = 0;
  async function* endless() {
    for (let n = 0;; n++) {
      pulled++;
      yield n;
    }
  }
  const { reader: r, host } = reader(endless(), { poolSize: 2 });
  r.start();
  await host.until(() => host.readables === 1, "the read-ahead");
  assert.equal(pulled, 2, "one chunk per worker ahead of the workers");
  assert.deepEqual(r.take()?.items, [0]);
  assert.deepEqual(r.take()?.items, [1]);
  await host.until(() => host.readables === 2, "the next read-ahead");
  assert.deepEqual(r.take()?.items, [2]);
  assert.deepEqual(r.take()?.items, [3]);
  // The window is full: a take() reads nothing, and nothing is announced,
  // or a host that takes again on every announcement would spin.
  const readables = host.readables;
  for (let i = 0; i < 5; i++) assert.equal(r.take(), undefined);
  await deadline(new Promise((resolve) => setTimeout(resolve, 10)), "a pause");
  assert.equal(host.readables, readables);
  assert.equal(pulled, 4);
  r.close();
});

Deno.test("InputReader closes the caller's iterator when abandoned, so its finally blocks run", async () => {
  const { iterable, seen } = counted([1, 2, 3, 4]);
  const sync = reader(iterable);
  sync.reader.start();
  sync.reader.take();
  sync.reader.close();
  assert.equal(seen.closed, 1);
  assert.equal(sync.reader.hasMore, false);

  let closed = false;
  async function* source() {
    try {
      for (let n = 0;; n++) yield n;
    } finally {
      closed = true;
    }
  }
  const stream = reader(source());
  stream.reader.start();
  await stream.host.until(() => stream.host.readables > 0, "a read");
  stream.reader.close();
  await deadline(
    (async () => {
      while (!closed) await new Promise((resolve) => setTimeout(resolve, 1));
    })(),
    "the generator's finally block",
  );
  assert.equal(stream.reader.take(), undefined);
});

Deno.test("InputReader does not close an iterator it used up", () => {
  const { iterable, seen } = counted([1, 2]);
  const { reader: r } = reader(iterable, { chunkSize: 5 });
  r.start();
  takeAll(r);
  r.close();
  assert.equal(seen.closed, 0);
});

Deno.test("InputReader stopAt() reads nothing more of the input", () => {
  const { reader: r } = reader([1, 2, 3, 4, 5, 6], { poolSize: 3 });
  r.start();
  const first = r.take()!;
  assert.equal(first.seq, 0);
  r.stopAt(1);
  assert.equal(r.hasMore, false);
  assert.equal(r.take(), undefined);
});

Deno.test("InputReader stopAt() on an async stream keeps the ready chunks before seq", async () => {
  async function* items() {
    yield* [0, 1, 2, 3, 4, 5];
  }
  const { reader: r, host } = reader(items(), { poolSize: 3 });
  r.start();
  await host.until(() => host.readables > 0, "the read-ahead");
  assert.equal(r.queuedItems, 3);
  r.stopAt(2);
  assert.equal(r.queuedItems, 2);
  assert.deepEqual(takeAll(r).map((chunk) => chunk.seq), [0, 1]);
  assert.equal(r.hasMore, false);
});

Deno.test("InputReader reports a throwing sync input after the chunk it read before the error", () => {
  function* broken() {
    yield 1;
    yield 2;
    yield 3;
    throw new Error("input broke");
  }
  const { reader: r, host } = reader(broken(), { chunkSize: 2 });
  r.start();
  assert.deepEqual(r.take()?.items, [1, 2]);
  assert.deepEqual(r.take()?.items, [3]);
  assert.equal(host.failures.length, 1);
  assert.equal((host.failures[0]!.error as Error).message, "input broke");
  assert.equal(host.failures[0]!.seq, 2, "the chunk after the last one read");
  assert.equal(r.take(), undefined);
  assert.equal(r.hasMore, false);
});

Deno.test("InputReader reports a throwing whole input before any chunk", () => {
  function* broken(): Generator<number> {
    yield 1;
    throw new Error("input broke");
  }
  const { reader: r, host } = reader(broken(), { whole: true });
  r.start();
  assert.deepEqual(host.failures.map(({ seq }) => seq), [0]);
  assert.equal(host.known_.length, 0);
  assert.equal(r.take(), undefined);
});

Deno.test("InputReader reports a throwing async input", async () => {
  async function* broken() {
    yield 1;
    throw new Error("async input broke");
  }
  for (const whole of [false, true]) {
    const { reader: r, host } = reader(broken(), { whole, poolSize: 4 });
    r.start();
    await host.until(() => host.failures.length > 0, "the failure");
    assert.equal(
      (host.failures[0]!.error as Error).message,
      "async input broke",
    );
    assert.equal(host.failures[0]!.seq, whole ? 0 : 1);
    assert.deepEqual(takeAll(r).length, whole ? 0 : 1);
  }
});

Deno.test("InputReader refuses what is not an input with a TypeError naming it", () => {
  for (
    const [input, name] of [
      [null, "null"],
      [42, "number"],
      [new DataView(new ArrayBuffer(4)), "object"],
    ] as const
  ) {
    const { reader: r, host } = reader(input);
    r.start();
    const error = host.failures[0]?.error;
    assert.ok(error instanceof TypeError);
    assert.equal(
      error.message,
      `Cannot run the call as its items must be an iterable or an async iterable: received ${name}`,
    );
    assert.equal(r.hasMore, false);
  }
});

Deno.test("InputReader knows the size of a stream over a Set or a Map, not of a generator", () => {
  const set = reader(new Set([1, 2, 3]));
  set.reader.start();
  assert.equal(set.reader.total, 3);
  const generated = reader((function* () {
    yield 1;
  })());
  generated.reader.start();
  assert.equal(generated.reader.total, undefined);
});
