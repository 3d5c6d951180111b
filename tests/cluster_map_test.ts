// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * ClusterPool's calls across two consumer processes: every result, in
 * input order, each once; the same calls as the local pool; two pools on
 * one server and name apart; a changed module never runs stale.
 */
import assert from "node:assert/strict";
import { ClusterPool } from "../cluster/mod.ts";
import type * as tasks from "./fixtures/cluster_tasks.ts";
import {
  clusterTest,
  deadline,
  eventually,
  inspector,
  startConsumer,
  startNats,
  TASKS,
  track,
  withCleanup,
} from "./fixtures/cluster_harness.ts";

clusterTest(
  "ClusterPool runs map, starmap, apply and imap on two consumers",
  async (t) => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      const [a, b] = await Promise.all([
        startConsumer(cleanup, { servers: nats.url, size: 2 }),
        startConsumer(cleanup, { servers: nats.url, size: 2 }),
      ]);
      const pool = new ClusterPool<typeof tasks>(TASKS, { servers: nats.url });
      cleanup.add(() => {
        pool.terminate();
        return pool.join();
      });
      await deadline(pool.ready(), "the pool to connect");
      await eventually(
        () => pool.consumers().length === 2,
        "two consumers to beat",
      );

      await t.step("map of 10,000 items: every result, in order", async () => {
        const items = Array.from({ length: 10_000 }, (_, i) => i);
        const started = performance.now();
        let progress = 0;
        const results = await deadline(
          pool.map("double", items, {
            onProgress: (done) => (progress = done),
          }),
          "map of 10,000",
        );
        const ms = performance.now() - started;
        assert.equal(results.length, 10_000);
        assert.ok(results.every((value, i) => value === i * 2));
        assert.equal(progress, 10_000);
        console.log(`map of 10,000 items on 2 consumers: ${ms.toFixed(0)} ms`);
      });

      await t.step("both consumers took work", async () => {
        const pids = await deadline(
          pool.map(
            (x: number) => {
              const end = Date.now() + 20;
              while (Date.now() < end) { /* busy, so that work spreads */ }
              return [x, Deno.pid];
            },
            Array.from({ length: 40 }, (_, i) => i),
            { chunkSize: 1 },
          ),
          "map that spreads",
        );
        const seen = new Set(pids.map(([, pid]) => pid));
        assert.deepEqual(seen, new Set([a.pid, b.pid]));
        assert.deepEqual(
          pids.map(([x]) => x),
          Array.from({ length: 40 }, (_, i) => i),
        );
      });

      await t.step("the same calls as the local pool", async () => {
        assert.deepEqual(
          await deadline(pool.starmap("add", [[1, 2], [3, 4]]), "starmap"),
          [3, 7],
        );
        assert.equal(await deadline(pool.apply("add", [5, 6]), "apply"), 11);
        assert.deepEqual(
          await deadline(pool.mapAsync("double", [1, 2, 3]).get(), "mapAsync"),
          [2, 4, 6],
        );
        assert.deepEqual(
          await deadline(
            Array.fromAsync(pool.imap("double", [1, 2, 3])),
            "imap",
          ),
          [2, 4, 6],
        );
        const unordered = await deadline(
          Array.fromAsync(pool.imapUnordered("double", new Set([1, 2, 3]))),
          "imapUnordered",
        );
        assert.deepEqual(unordered.sort((x, y) => x - y), [2, 4, 6]);
        // Structured-clone values survive the trip, as with a local pool.
        const value = new Map<string, unknown>([
          ["when", new Date(0)],
          ["big", 2n ** 70n],
          ["bytes", new Uint8Array([1, 2, 3])],
        ]);
        assert.deepEqual(
          await deadline(pool.apply((v: unknown) => v, [value]), "a Map"),
          value,
        );
      });

      await t.step(
        "inline functions are checked as in the local pool",
        async () => {
          const factor = 3;
          await assert.rejects(
            pool.map((x: number) => x * factor, [1]),
            /uses 'factor' from the enclosing scope/,
          );
        },
      );

      await t.step("nothing is left on the stream", async () => {
        const { jsm } = await inspector(cleanup, nats.url);
        assert.equal((await jsm.streams.info("paralelo")).state.messages, 0);
        assert.equal(
          (await jsm.streams.info("paralelo_results")).state.messages,
          0,
        );
      });

      await t.step(
        "two pools on one server and name do not see each other's results",
        async () => {
          const other = track(cleanup, new ClusterPool({ servers: nats.url }));
          const inputs = Array.from({ length: 2_000 }, (_, i) => i);
          const [mine, theirs] = await deadline(
            Promise.all([
              pool.map((x: number) => `mine ${x}`, inputs, { chunkSize: 50 }),
              other.map((x: number) => `theirs ${x}`, inputs, {
                chunkSize: 50,
              }),
            ]),
            "two pools at once",
          );
          assert.deepEqual(mine, inputs.map((x) => `mine ${x}`));
          assert.deepEqual(theirs, inputs.map((x) => `theirs ${x}`));
        },
      );

      await t.step("a changed module is never run stale", async () => {
        const dir = await Deno.makeTempDir({ prefix: "paralelo-module-" });
        cleanup.add(() => Deno.remove(dir, { recursive: true }));
        const file = `${dir}/version.ts`;
        await Deno.writeTextFile(
          file,
          "export const version = (_x: number) => 1;\n",
        );
        type Version = { version: (x: number) => number };
        const versioned = track(
          cleanup,
          new ClusterPool<Version>(file, {
            servers: nats.url,
          }),
        );
        assert.deepEqual(
          await deadline(
            versioned.map("version", [0, 0, 0, 0], { chunkSize: 1 }),
            "version 1",
          ),
          [1, 1, 1, 1],
        );
        await Deno.writeTextFile(
          file,
          "export const version = (_x: number) => 2;\n",
        );
        assert.deepEqual(
          await deadline(
            versioned.map("version", [0, 0, 0, 0], { chunkSize: 1 }),
            "version 2",
          ),
          [2, 2, 2, 2],
        );
      });

      pool.close();
      await deadline(pool.join(), "the pool to close");
      assert.equal(pool.state, "closed");
    });
  },
);
