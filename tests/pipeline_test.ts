// Copyright 2026 the @paralelo/pool authors. MIT license.
// Pipelined chunks (quick chunks held several to a worker) meeting the rest
// of the pool: crashes, failures, aborts, worker limits, queue limits and
// early exits from streams. Regression tests, each for a hang found in
// review.
import assert from "node:assert/strict";
import { Pool, type TaskError } from "../mod.ts";
import { deadline, rejection, test, withPool } from "./_helpers.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quick = (x: number) => x + 1;

test("maxTasksPerWorker with a failing item: the worker is still replaced", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, maxTasksPerWorker: 1 }),
    async (pool) => {
      await rejection(
        pool.map((x: number) => {
          throw new Error(`boom ${x}`);
        }, [1]),
        "a failing map",
      );
      assert.deepEqual(await deadline(pool.map(quick, [1]), "the next map"), [
        2,
      ]);
    },
  );
  await withPool(
    new Pool({ backend, size: 2, maxTasksPerWorker: 10 }),
    async (pool) => {
      for (let round = 0; round < 3; round++) {
        const error = await rejection(
          pool.map(
            (x: number) => {
              if (x === 3) throw new Error("three");
              return x;
            },
            Array.from({ length: 10 }, (_, i) => i),
            { chunkSize: 10 },
          ),
          `round ${round}`,
        );
        assert.equal((error as TaskError).index, 3);
      }
      assert.deepEqual(
        await deadline(pool.map(quick, [1, 2, 3]), "a clean map"),
        [2, 3, 4],
      );
    },
  );
});

test("a failing initializer with maxTasksPerWorker: every call still settles", async (backend) => {
  await withPool(
    new Pool({
      backend,
      size: 1,
      maxTasksPerWorker: 2,
      initializer: () => {
        throw new Error("no");
      },
    }),
    async (pool) => {
      for (let i = 0; i < 4; i++) {
        const error = await rejection(pool.apply(() => 1), `apply ${i}`);
        assert.equal((error as TaskError).cause.name, "InitializerError");
      }
    },
  );
});

test("imap: return() while a next() is pending settles both", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const iterator = pool.imap(async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return x;
    }, [1, 2, 3]);
    const next = iterator.next();
    const returned = iterator.return();
    assert.deepEqual(await deadline(returned, "return()"), {
      value: undefined,
      done: true,
    });
    const result = await deadline(next, "the pending next()");
    assert.equal(result.done, true);
  });
});

test("quick chunks are not pipelined behind another call's slow task", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    await pool.map(quick, [1, 2], { chunkSize: 1 });
    let slowDone = false;
    const slow = pool.apply(async () => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      return "slow";
    }).then((value) => {
      slowDone = true;
      return value;
    });
    await pause(50);
    const results = await deadline(
      pool.map(quick, Array.from({ length: 2000 }, (_, i) => i), {
        chunkSize: 1,
      }),
      "2000 quick items beside a slow task",
    );
    assert.equal(results.length, 2000);
    // They ran on the free worker, not queued behind the 3 s task.
    assert.equal(slowDone, false, "the quick map waited for the slow task");
    assert.equal(await deadline(slow, "the slow task"), "slow");
  });
});

test("abort drops the call's chunks that wait on a worker behind another task", async (backend) => {
  await withPool(new Pool({ backend, size: 2, trace: true }), async (pool) => {
    await pool.map(quick, [1, 2], { chunkSize: 1 });
    const other = pool.apply(async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return "other";
    });
    await pause(50);
    const controller = new AbortController();
    const busyWait = (x: number) => {
      const start = performance.now();
      while (performance.now() - start < 0.2);
      return x;
    };
    const aborted = pool.map(
      busyWait,
      Array.from({ length: 5000 }, (_, i) => i),
      {
        chunkSize: 1,
        signal: controller.signal,
      },
    );
    await pause(100);
    const before = pool.trace().spans.filter((s) =>
      s.task === "busyWait"
    ).length;
    controller.abort(new Error("stop"));
    assert.equal(
      ((await rejection(aborted, "the aborted map")) as Error).message,
      "stop",
    );
    assert.equal(await deadline(other, "the other call"), "other");
    await pause(100);
    const after =
      pool.trace().spans.filter((s) => s.task === "busyWait").length;
    assert.ok(
      after - before <= 4,
      `${after - before} chunks ran after the abort`,
    );
  });
});

test("a failed stream gets back its chunks from a worker that died, and yields them", async (backend) => {
  for (const ordered of [true, false]) {
    const pool = new Pool({ backend, size: 2 });
    try {
      await pool.map(quick, [1, 2], { chunkSize: 1 });
      const dies = pool.apply(async () => {
        await new Promise((resolve) => setTimeout(resolve, 700));
        Deno.exit(3);
      }).catch((error) => error);
      await pause(50);
      const items = Array.from({ length: 100 }, (_, i) => i);
      const task = (x: number) => {
        if (x >= 10) throw new Error(`bad ${x}`);
        return x;
      };
      const seen: number[] = [];
      const error = await rejection(
        (async () => {
          const stream = ordered
            ? pool.imap(task, items)
            : pool.imapUnordered(task, items);
          for await (const x of stream) seen.push(x);
        })(),
        `${
          ordered ? "imap" : "imapUnordered"
        } failing at 10 beside a dying worker`,
      );
      assert.equal((error as TaskError).index, 10);
      assert.deepEqual(seen.sort((a, b) => a - b), items.slice(0, 10));
      assert.equal(
        (await deadline(dies, "the dying task")).name,
        "WorkerCrashedError",
      );
    } finally {
      pool.terminate();
      await deadline(pool.join(), "join");
    }
  }
});

test("maxQueue: a map of an async input counts its items once", async (backend) => {
  await withPool(new Pool({ backend, size: 1, maxQueue: 6 }), async (pool) => {
    async function* six() {
      yield* [0, 1, 2, 3, 4, 5];
    }
    assert.deepEqual(await deadline(pool.map(quick, six()), "six items"), [
      1,
      2,
      3,
      4,
      5,
      6,
    ]);
  });
});

test("maxQueue: an imap reads only as the queue has room, even with big chunks", async (backend) => {
  await withPool(new Pool({ backend, size: 2, maxQueue: 5 }), async (pool) => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    const slowly = async (x: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return x;
    };
    const iterator = pool.imap(slowly, items, { chunkSize: 10 });
    assert.deepEqual(await deadline(iterator.next(), "the first result"), {
      value: 0,
      done: false,
    });
    assert.ok(pool.stats().queued <= 10, `queued ${pool.stats().queued}`);
    // A map still gets room beside the open imap.
    assert.deepEqual(await deadline(pool.map(quick, [1]), "a map beside it"), [
      2,
    ]);
    await deadline(iterator.return(), "return()");
  });
});
