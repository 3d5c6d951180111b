// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { deadline, runDeno, test } from "./_helpers.ts";

const root = new URL("..", import.meta.url);

test("a script that maps and closes its pool exits on its own", async (backend) => {
  for (
    const ending of [
      "pool.close();",
      "await pool[Symbol.asyncDispose]();",
      "pool.terminate();",
    ]
  ) {
    const script = `
      import { Pool } from "${new URL("mod.ts", root).href}";
      const pool = new Pool({ backend: "${backend}", size: 2 });
      console.log(JSON.stringify(await pool.map((x) => x * 2, [1, 2, 3])));
      ${ending}
    `;
    const started = performance.now();
    const child = await runDeno(["run", "--quiet", "-"], {
      stdin: script,
      ms: 15_000,
    });
    assert.equal(
      child.killed,
      false,
      `'${ending}' left the process running: ${child.stderr}`,
    );
    assert.equal(child.code, 0, child.stderr);
    assert.equal(child.stdout.trim(), "[2,4,6]");
    assert.ok(performance.now() - started < 15_000);
  }
});

test("the pool works when imported from a remote URL, as from JSR", async (backend) => {
  // Serve the repository over HTTP, and import mod.ts from there: the worker
  // shim must not need a file next to pool.ts.
  const requested: string[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const path = new URL(request.url).pathname;
    requested.push(path);
    try {
      const body = await Deno.readFile(new URL(`.${path}`, root));
      return new Response(body, {
        headers: { "content-type": "application/typescript" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    const script = `
      const { Pool } = await import("${base}/mod.ts");
      await using pool = new Pool("${base}/tests/workers/tasks.ts", { backend: "${backend}", size: 2 });
      const named = await pool.map("double", [1, 2, 3]);
      const inline = await pool.map((x) => x * x, [1, 2, 3]);
      const where = await pool.apply(() => self.location.href);
      console.log(JSON.stringify({ named, inline, where: where.slice(0, 5) }));
    `;
    const child = await runDeno(
      [
        "run",
        "--quiet",
        `--allow-import=127.0.0.1:${server.addr.port}`,
        // No import map: the library must import its dependencies by full
        // specifier, as a user's project knows nothing of ours.
        "--no-config",
        "-",
      ],
      { stdin: script, ms: 30_000 },
    );
    assert.equal(child.killed, false, child.stderr);
    assert.equal(child.code, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      named: [2, 4, 6],
      inline: [1, 4, 9],
      // The worker's code runs from its own URL, not from a file beside
      // pool.ts: a Web Worker's from a blob:, a node worker's from a data:.
      where: backend === "web" ? "blob:" : "data:",
    });
    assert.ok(requested.includes("/pool.ts"));
  } finally {
    await deadline(server.shutdown(), "the test server to shut down");
  }
});
