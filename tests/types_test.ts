// Copyright 2026 the @paralelo/pool authors. MIT license.
// The typing contract: `deno test` type-checks this file, so each
// `@ts-expect-error` below fails the run if the error it expects goes away.
import assert from "node:assert/strict";
import type { AsyncResult, Pool } from "../mod.ts";
import type * as tasks from "./workers/tasks.ts";
import { fixture } from "./_helpers.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends
  (<T>() => T extends B ? 1 : 2) ? true
  : false;
function expectType<A, B>(_proof: Equal<A, B>): void {}

/** Never called: only compiled. */
function contract(pool: Pool<typeof tasks>, plain: Pool): void {
  const doubled = pool.map("double", [1, 2]);
  expectType<typeof doubled, Promise<number[]>>(true);
  const later = pool.mapAsync("later", [1]);
  expectType<typeof later, AsyncResult<number[]>>(true);
  const sum = pool.apply("add", [1, 2]);
  expectType<typeof sum, Promise<number>>(true);
  const sums = pool.starmap("add", [[1, 2]]);
  expectType<typeof sums, Promise<number[]>>(true);
  const stream = pool.imap("double", [1]);
  expectType<typeof stream, AsyncGenerator<number, void, undefined>>(true);
  const inline = plain.map((x: number) => String(x), [1]);
  expectType<typeof inline, Promise<string[]>>(true);
  const asyncInline = plain.map((x: number) => Promise.resolve([x]), [1]);
  expectType<typeof asyncInline, Promise<number[][]>>(true);

  // @ts-expect-error: no export of that name
  pool.map("tripple", [1]);
  // @ts-expect-error: an export that is not a function
  pool.map("notATask", [1]);
  // @ts-expect-error: wrong item type for the task
  pool.map("double", ["one"]);
  // @ts-expect-error: wrong argument list for the task
  pool.apply("add", [1, "2"]);
  // @ts-expect-error: a pool without a module has no named tasks
  plain.map("double", [1]);
  // @ts-expect-error: wrong item type for an inline function
  plain.map((x: number) => x, ["a"]);
}

Deno.test("the pool's types check task names, arguments and results", () => {
  assert.equal(typeof contract, "function");
  // The fixture the contract is typed against exists and is a module URL.
  assert.equal(fixture("tasks.ts").protocol, "file:");
});
