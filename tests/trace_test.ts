// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { DOMParser } from "linkedom";
import { Pool, timelineSvg, traceEvents } from "../mod.ts";
import { deadline, rejection, test, withPool } from "./_helpers.ts";

const work = async (ms: number) => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ms;
};

test("trace: every item once, start <= end, never more running than workers", async (backend) => {
  await withPool(new Pool({ backend, size: 3, trace: true }), async (pool) => {
    const items = Array.from({ length: 40 }, (_, i) => i % 5);
    await deadline(pool.map(work, items, { chunkSize: 2 }), "traced map");
    await deadline(pool.map((x: number) => x, [1, 2, 3]), "a second call");
    const { spans, size } = pool.trace();
    assert.equal(size, 3);
    const first = spans.filter((s) => s.count === 2 || s.start < 40).filter((
      s,
    ) => s.call === spans[0]!.call);
    const covered = first.flatMap((s) =>
      Array.from({ length: s.count }, (_, i) => s.start + i)
    )
      .sort((a, b) => a - b);
    assert.deepEqual(covered, items.map((_, i) => i));
    for (const span of spans) {
      assert.ok(span.enqueued <= span.sent + 1e-6, "enqueued after sent");
      assert.ok(span.started <= span.ended, "started after ended");
      assert.ok(span.ok);
    }
    // At no instant do more spans run than there are workers.
    const edges = spans.flatMap((s) => [[s.started, 1], [s.ended, -1]] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let running = 0;
    for (const [, step] of edges) {
      running += step;
      assert.ok(running <= 3, `${running} spans at once on 3 workers`);
    }
    // A worker runs its chunks one after the other.
    for (const worker of new Set(spans.map((s) => s.worker))) {
      const mine = spans.filter((s) => s.worker === worker).sort((a, b) =>
        a.started - b.started
      );
      for (let i = 1; i < mine.length; i++) {
        assert.ok(mine[i]!.started >= mine[i - 1]!.ended - 1e-3);
      }
    }
  });
});

test("trace: a failed or crashed chunk is a span marked not ok", async (backend) => {
  await withPool(new Pool({ backend, size: 1, trace: true }), async (pool) => {
    await rejection(
      pool.apply(() => {
        throw new Error("x");
      }),
      "a failing task",
    );
    await rejection(pool.apply(() => Deno.exit(1)), "an exiting task");
    const spans = pool.trace().spans;
    assert.equal(spans.length, 2);
    assert.ok(spans.every((s) => !s.ok));
  });
});

test("trace() throws on a pool without tracing", async (backend) => {
  await withPool(new Pool({ backend, size: 1 }), (pool) => {
    assert.throws(() => pool.trace(), /new Pool\(\{ trace: true \}\)/);
    return Promise.resolve();
  });
});

test("timelineSvg() is well-formed SVG with a bar per chunk and the serial row", async (backend) => {
  await withPool(new Pool({ backend, size: 2, trace: true }), async (pool) => {
    await deadline(pool.map(work, [5, 10, 15, 20], { chunkSize: 1 }), "map");
    const svg = timelineSvg(pool.trace(), {
      title: 'Sleep <"&">',
      serial: [{ label: "sleep(5)", start: 0, end: 5 }, {
        label: "sleep(10)",
        start: 5,
        end: 15,
      }],
    });
    const document = new DOMParser().parseFromString(svg, "image/svg+xml");
    const root = document.documentElement;
    assert.equal(root.tagName.toLowerCase(), "svg");
    assert.equal(document.querySelectorAll("rect.span").length, 4);
    assert.equal(document.querySelectorAll("rect.serial").length, 2);
    assert.match(svg, /Sleep &lt;&quot;&amp;&quot;&gt;/);
    assert.match(svg, /worker 1/);
    for (const rect of document.querySelectorAll("rect.span")) {
      assert.ok(Number(rect.getAttribute("width")) > 0);
    }
  });
});

test("traceEvents() exports Chrome trace JSON, a complete event per chunk", async (backend) => {
  await withPool(new Pool({ backend, size: 2, trace: true }), async (pool) => {
    await deadline(
      pool.map((x: number) => x, [1, 2, 3], { chunkSize: 1 }),
      "map",
    );
    const exported = JSON.parse(JSON.stringify(traceEvents(pool.trace())));
    const complete = exported.traceEvents.filter((e: { ph: string }) =>
      e.ph === "X"
    );
    assert.equal(complete.length, 3);
    for (const event of complete) {
      assert.equal(typeof event.ts, "number");
      assert.ok(event.dur >= 0);
      assert.equal(event.pid, 1);
    }
    assert.ok(
      exported.traceEvents.some((e: { name: string }) =>
        e.name === "thread_name"
      ),
    );
  });
});

test("traceEvents() puts chunks that overlap on one worker on threads of their own", async (backend) => {
  await withPool(
    new Pool({ backend, size: 1, concurrency: 2, trace: true }),
    async (pool) => {
      // Each chunk waits until both have started: they overlap for sure.
      const started = new Int32Array(new SharedArrayBuffer(4));
      await deadline(
        pool.map(
          async ({ started }: { started: Int32Array }) => {
            Atomics.add(started, 0, 1);
            Atomics.notify(started, 0);
            while (Atomics.load(started, 0) < 2) {
              await Atomics.waitAsync(started, 0, 1, 50).value;
            }
            return true;
          },
          [{ started }, { started }],
          { chunkSize: 1 },
        ),
        "map",
      );
      const { traceEvents: events } = traceEvents(pool.trace());
      const complete = events.filter((e) => e.ph === "X");
      assert.equal(complete.length, 2);
      const [a, b] = complete as [typeof complete[0], typeof complete[0]];
      assert.ok(a.ts! + a.dur! > b.ts!, "the two chunks overlap in time");
      assert.notEqual(a.tid, b.tid, "so they are on two threads");
      assert.equal(a.args?.worker, b.args?.worker, "of the same worker");
      const names = events.filter((e) => e.name === "thread_name").map((e) =>
        e.args?.name
      );
      assert.deepEqual(names.sort(), [
        `worker ${a.args?.worker}, lane 1 of 2`,
        `worker ${a.args?.worker}, lane 2 of 2`,
      ]);
    },
  );
});
