// Copyright 2026 the @paralelo/pool authors. MIT license.
/** The consumer's command line: --help, and one line with exit code 2 for a bad flag. */
import assert from "node:assert/strict";
import { ClusterPool } from "../cluster/mod.ts";
import { runDeno } from "./_helpers.ts";
import {
  clusterTest,
  deadline,
  startConsumer,
  startNats,
  withCleanup,
} from "./fixtures/cluster_harness.ts";

const WORKER = ["run", "-A", "cluster/worker.ts"];

Deno.test("cluster/worker.ts --help lists every flag", async () => {
  const { code, stdout } = await runDeno([...WORKER, "--help"]);
  assert.equal(code, 0);
  for (
    const flag of [
      "--servers",
      "--name",
      "--size",
      "--ack-wait",
      "--drain-timeout",
      "--permissions",
      "--unstable-worker-options",
      "--help",
    ]
  ) {
    assert.ok(stdout.includes(flag), `${flag} in:\n${stdout}`);
  }
  assert.match(
    stdout,
    /^Usage: deno run -A jsr:@paralelo\/pool\/cluster\/worker/,
  );
});

Deno.test("cluster/worker.ts refuses bad flags in one line, exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--size", "0"], /'--size' must be a positive integer: received 0/],
    [["--size", "two"], /'--size' must be a positive integer: received two/],
    [
      ["--ack-wait", "-5"],
      /'--ack-wait' must be a positive number of milliseconds/,
    ],
    [["--name", "a.b"], /'--name' must be 1 to 64 letters/],
    [["--servers"], /argument missing|requires a value|--servers/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runDeno([...WORKER, ...args]);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(
      stderr.trim().split("\n").length,
      1,
      `${args.join(" ")}: ${stderr}`,
    );
    assert.match(stderr, pattern);
  }
});

Deno.test("new ClusterPool() refuses bad options with what to do", () => {
  assert.throws(
    () => new ClusterPool({} as never),
    /'servers' must be a NATS server's URL/,
  );
  assert.throws(
    () => new ClusterPool({ servers: "nats://127.0.0.1:1", name: "a b" }),
    /'name' must be 1 to 64 letters, digits/,
  );
  assert.throws(
    () => new ClusterPool({ servers: "nats://127.0.0.1:1", size: 0 }),
    /'size' must be a positive integer/,
  );
  assert.throws(
    () => new ClusterPool(undefined as never),
    /'options' must be an object with 'servers'/,
  );
});

clusterTest(
  "deno task cluster-demo scrapes through the cluster and the local pool, the same files",
  async () => {
    const out = await Deno.makeTempDir({ prefix: "paralelo-cluster-demo-" });
    try {
      const { code, stdout, stderr } = await runDeno(
        ["run", "-A", "examples/cluster_demo.ts", "--pages", "8", "--out", out],
        { ms: 60_000 },
      );
      assert.equal(code, 0, `${stdout}\n${stderr}`);
      assert.match(stdout, /The same 8 CSV files both ways: yes/);
      assert.match(
        stdout,
        /\| the books scraper, 8 pages, 100 ms per response \| +[\d.]+ s \| +[\d.]+ s \| +[\d.]+x \|/,
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
);

Deno.test("a consumer that cannot see Deno's flags refuses --permissions at start, saying which flag to add", async () => {
  // Without -A it cannot read its command line, so it cannot confirm that
  // Deno runs with --unstable-worker-options: refused before it connects
  // (no server listens on port 1), in one line, exit code 2.
  const narrow = [
    "run",
    "--allow-read",
    "--allow-env",
    "--allow-net",
    "--unstable-worker-options",
    "cluster/worker.ts",
    "--servers",
    "nats://127.0.0.1:1",
    "--permissions",
    "none",
  ];
  const refused = await runDeno(narrow);
  assert.equal(refused.code, 2, refused.stderr);
  assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /^Cannot start the consumer with --permissions as it cannot confirm that Deno runs with --unstable-worker-options.*add --unstable-worker-options after the worker's name too/,
  );
  // With the flag said, it goes on, to the server, which is not there.
  const said = await runDeno([...narrow, "--unstable-worker-options"]);
  assert.equal(said.code, 1, said.stderr);
  assert.match(said.stderr, /127\.0\.0\.1:1/);
});

Deno.test("cluster/worker.ts refuses a bad --permissions in one line, exit code 2", async () => {
  const { code, stderr } = await runDeno([...WORKER, "--permissions", "some"]);
  assert.equal(code, 2, stderr);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(
    stderr,
    /'--permissions' must be none, inherit or a JSON object .*received 'some'/,
  );
});

clusterTest(
  "a consumer's --permissions narrow what the tasks it runs may do",
  async () => {
    await withCleanup(async (cleanup) => {
      const nats = await startNats(cleanup);
      await startConsumer(cleanup, {
        servers: nats.url,
        size: 1,
        permissions: "none",
      });
      const pool = new ClusterPool({ servers: nats.url });
      cleanup.add(() => {
        pool.terminate();
        return pool.join();
      });
      const outcome = await deadline(
        pool.apply(async () => {
          try {
            await Deno.readTextFile("/etc/hostname");
            return "read it";
          } catch (error) {
            return (error as Error).name;
          }
        }),
        "a task that tries to read a file",
      );
      assert.equal(outcome, "NotCapable");
    });
  },
);
