// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { AsyncResult, Pool } from "../mod.ts";
import type * as tasks from "./workers/tasks.ts";
import { deadline, fixture, rejection, test, withPool } from "./_helpers.ts";

test("starmap() spreads each argument list into the call", async (backend) => {
  await withPool(
    new Pool<typeof tasks>(fixture("tasks.ts"), { backend, size: 2 }),
    async (pool) => {
      assert.deepEqual(
        await deadline(
          pool.starmap("add", [[1, 2], [3, 4], [5, 6]]),
          "starmap",
        ),
        [3, 7, 11],
      );
      const future = pool.starmapAsync((a: string, b: number) => a.repeat(b), [[
        "ab",
        2,
      ]]);
      assert.ok(future instanceof AsyncResult);
      assert.deepEqual(await deadline(future.get(), "starmapAsync"), ["abab"]);
    },
  );
});

test("apply() runs one call, with or without arguments", async (backend) => {
  await withPool(
    new Pool<typeof tasks>(fixture("tasks.ts"), { backend, size: 1 }),
    async (pool) => {
      assert.equal(await deadline(pool.apply("add", [2, 3]), "apply"), 5);
      assert.equal(
        await deadline(pool.apply(() => "no args"), "apply without args"),
        "no args",
      );
      assert.equal(
        await deadline(pool.applyAsync("double", [21]), "applyAsync"),
        42,
      );
      const error = await rejection(
        pool.apply((x: number) => x, 5 as unknown as [number]),
        "apply with args that are not an array",
      );
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /'args' must be an array/);
    },
  );
});
