// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The future that `mapAsync`, `starmapAsync` and `applyAsync` return:
 * Python's `AsyncResult`, and a `PromiseLike` too.
 *
 * @module
 */
import { checkMilliseconds } from "./_options.ts";

/**
 * The result of work that runs while the caller goes on. Check it with
 * {@linkcode AsyncResult.ready}, wait for it with
 * {@linkcode AsyncResult.wait}, take it with {@linkcode AsyncResult.get}, or
 * simply `await` it.
 *
 * A failure is kept until it is asked for: a future that fails and is never
 * awaited does not cause an unhandled rejection.
 *
 * @typeParam T The type of the value the work produces.
 *
 * @example Check on work while doing something else
 * ```ts
 * import { Pool } from "jsr:@paralelo/pool";
 * import assert from "node:assert/strict";
 *
 * await using pool = new Pool({ size: 2 });
 * const future = pool.mapAsync(async (ms: number) => {
 *   await new Promise((resolve) => setTimeout(resolve, ms));
 *   return ms;
 * }, [300, 300]);
 * assert.equal(future.ready(), false);
 * assert.equal(await future.wait(10), false); // not within 10 ms
 * assert.deepEqual(await future.get(), [300, 300]);
 * assert.equal(future.ready(), true);
 * assert.equal(future.successful(), true);
 * ```
 */
export class AsyncResult<T> implements PromiseLike<T> {
  #promise: Promise<T>;
  #settled: Promise<void>;
  #state: "pending" | "fulfilled" | "rejected" = "pending";

  /**
   * Wraps a promise. Pools create these; there is rarely a reason to.
   *
   * @param promise The work's promise.
   */
  constructor(promise: Promise<T>) {
    this.#promise = promise;
    // Also marks the promise as handled: the failure waits for get().
    this.#settled = promise.then(
      () => void (this.#state = "fulfilled"),
      () => void (this.#state = "rejected"),
    );
  }

  /**
   * Tells whether the work has finished, well or not.
   *
   * @returns True once the result or the error is there.
   *
   * @example Usage
   * ```ts
   * import { AsyncResult } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const future = new AsyncResult(Promise.resolve(1));
   * assert.equal(future.ready(), false); // settles on a later tick
   * await future;
   * assert.equal(future.ready(), true);
   * ```
   */
  ready(): boolean {
    return this.#state !== "pending";
  }

  /**
   * Tells whether the work finished without an error.
   *
   * @returns True if it succeeded, false if it failed.
   * @throws {Error} If the work has not finished yet, as in Python.
   *
   * @example Usage
   * ```ts
   * import { AsyncResult } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const future = new AsyncResult(Promise.reject(new Error("no")));
   * assert.throws(() => future.successful(), /not ready/);
   * await future.wait();
   * assert.equal(future.successful(), false);
   * ```
   */
  successful(): boolean {
    if (this.#state === "pending") {
      throw new Error(
        "Cannot tell whether the work succeeded as it is not ready yet: await wait() or get() first, or check ready()",
      );
    }
    return this.#state === "fulfilled";
  }

  /**
   * Waits until the work has finished, or until `timeoutMs` has passed. It
   * never rejects, whatever the work's outcome.
   *
   * Unlike Python's `wait(timeout)`, the time is in milliseconds, not
   * seconds: `wait(5)` waits 5 ms.
   *
   * @param timeoutMs How long to wait at most, in milliseconds; no limit if
   * omitted.
   * @returns True if the work is ready, false if the time ran out first.
   * @throws {RangeError} If `timeoutMs` is negative or not finite.
   *
   * @example Usage
   * ```ts
   * import { AsyncResult } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const { promise, resolve } = Promise.withResolvers<number>();
   * const future = new AsyncResult(promise);
   * assert.equal(await future.wait(10), false);
   * resolve(1);
   * assert.equal(await future.wait(10), true);
   * ```
   */
  wait(timeoutMs?: number): Promise<boolean> {
    try {
      checkMilliseconds(
        timeoutMs,
        "timeoutMs",
        "wait for the result",
        "allowed",
      );
    } catch (error) {
      return Promise.reject(error);
    }
    const ready = this.#settled.then(() => true);
    if (timeoutMs === undefined) return ready;
    return this.#withTimer(ready, timeoutMs, () => false);
  }

  /**
   * Takes the result, waiting for it if needed.
   *
   * Unlike Python's `get(timeout)`, the time is in milliseconds, not seconds:
   * `get(5)` waits 5 ms, `get(5_000)` five seconds.
   *
   * @param timeoutMs How long to wait at most, in milliseconds; no limit if
   * omitted. The work itself goes on after a timeout.
   * @returns The work's result.
   * @throws {DOMException & { name: "TimeoutError" }} If the result is not
   * ready within `timeoutMs`.
   * @throws The work's own error if it failed, such as a `TaskError`.
   *
   * @example Usage
   * ```ts
   * import { AsyncResult } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * const never = new AsyncResult(new Promise<number>(() => {}));
   * await assert.rejects(never.get(10), { name: "TimeoutError" });
   * assert.equal(await new AsyncResult(Promise.resolve(2)).get(), 2);
   * ```
   */
  get(timeoutMs?: number): Promise<T> {
    try {
      checkMilliseconds(timeoutMs, "timeoutMs", "get the result", "allowed");
    } catch (error) {
      return Promise.reject(error);
    }
    if (timeoutMs === undefined) return this.#promise;
    return this.#withTimer(this.#promise, timeoutMs, () => {
      throw new DOMException(
        `The result was not ready within ${timeoutMs} ms: the work goes on, call get() again to wait longer`,
        "TimeoutError",
      );
    });
  }

  #withTimer<V>(
    promise: Promise<V>,
    timeoutMs: number,
    onTimeout: () => V,
  ): Promise<V> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<V>((resolve, reject) => {
      timer = setTimeout(() => {
        try {
          resolve(onTimeout());
        } catch (error) {
          reject(error);
        }
      }, timeoutMs);
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  }

  /**
   * Lets the future be awaited like a promise of its result. This is where
   * Python's `callback` and `error_callback` go: `future.then(callback,
   * errorCallback)`.
   *
   * @typeParam A The type the fulfilment handler returns.
   * @typeParam B The type the rejection handler returns.
   * @param onfulfilled Called with the result.
   * @param onrejected Called with the error.
   * @returns A promise of what the handler returns.
   *
   * @example Usage
   * ```ts
   * import { AsyncResult } from "jsr:@paralelo/pool";
   * import assert from "node:assert/strict";
   *
   * assert.equal(await new AsyncResult(Promise.resolve(3)), 3);
   * ```
   */
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#promise.then(onfulfilled, onrejected);
  }
}
