// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A loop that never runs inside itself: the engines' dispatch, which runs
 * the caller's code (a generator that feeds an `imap`) and so may be asked
 * for again while it runs.
 *
 * @module
 */

/**
 * Runs a body so that a run asked for while one is under way does not
 * nest: it makes the running one go round once more instead. (Not a
 * microtask: Deno may run microtasks in the middle of a dispatch, and one
 * that re-queued itself would never let the loop go.)
 */
export class Rerun {
  #running = false;
  #again = false;

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
}
