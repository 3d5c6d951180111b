// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's importable task module (its `dormir.py`): a task that sleeps
 * and says so, so that the interleaving of the prints shows the work running
 * side by side.
 *
 * @module
 */

const cell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sleeps `seconds` seconds and returns them, printing before and after.
 *
 * Like Python's `time.sleep`, it blocks its thread (with `Atomics.wait`):
 * nothing else runs on that thread meanwhile, which is what makes a serial
 * loop of sleeps slow and a pool of workers fast. (An `await` of a timer
 * would let one thread overlap the waits, which is true of waiting but not
 * of computing.)
 *
 * @param seconds How long to sleep.
 * @returns The same number of seconds.
 */
export function sleep(seconds: number): number {
  console.log(`Sleeping for ${seconds} second${seconds === 1 ? "" : "s"}.`);
  Atomics.wait(cell, 0, 0, seconds * 1000);
  console.log(`Returning ${seconds}`);
  return seconds;
}
