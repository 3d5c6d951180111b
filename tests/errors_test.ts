// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool, TaskError, WorkerCrashedError } from "../mod.ts";
import type * as tasks from "./workers/tasks.ts";
import {
  collect,
  deadline,
  fixture,
  rejection,
  test,
  withPool,
} from "./_helpers.ts";

test("TaskError names the task, the item and the remote error in full", async (backend) => {
  await withPool(
    new Pool<typeof tasks>(fixture("tasks.ts"), { backend, size: 2 }),
    async (pool) => {
      const error = await rejection(
        pool.starmap("failOn", [[0, 2], [1, 2], [2, 2], [3, 2]], {
          chunkSize: 1,
        }),
        "a failing starmap",
      );
      assert.ok(error instanceof TaskError);
      assert.equal(error.name, "TaskError");
      assert.equal(error.task, "failOn");
      assert.equal(error.index, 2);
      assert.match(
        error.message,
        /Task 'failOn' failed on item 2: ValidationError: 2 is not allowed/,
      );
      const cause = error.cause;
      assert.equal(cause.name, "ValidationError");
      assert.equal(cause.message, "2 is not allowed");
      assert.equal((cause as Error & { code: string }).code, "E_VALIDATION");
      assert.match(cause.stack ?? "", /failOn/);
      assert.ok(cause.cause instanceof TypeError);
      assert.equal((cause.cause as Error).message, "the root cause");
    },
  );
});

test("TaskError: a thrown non-Error becomes a readable Error", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.apply(() => {
        throw 42;
      }),
      "throw 42",
    );
    assert.ok(error instanceof TaskError);
    assert.match(error.cause.message, /non-Error value: 42/);
    const withFunction = await rejection(
      pool.apply(() => {
        throw { reason: "bad", fix: () => 1 };
      }),
      "throw an object with a function",
    );
    assert.ok(withFunction instanceof TaskError);
    assert.match(withFunction.cause.message, /reason: "bad"/);
  });
});

test("a task error drops the rest of the call and leaves the pool usable", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const ran: number[] = [];
    const error = await rejection(
      pool.map(
        (x: number) => {
          if (x === 1) throw new Error("stop");
          return x;
        },
        [0, 1, 2, 3, 4],
        { chunkSize: 1, onProgress: (done) => ran.push(done) },
      ),
      "a failing map",
    );
    assert.ok(error instanceof TaskError);
    assert.ok(ran.length <= 1, `items after the failure ran: ${ran}`);
    assert.deepEqual(
      await deadline(
        pool.map((x: number) => x * 2, [1, 2]),
        "map after an error",
      ),
      [2, 4],
    );
  });
});

test("a name the module does not export rejects the call, listing its functions", async (backend) => {
  // Untyped, as a misspelling only gets this far without the module's type.
  await withPool(
    new Pool(fixture("tasks.ts"), { backend, size: 1 }),
    async (pool) => {
      const missing = await rejection(
        pool.map("tripple", [1, 2, 3]),
        "a missing export",
      );
      // Not an item's failure: no TaskError, no index.
      assert.ok(missing instanceof TypeError, String(missing));
      assert.ok(!(missing instanceof TaskError));
      assert.equal(
        missing.message,
        `Cannot run task 'tripple' as the pool's module '${
          fixture("tasks.ts").href
        }' exports no function of that name: its exported functions are 'add', 'double', 'failOn', 'later', 'nothing'`,
      );
      const near = await rejection(pool.apply("dubble", [1]), "a near miss");
      assert.match(
        (near as Error).message,
        /exports no function of that name \(did you mean 'double'\?\)/,
      );
      const notFunction = await rejection(
        pool.map("notATask", [1]),
        "an export that is not a function",
      );
      assert.ok(notFunction instanceof TypeError);
      assert.match(
        notFunction.message,
        /exports 'notATask' as a number, not a function: its exported functions are 'add', /,
      );
      const aClass = await rejection(
        collect(pool.imap("ValidationError", [1]), "an imap of a class"),
        "an export that is a class",
      );
      assert.match((aClass as Error).message, /'ValidationError' as a class/);
      // The pool goes on.
      assert.deepEqual(
        await deadline(pool.map("double", [1, 2]), "map after"),
        [2, 4],
      );
    },
  );
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.map("double", [1]),
      "a named task on a pool without a module",
    );
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /the pool has no module/);
  });
});

test("a worker that exits under a task fails that call, not the pool", async (backend) => {
  await withPool(new Pool({ backend, size: 2 }), async (pool) => {
    const other = pool.map(
      async (x: number) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return x;
      },
      [1, 2, 3, 4],
      { chunkSize: 1 },
    );
    const exited = await rejection(
      pool.apply(() => Deno.exit(7)),
      "a task that exits",
    );
    assert.ok(exited instanceof WorkerCrashedError);
    assert.equal(exited.exitCode, 7);
    assert.equal(exited.index, 0);
    assert.match(exited.message, /Deno\.exit\(7\)/);
    const closed = await rejection(
      pool.apply(() => self.close()),
      "a task that closes its worker",
    );
    assert.ok(closed instanceof WorkerCrashedError);
    assert.match(closed.reason, /self\.close\(\)/);
    assert.deepEqual(await deadline(other, "a call beside the crashes"), [
      1,
      2,
      3,
      4,
    ]);
    assert.deepEqual(
      await deadline(pool.map((x: number) => x, [5]), "a call after"),
      [5],
    );
  });
});

test("an unhandled rejection left by a task fails the call instead of hanging", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.apply(async () => {
        Promise.reject(new Error("left behind"));
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }),
      "a task that leaves a rejection behind",
    );
    assert.ok(error instanceof WorkerCrashedError);
    assert.match(error.reason, /left behind/);
    assert.equal(await deadline(pool.apply(() => 1), "a call after"), 1);
  });
});

test("an argument or result that cannot be cloned fails clearly", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const badArg = await rejection(
      pool.map((x: unknown) => x, [1, () => 2]),
      "an unclonable argument",
    );
    assert.ok(badArg instanceof TypeError);
    assert.match(badArg.message, /cannot be cloned/);
    const badResult = await rejection(
      pool.apply(() => () => 1),
      "an unclonable result",
    );
    assert.ok(badResult instanceof TaskError);
    assert.match(badResult.cause.message, /cannot be cloned/);
    assert.equal(await deadline(pool.apply(() => 1), "a call after"), 1);
  });
});
