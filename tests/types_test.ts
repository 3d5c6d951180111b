// Copyright 2026 the @paralelo/pool authors. MIT license.
// The typing contract: `deno test` type-checks this file, so each
// `@ts-expect-error` below fails the run if the error it expects goes away.
import assert from "node:assert/strict";
import {
  type AsyncResult,
  type NoModule,
  Pool,
  type TaskName,
  type TaskParameters,
  type TaskResult,
  type UntypedModule,
} from "../mod.ts";
import type * as tasks from "./workers/tasks.ts";
import { fixture } from "./_helpers.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends
  (<T>() => T extends B ? 1 : 2) ? true
  : false;
function expectType<A, B>(_proof: Equal<A, B>): void {}

/** Never called: only compiled. */
function contract(pool: Pool<typeof tasks>, plain: Pool<NoModule>): void {
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
  // @ts-expect-error: a misspelling, on every method
  pool.apply("dubble", [1]);
  // @ts-expect-error: a misspelling, on every method
  pool.imap("dubble", [1]);
  // @ts-expect-error: a misspelling, on every method
  pool.starmapAsync("ad", [[1, 2]]);
}

/** A pool made from a URL with no type argument: usable, loosely typed. */
function untyped(url: URL): void {
  const pool = new Pool(url);
  expectType<typeof pool, Pool<UntypedModule>>(true);
  // Any name compiles (the workers check it); arguments and results are
  // unknown, as nothing says what they are.
  const results = pool.map("double", [1, "two"]);
  expectType<typeof results, Promise<unknown[]>>(true);
  const future = pool.mapAsync("double", [1]);
  expectType<typeof future, AsyncResult<unknown[]>>(true);
  const one = pool.apply("add", [1, 2]);
  expectType<typeof one, Promise<unknown>>(true);
  const none = pool.apply("nothing");
  expectType<typeof none, Promise<unknown>>(true);
  const spread = pool.starmap("add", [[1, 2]]);
  expectType<typeof spread, Promise<unknown[]>>(true);
  const stream = pool.imapUnordered("double", [1]);
  expectType<typeof stream, AsyncGenerator<unknown, void, undefined>>(true);
  // Inline functions keep their types on an untyped pool.
  const inline = pool.map((x: number) => x * 2, [1]);
  expectType<typeof inline, Promise<number[]>>(true);
  const inferred = pool.map((x) => x * 2, [1, 2]);
  expectType<typeof inferred, Promise<number[]>>(true);
  // A pool created without a module has the same type: a name compiles,
  // and fails at run time with a TypeError that says there is no module.
  const plain = new Pool({ size: 1 });
  expectType<typeof plain, Pool<UntypedModule>>(true);
  // Typing the pool as Pool<NoModule> makes that a compile error instead.
  const strict: Pool<NoModule> = new Pool({ size: 1 });
  // @ts-expect-error: a Pool<NoModule> has no named tasks
  strict.map("double", [1]);
  // Not everything goes: the options are still checked.
  // @ts-expect-error: chunkSize is a number
  pool.map("double", [1], { chunkSize: "2" });
  // @ts-expect-error: the items must be iterable
  pool.map("double", 5);
}

/** The task types themselves, which the messages show. */
function taskTypes(): void {
  expectType<
    TaskName<typeof tasks>,
    "double" | "add" | "later" | "failOn" | "nothing"
  >(true);
  expectType<TaskName<UntypedModule>, string>(true);
  expectType<TaskName<NoModule>, never>(true);
  expectType<TaskParameters<typeof tasks, "add">, [number, number]>(true);
  expectType<TaskParameters<UntypedModule, "anything">, unknown[]>(true);
  expectType<TaskResult<typeof tasks, "later">, number>(true);
  expectType<TaskResult<UntypedModule, "anything">, unknown>(true);
}

Deno.test("the pool's types check task names, arguments and results", () => {
  assert.equal(typeof contract, "function");
  assert.equal(typeof untyped, "function");
  assert.equal(typeof taskTypes, "function");
  // The fixture the contract is typed against exists and is a module URL.
  assert.equal(fixture("tasks.ts").protocol, "file:");
});
