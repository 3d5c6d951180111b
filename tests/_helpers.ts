// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Test helpers. A hang is the worst bug a pool can have, so every await in
 * the tests goes through `deadline`, and every pool through `withPool`.
 *
 * @module
 */
import type { Backend, Pool } from "../mod.ts";

/**
 * Every thread backend a pool can run on. Each behaviour test runs once per
 * backend, through {@linkcode test}.
 */
export const BACKENDS = ["web", "node"] as const satisfies readonly Backend[];

/** Options for {@linkcode test}. */
export interface BackendTestOptions {
  /**
   * Run the test on this backend only, for a behaviour only it has (a
   * warning only Web Workers give, `permissions`, `maxHeapMb`). Say why in a
   * comment at the call.
   */
  only?: Backend;
}

/**
 * `Deno.test`, once per backend in {@linkcode BACKENDS} (or only
 * `options.only`): registers `name [web]` and `name [node]`, and calls `fn`
 * with the backend, which the test passes into every pool it makes:
 * `new Pool({ backend, size: 2 })`. Run one backend with
 * `deno test --filter "[node]"`.
 *
 * Named `test` so that `deno fmt` keeps `test("name", async (backend) => {`
 * on one line, as it does `Deno.test(...)`: a test's body keeps its indent.
 */
export function test(
  name: string,
  fn: (backend: Backend) => Promise<void> | void,
  options: BackendTestOptions = {},
): void {
  for (const backend of BACKENDS) {
    if (options.only !== undefined && options.only !== backend) continue;
    Deno.test(`${name} [${backend}]`, () => fn(backend));
  }
}

/** The default deadline: generous, as CI machines are slow and shared. */
export const DEADLINE_MS = 20_000;

/**
 * Resolves or rejects like `promise`, or rejects if it has not settled
 * within `ms`, naming what hung.
 */
export function deadline<T>(
  promise: PromiseLike<T>,
  what: string,
  ms: number = DEADLINE_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Hang: ${what} did not settle within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([Promise.resolve(promise), expired]).finally(() =>
    clearTimeout(timer)
  );
}

/** Settles with the rejection reason, or fails if `promise` fulfils. */
export async function rejection(
  promise: PromiseLike<unknown>,
  what: string,
): Promise<unknown> {
  try {
    const value = await deadline(promise, what);
    throw new Error(`Expected ${what} to reject, but it gave ${String(value)}`);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Hang:")) {
      throw error;
    }
    if (error instanceof Error && error.message.startsWith("Expected ")) {
      throw error;
    }
    return error;
  }
}

/** Collects an async iterable under a deadline. */
export function collect<T>(
  iterable: AsyncIterable<T>,
  what: string,
): Promise<T[]> {
  return deadline(Array.fromAsync(iterable), what);
}

/** Runs `body` with the pool, then closes it and waits (under a deadline). */
export async function withPool<M>(
  pool: Pool<M>,
  body: (pool: Pool<M>) => Promise<void>,
): Promise<void> {
  try {
    await body(pool);
  } finally {
    pool.close();
    try {
      await deadline(pool.join(), "closing the pool");
    } catch (error) {
      pool.terminate();
      // deno-lint-ignore no-unsafe-finally
      throw error;
    }
  }
}

/** The URL of a test fixture module under `tests/workers/`. */
export function fixture(name: string): URL {
  return new URL(`./workers/${name}`, import.meta.url);
}

/** What a child process did. */
export interface ChildResult {
  code: number;
  /** True if the deadline ran out and the child was killed. */
  killed: boolean;
  stdout: string;
  stderr: string;
  /** How long it ran, in ms. */
  ms: number;
}

/** Options of {@linkcode runChild} and {@linkcode runDeno}. */
export interface ChildOptions {
  /** Written to its stdin, which is closed after. @default {no stdin} */
  stdin?: string;
  /** Kill it after this many ms. @default {DEADLINE_MS} */
  ms?: number;
  /** Its working directory. @default {the repository's root} */
  cwd?: string | URL;
  /** More environment variables (`NO_COLOR=1` is always set). */
  env?: Record<string, string>;
}

/**
 * Runs `command` with `args` in a child process, feeding `stdin`, and kills
 * it if it has not exited within `ms`: a child that hangs is a failure,
 * never a test that hangs.
 */
export async function runChild(
  command: string,
  args: string[],
  options: ChildOptions = {},
): Promise<ChildResult> {
  const ms = options.ms ?? DEADLINE_MS;
  const started = performance.now();
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd ?? new URL("..", import.meta.url),
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).spawn();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // It had just exited.
    }
  }, ms);
  try {
    if (options.stdin !== undefined) {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode(options.stdin));
      await writer.close();
    }
    const output = await deadline(
      child.output(),
      `${command} ${args.join(" ")}`,
      ms + 5_000,
    );
    const decoder = new TextDecoder();
    return {
      code: output.code,
      killed,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      ms: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** {@linkcode runChild} of this `deno`. */
export function runDeno(
  args: string[],
  options: ChildOptions = {},
): Promise<ChildResult> {
  return runChild(Deno.execPath(), args, options);
}
