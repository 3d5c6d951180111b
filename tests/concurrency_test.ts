// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The pool's `concurrency`: several chunks at once on one worker, for async
 * tasks. Each test checks that what holds for one chunk at a time (order,
 * errors at their exact item, timeouts, abort, maxTasksPerWorker, progress,
 * traces) still holds when chunks overlap on a worker.
 */
import assert from "node:assert/strict";
import { DOMParser } from "linkedom";
import {
  Pool,
  TaskError,
  TaskTimeoutError,
  timelineSvg,
  WorkerCrashedError,
} from "../mod.ts";
import { collect, deadline, rejection, test, withPool } from "./_helpers.ts";

const sleepMs = async (ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
};

/** Starts the pool's workers, so that the timings below leave out start-up. */
async function warm(pool: Pool<unknown>, workers: number): Promise<void> {
  await deadline(
    pool.map((x: number) => x, Array.from({ length: workers }, (_, i) => i), {
      chunkSize: 1,
    }),
    "warming the pool up",
  );
}

const N = 8;

test("concurrency: N async sleeps of 100 ms on one worker overlap, results in order", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: N }),
    async (pool) => {
      await warm(pool, 1);
      const items = Array.from({ length: N }, (_, i) => 100 + i);
      // The automatic chunk size is made for size × concurrency chunks: one
      // item a chunk here, so that every item overlaps.
      let started = performance.now();
      const results = await deadline(pool.map(sleepMs, items), "a map");
      const mapMs = performance.now() - started;
      assert.deepEqual(results, items);
      assert.ok(
        mapMs < N * 100 / 2,
        `${N} sleeps of 100 ms took ${mapMs.toFixed(0)} ms on one worker`,
      );
      started = performance.now();
      const streamed = await collect(
        pool.imap(sleepMs, items, { chunkSize: 1 }),
        "an imap",
      );
      const imapMs = performance.now() - started;
      assert.deepEqual(streamed, items);
      assert.ok(imapMs < N * 100 / 2, `imap took ${imapMs.toFixed(0)} ms`);
      assert.equal(pool.stats().workersAlive, 1);
    },
  );
});

test("concurrency: imap keeps the input's order, imapUnordered the order of completion", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 4 }),
    async (pool) => {
      const items = [300, 200, 100, 0];
      assert.deepEqual(
        await collect(pool.imap(sleepMs, items, { chunkSize: 1 }), "imap"),
        items,
      );
      assert.deepEqual(
        await collect(
          pool.imapUnordered(sleepMs, items, { chunkSize: 1 }),
          "imapUnordered",
        ),
        [0, 100, 200, 300],
      );
    },
  );
});

test("concurrency: the items of one chunk still run one after another", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 4 }),
    async (pool) => {
      await warm(pool, 1);
      const started = performance.now();
      const results = await deadline(
        pool.map(sleepMs, [100, 100, 100], { chunkSize: 3 }),
        "one chunk of three",
      );
      assert.deepEqual(results, [100, 100, 100]);
      assert.ok(performance.now() - started >= 295, "the items overlapped");
    },
  );
});

test("concurrency: a failing item fails its call at its exact index", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 4 }),
    async (pool) => {
      const task = async (x: number) => {
        await new Promise((resolve) => setTimeout(resolve, x === 5 ? 10 : 100));
        if (x === 5) throw new RangeError(`bad ${x}`);
        return x;
      };
      const items = [0, 1, 2, 3, 4, 5, 6, 7];
      const error = await rejection(
        pool.map(task, items, { chunkSize: 1 }),
        "a map with a failing item",
      );
      assert.ok(error instanceof TaskError, String(error));
      assert.equal(error.index, 5);
      assert.match(String((error.cause as Error).message), /bad 5/);
      // An ordered stream yields every result before the failing item first.
      const yielded: number[] = [];
      const streamError = await rejection(
        (async () => {
          for await (const value of pool.imap(task, items, { chunkSize: 1 })) {
            yielded.push(value);
          }
        })(),
        "an imap with a failing item",
      );
      assert.ok(streamError instanceof TaskError);
      assert.equal(streamError.index, 5);
      assert.deepEqual(yielded, [0, 1, 2, 3, 4]);
      // The worker was not lost: a task's own error does not stop it.
      assert.deepEqual(
        await deadline(pool.map(sleepMs, [1, 2], { chunkSize: 1 }), "after"),
        [1, 2],
      );
      assert.equal(pool.stats().workers[0]?.id, 1);
    },
  );
});

test("concurrency: the overlapping item over its timeout fails with TaskTimeoutError at its index", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 4 }),
    async (pool) => {
      const started = performance.now();
      const error = await rejection(
        pool.map(sleepMs, [50, 60_000, 50, 50], { chunkSize: 1, timeout: 300 }),
        "a map with one endless item",
      );
      assert.ok(performance.now() - started < 10_000, "the timeout was late");
      assert.ok(error instanceof TaskTimeoutError, String(error));
      assert.equal(error.index, 1);
      assert.equal(error.timeoutMs, 300);
      assert.deepEqual(
        await deadline(pool.map(sleepMs, [1, 2]), "a map after"),
        [1, 2],
      );
    },
  );
});

test("concurrency: a timeout stops the worker; a chunk running beside it fails, one queued runs", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 2 }),
    async (pool) => {
      await warm(pool, 1);
      const overdue = pool.apply(sleepMs, [60_000], { timeout: 300 });
      // Running beside it when the worker is stopped for its timeout.
      const beside = pool.apply(sleepMs, [3_000]);
      // No slot is free for it until the worker is replaced.
      const queued = pool.apply(sleepMs, [10]);
      const timedOut = await rejection(overdue, "the overdue task");
      assert.ok(timedOut instanceof TaskTimeoutError, String(timedOut));
      assert.equal(timedOut.index, 0);
      const crashed = await rejection(beside, "the task beside it");
      assert.ok(crashed instanceof WorkerCrashedError, String(crashed));
      assert.equal(crashed.index, 0);
      assert.equal(crashed.workerId, timedOut.workerId);
      assert.match(crashed.reason, /ran over its timeout of 300 ms beside it/);
      assert.equal(await deadline(queued, "the queued task"), 10);
    },
  );
});

test("concurrency: an abort stops only the worker that runs the aborted call", async (backend) => {
  await withPool(
    new Pool({ backend, size: 2, concurrency: 2 }),
    async (pool) => {
      await warm(pool, 2);
      // One call a worker: each takes an idle worker before a free slot.
      const other = pool.apply(sleepMs, [500]);
      const controller = new AbortController();
      const aborted = pool.apply(sleepMs, [60_000], {
        signal: controller.signal,
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort(new Error("enough"));
      const error = await rejection(aborted, "the aborted call");
      assert.match(String((error as Error).message), /enough/);
      assert.equal(await deadline(other, "the call on the other worker"), 500);
    },
  );
});

test("concurrency: an abort fails another call's chunk that ran beside it on the worker", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 2 }),
    async (pool) => {
      await warm(pool, 1);
      const controller = new AbortController();
      const aborted = pool.apply(sleepMs, [60_000], {
        signal: controller.signal,
      });
      const beside = pool.apply(sleepMs, [60_000]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      controller.abort(new Error("enough"));
      await rejection(aborted, "the aborted call");
      const crashed = await rejection(beside, "the call beside it");
      assert.ok(performance.now() - started < 10_000);
      assert.ok(crashed instanceof WorkerCrashedError, String(crashed));
      assert.match(crashed.reason, /aborted call/);
      assert.deepEqual(await deadline(pool.map(sleepMs, [1]), "after"), [1]);
    },
  );
});

test("concurrency: a crash fails every chunk running on the worker at its exact item", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 2 }),
    async (pool) => {
      await warm(pool, 1);
      const exits = pool.apply(async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        Deno.exit(3);
      }, []);
      // A chunk of two beside it: its first item is done, its second running.
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
      assert.equal(first.exitCode, 3);
      const second = await rejection(beside, "the chunk beside it");
      assert.ok(second instanceof WorkerCrashedError, String(second));
      assert.equal(second.index, 1);
      assert.equal(second.exitCode, 3);
    },
  );
});

test("concurrency: an error that escapes a task fails every chunk running then", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 2 }),
    async (pool) => {
      await warm(pool, 1);
      const leaves = pool.apply(async () => {
        setTimeout(() => {
          throw new Error("stray timer");
        }, 150);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
      }, []);
      const beside = pool.apply(sleepMs, [5_000]);
      const calls: Array<[Promise<unknown>, string]> = [
        [leaves, "the task that leaves a timer"],
        [beside, "the task beside it"],
      ];
      for (const [call, what] of calls) {
        const error = await rejection(call, what);
        assert.ok(error instanceof WorkerCrashedError, String(error));
        assert.match(error.reason, /stray timer/);
        assert.match(error.reason, /2 chunks ran at once/);
      }
      assert.deepEqual(await deadline(pool.map(sleepMs, [1]), "after"), [1]);
    },
  );
});

test("concurrency: maxTasksPerWorker still bounds the chunks each worker is sent", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 4, maxTasksPerWorker: 4 }),
    async (pool) => {
      const task = async (x: number) => {
        const scope = globalThis as { workerTag?: string };
        scope.workerTag ??= crypto.randomUUID();
        await new Promise((resolve) => setTimeout(resolve, 20));
        return [x, scope.workerTag] as const;
      };
      const items = Array.from({ length: 16 }, (_, i) => i);
      const results = await deadline(
        pool.map(task, items, { chunkSize: 1 }),
        "a map over several worker lives",
      );
      assert.deepEqual(results.map(([x]) => x), items);
      const perWorker = new Map<string, number>();
      for (const [, tag] of results) {
        perWorker.set(tag, (perWorker.get(tag) ?? 0) + 1);
      }
      assert.ok(perWorker.size >= 4, `${perWorker.size} workers`);
      for (const count of perWorker.values()) assert.ok(count <= 4);
    },
  );
});

test("concurrency: onProgress counts every item once, up to the total", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 4 }),
    async (pool) => {
      const seen: Array<[number, number | undefined]> = [];
      const items = Array.from({ length: 12 }, (_, i) => 10 * (i % 4));
      await deadline(
        pool.map(sleepMs, items, {
          chunkSize: 1,
          onProgress: (done, total) => seen.push([done, total]),
        }),
        "a map with progress",
      );
      assert.deepEqual(seen.at(-1), [12, 12]);
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i]![0] > seen[i - 1]![0], `progress ${seen}`);
      }
      assert.equal(pool.stats().completed, 12);
    },
  );
});

test("concurrency: trace spans overlap on one worker, and the timeline draws them in lanes", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 4, trace: true }),
    async (pool) => {
      await deadline(
        pool.map(sleepMs, [100, 100, 100, 100], { chunkSize: 1 }),
        "a traced map",
      );
      const { spans } = pool.trace();
      assert.equal(spans.length, 4);
      assert.ok(spans.every((span) => span.worker === spans[0]!.worker));
      const overlapping = spans.some((a, i) =>
        spans.some((b, j) =>
          i !== j && a.started < b.ended && b.started < a.ended
        )
      );
      assert.ok(overlapping, "no two spans overlapped");
      // Busy time counts overlapping chunks once: utilization stays <= 1.
      const stats = pool.stats();
      assert.ok(stats.utilization <= 1, `utilization ${stats.utilization}`);
      assert.ok(stats.workers[0]!.busyMs < 4 * 100);
      const svg = timelineSvg(pool.trace());
      const document = new DOMParser().parseFromString(svg, "image/svg+xml");
      const rects = [...document.querySelectorAll("rect.span")];
      assert.equal(rects.length, 4);
      const lanes = new Set(
        rects.map((rect) => rect.getAttribute("data-lane")),
      );
      assert.deepEqual([...lanes].sort(), ["0", "1", "2", "3"]);
      const ys = new Set(rects.map((rect) => rect.getAttribute("y")));
      assert.equal(ys.size, 4, "bars of different lanes share a height");
    },
  );
});

test("concurrency: a synchronous task still works, and costs nothing in order or results", async (backend) => {
  await withPool(
    new Pool({ backend, size: 2, concurrency: 4 }),
    async (pool) => {
      const items = Array.from({ length: 200 }, (_, i) => i);
      assert.deepEqual(
        await deadline(pool.map((x: number) => x * 2, items), "a sync map"),
        items.map((x) => x * 2),
      );
      assert.deepEqual(
        await collect(
          pool.imap((x: number) => x + 1, items, { chunkSize: 3 }),
          "a sync imap",
        ),
        items.map((x) => x + 1),
      );
      const error = await rejection(
        pool.map((x: number) => {
          if (x === 77) throw new Error("77");
          return x;
        }, items),
        "a sync map that fails",
      );
      assert.ok(error instanceof TaskError);
      assert.equal(error.index, 77);
    },
  );
});

Deno.test("concurrency must be a positive integer", () => {
  assert.throws(
    () => new Pool({ concurrency: 0 }),
    RangeError,
    "Cannot create pool as 'concurrency' must be a positive integer: received 0",
  );
  assert.throws(
    () => new Pool({ concurrency: 1.5 }),
    RangeError,
    "Cannot create pool as 'concurrency' must be a positive integer: received 1.5",
  );
  assert.throws(
    () => new Pool({ concurrency: "4" as unknown as number }),
    TypeError,
    "Cannot create pool as 'concurrency' must be a positive integer: received \"4\" (a string)",
  );
});
