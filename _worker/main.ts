// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The worker's side of the protocol, whatever the thread it runs on: each
 * entry module (`_worker_web_entry.ts`, `_worker_node_entry.ts`) hands
 * {@linkcode startWorker} its endpoint, and this answers every message the
 * pool sends.
 *
 * @module
 */
import { decodeRun } from "../_protocol.ts";
import type { WorkerEndpoint } from "./endpoint.ts";
import { interceptErrors, interceptExits } from "./intercept.ts";
import { Runner } from "./runner.ts";

/** The part of the Web Locks API the worker uses (not in every runtime). */
interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<void>;
}

/**
 * Holds the Web Lock `name` for as long as the thread runs (this code never
 * releases it): after the pool terminates the worker, the lock tells
 * whether its thread really stopped. Without Web Locks the pool cannot
 * tell, and says nothing.
 */
function holdLock(name: string): void {
  const locks = (globalThis as {
    navigator?: { locks?: LockManagerLike };
  }).navigator?.locks;
  if (typeof locks?.request !== "function") return;
  try {
    locks.request(name, () => new Promise<void>(() => {})).catch(() => {});
  } catch {
    // As if there were no Web Locks.
  }
}

/**
 * Gives the worker the `__name` helper that bundlers (esbuild, `deno
 * bundle`) call with `--keep-names`: a program bundled so defines it at the
 * top of its bundle and calls it inside its functions
 * (`__name(helper, "helper")`), and an inline task's source, sent alone,
 * would fail with "__name is not defined". It names the function, as the
 * bundlers' own does, and returns it. A `__name` the worker already has is
 * kept.
 */
export function defineNameHelper(): void {
  const scope = globalThis as { __name?: unknown };
  if (typeof scope.__name === "function") return;
  try {
    Object.defineProperty(globalThis, "__name", {
      value: function __name<T>(target: T, value: string): T {
        try {
          Object.defineProperty(target, "name", { value, configurable: true });
        } catch {
          // Not an object, or a frozen one: left as it is.
        }
        return target;
      },
      writable: true,
      configurable: true,
      enumerable: false,
    });
  } catch {
    // A global scope that cannot take it: such tasks fail as before.
  }
}

/**
 * Starts the worker side of the protocol on `endpoint`: reports exits and
 * escaped errors, then answers every message the pool sends.
 */
export function startWorker(endpoint: WorkerEndpoint): void {
  defineNameHelper();
  const runner = new Runner(endpoint);
  // Before any task can run, so that no exit goes unreported. The state
  // goes first, and stays, so that the pool blames the exact item (without
  // shared memory, it may not have been posted yet).
  interceptExits((message) => {
    runner.freezeState();
    endpoint.post(message);
  });
  interceptErrors((message) => {
    runner.flushState();
    endpoint.post(message);
  }, () => runner.running);
  endpoint.listen((message) => {
    if (Array.isArray(message)) {
      runner.enqueue(decodeRun(message));
      return;
    }
    switch (message.type) {
      case "drop":
        endpoint.post({ type: "dropped", ids: runner.drop(message.ids) });
        return;
      case "init":
        holdLock(message.lock);
        runner.init(message);
        return;
    }
  });
}
