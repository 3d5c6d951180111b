// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Parallel code as easy in Deno as `multiprocessing.Pool` makes it in
 * Python: a pool of Web Workers with an ordered `map`, futures with
 * `ready`/`wait`/`get`, lazy `imap`, and errors that say what went wrong.
 *
 * ```ts
 * import { Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * assert.deepEqual(await pool.map((x: number) => x ** 2, [1, 2, 3]), [1, 4, 9]);
 * ```
 *
 * @module
 */
export * from "./pool.ts";
export * from "./async_result.ts";
export * from "./cpu_count.ts";
export * from "./errors.ts";
export * from "./jupyter.ts";
export * from "./trace.ts";
export * from "./types.ts";
