// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The one interface between the cluster and its broker, for each side: a
 * pool queues jobs and reads its results; a consumer takes jobs, answers
 * them and says it is there. NATS JetStream is one implementation
 * (`_nats.ts`); a Redis or BullMQ one would be another file with the same
 * two classes. Payloads are bytes: the codec is not the broker's business.
 *
 * What an implementation promises:
 *
 * - A job is delivered at least once: one that a consumer holds without
 *   `working()` past the broker's deadline, or gives back with `nak()`, is
 *   delivered again, possibly to another consumer.
 * - Results are kept by the broker until the pool reads them, across a
 *   lost connection that comes back.
 * - Neither side ever waits forever: every operation either succeeds, or
 *   fails, or (`enqueue`, `reply`) retries while the connection is down,
 *   until its caller gives up with the `signal`.
 *
 * @module
 */
import type { PresenceMessage } from "./_protocol.ts";

/** What a pool hears from its transport. */
export interface PoolTransportEvents {
  /** A result for this pool; the transport has taken it off the broker. */
  result(bytes: Uint8Array): void;
  /** A consumer's beat. */
  presence(message: PresenceMessage): void;
  /** The connection to the broker is lost; the transport tries to get it back. */
  disconnected(): void;
  /** The connection is back: queue again, remove what waited to be removed. */
  reconnected(): void;
  /**
   * After a reconnection, the broker turned out to have lost the pool's
   * queues (a new server, or one without its store): jobs queued before may
   * be gone and should be queued again.
   */
  lostState(): void;
}

/** A job on the broker, as the pool may remove it. */
export interface JobHandle {
  /** The broker's own reference (a JetStream stream sequence number). */
  readonly ref: number;
}

/** The pool's side of the broker. */
export interface PoolTransport {
  /** The broker's address as messages show it, without passwords. */
  readonly where: string;
  /** The servers as given, passwords hidden. */
  readonly servers: readonly string[];
  /** The largest job or result the broker takes, in bytes, once open. */
  readonly maxPayload: number;
  /**
   * Connects, makes sure the queues exist, and starts delivering events.
   *
   * @throws {ClusterConnectionError} If the broker cannot be reached, refuses
   * the credentials, or cannot hold the queues.
   */
  open(events: PoolTransportEvents): Promise<void>;
  /**
   * Queues a job under `call` (a key that groups a call's jobs); `id` is
   * unique, so that a job queued twice (a retry) is kept once. Retries while
   * the connection is down, until `signal` aborts.
   */
  enqueue(
    bytes: Uint8Array,
    id: string,
    call: string,
    signal: AbortSignal,
  ): Promise<JobHandle>;
  /** Removes jobs that are still queued; those taken or done are left alone. */
  remove(handles: readonly JobHandle[]): Promise<void>;
  /** Stops the events, removes the pool's results queue, and disconnects. */
  close(): Promise<void>;
}

/** A job a consumer holds until it answers it. */
export interface HeldJob {
  readonly bytes: Uint8Array;
  /** How many times it has been delivered, this time included. */
  readonly deliveries: number;
  /** Asks the broker for more time before it delivers the job again. */
  working(): void;
  /** Done: the broker drops the job. */
  ack(): void;
  /** Given back: the broker delivers it again, at once. */
  nak(): void;
}

/** The consumer's side of the broker. */
export interface ConsumerTransport {
  /** The broker's address as messages show it, without passwords. */
  readonly where: string;
  /** The largest result the broker takes, in bytes, once open. */
  readonly maxPayload: number;
  /** How long a job may be held without `working()`, in ms, once open. */
  readonly ackWait: number;
  /**
   * Connects and makes sure the queue and its shared consumer exist.
   *
   * @throws {ClusterConnectionError} If the broker cannot be reached.
   */
  open(): Promise<void>;
  /**
   * The next job, or null if none came within about a second (or the
   * connection is down: the caller just asks again).
   */
  next(): Promise<HeldJob | null>;
  /** Sends a result to `pool`; `id` makes a resent result count once. */
  reply(pool: string, bytes: Uint8Array, id: string): Promise<void>;
  /**
   * Whether `pool` still reads its results: a pool that was closed, or
   * whose process died long ago, does not, and its jobs need not run.
   */
  poolAlive(pool: string): Promise<boolean>;
  /** Says the consumer is there; `onPing` hears pools that ask. */
  beat(message: PresenceMessage): void;
  /** Called when a pool asks who is there (it wants a beat at once). */
  onPing(handler: () => void): void;
  /** Disconnects, after sending what is buffered. */
  close(): Promise<void>;
}
