// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { toTaskRef } from "../_task_ref.ts";
import { workerMain } from "../_worker_shim.ts";

Deno.test("the worker shim is self-contained, as it runs from a blob: URL", () => {
  // The pool's own check for inline tasks: a shim that used anything from
  // its module would fail inside the worker, where that module is not.
  const ref = toTaskRef(workerMain, false);
  assert.equal(ref.kind, "source");
});
