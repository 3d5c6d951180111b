// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A finished call lets go of its inputs and results at once, as Python's
 * pool tests check: nothing in the pool keeps them alive once the caller
 * has dropped them. Run in a child process with `--expose-gc`, so that
 * collection can be forced and a `WeakRef` tells what is still held.
 */
import assert from "node:assert/strict";
import { BACKENDS, runDeno } from "./_helpers.ts";

const mod = new URL("../mod.ts", import.meta.url).href;

for (const backend of BACKENDS) {
  Deno.test(`a settled call holds none of its inputs or results [${backend}]`, async () => {
    const script = `
      import { Pool } from "${mod}";
      const pool = new Pool({ size: 2, backend: "${backend}" });
      const MB = 1024 * 1024;
      const collect = async () => {
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          gc();
        }
      };
      const baseline = Deno.memoryUsage().rss;
      let items = [1, 2, 3, 4].map((n) => new Uint8Array(50 * MB).fill(n));
      const input = new WeakRef(items[0]);
      let results = await pool.map((a) => a.subarray(0, 50 * 1024 * 1024), items);
      const result = new WeakRef(results[3]);
      if (results[3][0] !== 4) throw new Error("wrong result");
      // A stream and a failed call too.
      let streamed = [new Uint8Array(50 * MB)];
      const streamInput = new WeakRef(streamed[0]);
      for await (const _ of pool.imap((a) => a.length, streamed)) { /* drain */ }
      let failing = [new Uint8Array(50 * MB), 0];
      const failedInput = new WeakRef(failing[0]);
      await pool.map((a) => { if (a === 0) throw new Error("no"); return 1; }, failing).catch(() => {});
      items = results = streamed = failing = null;
      // The failed map rejected at once; its other chunk may still be on a
      // worker, which holds it until it answers.
      while (pool.stats().running > 0) await new Promise((r) => setTimeout(r, 10));
      await collect();
      console.log(JSON.stringify({
        input: input.deref() === undefined,
        result: result.deref() === undefined,
        stream: streamInput.deref() === undefined,
        failed: failedInput.deref() === undefined,
        heldMb: Math.round((Deno.memoryUsage().rss - baseline) / MB),
      }));
      pool.close();
      await pool.join();
    `;
    const child = await runDeno(
      ["run", "-A", "--quiet", "--v8-flags=--expose-gc", "-"],
      { stdin: script, ms: 30_000 },
    );
    assert.equal(child.code, 0, child.stderr);
    const seen = JSON.parse(child.stdout.trim());
    assert.deepEqual(
      { ...seen, heldMb: undefined },
      {
        input: true,
        result: true,
        stream: true,
        failed: true,
        heldMb: undefined,
      },
      `still held after the call settled: ${child.stdout}`,
    );
  });
}
