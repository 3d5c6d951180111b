// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { deadline, rejection, test, withPool } from "./_helpers.ts";

test("an inline task that uses a variable from its scope is rejected, naming it", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const factor = 3;
    let ran = false;
    const error = await rejection(
      pool.map((x: number) => {
        ran = true;
        return x * factor;
      }, [1, 2]),
      "a closure",
    );
    assert.ok(error instanceof TypeError);
    assert.match(
      error.message,
      /uses 'ran', 'factor' from the enclosing scope/,
    );
    assert.match(error.message, /pass them as an argument/);
    assert.match(error.message, /move the task into a module/);
    assert.equal(ran, false);
    // No worker ran anything for it.
    assert.match(Deno.inspect(pool), /workers: 0/);
  });
});

test("an inline task may use globals, typeof checks, its own names and import()", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const result = await deadline(
      pool.apply(async function task(n: number) {
        const { join } = await import("node:path");
        const helper = (k: number) => Math.sqrt(k) + JSON.parse("1");
        // @ts-expect-error: a global that does not exist, checked with typeof
        const probe = typeof someUndefinedGlobal === "undefined";
        return [
          join("a", "b"),
          helper(n),
          probe,
          typeof Deno.pid,
          new URL("http://x/").host,
        ];
      }, [16]),
      "a self-contained function",
    );
    assert.deepEqual(result, ["a/b", 5, true, "number", "x"]);
  });
});

test("an arrow task that uses the enclosing 'this' is rejected", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const holder = {
      base: 1,
      run(p: Pool) {
        return p.map((x: number) => x + this.base, [1]);
      },
    };
    const error = await rejection(holder.run(pool), "an arrow using this");
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /uses 'this'/);
  });
});

test("methods written in shorthand and generators' results work as tasks", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const tasks = {
      square(x: number) {
        return x * x;
      },
      async cube(x: number) {
        return await Promise.resolve(x * x * x);
      },
    };
    assert.deepEqual(await deadline(pool.map(tasks.square, [3]), "method"), [
      9,
    ]);
    assert.deepEqual(
      await deadline(pool.map(tasks.cube, [2]), "async method"),
      [8],
    );
  });
});

test("non-functions, built-ins, bound functions and classes are rejected clearly", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const cases: Array<[unknown, RegExp]> = [
      [
        42,
        /must be the name of an export of the pool's module or a function: received 42/,
      ],
      [null, /received null/],
      [Math.sqrt, /built-in function 'sqrt'/],
      [
        function f(this: unknown, x: number) {
          return x;
        }.bind(null),
        /bound function 'bound f'/,
      ],
      [class Shape {}, /class 'Shape'/],
    ];
    for (const [task, message] of cases) {
      const error = await rejection(
        pool.map(task as (x: number) => number, [1]),
        `task ${String(task)}`,
      );
      assert.ok(error instanceof TypeError, `${String(task)}: ${error}`);
      assert.match(error.message, message);
    }
    assert.match(Deno.inspect(pool), /workers: 0/);
  });
});

test("a global that only the main thread has is reported, as the worker lacks it", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const error = await rejection(
      pool.apply(() => localStorage.getItem("x")),
      "a task using localStorage",
    );
    assert.ok(error instanceof TypeError);
    assert.match(error.message, /uses 'localStorage' from the enclosing scope/);
  });
});
