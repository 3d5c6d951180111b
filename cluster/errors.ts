// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The errors only a cluster has: its broker cannot be reached, or no
 * consumer is there to run the work. A task's own failures are the local
 * pool's errors (`TaskError`, `TaskTimeoutError`, `WorkerCrashedError`,
 * `PoolClosedError`), the same classes with the same fields.
 *
 * @module
 */

/**
 * The NATS server could not be reached when the pool was created, refused
 * the pool's credentials, has no JetStream, or was lost while calls were
 * pending and did not come back within `reconnectTimeout`. The message
 * names the server (without its password) and what to do; `servers` lists
 * them the same way.
 *
 * @example Usage
 * ```ts
 * import { ClusterConnectionError } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * const error = new ClusterConnectionError(
 *   "Cannot reach the NATS server at nats://127.0.0.1:4222: connection refused",
 *   ["nats://127.0.0.1:4222"],
 * );
 * assert.equal(error.name, "ClusterConnectionError");
 * assert.deepEqual(error.servers, ["nats://127.0.0.1:4222"]);
 * ```
 */
export class ClusterConnectionError extends Error {
  /** The servers the pool was given, passwords hidden. */
  readonly servers: readonly string[];

  /**
   * Creates the error.
   *
   * @param message What failed, on which server, and what to do.
   * @param servers The servers, passwords hidden.
   * @param options The `cause`: the NATS client's own error.
   */
  constructor(
    message: string,
    servers: readonly string[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ClusterConnectionError";
    this.servers = servers;
  }
}

/**
 * A call with a `timeout` waited that long while no consumer was running:
 * its items had not started anywhere, so their own clocks had not run, but
 * a call must not wait forever on a cluster with nobody to do the work. The
 * message holds the command that starts a consumer.
 *
 * @example Usage
 * ```ts
 * import { NoConsumerError } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * const error = new NoConsumerError("No consumer ran within 1000 ms", 1000);
 * assert.equal(error.name, "NoConsumerError");
 * assert.equal(error.waitedMs, 1000);
 * ```
 */
export class NoConsumerError extends Error {
  /** How long the call waited with no consumer, in milliseconds. */
  readonly waitedMs: number;

  /**
   * Creates the error.
   *
   * @param message What waited, for how long, and how to start a consumer.
   * @param waitedMs How long the call waited with no consumer.
   */
  constructor(message: string, waitedMs: number) {
    super(message);
    this.name = "NoConsumerError";
    this.waitedMs = waitedMs;
  }
}
