// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A consumer that dies, one that holds a chunk longer than its ack wait,
 * and one that is asked to stop: the calls complete, each result once.
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
  "ClusterPool: a consumer killed with -9 halfway through a map",
  async () => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      const { jsm } = await inspector(cleanup, nats.url);
      const [victim, survivor] = await Promise.all([
        startConsumer(cleanup, { servers: nats.url, size: 2 }),
        startConsumer(cleanup, { servers: nats.url, size: 2 }),
      ]);
      const pool = track(
        cleanup,
        new ClusterPool<typeof tasks>(TASKS, {
          servers: nats.url,
        }),
      );
      await deadline(pool.ready(), "the pool to connect");
      await eventually(
        () => pool.consumers().length === 2,
        "two consumers to beat",
      );
      const items = Array.from({ length: 2_000 }, (_, i) => i);
      let killedAt = 0;
      let redeliveredAt = 0;
      const killed = Promise.withResolvers<void>();
      const results = pool.map("slow", items, {
        chunkSize: 20,
        onProgress: (done) => {
          if (done >= 1_000 && killedAt === 0) {
            killedAt = performance.now();
            victim.kill("SIGKILL");
            killed.resolve();
          }
        },
      });
      await deadline(killed.promise, "half of the map");
      // The server gives the dead consumer's chunks to the survivor once their
      // ack wait (4 s by default) has passed since their last heartbeat.
      const watching = (async () => {
        while (redeliveredAt === 0 && performance.now() - killedAt < 15_000) {
          const info = await jsm.consumers.info("paralelo", "workers");
          if (info.num_redelivered > 0) redeliveredAt = performance.now();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();
      const values = await deadline(results, "the map after the kill", 40_000);
      await watching;
      const finished = performance.now();
      assert.equal(values.length, 2_000);
      assert.deepEqual(
        values.map((v) => v.x),
        items,
        "every result once, in order",
      );
      const byPid = new Map<number, number>();
      for (const { pid } of values) byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
      assert.ok(byPid.has(survivor.pid));
      assert.ok(
        redeliveredAt > 0,
        "the dead consumer's chunks were redelivered",
      );
      const redeliveryMs = redeliveredAt - killedAt;
      console.log(
        `killed at 1,000/2,000; its chunks ran elsewhere ${
          (redeliveryMs / 1000).toFixed(2)
        } s later; the map ended ${
          ((finished - killedAt) / 1000).toFixed(2)
        } s after the kill; results by pid: ${
          JSON.stringify(Object.fromEntries(byPid))
        }`,
      );
      assert.ok(redeliveryMs <= 5_000, `redelivered after ${redeliveryMs} ms`);
      assert.equal(await victim.exited(), 137);
    });
  },
);

clusterTest(
  "ClusterPool: a chunk longer than the ack wait is heartbeaten, not run twice",
  async () => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      const { jsm } = await inspector(cleanup, nats.url);
      await startConsumer(cleanup, {
        servers: nats.url,
        name: "heartbeat",
        size: 2,
        ackWait: 500,
      });
      const pool = track(
        cleanup,
        new ClusterPool<typeof tasks>(TASKS, {
          servers: nats.url,
          name: "heartbeat",
        }),
      );
      const dir = await Deno.makeTempDir({ prefix: "paralelo-heartbeat-" });
      cleanup.add(() => Deno.remove(dir, { recursive: true }));
      const log = `${dir}/runs.txt`;
      // 2 s of work against 0.5 s of ack wait: four deadlines passed.
      const runs = await deadline(
        pool.apply("logThenSleep", [log, 2_000]),
        "a long chunk",
      );
      assert.equal(runs, 1);
      assert.equal((await Deno.readTextFile(log)).trim().split("\n").length, 1);
      const info = await jsm.consumers.info("heartbeat", "workers");
      assert.equal(info.num_redelivered, 0);
      assert.equal(info.config.ack_wait, 500_000_000);
    });
  },
);

clusterTest(
  "ClusterPool: SIGTERM makes a consumer give back what it holds and exit 0",
  async () => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      const leaving = await startConsumer(cleanup, {
        servers: nats.url,
        name: "term",
        size: 1,
        drainTimeout: 300,
      });
      const pool = track(
        cleanup,
        new ClusterPool<typeof tasks>(TASKS, {
          servers: nats.url,
          name: "term",
        }),
      );
      const dir = await Deno.makeTempDir({ prefix: "paralelo-term-" });
      cleanup.add(() => Deno.remove(dir, { recursive: true }));
      const log = `${dir}/runs.txt`;
      const result = pool.apply("logThenSleep", [log, 3_000]);
      await eventually(
        async () =>
          (await Deno.readTextFile(log).catch(() => "")).includes(
            String(leaving.pid),
          ),
        "the first consumer to start the chunk",
      );
      const staying = await startConsumer(cleanup, {
        servers: nats.url,
        name: "term",
        size: 1,
      });
      const stoppedAt = performance.now();
      leaving.kill("SIGTERM");
      assert.equal(await leaving.exited(), 0);
      const exitMs = performance.now() - stoppedAt;
      // Given back, so it runs again at once, not after the ack wait.
      assert.equal(await deadline(result, "the chunk given back"), 2);
      const doneMs = performance.now() - stoppedAt;
      const lines = (await Deno.readTextFile(log)).trim().split("\n");
      assert.deepEqual(lines, [String(leaving.pid), String(staying.pid)]);
      assert.match(leaving.log, /gave 1 unfinished job back/);
      console.log(
        `SIGTERM: the consumer exited 0 after ${
          exitMs.toFixed(0)
        } ms; the chunk it gave back was done ${
          doneMs.toFixed(0)
        } ms after the signal (3,000 ms of work)`,
      );
      assert.ok(doneMs < 3_000 + 2_500, `done ${doneMs} ms after SIGTERM`);
    });
  },
);
