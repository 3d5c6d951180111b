// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * How the engines dispatch: never inside a dispatch, and at most once a
 * microtask when a call asks for one. A dispatch runs the caller's code (a
 * generator that feeds an `imap`), which may ask for another.
 *
 * @module
 */

/**
 * Runs a dispatch so that one asked for while another is under way does not
 * nest, but makes the running one go round once more. (Not a microtask:
 * Deno may run microtasks in the middle of a dispatch, the first time a
 * timer global is read, and one that re-queued itself would never let the
 * loop go.)
 */
export class DispatchLoop {
  #running = false;
  #again = false;
  #soon = false;

  /**
   * Runs `body` until no run was asked for during it.
   *
   * @returns `true` if this call ran it, `false` if one was under way and
   * will go round again.
   */
  run(body: () => void): boolean {
    if (this.#running) {
      this.#again = true;
      return false;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        body();
      } while (this.#again);
    } finally {
      this.#running = false;
    }
    return true;
  }

  /**
   * Calls `body` in a microtask, once however often it is asked for before
   * then: what a call's `wake()` does, so that a call never finds the engine
   * running inside its own method.
   */
  soon(body: () => void): void {
    if (this.#soon) return;
    this.#soon = true;
    queueMicrotask(() => {
      this.#soon = false;
      body();
    });
  }
}
