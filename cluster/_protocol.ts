// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What travels between a `ClusterPool` and its consumers, whatever the
 * transport: a job (one part of a chunk of a call) and its results, and the
 * beats by which consumers say they are there. Values are encoded with V8's
 * serializer (`node:v8`), the format of structured cloning, so that what a
 * local pool can send (Maps, Sets, Dates, BigInts, typed arrays) a cluster
 * can send too.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";
import type { SerializedError, TaskRef } from "../_protocol.ts";

/** The version of the messages below; a consumer refuses any other. */
export const PROTOCOL_VERSION = 1;

/** One part of a chunk of a call: the unit a consumer takes and answers. */
export interface JobMessage {
  v: typeof PROTOCOL_VERSION;
  /** The pool that sent it, a random id. */
  pool: string;
  /** The part's id, unique in its pool: the key its results come back by. */
  part: string;
  /**
   * The module export tasks come from, with its content hash in the query
   * (`?sha256=`), or null for inline functions only.
   */
  module: string | null;
  task: TaskRef;
  /** Spread each item into the task's arguments (starmap, apply). */
  spread: boolean;
  items: unknown[];
  /** The most each item may run, in ms, from when it starts. */
  timeout?: number;
}

/**
 * Why a part stopped short, as the consumer saw it; offsets count from the
 * part's first item.
 *
 * - `task`: the task threw on the item at `offset` (a `TaskError`).
 * - `timeout`: the item at `offset` ran over `timeoutMs`.
 * - `crash`: the consumer's worker stopped under the item at `offset`.
 * - `call`: the whole call fails with `error` itself, as no item is to
 *   blame (its module did not load, or has no such export).
 */
export type JobFailure =
  | { kind: "task"; offset: number; error: SerializedError }
  | { kind: "timeout"; offset: number; timeoutMs: number; workerId: number }
  | {
    kind: "crash";
    offset: number;
    workerId: number;
    reason: string;
    exitCode: number | null;
  }
  | { kind: "call"; error: SerializedError };

/**
 * Results of a part, or of a slice of it (`offset` on) when the whole would
 * not fit in one message. A part is answered once every item has a value,
 * or a slice brings a failure, which comes after the values before it.
 */
export interface ResultMessage {
  v: typeof PROTOCOL_VERSION;
  part: string;
  /** The position in the part of `values[0]`. */
  offset: number;
  values: unknown[];
  failure?: JobFailure;
  /** Which consumer ran it: `host:pid`. */
  consumer: string;
}

/** What a consumer says, a beat a second, so that pools know it is there. */
export interface PresenceMessage {
  /** `host:pid`. */
  id: string;
  /** How many workers it runs: chunks at once. */
  size: number;
  /** True in its last beat, as it stops. */
  leaving?: boolean;
}

/** How often consumers beat. */
export const PRESENCE_INTERVAL_MS = 1_000;
/** A consumer not heard from for this long is taken to be gone. */
export const PRESENCE_STALE_MS = 3_500;

/** Encodes a message for the wire. */
export function encode(message: JobMessage | ResultMessage): Uint8Array {
  return serialize(message);
}

/**
 * Decodes a message from the wire.
 *
 * @throws {TypeError} If it is not one of ours, or of another version.
 */
export function decode<T extends JobMessage | ResultMessage>(
  bytes: Uint8Array,
): T {
  const message = deserialize(bytes) as T | null;
  if (
    typeof message !== "object" || message === null ||
    message.v !== PROTOCOL_VERSION
  ) {
    throw new TypeError(
      `Cannot read a message as it is not a @paralelo/pool cluster message of version ${PROTOCOL_VERSION}: upgrade the pool and its consumers together`,
    );
  }
  return message;
}
