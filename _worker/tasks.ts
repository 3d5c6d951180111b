// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Turns the pool's {@linkcode TaskRef}s into functions: an export of the
 * pool's module (imported once, on first use) or an inline function's
 * source (compiled once). A worker is told each task once, with its
 * number; later chunks name it by number only.
 *
 * @module
 */
import type { TaskRef } from "../_protocol.ts";
import type { Unresolved } from "./serialize_error.ts";

/** A task, as the worker calls it. */
export type TaskFunction = (...args: unknown[]) => unknown;

type Exports = Record<string, unknown>;

/**
 * Why a task could not be resolved: its module did not load (`"load"`,
 * with what the import threw), or has no function of that name
 * (`"lookup"`, with the error that lists those it has). Not an `Error`: it
 * never reaches the pool as such; the run loop sends `error`, marked.
 */
export class TaskNotResolved {
  /** What failed. */
  readonly stage: Unresolved;
  /** What to report. */
  readonly error: unknown;

  /** Wraps `error`, the reason a task could not be resolved at `stage`. */
  constructor(stage: Unresolved, error: unknown) {
    this.stage = stage;
    this.error = error;
  }
}

/** Whether `fn` is a class, which a task cannot be: it cannot be called. */
function isClass(fn: unknown): boolean {
  try {
    return /^class\b/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

/** The number of one-letter edits between `a` and `b` (Levenshtein). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length]!;
}

/** What an export is, for a message: "a number", "a class", "undefined". */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a class";
  if (typeof value === "object") {
    return Array.isArray(value) ? "an array" : "an object";
  }
  if (typeof value === "undefined") return "undefined";
  return /^[aeiou]/.test(typeof value)
    ? `an ${typeof value}`
    : `a ${typeof value}`;
}

/** The tasks a worker knows, and the functions they resolve to. */
export class TaskTable {
  /** The pool's module: an absolute URL, or null if it has none. */
  #moduleUrl: string | null = null;
  /** The import of the module, started on first use, shared by all tasks. */
  #loading: Promise<Exports> | null = null;
  /** The module's exports once loaded, so that a task needs no promise. */
  #exports: Exports | null = null;
  /** Compiled inline sources, so that each is compiled once. */
  readonly #compiled = new Map<string, TaskFunction>();
  /** What each task number stands for, as the pool defined it. */
  readonly #defined = new Map<number, TaskRef>();

  /** Sets the module that export tasks come from (from the init message). */
  setModule(url: string | null): void {
    this.#moduleUrl = url;
  }

  /** Learns that task `number` is `task`, as the pool defined it. */
  define(number: number, task: TaskRef): void {
    this.#defined.set(number, task);
  }

  /**
   * The task numbered `number`, as the pool defined it.
   *
   * @throws {Error} If the pool never defined it.
   */
  get(number: number): TaskRef {
    const task = this.#defined.get(number);
    if (task === undefined) {
      throw new Error(`The pool sent task ${number} without its definition`);
    }
    return task;
  }

  /**
   * The task's function: at once if it is known, else once its module
   * loads, so that a synchronous task costs no promise.
   *
   * @throws {SyntaxError} If an inline source does not compile.
   * @throws {TaskNotResolved} If the module does not load, or has no
   * function of that name (a promise rejects with it).
   */
  resolve(task: TaskRef): TaskFunction | Promise<TaskFunction> {
    if (task.kind === "source") {
      let fn = this.#compiled.get(task.source);
      if (fn === undefined) {
        fn = new Function(
          `"use strict";\nreturn (${task.source});`,
        )() as TaskFunction;
        this.#compiled.set(task.source, fn);
      }
      return fn;
    }
    if (this.#exports !== null) return this.#lookUp(this.#exports, task.name);
    return this.#load().then((exports) => {
      this.#exports = exports;
      return this.#lookUp(exports, task.name);
    });
  }

  #load(): Promise<Exports> {
    if (this.#moduleUrl === null) {
      return Promise.reject(
        new TypeError(
          "Cannot run a named task as the pool has no module: pass the module to the constructor, new Pool(new URL('./tasks.ts', import.meta.url)), or pass a function",
        ),
      );
    }
    // Kept, failed or not: every task of the module fails at once with the
    // same error, and the import is not retried for each chunk.
    this.#loading ??= import(this.#moduleUrl).catch((error) => {
      throw new TaskNotResolved("load", error);
    });
    return this.#loading;
  }

  #lookUp(exports: Exports, name: string): TaskFunction {
    const fn = exports[name];
    if (typeof fn === "function" && !isClass(fn)) return fn as TaskFunction;
    const functions = Object.keys(exports).filter((key) =>
      typeof exports[key] === "function" && !isClass(exports[key])
    ).sort();
    const listed = functions.length === 0
      ? "it exports no function at all"
      : `its exported functions are ${
        functions.map((key) => `'${key}'`).join(", ")
      }`;
    let reason: string;
    if (Object.hasOwn(exports, name)) {
      reason = `exports '${name}' as ${kindOf(fn)}, not a function`;
    } else {
      reason = "exports no function of that name";
      const near = functions
        .map((key) => ({
          key,
          edits: distance(name.toLowerCase(), key.toLowerCase()),
        }))
        .filter(({ key, edits }) =>
          edits <= Math.max(1, Math.floor(key.length / 3))
        )
        .sort((a, b) => a.edits - b.edits)[0];
      if (near !== undefined) reason += ` (did you mean '${near.key}'?)`;
    }
    throw new TaskNotResolved(
      "lookup",
      new TypeError(
        `Cannot run task '${name}' as the pool's module '${this.#moduleUrl}' ${reason}: ${listed}`,
      ),
    );
  }
}
