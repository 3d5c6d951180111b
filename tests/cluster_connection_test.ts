// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * ClusterPool when the cluster is not all there: no consumer, no server,
 * a server lost mid-call (for good, or for a moment), and a server that
 * wants credentials. Never a hang.
 */
import assert from "node:assert/strict";
import {
  ClusterConnectionError,
  ClusterPool,
  NoConsumerError,
} from "../cluster/mod.ts";
import type * as tasks from "./fixtures/cluster_tasks.ts";
import {
  clusterTest,
  deadline,
  eventually,
  freePort,
  inspector,
  ROOT,
  startConsumer,
  startNats,
  TASKS,
  track,
  withCleanup,
} from "./fixtures/cluster_harness.ts";
import { rejection, runDeno } from "./_helpers.ts";

clusterTest(
  "ClusterPool with no consumer: it waits, warns with the command, and honours timeout and signal",
  async () => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      const warnings: { at: number; message: string }[] = [];
      const started = performance.now();
      const pool = track(
        cleanup,
        new ClusterPool<typeof tasks>(TASKS, {
          servers: nats.url,
          onWarning: (message) =>
            warnings.push({ at: performance.now(), message }),
        }),
      );
      const waiting = pool.map("double", [1, 2, 3]);
      const timedOut = rejection(
        pool.map("double", [1], { timeout: 1_000 }),
        "a call with a timeout",
      );
      const controller = new AbortController();
      const aborted = rejection(
        pool.map("double", [1], { signal: controller.signal }),
        "an aborted call",
      );
      setTimeout(() => controller.abort(new Error("stop waiting")), 500);
      assert.equal(((await aborted) as Error).message, "stop waiting");
      const timeout = await timedOut;
      assert.ok(timeout instanceof NoConsumerError, String(timeout));
      assert.match(
        timeout.message,
        /no consumer ran on nats:\/\/127\.0\.0\.1:\d+ for its timeout of 1000 ms/,
      );
      await eventually(() => warnings.length > 0, "the warning", 8_000);
      const warning = warnings[0]!;
      const after = warning.at - started;
      assert.ok(after >= 2_900 && after < 5_000, `warned after ${after} ms`);
      assert.match(
        warning.message,
        /no consumer has taken work from stream 'paralelo'/,
      );
      assert.ok(
        warning.message.includes(
          `deno run -A jsr:@paralelo/pool/cluster/worker --servers ${nats.url}`,
        ),
        warning.message,
      );
      console.log(
        `warned after ${(after / 1000).toFixed(2)} s:\n${warning.message}`,
      );
      // The call still waits; a consumer that comes runs it.
      await startConsumer(cleanup, { servers: nats.url, size: 1 });
      assert.deepEqual(
        await deadline(waiting, "the call once a consumer came"),
        [2, 4, 6],
      );
      assert.equal(
        warnings.length,
        1,
        "one warning, not one per call or per tick",
      );
    });
  },
);

clusterTest(
  "ClusterPool with no server: a clear error that names it, at once",
  async () => {
    await withCleanup(async (cleanup) => {
      const url = `nats://127.0.0.1:${freePort()}`;
      const started = performance.now();
      const pool = track(cleanup, new ClusterPool({ servers: url }));
      const error = await rejection(
        pool.map((x: number) => x, [1]),
        "a call with no server",
      );
      assert.ok(error instanceof ClusterConnectionError, String(error));
      assert.ok(error.message.includes(url), error.message);
      assert.match(error.message, /connection refused: start one there/);
      assert.ok(performance.now() - started < 3_000);
      // The consumer's command line says the same, in one line, exit code 1.
      const child = await runDeno([
        "run",
        "-A",
        "cluster/worker.ts",
        "--servers",
        url,
      ], {
        cwd: ROOT.pathname,
      });
      assert.equal(child.code, 1);
      assert.equal(child.stderr.trim().split("\n").length, 1, child.stderr);
      assert.ok(child.stderr.includes(url), child.stderr);
    });
  },
);

clusterTest(
  "ClusterPool: the server lost mid-call, for good and for a moment",
  async (t) => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      await startConsumer(cleanup, { servers: nats.url, size: 2 });
      const pool = track(
        cleanup,
        new ClusterPool<typeof tasks>(TASKS, {
          servers: nats.url,
          reconnectTimeout: 1_000,
        }),
      );
      await deadline(pool.ready(), "the pool to connect");

      await t.step(
        "lost past reconnectTimeout: the call fails, naming the server",
        async () => {
          const items = Array.from(
            { length: 20 },
            (_, i) => [i, 300] as [number, number],
          );
          const started = Promise.withResolvers<void>();
          const call = pool.starmap("slow", items, {
            chunkSize: 1,
            onProgress: () => started.resolve(),
          });
          await deadline(started.promise, "the first results");
          const killedAt = performance.now();
          await nats.kill();
          const error = await rejection(call, "the call on a lost server");
          const ms = performance.now() - killedAt;
          assert.ok(error instanceof ClusterConnectionError, String(error));
          assert.ok(error.message.includes(nats.url), error.message);
          assert.match(error.message, /did not come back within 1000 ms/);
          assert.ok(ms < 3_000, `failed ${ms} ms after the server died`);
          console.log(
            `the call failed ${
              ms.toFixed(0)
            } ms after the server died: ${error.message}`,
          );
          // While it is down past the timeout, new calls fail at once too.
          assert.ok(
            (await rejection(
              pool.map("double", [1]),
              "a call while lost",
            )) instanceof
              ClusterConnectionError,
          );
        },
      );

      await t.step(
        "back again: new calls run, the failed call's chunks are gone",
        async () => {
          await nats.restart();
          const { jsm } = await inspector(cleanup, nats.url);
          await eventually(
            async () => {
              try {
                return (await pool.map("double", [1, 2], { timeout: 5_000 }))
                  .length === 2;
              } catch {
                return false;
              }
            },
            "a call after the server came back",
            15_000,
          );
          // Nothing of the failed call is left to run: its chunks were removed.
          // (A chunk acked just before the server was killed may stay in the
          // stream, pending for no consumer: nats-server 2.9.10 after SIGKILL.)
          await eventually(
            async () => {
              const info = await jsm.consumers.info("paralelo", "workers");
              return info.num_pending === 0 && info.num_ack_pending === 0;
            },
            "the failed call's chunks removed",
          );
        },
      );

      await t.step(
        "back within reconnectTimeout: the call goes on and completes",
        async () => {
          const patient = track(
            cleanup,
            new ClusterPool<typeof tasks>(TASKS, {
              servers: nats.url,
              reconnectTimeout: 20_000,
            }),
          );
          await deadline(patient.ready(), "the pool to connect");
          const items = Array.from(
            { length: 20 },
            (_, i) => [i, 200] as [number, number],
          );
          const started = Promise.withResolvers<void>();
          const call = patient.starmap("slow", items, {
            chunkSize: 1,
            onProgress: () => started.resolve(),
          });
          await deadline(started.promise, "the first results");
          await nats.kill();
          await new Promise((resolve) => setTimeout(resolve, 500));
          await nats.restart();
          const values = await deadline(
            call,
            "the call across a restart",
            30_000,
          );
          assert.deepEqual(values.map((v) => v.x), items.map(([x]) => x));
        },
      );
    });
  },
);

clusterTest(
  "ClusterPool with credentials: user:pass in the URL or in the options",
  async () => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup, {
        config: 'authorization {\n  user: alice\n  password: "s3cret"\n}\n',
      });
      const withPassword = `nats://alice:s3cret@127.0.0.1:${nats.port}`;
      const consumer = await startConsumer(cleanup, {
        servers: withPassword,
        size: 1,
      });
      assert.ok(
        !consumer.log.includes("s3cret"),
        "the consumer does not print the password",
      );
      assert.ok(consumer.log.includes("nats://alice:***@"), consumer.log);
      const inUrl = track(cleanup, new ClusterPool({ servers: withPassword }));
      assert.deepEqual(
        await deadline(inUrl.map((x: number) => x + 1, [1, 2]), "in the URL"),
        [2, 3],
      );
      const inOptions = track(
        cleanup,
        new ClusterPool({
          servers: nats.url,
          connection: { user: "alice", pass: "s3cret" },
        }),
      );
      assert.deepEqual(
        await deadline(inOptions.map((x: number) => x * 3, [1]), "in options"),
        [3],
      );
      const wrong = track(
        cleanup,
        new ClusterPool({
          servers: `nats://alice:wrong@127.0.0.1:${nats.port}`,
        }),
      );
      const error = await rejection(wrong.ready(), "a wrong password");
      assert.ok(error instanceof ClusterConnectionError, String(error));
      assert.match(error.message, /refused the credentials/);
      assert.ok(
        error.message.includes(`nats://alice:***@127.0.0.1:${nats.port}`),
        error.message,
      );
      assert.ok(
        !error.message.includes("wrong"),
        "the password is not in the message",
      );
      const none = track(cleanup, new ClusterPool({ servers: nats.url }));
      assert.ok(
        (await rejection(none.ready(), "no password")) instanceof
          ClusterConnectionError,
      );
    });
  },
);
