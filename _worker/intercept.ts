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

/**
 * Makes `close()` and `Deno.exit()` tell the pool first, through `post`,
 * then do what they do; the pool then fails the work that was on this
 * worker.
 */
export function interceptExits(post: (message: ExitMessage) => void): void {
  const scope = globalThis as unknown as MaybeWorkerScope;
  const close = scope.close;
  if (typeof close === "function") {
    scope.close = function (): void {
      post({
        type: "exit",
        reason: "the task called self.close()",
        code: null,
      });
      close.call(scope);
    };
  }
  const deno = scope.Deno;
  const exit = deno?.exit;
  if (deno !== undefined && typeof exit === "function") {
    try {
      deno.exit = function (code?: number): never {
        post({
          type: "exit",
          reason: `the task called Deno.exit(${code ?? ""})`,
          code: code ?? 0,
        });
        return exit.call(deno, code) as never;
      };
    } catch {
      // A read-only Deno.exit: the pool learns of the exit another way,
      // or when the worker stops answering.
    }
  }
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
  if (typeof scope.addEventListener !== "function") return;
  const listen = (scope.addEventListener as AddEventListener).bind(scope);
  listen("error", (event) => {
    event.preventDefault();
    post({
      type: "fatal",
      ids: running(),
      error: serializeError(event.error ?? new Error(event.message)),
    });
  });
  listen("unhandledrejection", (event) => {
    event.preventDefault();
    post({
      type: "fatal",
      ids: running(),
      error: serializeError(event.reason),
    });
  });
}
