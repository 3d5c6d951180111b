// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Pool } from "../mod.ts";
import { collectTransferables } from "../_transfer.ts";
import { toTaskRef } from "../_task_ref.ts";
import { deadline, test, withPool } from "./_helpers.ts";

test("transfer: the buffer moves to the worker intact and is detached here", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const bytes = new Uint8Array(1 << 20).map((_, i) => i % 251);
    const buffer = bytes.buffer;
    const [sum] = await deadline(
      pool.map((data: Uint8Array) => data.reduce((a, b) => a + b, 0), [bytes], {
        transfer: true,
      }),
      "a transferred buffer",
    );
    const expected = Array.from({ length: 1 << 20 }, (_, i) => i % 251).reduce((
      a,
      b,
    ) => a + b);
    assert.equal(sum, expected);
    assert.equal(buffer.byteLength, 0, "the sender's buffer was not detached");
    assert.equal(bytes.length, 0);
  });
});

test("transfer: results come back by transfer, and without it buffers are copied", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), async (pool) => {
    const [made] = await deadline(
      pool.map((n: number) => new Float64Array(n).fill(1.5), [1000], {
        transfer: true,
      }),
      "a transferred result",
    );
    assert.equal(made!.length, 1000);
    assert.equal(made![999], 1.5);
    const kept = new Uint8Array([1, 2, 3]);
    await deadline(
      pool.map((data: Uint8Array) => data.length, [kept]),
      "a copied buffer",
    );
    assert.equal(kept.length, 3, "a buffer was detached without transfer");
    const inside = { a: new Uint8Array([7]), list: [new ArrayBuffer(8)] };
    await deadline(
      pool.map((value: typeof inside) => value.a[0], [inside], {
        transfer: true,
      }),
      "nested buffers",
    );
    assert.equal(inside.a.length, 0);
    assert.equal(inside.list[0]!.byteLength, 0);
  });
});

Deno.test("collectTransferables() finds buffers in nested values, skips shared ones", () => {
  const shared = new SharedArrayBuffer(8);
  const found = collectTransferables(
    [
      new Uint8Array(2),
      { deep: [new ArrayBuffer(1)] },
      new Map([[1, new ArrayBuffer(2)]]),
      new Int32Array(shared),
    ],
    new Set(),
  );
  assert.equal(found.size, 3);
  // The shim runs it from source: it must be self-contained.
  assert.equal(toTaskRef(collectTransferables, false).kind, "source");
});

test("a call whose items cost more in messages than in work gets one warning", async (backend) => {
  const warnings: string[] = [];
  await withPool(
    new Pool({ backend, size: 2, onWarning: (m) => warnings.push(m) }),
    async (pool) => {
      const items = Array.from({ length: 5000 }, (_, i) => i);
      await deadline(
        pool.map((x: number) => x + 1, items, { chunkSize: 1 }),
        "tiny items",
      );
      await deadline(
        pool.map((x: number) => x + 1, items, { chunkSize: 1 }),
        "again",
      );
    },
  );
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]!,
    /cost about .* µs each in messages .* against .* µs of work/,
  );
  assert.match(
    warnings[0]!,
    /larger 'chunkSize' \(now 1\), or run work this small in a plain loop/,
  );

  const none: string[] = [];
  await withPool(
    new Pool({ backend, size: 2, onWarning: (m) => none.push(m) }),
    async (pool) => {
      const heavy = (n: number) => {
        let x = 0;
        for (let i = 0; i < n; i++) x += Math.sqrt(i);
        return x;
      };
      await deadline(
        pool.map(heavy, Array.from({ length: 1000 }, () => 200_000), {
          chunkSize: 1,
        }),
        "heavy items",
      );
    },
  );
  assert.deepEqual(none, []);
});
