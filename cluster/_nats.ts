// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The cluster's transport on NATS JetStream, both sides.
 *
 * Layout, for a cluster named `N` (the `name` option, "paralelo" by
 * default), so that several clusters can share one server:
 *
 * - stream `N`, subjects `N.jobs.>`, work-queue retention, file storage:
 *   the jobs, one message per part of a chunk, on `N.jobs.<pool>.<call>`.
 *   Its one durable pull consumer, `workers`, is shared by every consumer
 *   process (explicit acks, `ack_wait` from the consumers' `--ack-wait`):
 *   each job goes to one of them, and comes back to the queue if it is not
 *   acked in time.
 * - stream `N_results`, subjects `N.results.>`, work-queue retention, file
 *   storage, one hour's `max_age` (so that the results of a pool that died
 *   do not stay): each pool's results on `N.results.<pool>`, read by its own
 *   durable consumer `pool_<pool>`, which the server deletes a minute after
 *   the pool stops reading (a pool killed without `close()`).
 * - core subjects `N.presence` (each consumer's beat, JSON, once a second)
 *   and `N.ping` (a pool asks for beats now).
 *
 * Jobs and results are published with a `Nats-Msg-Id` (the part's id), so
 * that one sent twice within the server's duplicate window (two minutes) is
 * stored once. Queued jobs are removed by sequence number, never by
 * purging a subject: on nats-server 2.9.10, purging a subject of a
 * work-queue stream also skips every message pending for its consumers,
 * other pools' jobs included (measured).
 *
 * @module
 */
import type { NodeConnectionOptions } from "npm:@nats-io/transport-node@3.4.0";
import { connect } from "./_nats_connect.ts";
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  jetstream,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  type JsMsg,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "npm:@nats-io/jetstream@3.4.0";
import {
  AuthorizationError,
  nanos,
  type NatsConnection,
  type Subscription,
} from "npm:@nats-io/nats-core@3.4.0";
import { ClusterConnectionError } from "./errors.ts";
import type { PresenceMessage } from "./_protocol.ts";
import type {
  ConsumerTransport,
  HeldJob,
  JobHandle,
  PoolTransport,
  PoolTransportEvents,
} from "./_transport.ts";

/**
 * TLS options for the NATS client (Node's TLS, as `@nats-io/transport-node`
 * takes them): files or their contents.
 *
 * @example Usage
 * ```ts
 * import type { NatsTlsOptions } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * const tls: NatsTlsOptions = { caFile: "/etc/nats/ca.pem" };
 * assert.equal(tls.caFile, "/etc/nats/ca.pem");
 * ```
 */
export interface NatsTlsOptions {
  /** The certificate authority's certificate, as a file. */
  caFile?: string;
  /** The client's certificate, as a file, for mutual TLS. */
  certFile?: string;
  /** The client's private key, as a file, for mutual TLS. */
  keyFile?: string;
  /** The certificate authority's certificate, as PEM text. */
  ca?: string;
  /** The client's certificate, as PEM text. */
  cert?: string;
  /** The client's private key, as PEM text. */
  key?: string;
  /** Start TLS before the server's greeting (a server with `handshake_first`). */
  handshakeFirst?: boolean;
  /** Refuse a server whose certificate does not check out. @default {true} */
  rejectUnauthorized?: boolean;
}

/**
 * The NATS client's connection options that a pool or a consumer passes
 * through to `connect()` of `@nats-io/transport-node`: credentials, TLS,
 * and any other of its options (`name`, `timeout`, `pingInterval`...).
 * `servers` and `maxReconnectAttempts` are the pool's own.
 *
 * @example Usage
 * ```ts
 * import type { NatsOptions } from "jsr:@paralelo/pool/cluster";
 * import assert from "node:assert/strict";
 *
 * const options: NatsOptions = { user: "alice", pass: "s3cret", tls: {} };
 * assert.equal(options.user, "alice");
 * ```
 */
export interface NatsOptions {
  /** The user name, with `pass`. */
  user?: string;
  /** The password, with `user`. */
  pass?: string;
  /** A token, for a server that authenticates by token. */
  token?: string;
  /**
   * The NATS client's authenticator (`nkeyAuthenticator`,
   * `jwtAuthenticator`, `credsAuthenticator` of `@nats-io/nats-core`), for
   * nkeys, JWTs and `.creds` files.
   */
  authenticator?: unknown;
  /** Require TLS (`{}`), with these certificates; `null` refuses it. */
  tls?: NatsTlsOptions | null;
  /** Any other option of the NATS client, passed as it is. */
  [option: string]: unknown;
}

/** The name of the shared durable consumer of the jobs. */
const WORKERS = "workers";
/** How long the server keeps a pool's results consumer once nobody reads it. */
const POOL_CONSUMER_IDLE_MS = 60_000;
/** How long a result may wait on the server for its pool. */
const RESULTS_MAX_AGE_MS = 3_600_000;
/** How long a publish waits for the server's acknowledgement before retrying. */
const PUBLISH_TIMEOUT_MS = 5_000;
/** The pause between tries while the connection is down. */
const RETRY_MS = 250;
/** Room left in a message for its subject and headers. */
const ENVELOPE_BYTES = 1_024;
/** How long a consumer trusts what it learned about a pool being alive. */
const POOL_ALIVE_CACHE_MS = 5_000;

/** Subjects, streams and consumers of the cluster named `name`. */
export class NatsNames {
  readonly name: string;
  readonly jobsStream: string;
  readonly resultsStream: string;
  readonly presence: string;
  readonly ping: string;

  constructor(name: string) {
    this.name = name;
    this.jobsStream = name;
    this.resultsStream = `${name}_results`;
    this.presence = `${name}.presence`;
    this.ping = `${name}.ping`;
  }

  jobs(pool: string, call: string): string {
    return `${this.name}.jobs.${pool}.${call}`;
  }

  results(pool: string): string {
    return `${this.name}.results.${pool}`;
  }

  poolConsumer(pool: string): string {
    return `pool_${pool}`;
  }
}

/** `nats://user:secret@host` as `nats://user:***@host`, for messages. */
export function hidePassword(server: string): string {
  return server.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

function apiCode(error: unknown): number | undefined {
  return error instanceof JetStreamApiError ? error.code : undefined;
}

function isNotFound(error: unknown): boolean {
  const code = apiCode(error);
  return code === JetStreamApiCodes.ConsumerNotFound ||
    code === JetStreamApiCodes.StreamNotFound;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a failed publish may succeed if tried again: the server did not
 * answer (the connection is down, or JetStream is starting).
 */
function retryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (/max(imum)?[ _]payload/i.test(error.message)) return false;
  return error.name === "TimeoutError" || error.name === "RequestError" ||
    error.name === "NoRespondersError" ||
    /timeout|no responders|disconnect|reconnect|connection/i.test(
      error.message,
    );
}

/** The clear error for a connection that could not be made. */
function connectionError(
  error: unknown,
  servers: readonly string[],
  where: string,
): ClusterConnectionError {
  let message: string;
  if (error instanceof AuthorizationError) {
    message =
      `Cannot connect to the NATS server at ${where} as it refused the credentials (${error.message}): pass them in the URL, nats://user:pass@host:4222, or in 'connection' ({ user, pass }, { token } or { authenticator })`;
  } else if (/refused/i.test(messageOf(error))) {
    message =
      `Cannot reach the NATS server at ${where}: connection refused: start one there with JetStream (nats-server -js), or pass the right 'servers'`;
  } else {
    message = `Cannot connect to the NATS server at ${where}: ${
      messageOf(error)
    }: check that it runs there with JetStream (nats-server -js), and 'servers'`;
  }
  return new ClusterConnectionError(message, servers, { cause: error });
}

/**
 * The servers without the credentials in their URLs, and those credentials
 * as options: the NATS client for Node does not read `user:pass@` (or a
 * token, `token@`) from a URL itself. Options given explicitly win.
 */
export function credentialsFrom(
  servers: readonly string[],
  options: NatsOptions,
): { servers: string[]; options: NatsOptions } {
  const merged: NatsOptions = { ...options };
  const given = options.user !== undefined || options.token !== undefined ||
    options.authenticator !== undefined;
  const plain = servers.map((server) => {
    const match = /^([a-z]+:\/\/)([^@/]*)@(.*)$/i.exec(server);
    if (match === null) return server;
    const [, scheme, userinfo, rest] = match as unknown as string[];
    if (!given && merged.user === undefined && merged.token === undefined) {
      const colon = userinfo!.indexOf(":");
      if (colon === -1) {
        merged.token = decodeURIComponent(userinfo!);
      } else {
        merged.user = decodeURIComponent(userinfo!.slice(0, colon));
        merged.pass = decodeURIComponent(userinfo!.slice(colon + 1));
      }
    }
    return `${scheme}${rest}`;
  });
  return { servers: plain, options: merged };
}

/** Connects, with the client's reconnection on for good. */
async function open(
  servers: readonly string[],
  options: NatsOptions,
  clientName: string,
): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  const where = servers.map(hidePassword).join(", ");
  const plain = credentialsFrom(servers, options);
  let nc: NatsConnection;
  try {
    nc = await connect({
      name: clientName,
      reconnectTimeWait: 250,
      ...plain.options as NodeConnectionOptions,
      maxReconnectAttempts: -1,
      servers: plain.servers,
    });
  } catch (error) {
    throw connectionError(error, servers.map(hidePassword), where);
  }
  try {
    const jsm = await jetstreamManager(nc);
    return { nc, jsm };
  } catch (error) {
    await nc.close().catch(() => {});
    throw new ClusterConnectionError(
      `Cannot use the NATS server at ${where} as it has no JetStream (${
        messageOf(error)
      }): start it with nats-server -js, or add 'jetstream {}' to its configuration`,
      servers.map(hidePassword),
      { cause: error },
    );
  }
}

/** Makes sure the stream exists (another process may make it at the same time). */
async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    // Made meanwhile by another pool or consumer: as good.
    await jsm.streams.info(config.name).catch(() => {
      throw error;
    });
  }
}

function ensureStreams(jsm: JetStreamManager, names: NatsNames): Promise<void> {
  return Promise.all([
    ensureStream(jsm, {
      name: names.jobsStream,
      subjects: [`${names.name}.jobs.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    }),
    ensureStream(jsm, {
      name: names.resultsStream,
      subjects: [`${names.name}.results.>`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_age: nanos(RESULTS_MAX_AGE_MS),
    }),
  ]).then(() => {});
}

/** What `new NatsPoolTransport()` needs. */
export interface NatsPoolInit {
  servers: readonly string[];
  names: NatsNames;
  /** The pool's id, in subjects and the name of its results consumer. */
  pool: string;
  options: NatsOptions;
}

/** The pool's side, on JetStream. */
export class NatsPoolTransport implements PoolTransport {
  readonly servers: readonly string[];
  readonly where: string;
  /** As given, with passwords: for connecting only. */
  #rawServers: readonly string[];
  #names: NatsNames;
  #pool: string;
  #options: NatsOptions;
  #nc: NatsConnection | null = null;
  #jsm: JetStreamManager | null = null;
  #js: JetStreamClient | null = null;
  #messages: ConsumerMessages | null = null;
  #presence: Subscription | null = null;
  #closed = false;
  #maxPayload = 1_048_576;

  constructor(init: NatsPoolInit) {
    this.#rawServers = init.servers;
    this.servers = init.servers.map(hidePassword);
    this.where = this.servers.join(", ");
    this.#names = init.names;
    this.#pool = init.pool;
    this.#options = init.options;
  }

  get maxPayload(): number {
    return this.#maxPayload;
  }

  async open(events: PoolTransportEvents): Promise<void> {
    const { nc, jsm } = await open(
      this.#rawServers,
      this.#options,
      `@paralelo/pool ${this.#pool}`,
    );
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = jetstream(nc);
    this.#maxPayload = (nc.info?.max_payload ?? this.#maxPayload) -
      ENVELOPE_BYTES;
    try {
      await ensureStreams(jsm, this.#names);
      await this.#ensurePoolConsumer();
    } catch (error) {
      await nc.close().catch(() => {});
      throw new ClusterConnectionError(
        `Cannot set up the streams '${this.#names.jobsStream}' and '${this.#names.resultsStream}' on the NATS server at ${this.where}: ${
          messageOf(error)
        }`,
        this.servers,
        { cause: error },
      );
    }
    this.#presence = nc.subscribe(this.#names.presence, {
      callback: (error, message) => {
        if (error !== null) return;
        try {
          events.presence(message.json<PresenceMessage>());
        } catch {
          // Not a beat of ours: ignore it.
        }
      },
    });
    nc.publish(this.#names.ping);
    void this.#readResults(events);
    void this.#watch(nc, events);
  }

  async #ensurePoolConsumer(): Promise<boolean> {
    const jsm = this.#jsm!;
    const durable = this.#names.poolConsumer(this.#pool);
    try {
      await jsm.consumers.info(this.#names.resultsStream, durable);
      return false;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    await ensureStreams(jsm, this.#names);
    await jsm.consumers.add(this.#names.resultsStream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: this.#names.results(this.#pool),
      inactive_threshold: nanos(POOL_CONSUMER_IDLE_MS),
    });
    return true;
  }

  async #readResults(events: PoolTransportEvents): Promise<void> {
    while (!this.#closed) {
      try {
        const consumer: Consumer = await this.#js!.consumers.get(
          this.#names.resultsStream,
          this.#names.poolConsumer(this.#pool),
        );
        const messages = await consumer.consume({ max_messages: 256 });
        this.#messages = messages;
        if (this.#closed) messages.stop();
        for await (const message of messages) {
          try {
            events.result(message.data);
          } finally {
            message.ack();
          }
        }
      } catch {
        // The consumer is gone (the server lost it) or the connection is
        // closing: make it again, unless the pool is closing.
        if (this.#closed) return;
        await sleep(RETRY_MS);
        await this.#ensurePoolConsumer().catch(() => {});
      }
    }
  }

  async #watch(nc: NatsConnection, events: PoolTransportEvents): Promise<void> {
    for await (const status of nc.status()) {
      if (this.#closed) return;
      if (status.type === "disconnect") events.disconnected();
      if (status.type === "reconnect") {
        events.reconnected();
        nc.publish(this.#names.ping);
        void this.#reconcile(events);
      }
    }
  }

  /**
   * After a reconnection: makes sure the pool's results consumer is still
   * there, and says so if the server had lost it (and so, likely, the jobs).
   * JetStream may need a moment after a server restarts: it tries for a
   * minute.
   */
  async #reconcile(events: PoolTransportEvents): Promise<void> {
    for (let tries = 0; tries < 240 && !this.#closed; tries++) {
      try {
        if (await this.#ensurePoolConsumer()) events.lostState();
        return;
      } catch {
        await sleep(RETRY_MS);
      }
    }
  }

  async enqueue(
    bytes: Uint8Array,
    id: string,
    call: string,
    signal: AbortSignal,
  ): Promise<JobHandle> {
    const subject = this.#names.jobs(this.#pool, call);
    while (true) {
      signal.throwIfAborted();
      try {
        const ack = await this.#js!.publish(subject, bytes, {
          msgID: id,
          timeout: PUBLISH_TIMEOUT_MS,
        });
        return { ref: ack.seq };
      } catch (error) {
        if (!retryable(error) || this.#closed) throw error;
        await sleep(RETRY_MS, signal);
      }
    }
  }

  async remove(handles: readonly JobHandle[]): Promise<void> {
    const jsm = this.#jsm;
    if (jsm === null) return;
    const queue = [...handles];
    const worker = async () => {
      for (let handle = queue.pop(); handle; handle = queue.pop()) {
        for (let tries = 0; tries < 20; tries++) {
          try {
            await jsm.streams.deleteMessage(
              this.#names.jobsStream,
              handle.ref,
              false,
            );
            break;
          } catch (error) {
            // Taken and done already: nothing to remove. Anything else (the
            // server restarting): try again, for a few seconds.
            if (
              apiCode(error) === JetStreamApiCodes.NoMessageFound ||
              /no message found/i.test(messageOf(error)) || this.#nc?.isClosed()
            ) break;
            await sleep(RETRY_MS);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const nc = this.#nc;
    if (nc === null) return;
    this.#messages?.stop();
    this.#presence?.unsubscribe();
    if (!nc.isClosed()) {
      await Promise.race([
        this.#jsm!.consumers.delete(
          this.#names.resultsStream,
          this.#names.poolConsumer(this.#pool),
        ).catch(() => {}),
        sleep(2_000),
      ]);
    }
    await nc.close().catch(() => {});
  }
}

/** What `new NatsConsumerTransport()` needs. */
export interface NatsConsumerInit {
  servers: readonly string[];
  names: NatsNames;
  /** The consumer's `host:pid`, as the client's name on the server. */
  id: string;
  /** How long a job may be held without a heartbeat, in ms. */
  ackWait: number;
  options: NatsOptions;
}

/** The consumer's side, on JetStream. */
export class NatsConsumerTransport implements ConsumerTransport {
  readonly where: string;
  #init: NatsConsumerInit;
  #nc: NatsConnection | null = null;
  #jsm: JetStreamManager | null = null;
  #js: JetStreamClient | null = null;
  #consumer: Consumer | null = null;
  #alive = new Map<string, { alive: boolean; at: number }>();
  #maxPayload = 1_048_576;
  #ackWait: number;
  #closed = false;

  constructor(init: NatsConsumerInit) {
    this.#init = init;
    this.where = init.servers.map(hidePassword).join(", ");
    this.#ackWait = init.ackWait;
  }

  get maxPayload(): number {
    return this.#maxPayload;
  }

  get ackWait(): number {
    return this.#ackWait;
  }

  async open(): Promise<void> {
    const init = this.#init;
    const { nc, jsm } = await open(
      init.servers,
      init.options,
      `@paralelo/pool consumer ${init.id}`,
    );
    this.#nc = nc;
    this.#jsm = jsm;
    this.#js = jetstream(nc);
    this.#maxPayload = (nc.info?.max_payload ?? this.#maxPayload) -
      ENVELOPE_BYTES;
    try {
      await this.#ensure();
    } catch (error) {
      await nc.close().catch(() => {});
      throw new ClusterConnectionError(
        `Cannot set up the stream '${init.names.jobsStream}' and its consumer '${WORKERS}' on the NATS server at ${this.where}: ${
          messageOf(error)
        }`,
        init.servers.map(hidePassword),
        { cause: error },
      );
    }
  }

  async #ensure(): Promise<void> {
    const { names, ackWait } = this.#init;
    const jsm = this.#jsm!;
    await ensureStreams(jsm, names);
    const wait = nanos(ackWait);
    try {
      const info = await jsm.consumers.info(names.jobsStream, WORKERS);
      if (info.config.ack_wait !== wait) {
        await jsm.consumers.update(names.jobsStream, WORKERS, {
          ack_wait: wait,
        });
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(names.jobsStream, {
        durable_name: WORKERS,
        ack_policy: AckPolicy.Explicit,
        ack_wait: wait,
        filter_subject: `${names.name}.jobs.>`,
        // Each consumer holds at most its --size; this only bounds them all.
        max_ack_pending: 10_000,
      }).catch(async (e) => {
        // Added meanwhile by another consumer: as good.
        await jsm.consumers.info(names.jobsStream, WORKERS).catch(() => {
          throw e;
        });
      });
    }
    this.#consumer = await this.#js!.consumers.get(names.jobsStream, WORKERS);
  }

  async next(): Promise<HeldJob | null> {
    if (this.#closed) return null;
    try {
      const consumer = this.#consumer;
      if (consumer === null) {
        await this.#ensure();
        return null;
      }
      // The client's own expiry, and ours in case the connection hangs.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const message = await Promise.race([
        consumer.next({ expires: 1_000 }),
        new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), 5_000);
        }),
      ]).finally(() => clearTimeout(timer));
      return message === null ? null : held(message);
    } catch (error) {
      if (this.#closed) return null;
      if (isNotFound(error)) this.#consumer = null;
      await sleep(RETRY_MS);
      return null;
    }
  }

  async reply(pool: string, bytes: Uint8Array, id: string): Promise<void> {
    const subject = this.#init.names.results(pool);
    const started = performance.now();
    while (true) {
      try {
        await this.#js!.publish(subject, bytes, {
          msgID: id,
          timeout: PUBLISH_TIMEOUT_MS,
        });
        return;
      } catch (error) {
        // Past the job's own deadline the job has gone to another
        // consumer: stop trying, and let it answer.
        if (
          !retryable(error) || this.#closed ||
          performance.now() - started > Math.max(10_000, this.#ackWait)
        ) {
          throw error;
        }
        await sleep(RETRY_MS);
      }
    }
  }

  async poolAlive(pool: string): Promise<boolean> {
    const now = performance.now();
    const known = this.#alive.get(pool);
    if (known !== undefined && now - known.at < POOL_ALIVE_CACHE_MS) {
      return known.alive;
    }
    let alive = true;
    try {
      await this.#jsm!.consumers.info(
        this.#init.names.resultsStream,
        this.#init.names.poolConsumer(pool),
      );
    } catch (error) {
      // Not found: the pool is gone. Anything else: we cannot tell, so run.
      alive = !isNotFound(error);
    }
    if (this.#alive.size > 1_000) this.#alive.clear();
    this.#alive.set(pool, { alive, at: now });
    return alive;
  }

  beat(message: PresenceMessage): void {
    const nc = this.#nc;
    if (nc === null || nc.isClosed()) return;
    try {
      nc.publish(this.#init.names.presence, JSON.stringify(message));
    } catch {
      // Closing: the beat does not matter.
    }
  }

  onPing(handler: () => void): void {
    this.#nc?.subscribe(this.#init.names.ping, { callback: () => handler() });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const nc = this.#nc;
    if (nc === null || nc.isClosed()) return;
    await Promise.race([nc.drain().catch(() => {}), sleep(5_000)]);
    await nc.close().catch(() => {});
  }
}

function held(message: JsMsg): HeldJob {
  return {
    bytes: message.data,
    deliveries: message.info.deliveryCount,
    working: () => message.working(),
    ack: () => message.ack(),
    nak: () => message.nak(),
  };
}
