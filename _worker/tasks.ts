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
import { messageOf, namedError } from "./serialize_error.ts";

/** A task, as the worker calls it. */
export type TaskFunction = (...args: unknown[]) => unknown;

type Exports = Record<string, unknown>;

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

  /**
   * The task numbered `number`, defined as `define` if the pool sent its
   * definition with this chunk.
   *
   * @throws {Error} If the pool never defined it.
   */
  get(number: number, define: TaskRef | undefined): TaskRef {
    if (define !== undefined) this.#defined.set(number, define);
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
   * @throws {TypeError} If the module has no such export.
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
    const url = this.#moduleUrl;
    this.#loading ??= import(url).catch((error) => {
      throw namedError(
        "ModuleLoadError",
        `Cannot load the pool's module '${url}': ${messageOf(error)}`,
        error,
      );
    });
    return this.#loading;
  }

  #lookUp(exports: Exports, name: string): TaskFunction {
    const fn = exports[name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `Cannot run task '${name}' as the module '${this.#moduleUrl}' has no exported function of that name: export it from the module, or check the spelling`,
      );
    }
    return fn as TaskFunction;
  }
}
