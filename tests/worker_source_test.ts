// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { Worker as NodeWorker } from "node:worker_threads";
import { parse } from "npm:acorn@8.19.0";
import {
  decodeResult,
  encodeRun,
  type FromWorker,
  type InitMessage,
  type ResultMessage,
  type RunMessage,
  SharedState,
  type TaskRef,
  type ToWorker,
} from "../_protocol.ts";
import { NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from "../_worker_source.ts";
import { OUTPUT, renderWorkerSource } from "../tools/build_worker.ts";
import { deadline } from "./_helpers.ts";

Deno.test("the committed _worker_source.ts is what `deno task build` writes", async () => {
  const expected = await deadline(renderWorkerSource(), "bundling the worker");
  const committed = await Deno.readTextFile(
    new URL(`../${OUTPUT}`, import.meta.url),
  );
  assert.ok(
    committed === expected,
    `${OUTPUT} is out of date with the _worker sources: run \`deno task build\``,
  );
});

interface Node {
  type: string;
  [key: string]: unknown;
}

/** Every node of an acorn AST, depth first. */
function* walk(node: unknown): Generator<Node> {
  if (Array.isArray(node)) {
    for (const child of node) yield* walk(child);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const value = node as Node;
  if (typeof value.type !== "string") return;
  yield value;
  for (const [key, child] of Object.entries(value)) {
    if (key !== "type") yield* walk(child);
  }
}

interface ModuleShape {
  /** The specifiers of the static imports. */
  imports: string[];
  exports: number;
  /** Dynamic imports, and whether each has a literal specifier. */
  dynamicImports: { literal: boolean }[];
  /** References to `require` or `import.meta`. */
  requires: number;
  importMeta: number;
}

function shapeOf(source: string): ModuleShape {
  const ast = parse(source, { ecmaVersion: "latest", sourceType: "module" });
  const shape: ModuleShape = {
    imports: [],
    exports: 0,
    dynamicImports: [],
    requires: 0,
    importMeta: 0,
  };
  for (const node of walk(ast)) {
    switch (node.type) {
      case "ImportDeclaration":
        shape.imports.push(String((node.source as { value: unknown }).value));
        break;
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
      case "ExportAllDeclaration":
        shape.exports++;
        break;
      case "ImportExpression":
        shape.dynamicImports.push({
          literal: (node.source as Node).type === "Literal",
        });
        break;
      case "Identifier":
        if (node.name === "require") shape.requires++;
        break;
      case "MetaProperty":
        shape.importMeta++;
        break;
    }
  }
  return shape;
}

Deno.test("each worker source is self-contained, as it runs from a blob: or data: URL", () => {
  // The one dynamic import is the pool's module, by its absolute URL: no
  // relative or bare specifier could resolve against a blob: or data: URL.
  const onlyThePoolsModule = [{ literal: false }];
  assert.deepEqual(shapeOf(WEB_WORKER_SOURCE), {
    imports: [],
    exports: 0,
    dynamicImports: onlyThePoolsModule,
    requires: 0,
    importMeta: 0,
  });
  assert.deepEqual(shapeOf(NODE_WORKER_SOURCE), {
    imports: ["node:worker_threads"],
    exports: 0,
    dynamicImports: onlyThePoolsModule,
    requires: 0,
    importMeta: 0,
  });
});

const DOUBLE: TaskRef = {
  kind: "source",
  name: "double",
  source: "(x) => x * 2",
};

let nextLock = 1;

function initMessage(state: SharedState): InitMessage {
  return {
    type: "init",
    workerId: 1,
    module: null,
    state: state.buffer,
    initializer: null,
    lock: `@paralelo/pool worker_source_test ${nextLock++}`,
    initArgs: [],
  };
}

function runMessage(id: number, task: TaskRef, items: unknown[]): RunMessage {
  return {
    type: "run",
    id,
    task: id,
    define: task,
    spread: false,
    transfer: false,
    timed: false,
    items,
  };
}

/**
 * Resolves once the worker has said, in the shared state, that it is idle:
 * it does so just after it posts a result, so the result can come first.
 */
async function idle(state: SharedState): Promise<void> {
  while (!state.idle) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The first result a worker posts, decoded; rejects on anything else. */
function firstResult(
  onMessage: (listener: (message: FromWorker) => void) => void,
): Promise<ResultMessage> {
  return new Promise((resolve, reject) => {
    onMessage((message) => {
      if (Array.isArray(message)) resolve(decodeResult(message));
      else reject(new Error(`Unexpected message ${JSON.stringify(message)}`));
    });
  });
}

Deno.test("WEB_WORKER_SOURCE starts in a Web Worker and runs an inline task", async () => {
  const url = URL.createObjectURL(
    new Blob([WEB_WORKER_SOURCE], { type: "text/javascript" }),
  );
  const worker = new Worker(url, { type: "module" });
  try {
    const errored = new Promise<never>((_, reject) => {
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`The worker failed: ${event.message}`));
      };
    });
    const result = firstResult((listener) => {
      worker.onmessage = (event: MessageEvent<FromWorker>) =>
        listener(event.data);
    });
    const state = new SharedState(new SharedArrayBuffer(SharedState.BYTES));
    const post = (message: ToWorker) => worker.postMessage(message);
    post(initMessage(state));
    post(encodeRun(runMessage(7, DOUBLE, [1, 2, 3])));
    const reply = await deadline(
      Promise.race([result, errored]),
      "the Web Worker's result",
    );
    assert.equal(reply.id, 7);
    assert.deepEqual(reply.values, [2, 4, 6]);
    assert.equal(reply.failure, undefined);
    await deadline(idle(state), "the Web Worker going idle");
    // It wrote the last item's offset where the pool reads it.
    assert.equal(state.read(0).offset, 2);
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
});

/** A node worker of NODE_WORKER_SOURCE, and what it sends, in order. */
function startNodeWorker(
  options: { resourceLimits?: { maxOldGenerationSizeMb: number } } = {},
): {
  worker: NodeWorker;
  state: SharedState;
  messages: FromWorker[];
  ended: Promise<{ error: unknown; code: number }>;
} {
  const worker = new NodeWorker(
    new URL(
      `data:text/javascript,${encodeURIComponent(NODE_WORKER_SOURCE)}`,
    ),
    options,
  );
  const messages: FromWorker[] = [];
  worker.on("message", (message: FromWorker) => messages.push(message));
  let error: unknown = null;
  worker.on("error", (e: unknown) => (error = e));
  const ended = new Promise<{ error: unknown; code: number }>((resolve) => {
    worker.on("exit", (code: number) => resolve({ error, code }));
  });
  const state = new SharedState(new SharedArrayBuffer(SharedState.BYTES));
  worker.postMessage(initMessage(state));
  return { worker, state, messages, ended };
}

Deno.test("NODE_WORKER_SOURCE starts in a node:worker_threads Worker and runs an inline task", async () => {
  const { worker, state, messages } = startNodeWorker();
  try {
    const result = firstResult((listener) => worker.on("message", listener));
    const errored = new Promise<never>((_, reject) => {
      worker.on("error", (error: unknown) => reject(error));
      worker.on("exit", (code: number) => {
        reject(new Error(`The worker exited with code ${code}`));
      });
    });
    worker.postMessage(encodeRun(runMessage(7, DOUBLE, [1, 2, 3])));
    const reply = await deadline(
      Promise.race([result, errored]),
      "the node worker's result",
    );
    assert.equal(reply.id, 7);
    assert.deepEqual(reply.values, [2, 4, 6]);
    assert.equal(reply.failure, undefined);
    assert.equal(messages.length, 1);
    await deadline(idle(state), "the node worker going idle");
    assert.equal(state.read(0).offset, 2);
  } finally {
    await worker.terminate();
  }
});

// Allocates without end, in the large-object space, so that the heap limit
// is reached in well under a second.
const ALLOCATE = `(x) => {
  const kept = [];
  for (;;) kept.push(new Array(1e5).fill(x));
}`;

for (
  const { what, task, items } of [
    {
      what: "a chunk",
      task: ALLOCATE,
      items: [1],
    },
    {
      // The second item starts after the first one's promise settled: the
      // worker must go on from a macrotask, not from that microtask.
      what: "an item after an async one",
      task: `async (x) => {
        if (x === 0) return 0;
        (${ALLOCATE})(x);
      }`,
      items: [0, 1],
    },
  ]
) {
  Deno.test(`the node worker's heap limit stops ${what} that allocates without end`, async () => {
    const { worker, ended } = startNodeWorker({
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    try {
      worker.postMessage(
        encodeRun(
          runMessage(
            1,
            { kind: "source", name: "allocate", source: task },
            items,
          ),
        ),
      );
      // In the message handler or a microtask, the limit would not stop it:
      // the worker would thrash until the deadline.
      const { error, code } = await deadline(
        ended,
        `the node worker running ${what} that allocates without end`,
      );
      assert.equal(
        (error as { code?: unknown } | null)?.code,
        "ERR_WORKER_OUT_OF_MEMORY",
      );
      assert.equal(code, 1);
    } finally {
      await worker.terminate();
    }
  });
}
