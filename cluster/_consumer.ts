// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A consumer: takes jobs from the broker, `size` at a time, runs each on a
 * local `Pool` (one per task module, so that a new version of a module gets
 * fresh workers), and answers with the results or the failure, as the local
 * pool's errors say. It keeps every job it holds alive with `working()`, so
 * that a long chunk is not given to another consumer, and on stop it takes
 * no more, finishes what it holds (or gives it back), and says it is gone.
 *
 * @module
 */
import { Pool, type PoolOptions } from "../pool.ts";
import {
  PoolClosedError,
  TaskError,
  TaskTimeoutError,
  WorkerCrashedError,
} from "../errors.ts";
import type { SerializedError } from "../_protocol.ts";
import { serializeError } from "../_worker/serialize_error.ts";
import { verifyModule } from "./_module.ts";
import {
  decode,
  encode,
  type JobFailure,
  type JobMessage,
  PRESENCE_INTERVAL_MS,
  PROTOCOL_VERSION,
} from "./_protocol.ts";
import type { ConsumerTransport, HeldJob } from "./_transport.ts";

/**
 * A job delivered this many times was taken by consumers that all stopped
 * under it (killed, out of memory): it is answered with a failure instead of
 * run again, or it would take down every consumer in turn.
 */
export const MAX_DELIVERIES = 5;

/** What a `Consumer` needs. */
export interface ConsumerInit {
  transport: ConsumerTransport;
  /** `host:pid`. */
  id: string;
  /** Jobs at once, and workers in each local pool. */
  size: number;
  /** How long to let held jobs finish on stop before giving them back, in ms. */
  drainTimeoutMs: number;
  log: (line: string) => void;
  /** What the local pools' workers may do, as `Pool`'s own options say. */
  permissions?: Pick<PoolOptions, "permissions" | "unstableWorkerOptions">;
}

/** A local pool for one module (or for inline functions), or why there is none. */
type Local =
  | { pool: Pool<Record<string, never>> }
  | { failure: JobFailure };

interface Outcome {
  values: unknown[];
  failure?: JobFailure;
}

/** The serialized `ModuleLoadError` for a module that differs or is missing here. */
function moduleFailure(
  sent: string,
  url: string,
  kind: string,
  detail: string,
  consumer: string,
): JobFailure {
  const error: SerializedError = {
    name: "ModuleLoadError",
    message:
      `Cannot load the pool's module ${url} on consumer ${consumer} as ${detail}`,
    fields: { module: sent, url, resolution: "as given, a URL", kind, detail },
  };
  return { kind: "call", error };
}

/** Runs jobs from a transport until stopped. */
export class Consumer {
  #init: ConsumerInit;
  #transport: ConsumerTransport;
  #locals = new Map<string, Promise<Local>>();
  #functions = new Map<string, (...args: never[]) => unknown>();
  #held = new Set<HeldJob>();
  /** Jobs given back on a hard stop: not to be acked after. */
  #givenBack = new WeakSet<HeldJob>();
  #stopping = false;
  #hard = false;
  #loops: Promise<void>[] = [];
  #timers: ReturnType<typeof setInterval>[] = [];
  #done = 0;

  constructor(init: ConsumerInit) {
    this.#init = init;
    this.#transport = init.transport;
  }

  /** How many jobs it has answered. */
  get done(): number {
    return this.#done;
  }

  /** Starts taking jobs; the transport must be open. */
  start(): void {
    const beat = () =>
      this.#transport.beat({ id: this.#init.id, size: this.#init.size });
    beat();
    this.#transport.onPing(beat);
    this.#timers.push(setInterval(beat, PRESENCE_INTERVAL_MS));
    // Each job held gets more time well before the broker's deadline.
    const every = Math.max(100, Math.floor(this.#transport.ackWait / 3));
    this.#timers.push(setInterval(() => {
      for (const job of this.#held) job.working();
    }, every));
    for (let i = 0; i < this.#init.size; i++) this.#loops.push(this.#loop());
  }

  /**
   * Takes no more jobs, lets those held finish for up to `drainTimeoutMs`
   * (or not at all with `hard`), gives back what is left, and lets go of
   * the local pools and the broker.
   */
  async stop(hard = false): Promise<void> {
    if (hard) this.#giveBack();
    if (this.#stopping) return;
    this.#stopping = true;
    const timer = setTimeout(() => this.#giveBack(), this.#init.drainTimeoutMs);
    try {
      await Promise.all(this.#loops);
    } finally {
      clearTimeout(timer);
    }
    for (const timer of this.#timers) clearInterval(timer);
    this.#transport.beat({ id: this.#init.id, size: 0, leaving: true });
    await Promise.all(
      [...this.#locals.values()].map(async (local) => {
        const made = await local;
        if ("pool" in made) {
          if (this.#hard) made.pool.terminate();
          else made.pool.close();
          await made.pool.join();
        }
      }),
    );
    await this.#transport.close();
  }

  /** Gives every held job back to the broker, at once, and stops their work. */
  #giveBack(): void {
    if (this.#hard) return;
    this.#hard = true;
    this.#stopping = true;
    if (this.#held.size > 0) {
      this.#init.log(
        `gave ${this.#held.size} unfinished job${
          this.#held.size === 1 ? "" : "s"
        } back to the stream`,
      );
    }
    for (const job of this.#held) {
      this.#givenBack.add(job);
      job.nak();
    }
    for (const local of this.#locals.values()) {
      local.then((made) => {
        if ("pool" in made) made.pool.terminate();
      });
    }
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      const job = await this.#transport.next();
      if (job === null) continue;
      if (this.#stopping) {
        job.nak();
        break;
      }
      this.#held.add(job);
      try {
        await this.#handle(job);
      } catch (error) {
        if (!this.#givenBack.has(job)) {
          this.#init.log(
            `gave a job back after an error: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
          job.nak();
        }
      } finally {
        this.#held.delete(job);
      }
    }
  }

  async #handle(job: HeldJob): Promise<void> {
    let message: JobMessage;
    try {
      message = decode<JobMessage>(job.bytes);
    } catch (error) {
      this.#init.log(
        `dropped a job that could not be read: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      job.ack();
      return;
    }
    // A pool that is gone reads no results: its leftover jobs need not run.
    if (!(await this.#transport.poolAlive(message.pool))) {
      job.ack();
      return;
    }
    let outcome: Outcome;
    if (job.deliveries > MAX_DELIVERIES) {
      outcome = {
        values: [],
        failure: {
          kind: "crash",
          offset: 0,
          workerId: 0,
          reason:
            `the chunk was delivered ${MAX_DELIVERIES} times, and each consumer that took it stopped before it answered (killed, or out of memory?), so it is not run again`,
          exitCode: null,
        },
      };
    } else {
      outcome = await this.#run(message);
    }
    if (this.#givenBack.has(job)) return;
    await this.#reply(message, outcome);
    if (this.#givenBack.has(job)) return;
    job.ack();
    this.#done++;
  }

  /** Runs the job's items on the local pool for its module. */
  async #run(message: JobMessage): Promise<Outcome> {
    const local = await this.#local(message.module);
    if ("failure" in local) return { values: [], failure: local.failure };
    const task = message.task;
    let fn: string | ((...args: never[]) => unknown);
    if (task.kind === "export") {
      fn = task.name;
    } else {
      let made = this.#functions.get(task.source);
      if (made === undefined) {
        // Only creates the function, which the local pool checks again
        // (self-contained) and runs in a worker.
        made = new Function(`"use strict";\nreturn (${task.source});`)() as (
          ...args: never[]
        ) => unknown;
        if (this.#functions.size > 1_000) this.#functions.clear();
        this.#functions.set(task.source, made);
      }
      fn = made;
    }
    const items = message.items;
    const options = message.timeout === undefined
      ? { chunkSize: Math.max(1, items.length) }
      : { chunkSize: Math.max(1, items.length), timeout: message.timeout };
    const values: unknown[] = [];
    const pool = local.pool as unknown as Pool<never>;
    try {
      if (message.spread) {
        values.push(
          ...await pool.starmap(fn as never, items as never, options),
        );
      } else {
        // imap, so that the values before a failure are kept.
        for await (const value of pool.imap(fn as never, items, options)) {
          values.push(value);
        }
      }
      return { values };
    } catch (error) {
      if (error instanceof PoolClosedError && this.#hard) throw error;
      return { values, failure: this.#failureOf(error) };
    }
  }

  #failureOf(error: unknown): JobFailure {
    if (error instanceof TaskError) {
      return {
        kind: "task",
        offset: error.index,
        error: serializeError(error.cause),
      };
    }
    if (error instanceof TaskTimeoutError) {
      return {
        kind: "timeout",
        offset: error.index,
        timeoutMs: error.timeoutMs,
        workerId: error.workerId,
      };
    }
    if (error instanceof WorkerCrashedError) {
      return {
        kind: "crash",
        offset: error.index,
        workerId: error.workerId,
        reason: `${error.reason}, on consumer ${this.#init.id}`,
        exitCode: error.exitCode,
      };
    }
    return { kind: "call", error: serializeError(error) };
  }

  /** The local pool for `module` (null: inline functions), made once. */
  #local(module: string | null): Promise<Local> {
    const key = module ?? "";
    let local = this.#locals.get(key);
    if (local === undefined) {
      local = this.#makeLocal(module);
      this.#locals.set(key, local);
    }
    return local;
  }

  async #makeLocal(module: string | null): Promise<Local> {
    const options: PoolOptions = {
      ...this.#init.permissions,
      size: this.#init.size,
      onWarning: (message: string) => this.#init.log(message),
    };
    if (module === null) return { pool: new Pool(options) };
    const verified = await verifyModule(module);
    if (!verified.ok) {
      return {
        failure: moduleFailure(
          module,
          verified.url,
          verified.kind,
          verified.detail,
          this.#init.id,
        ),
      };
    }
    try {
      return { pool: new Pool(verified.url, options) };
    } catch (error) {
      return { failure: { kind: "call", error: serializeError(error) } };
    }
  }

  /**
   * Sends the outcome in as few messages as fit the broker's limit: the
   * values are halved until each slice fits; a value too big on its own
   * fails its item with an error that names the limit.
   */
  async #reply(message: JobMessage, outcome: Outcome): Promise<void> {
    const max = this.#transport.maxPayload;
    const slices: [offset: number, count: number][] = [[
      0,
      outcome.values.length,
    ]];
    while (slices.length > 0) {
      const [offset, count] = slices.shift()!;
      const last = offset + count === outcome.values.length;
      const failure = last ? outcome.failure : undefined;
      const bytes = encode({
        v: PROTOCOL_VERSION,
        part: message.part,
        offset,
        values: outcome.values.slice(offset, offset + count),
        ...(failure === undefined ? {} : { failure }),
        consumer: this.#init.id,
      });
      if (bytes.length > max) {
        if (count > 1) {
          const half = Math.ceil(count / 2);
          slices.unshift([offset, half], [offset + half, count - half]);
          continue;
        }
        // One value too big, or a failure too big to say: the item fails.
        const error = new RangeError(
          `Cannot send the result of this item back from consumer ${this.#init.id} as it takes ${bytes.length} bytes, over the NATS server's max_payload of ${
            max + 1_024
          } bytes (less 1024 for the envelope): return less (write big results to storage and return where), or raise max_payload in the server's configuration`,
        );
        const small = encode({
          v: PROTOCOL_VERSION,
          part: message.part,
          offset,
          values: [],
          failure: {
            kind: "task",
            offset,
            error: serializeError(error),
          },
          consumer: this.#init.id,
        });
        await this.#transport.reply(
          message.pool,
          small,
          `${message.pool}.${message.part}.${offset}+0!`,
        );
        return;
      }
      await this.#transport.reply(
        message.pool,
        bytes,
        `${message.pool}.${message.part}.${offset}+${count}${
          failure === undefined ? "" : "!"
        }`,
      );
    }
  }
}
