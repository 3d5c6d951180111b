// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The lesson's importable task module (its `dormir.py`): a task that sleeps
 * and says so, so that the interleaving of the prints shows the work running
 * side by side.
 *
 * @module
 */

/**
 * Sleeps `seconds` seconds and returns them, printing before and after.
 *
 * @param seconds How long to sleep.
 * @returns The same number of seconds.
 */
export async function sleep(seconds: number): Promise<number> {
  console.log(`Sleeping for ${seconds} seconds.`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  console.log(`Returning ${seconds}`);
  return seconds;
}
