// Copyright 2026 the @paralelo/pool authors. MIT license.
import assert from "node:assert/strict";
import { joinNegativeValues } from "./_cli_args.ts";

Deno.test("joinNegativeValues() joins a negative value to its flag, only for flags with values", () => {
  const takesValue = (name: string) => name === "size" || name === "scale";
  assert.deepEqual(
    joinNegativeValues(
      ["--size", "-1", "--scale", "-.5", "--serial", "-2", "--size", "3"],
      takesValue,
    ),
    ["--size=-1", "--scale=-.5", "--serial", "-2", "--size", "3"],
  );
  assert.deepEqual(joinNegativeValues(["--size"], takesValue), ["--size"]);
});
