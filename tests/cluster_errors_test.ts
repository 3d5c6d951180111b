// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * ClusterPool's failures are the local pool's: the same TaskError, timeout
 * and abort; terminate() settles every call and empties the stream of its
 * chunks.
 */
import assert from "node:assert/strict";
import { ClusterPool } from "../cluster/mod.ts";
import { Pool, PoolClosedError, TaskError, TaskTimeoutError } from "../mod.ts";
import type * as tasks from "./fixtures/cluster_tasks.ts";
import {
  clusterTest,
  deadline,
  eventually,
  inspector,
  startConsumer,
  startNats,
  TASKS,
  withCleanup,
} from "./fixtures/cluster_harness.ts";
import { rejection } from "./_helpers.ts";

clusterTest("ClusterPool fails as the local pool does", async (t) => {
  await withCleanup(async (cleanup) => {
    const nats = await startNats(cleanup);
    const { jsm } = await inspector(cleanup, nats.url);
    await startConsumer(cleanup, { servers: nats.url, size: 2 });
    const pool = new ClusterPool<typeof tasks>(TASKS, { servers: nats.url });
    cleanup.add(() => {
      pool.terminate();
      return pool.join();
    });
    const messages = async (stream: string) =>
      (await jsm.streams.info(stream)).state.messages;

    await t.step(
      "a task error is the same TaskError as the local pool's",
      async () => {
        await using local = new Pool<typeof tasks>(TASKS, { size: 1 });
        const expected = await rejection(
          local.map("failOnThree", [1, 2, 3, 4]),
          "local",
        );
        const actual = await rejection(
          pool.map("failOnThree", [1, 2, 3, 4]),
          "cluster",
        );
        assert.ok(expected instanceof TaskError && actual instanceof TaskError);
        assert.equal(actual.message, expected.message);
        assert.equal(actual.index, 2);
        assert.equal(actual.index, expected.index);
        assert.equal(actual.task, expected.task);
        assert.ok(actual.cause instanceof RangeError);
        assert.equal(actual.cause.message, expected.cause.message);
        // The same message and frames of the task's own code; below them are
        // the frames of the pool's worker (a blob: URL), which depend on how
        // it got there (a first call waits for the module to load).
        const frames = (stack = "") => {
          const lines = stack.split("\n");
          const pool = lines.findIndex((line) => line.includes("blob:"));
          return lines.slice(0, pool === -1 ? undefined : pool).join("\n");
        };
        assert.equal(frames(actual.cause.stack), frames(expected.cause.stack));
        assert.match(
          actual.cause.stack!,
          /at failOnThree \(file:.*cluster_tasks\.ts:\d+:\d+\)/,
        );
        assert.equal((actual.cause as { code?: string }).code, "E_THREE");
      },
    );

    await t.step("an imap yields what came before the failure", async () => {
      const seen: number[] = [];
      const error = await rejection(
        (async () => {
          for await (const x of pool.imap("failOnThree", [1, 2, 3, 4])) {
            seen.push(x);
          }
        })(),
        "imap",
      );
      assert.deepEqual(seen, [1, 2]);
      assert.ok(error instanceof TaskError && error.index === 2);
    });

    await t.step(
      "an error in a chunk of many items names the item",
      async () => {
        const items = Array.from({ length: 100 }, (_, i) => i + 1);
        const error = await rejection(
          pool.map("failOnThree", items.reverse(), { chunkSize: 25 }),
          "map of 100",
        );
        assert.ok(error instanceof TaskError);
        assert.equal(error.index, 97);
      },
    );

    await t.step("a missing export fails as in the local pool", async () => {
      await using local = new Pool<typeof tasks>(TASKS, { size: 1 });
      const expected = await rejection(
        local.map("nope" as "double", [1]),
        "local",
      );
      const actual = await rejection(
        pool.map("nope" as "double", [1]),
        "cluster",
      );
      assert.equal((actual as Error).name, (expected as Error).name);
      assert.equal((actual as Error).message, (expected as Error).message);
    });

    await t.step(
      "timeout: a TaskTimeoutError for the item that ran over",
      async () => {
        const started = performance.now();
        const error = await rejection(
          pool.map("hang", [1, 2], { timeout: 300, chunkSize: 2 }),
          "a hanging task",
        );
        assert.ok(error instanceof TaskTimeoutError, String(error));
        assert.equal(error.index, 0);
        assert.equal(error.timeoutMs, 300);
        assert.ok(performance.now() - started < 5_000);
      },
    );

    await t.step(
      "signal: rejects with its reason and removes the queued chunks",
      async () => {
        const controller = new AbortController();
        const items = Array.from(
          { length: 20 },
          (_, i) => [i, 2_000] as [number, number],
        );
        const pending = pool.starmap("slow", items, {
          chunkSize: 1,
          signal: controller.signal,
        });
        await eventually(
          async () => (await messages("paralelo")) === 20,
          "20 chunks queued",
        );
        controller.abort(new Error("enough"));
        const error = await rejection(pending, "the aborted call");
        assert.equal((error as Error).message, "enough");
        await eventually(
          async () => (await messages("paralelo")) === 0,
          "the chunks removed",
        );
        // Those that ran on a consumer finish there; their results are dropped.
        await eventually(
          async () => (await messages("paralelo_results")) === 0,
          "their results dropped",
        );
      },
    );

    await t.step(
      "terminate() settles every call and removes its chunks",
      async () => {
        const other = new ClusterPool<typeof tasks>(TASKS, {
          servers: nats.url,
        });
        const items = Array.from(
          { length: 30 },
          (_, i) => [i, 2_000] as [number, number],
        );
        const calls = [
          other.starmap("slow", items, { chunkSize: 1 }),
          other.apply("slow", [1, 2_000]),
          Array.fromAsync(other.imap("double", [1, 2, 3])),
        ];
        await eventually(
          async () => (await messages("paralelo")) >= 30,
          "the chunks queued",
        );
        other.terminate();
        for (const call of calls) {
          assert.ok(
            await rejection(call, "a terminated call") instanceof
              PoolClosedError,
          );
        }
        await deadline(other.join(), "terminate to clean up");
        assert.equal(await messages("paralelo"), 0);
        const consumers = await Array.fromAsync(
          await jsm.consumers.list("paralelo_results"),
        );
        assert.equal(
          consumers.length,
          1,
          "only the first pool's results consumer is left",
        );
        await assert.rejects(other.map("double", [1]), PoolClosedError);
      },
    );

    await t.step("the pool still works after all that", async () => {
      assert.deepEqual(await deadline(pool.map("double", [1, 2]), "map"), [
        2,
        4,
      ]);
    });
  });
});
