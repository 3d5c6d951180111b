// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A consumer for `ClusterPool`: it pulls chunks from the cluster's NATS
 * JetStream stream and runs them on a local `Pool`.
 *
 * ```sh
 * deno run -A jsr:@paralelo/pool/cluster/worker --servers nats://host:4222 [--name N] [--size N]
 * ```
 *
 * `--help` lists every flag. Ctrl-C or SIGTERM: it stops pulling, lets the
 * chunks it holds finish (for up to `--drain-timeout`), gives back the rest
 * so that another consumer runs them at once, and exits 0; a second one
 * gives everything back now. Run it with `-A`, or with the permissions the
 * tasks need plus `--allow-net` to the server (and `--allow-import` for a
 * remote task module).
 *
 * @example Run a consumer from a program
 * ```ts ignore
 * import { serve } from "jsr:@paralelo/pool/cluster/worker";
 *
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => stop.abort());
 * await serve({ servers: "nats://127.0.0.1:4222", size: 4, signal: stop.signal });
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { joinNegativeValues } from "../_cli_args.ts";
import { cpuCount } from "../cpu_count.ts";
import { runtime } from "../_runtime.ts";
import { Pool, type PoolOptions } from "../pool.ts";
import { Consumer } from "./_consumer.ts";
import {
  hidePassword,
  NatsConsumerTransport,
  NatsNames,
  type NatsOptions,
} from "./_nats.ts";

export type { NatsOptions, NatsTlsOptions } from "./_nats.ts";

/**
 * How long a chunk may go without a heartbeat before it is given to another
 * consumer, by default, in milliseconds: held chunks are heartbeaten every
 * third of it, so a dead consumer's chunks run elsewhere within 4 s of its
 * death, 5 s with the wait for a free slot.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_ACK_WAIT_MS } from "jsr:@paralelo/pool/cluster/worker";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_ACK_WAIT_MS, 4_000);
 * ```
 */
export const DEFAULT_ACK_WAIT_MS = 4_000;

/**
 * Options for {@linkcode serve}.
 *
 * @example Usage
 * ```ts
 * import type { ServeOptions } from "jsr:@paralelo/pool/cluster/worker";
 * import assert from "node:assert/strict";
 *
 * const options: ServeOptions = { servers: "nats://127.0.0.1:4222", size: 4 };
 * assert.equal(options.size, 4);
 * ```
 */
export interface ServeOptions {
  /** The NATS server, or several: `nats://host:4222`, `nats://user:pass@host:4222`. */
  servers: string | string[];
  /**
   * The cluster's name, as its pools were given it.
   *
   * @default {"paralelo"}
   */
  name?: string;
  /**
   * How many chunks it runs at once: the workers of each local pool.
   *
   * @default {cpuCount()}
   */
  size?: number;
  /**
   * How long a chunk may go without a heartbeat before the server gives it
   * to another consumer, in milliseconds: how soon the work of a consumer
   * that died runs elsewhere. Held chunks are heartbeaten three times as
   * often, so a long chunk is never given away while its consumer lives.
   * It is set on the stream's shared consumer, so the last consumer to
   * start sets it for all. The default makes a dead consumer's chunks run
   * elsewhere within 5 s.
   *
   * @default {4000}
   */
  ackWait?: number;
  /**
   * On stop, how long the chunks held may run on before they are given
   * back, in milliseconds.
   *
   * @default {10000}
   */
  drainTimeout?: number;
  /** Stops the consumer: `serve()` resolves once it has drained. */
  signal?: AbortSignal;
  /**
   * Receives what the consumer has to say (started, stopped, a chunk given
   * back, the local pool's warnings).
   *
   * @default {console.error}
   */
  onLog?: (line: string) => void;
  /**
   * The NATS client's connection options (`user`, `pass`, `token`,
   * `authenticator`, `tls`...), passed through.
   *
   * @default {{}}
   */
  connection?: NatsOptions;
  /**
   * What the workers that run the chunks may do: `Pool`'s `permissions`
   * (`"none"`, or an object such as `{ net: ["books.toscrape.com"] }`),
   * which Deno allows only with `--unstable-worker-options` (say so with
   * {@linkcode ServeOptions.unstableWorkerOptions} unless the consumer runs
   * with `--allow-all`). The workers need read or import access to the task
   * modules they are sent. A consumer runs whatever code its pools send it:
   * this narrows what that code can reach on the consumer's machine.
   *
   * @default {undefined, the consumer's own permissions}
   */
  permissions?: PoolOptions["permissions"];
  /**
   * Tells the local pools that Deno runs with `--unstable-worker-options`,
   * as `Pool`'s option of that name does.
   *
   * @default {false}
   */
  unstableWorkerOptions?: boolean;
}

function positive(value: unknown, name: string, integer: boolean): number {
  const number = Number(value);
  if (
    !(number > 0) || !Number.isFinite(number) ||
    (integer && !Number.isSafeInteger(number))
  ) {
    throw new RangeError(
      `Cannot start the consumer as '${name}' must be a positive ${
        integer ? "integer" : "number of milliseconds"
      }: received ${String(value)}`,
    );
  }
  return number;
}

/**
 * Runs a consumer until `options.signal` aborts: it connects, says it is
 * there, pulls up to `size` chunks at once and runs each on a local `Pool`,
 * answers with the results (or the failure), and keeps the chunks it holds
 * alive with heartbeats. On abort it stops pulling, lets held chunks finish
 * for up to `drainTimeout`, gives back the rest, and resolves.
 *
 * @param options Where the server is, the cluster's name, the size.
 * @returns A promise that resolves once the consumer has stopped.
 * @throws {ClusterConnectionError} If the server cannot be reached.
 * @throws {RangeError} If `size`, `ackWait` or `drainTimeout` is not positive.
 *
 * @example Usage
 * ```ts
 * import { serve } from "jsr:@paralelo/pool/cluster/worker";
 * import { ClusterConnectionError } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(
 *   serve({ servers: "nats://127.0.0.1:1", size: 1 }),
 *   ClusterConnectionError,
 * );
 * ```
 */
export function serve(options: ServeOptions): Promise<void> {
  return serveUntil(options, undefined);
}

/** The part of the options that the local pools get as they are. */
function workerPermissions(
  options: ServeOptions,
): Pick<PoolOptions, "permissions" | "unstableWorkerOptions"> {
  return {
    ...(options.permissions === undefined
      ? {}
      : { permissions: options.permissions }),
    ...(options.unstableWorkerOptions === undefined
      ? {}
      : { unstableWorkerOptions: options.unstableWorkerOptions }),
  };
}

/**
 * Refuses now what the local pools would refuse at the first job (worker
 * permissions outside Deno, say), before anything is pulled: a pool that is
 * made and terminated at once starts no worker.
 *
 * @throws {TypeError} What `new Pool()` throws for these options.
 */
function checkWorkers(
  size: number,
  permissions: Pick<PoolOptions, "permissions" | "unstableWorkerOptions">,
): void {
  new Pool({ size, ...permissions }).terminate();
}

/** {@linkcode serve}, with a second signal that gives every held chunk back at once. */
async function serveUntil(
  options: ServeOptions,
  hard: AbortSignal | undefined,
): Promise<void> {
  const servers = typeof options.servers === "string"
    ? options.servers.split(",").map((each) => each.trim())
    : options.servers;
  const name = options.name ?? "paralelo";
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new TypeError(
      `Cannot start the consumer as 'name' must be 1 to 64 letters, digits, '_' or '-': received '${name}'`,
    );
  }
  const size = positive(options.size ?? cpuCount(), "size", true);
  const ackWait = positive(
    options.ackWait ?? DEFAULT_ACK_WAIT_MS,
    "ackWait",
    false,
  );
  const drainTimeout = positive(
    options.drainTimeout ?? 10_000,
    "drainTimeout",
    false,
  );
  const log = options.onLog ?? ((line: string) => console.error(line));
  const permissions = workerPermissions(options);
  checkWorkers(size, permissions);
  const id = runtime().processName();
  const transport = new NatsConsumerTransport({
    servers,
    names: new NatsNames(name),
    id,
    ackWait,
    options: options.connection ?? {},
  });
  await transport.open();
  const consumer = new Consumer({
    transport,
    id,
    size,
    drainTimeoutMs: drainTimeout,
    log: (line) => log(`[consumer ${id}] ${line}`),
    permissions,
  });
  consumer.start();
  log(
    `[consumer ${id}] serving stream '${name}' on ${
      servers.map(hidePassword).join(", ")
    } with ${size} worker${
      size === 1 ? "" : "s"
    } (ack wait ${transport.ackWait} ms)`,
  );
  const signal = options.signal;
  await new Promise<void>((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  log(`[consumer ${id}] stopping: no more pulls; finishing what it holds`);
  const giveBack = () => void consumer.stop(true);
  if (hard?.aborted) giveBack();
  hard?.addEventListener("abort", giveBack, { once: true });
  await consumer.stop();
  log(`[consumer ${id}] stopped after ${consumer.done} chunks`);
}

/** How this runtime starts the consumer, for the help and the messages. */
function command(): string {
  const here = runtime();
  return here.name === "deno"
    ? "deno run -A jsr:@paralelo/pool/cluster/worker"
    : `${here.name} node_modules/@paralelo/pool/cluster/worker.js`;
}

const help = () =>
  `Usage: ${command()} [--servers URL] [--name N] [--size N] [--ack-wait MS] [--drain-timeout MS] [--permissions P [--unstable-worker-options]]

Runs the chunks of ClusterPool calls, pulled from a NATS JetStream stream, on a local pool of workers.

Flags:
  --servers URL        The NATS server, or several joined by commas; credentials as nats://user:pass@host:4222 (default: nats://127.0.0.1:4222)
  --name N             The cluster's name, as its pools were given it: the stream and subjects (default: paralelo)
  --size N             How many chunks it runs at once: the local pool's workers (default: cpuCount(), ${cpuCount()} here)
  --ack-wait MS        How soon the chunks of a consumer that died run elsewhere, in ms (default: 4000, so within 5 s)
  --drain-timeout MS   On Ctrl-C or SIGTERM, how long held chunks may finish before they are given back (default: 10000)
  --permissions P      What the workers may do: none, inherit, or a JSON object of Deno's worker permissions such as '{"net":["books.toscrape.com"],"read":true}'; Deno only; needs deno run --unstable-worker-options, and read or import access to the task modules (default: inherit, the consumer's own)
  --unstable-worker-options
                       Says that Deno runs with --unstable-worker-options, where the consumer cannot see its flags (without --allow-all)
  -h, --help           Print this help and exit

Ctrl-C or SIGTERM: stop pulling, finish or give back what it holds, exit 0.`;

/**
 * Reads `--permissions`: `none`, `inherit`, or a JSON object of Deno's
 * worker permissions such as `{"net":["books.toscrape.com"],"read":true}`.
 */
function permissionsFlag(
  value: string,
): NonNullable<PoolOptions["permissions"]> {
  if (value === "none" || value === "inherit") return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(
      `Cannot start the consumer as '--permissions' must be none, inherit or a JSON object such as '{"net":["books.toscrape.com"],"read":true}': received '${value}'`,
    );
  }
  return parsed as NonNullable<PoolOptions["permissions"]>;
}

/** The command line's flags, for `parseArgs`. */
const FLAGS = {
  servers: { type: "string", default: "nats://127.0.0.1:4222" },
  name: { type: "string", default: "paralelo" },
  size: { type: "string" },
  "ack-wait": { type: "string", default: String(DEFAULT_ACK_WAIT_MS) },
  "drain-timeout": { type: "string", default: "10000" },
  permissions: { type: "string" },
  "unstable-worker-options": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * What the command line says when the local pools refuse its options: the
 * pool's message is about `new Pool()`'s options; this one is about flags.
 */
function refusal(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (
    /^Cannot create pool with 'permissions' as worker permissions are Deno's/
      .test(message)
  ) {
    return `Cannot start the consumer with --permissions as worker permissions are Deno's, and this consumer runs on ${runtime().label}, whose workers would run with all of its rights: leave --permissions out, or run the consumer in Deno (deno run -A --unstable-worker-options jsr:@paralelo/pool/cluster/worker --permissions ...)`;
  }
  if (/--unstable-worker-options/.test(message)) {
    return `Cannot start the consumer with --permissions as it cannot confirm that Deno runs with --unstable-worker-options, without which Deno kills the whole process: start it with deno run -A --unstable-worker-options jsr:@paralelo/pool/cluster/worker, and if it runs with narrower permissions than -A, add --unstable-worker-options after the worker's name too; or leave --permissions out`;
  }
  return message;
}

/**
 * The CLI: flags, signals, exit codes (0 when stopped, 2 for bad flags or
 * an option this runtime refuses, 1 when the server cannot be reached or is
 * lost).
 */
async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(
        runtime().args,
        (name) => FLAGS[name as keyof typeof FLAGS]?.type === "string",
      ),
      options: FLAGS,
    }));
  } catch (error) {
    console.error(
      `${(error as Error).message} (--help lists the flags)`.replace(
        /\n/g,
        " ",
      ),
    );
    return 2;
  }
  if (values.help) {
    console.log(help());
    return 0;
  }
  const stop = new AbortController();
  const hard = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      console.error("second signal: giving every held chunk back now");
      hard.abort();
    }
    stop.abort();
  };
  const unlisten = runtime().onStopSignals(onSignal);
  let options: ServeOptions;
  try {
    options = {
      servers: String(values.servers),
      name: String(values.name),
      ackWait: positive(values["ack-wait"], "--ack-wait", false),
      drainTimeout: positive(values["drain-timeout"], "--drain-timeout", false),
      signal: stop.signal,
    };
    if (values.size !== undefined) {
      options.size = positive(values.size, "--size", true);
    }
    if (values.permissions !== undefined) {
      options.permissions = permissionsFlag(String(values.permissions));
    }
    if (values["unstable-worker-options"] === true) {
      options.unstableWorkerOptions = true;
    }
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.name!)) {
      throw new TypeError(
        `Cannot start the consumer as '--name' must be 1 to 64 letters, digits, '_' or '-': received '${options.name}'`,
      );
    }
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  try {
    checkWorkers(options.size ?? cpuCount(), workerPermissions(options));
  } catch (error) {
    console.error(refusal(error));
    return 2;
  }
  try {
    await serveUntil(options, hard.signal);
    return 0;
  } catch (error) {
    // Most likely the server: one line that names it and what to do.
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    unlisten();
  }
}

if (runtime().isMain(import.meta)) runtime().exit(await main());
