// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Chunks and results bigger than the server's max_payload (1 MB by
 * default): split into messages that fit, or refused with the limit named.
 */
import assert from "node:assert/strict";
import { ClusterPool } from "../cluster/mod.ts";
import { TaskError } from "../mod.ts";
import type * as tasks from "./fixtures/cluster_tasks.ts";
import {
  clusterTest,
  deadline,
  startConsumer,
  startNats,
  TASKS,
  track,
  withCleanup,
} from "./fixtures/cluster_harness.ts";
import { rejection } from "./_helpers.ts";

const KB = 1_024;

clusterTest(
  "ClusterPool splits what is over max_payload, or refuses it by name",
  async (t) => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      await startConsumer(cleanup, { servers: nats.url, size: 2 });
      const pool = track(
        cleanup,
        new ClusterPool<typeof tasks>(TASKS, {
          servers: nats.url,
        }),
      );

      await t.step("a 3 MB chunk is sent as parts", async () => {
        const items = Array.from(
          { length: 10 },
          (_, i) => "y".repeat(300 * KB + i),
        );
        const lengths = await deadline(
          pool.map("length", items, { chunkSize: 10 }),
          "3 MB chunk",
        );
        assert.deepEqual(lengths, items.map((item) => item.length));
      });

      await t.step("3 MB of results come back in parts", async () => {
        const sizes = Array.from({ length: 10 }, (_, i) => 300 * KB + i);
        const blobs = await deadline(
          pool.map("blob", sizes, { chunkSize: 10 }),
          "3 MB back",
        );
        assert.deepEqual(blobs.map((blob) => blob.length), sizes);
      });

      await t.step("an item over the limit is refused, naming it", async () => {
        const started = performance.now();
        const error = await rejection(
          pool.map("length", ["small", "z".repeat(2 * KB * KB)]),
          "a 2 MB item",
        );
        assert.ok(error instanceof RangeError, String(error));
        assert.match(
          error.message,
          /Cannot send item 1 to the cluster as it takes \d+ bytes, over the NATS server's max_payload of 1048576 bytes/,
        );
        assert.ok(performance.now() - started < 2_000);
      });

      await t.step(
        "a result over the limit fails its item, naming it",
        async () => {
          const error = await rejection(
            pool.map("blob", [10, 2 * KB * KB]),
            "a 2 MB result",
          );
          assert.ok(error instanceof TaskError, String(error));
          assert.equal(error.index, 1);
          assert.ok(error.cause instanceof RangeError);
          assert.match(
            error.cause.message,
            /over the NATS server's max_payload of 1048576 bytes/,
          );
        },
      );
    });
  },
);
