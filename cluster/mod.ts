// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Scale out: the same task module and the same `map` on many machines,
 * through NATS JetStream, like Ray's `ray.util.multiprocessing.Pool`. A
 * `ClusterPool` queues its chunks on a JetStream stream; consumers on any
 * machine (`deno run -A jsr:@paralelo/pool/cluster/worker --servers
 * nats://host:4222`) pull them and run them on a local `Pool`. Results come
 * back in input order, each exactly once; execution is at least once.
 *
 * ```ts ignore
 * import { ClusterPool } from "jsr:@paralelo/pool/cluster";
 * import type * as tasks from "./tasks.ts";
 *
 * await using pool = new ClusterPool<typeof tasks>(
 *   new URL("./tasks.ts", import.meta.url),
 *   { servers: "nats://127.0.0.1:4222" },
 * );
 * console.log(await pool.map("square", [1, 2, 3])); // [1, 4, 9]
 * ```
 *
 * @module
 */
export {
  type ClusterApplyOptions,
  type ClusterCallOptions,
  ClusterPool,
  type ClusterPoolOptions,
  type ClusterPoolState,
  type NatsOptions,
  type NatsTlsOptions,
} from "./pool.ts";
export * from "./errors.ts";
// What the pool's signatures name, and the errors its calls share with the
// local pool, so that one import is enough.
export { AsyncResult } from "../async_result.ts";
export {
  PoolClosedError,
  TaskError,
  TaskTimeoutError,
  WorkerCrashedError,
} from "../errors.ts";
export type {
  Items,
  NoModule,
  TaskFunction,
  TaskName,
  TaskParameters,
  TaskResult,
} from "../types.ts";
