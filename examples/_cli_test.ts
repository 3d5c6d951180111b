// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { formatRatio, markdownTable } from "./_cli.ts";

Deno.test("markdownTable() aligns the first column left and the rest right, headers too", () => {
  assert.equal(
    markdownTable(["step", "serial", "speedup"], [
      ["sleep", "10.01 s", "2.5x"],
      ["x ** 10_000_000", "1.07 s", "1.7x"],
    ]),
    [
      "| step            |  serial | speedup |",
      "|-----------------|---------|---------|",
      "| sleep           | 10.01 s |    2.5x |",
      "| x ** 10_000_000 |  1.07 s |    1.7x |",
    ].join("\n"),
  );
  assert.equal(markdownTable(["a"], []), "| a |\n|---|");
});

Deno.test("formatRatio() keeps one significant digit under 0.1", () => {
  assert.equal(formatRatio(2.54), "2.5x");
  assert.equal(formatRatio(0.04), "0.04x");
});
