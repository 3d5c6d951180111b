// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Reports to the pool the ways a worker can stop that its runtime would
 * keep quiet about, before any task runs: a task that closes the worker or
 * exits (Deno sends a Web Worker's parent no event then), and an error that
 * escapes every task (it would kill the worker, or the whole process, with
 * no word on which work was lost).
 *
 * Every global used here is looked up and checked first: a runtime that
 * lacks one (no `Deno` in a browser, no `close` somewhere) loses that report
 * only, and the worker still starts.
 *
 * @module
 */
import type { ExitMessage, FatalMessage } from "../_protocol.ts";
import { serializeError } from "./serialize_error.ts";

/** The globals that may be there, all optional. */
interface MaybeWorkerScope {
  close?: unknown;
  Deno?: { exit?: unknown };
  process?: {
    exit?: unknown;
    exitCode?: unknown;
    on?: unknown;
  };
  addEventListener?: unknown;
}

/** The event of an escaped error, as far as it is read here. */
interface EscapedEvent {
  error?: unknown;
  reason?: unknown;
  message?: string;
  preventDefault(): void;
}

type AddEventListener = (
  type: "error" | "unhandledrejection",
  listener: (event: EscapedEvent) => void,
) => void;

type ProcessOn = (
  event: "uncaughtException" | "unhandledRejection",
  listener: (error: unknown) => void,
) => void;

/**
 * Replaces `owner[key]`, a function, with `wrap(original)`; does nothing
 * if it is not a function or cannot be replaced (a read-only property, a
 * frozen object): the pool then learns of the exit another way (Bun's
 * `close` event, node's `exit` event), or when the worker stops answering
 * and the pool stops it.
 */
function replace(
  owner: Record<string, unknown> | undefined,
  key: string,
  wrap: (original: (...args: unknown[]) => unknown) => unknown,
): void {
  try {
    const original = owner?.[key];
    if (owner === undefined || typeof original !== "function") return;
    owner[key] = wrap(original as (...args: unknown[]) => unknown);
  } catch {
    // Read-only: see above.
  }
}

/**
 * Makes `close()`, `Deno.exit()` and `process.exit()` tell the pool first,
 * through `post`, then do what they do; the pool then fails the work that
 * was on this worker. Each is there only in some runtimes (no `close` in a
 * Bun worker, no `Deno` but in Deno, no `process` in a browser): those
 * missing are left alone.
 */
export function interceptExits(post: (message: ExitMessage) => void): void {
  const scope = globalThis as unknown as MaybeWorkerScope;
  replace(
    scope as Record<string, unknown>,
    "close",
    (close) =>
      function (): void {
        post({
          type: "exit",
          reason: "the task called self.close()",
          code: null,
        });
        close.call(scope);
      },
  );
  const deno = scope.Deno;
  replace(
    deno as Record<string, unknown> | undefined,
    "exit",
    (exit) =>
      function (code?: number): never {
        post({
          type: "exit",
          reason: `the task called Deno.exit(${code ?? ""})`,
          code: code ?? 0,
        });
        return exit.call(deno, code) as never;
      },
  );
  const process = scope.process;
  replace(
    process as Record<string, unknown> | undefined,
    "exit",
    (exit) =>
      function (code?: number): never {
        const set = process?.exitCode;
        post({
          type: "exit",
          reason: `the task called process.exit(${code ?? ""})`,
          code: typeof code === "number"
            ? code
            : typeof set === "number"
            ? set
            : 0,
        });
        return exit.call(process, code) as never;
      },
  );
}

/**
 * Keeps an error that escapes every task (a throw in a timer, an unhandled
 * rejection) from ending the worker, and reports it through `post` with the
 * runs that were in progress (`running()`), which the pool then fails: all
 * of them, as nothing tells which one left the timer or the promise behind.
 */
export function interceptErrors(
  post: (message: FatalMessage) => void,
  running: () => number[],
): void {
  const scope = globalThis as unknown as MaybeWorkerScope;
  const report = (error: unknown): void =>
    post({ type: "fatal", ids: running(), error: serializeError(error) });
  if (typeof scope.addEventListener === "function") {
    // A Web Worker (and Deno's node workers).
    const listen = (scope.addEventListener as AddEventListener).bind(scope);
    listen("error", (event) => {
      event.preventDefault();
      report(event.error ?? new Error(event.message));
    });
    listen("unhandledrejection", (event) => {
      event.preventDefault();
      report(event.reason);
    });
    return;
  }
  // A node:worker_threads worker in Node, whose global scope is no
  // EventTarget: a listener keeps the worker alive, as preventDefault does.
  const on = scope.process?.on;
  if (typeof on !== "function") return;
  try {
    const listen = (on as ProcessOn).bind(scope.process);
    listen("uncaughtException", report);
    listen("unhandledRejection", report);
  } catch {
    // No report: the worker dies, and the pool hears it from its thread.
  }
}
