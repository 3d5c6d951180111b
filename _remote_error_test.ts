// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { moduleLoadError } from "./_remote_error.ts";

const origin = {
  module: "./tasks.js",
  url: "http://127.0.0.1:8000/tasks.js",
  resolution: "relative to the page http://127.0.0.1:8000/",
};

Deno.test("moduleLoadError() tells what kind of failure each runtime's loader reported", () => {
  const cases: Array<[Error, string]> = [
    // Deno
    [
      Object.assign(new TypeError('Module not found "file:///x/tasks.ts".'), {
        code: "ERR_MODULE_NOT_FOUND",
      }),
      "not-found",
    ],
    // Node
    [
      Object.assign(new Error("Cannot find module '/x/tasks.js'"), {
        code: "ERR_MODULE_NOT_FOUND",
      }),
      "not-found",
    ],
    // Chromium and Firefox, for a 404 or any failed fetch
    [
      new TypeError(
        "Failed to fetch dynamically imported module: http://127.0.0.1:8000/tasks.js",
      ),
      "not-found",
    ],
    [
      new TypeError(
        "error loading dynamically imported module: http://127.0.0.1:8000/tasks.js",
      ),
      "not-found",
    ],
    [new Error("the module's own top-level code threw"), "threw"],
  ];
  for (const [cause, kind] of cases) {
    const error = moduleLoadError(origin, cause);
    assert.equal(error.kind, kind, cause.message);
    assert.equal(error.cause, cause);
  }
});
