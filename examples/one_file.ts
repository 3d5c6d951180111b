// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A whole program in one file: the file is its own task module. Its exports
 * are the tasks; the code under `import.meta.main` runs only when the file
 * is the program, not when a worker imports it for its tasks. This is the
 * form to start from with the package alone (`jsr:@paralelo/pool`), with no
 * second file and with typed task names.
 *
 * ```sh
 * deno run --allow-read examples/one_file.ts
 * ```
 *
 * @module
 */
import { Pool } from "../mod.ts";

/** Counts the primes in `[from, to)`, by trial division: CPU work. */
export function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = Math.max(from, 2); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

if (import.meta.main) {
  // The pool imports this very file in each worker; there,
  // `import.meta.main` is false, so only the exports are used.
  await using pool = new Pool<typeof import("./one_file.ts")>(
    new URL(import.meta.url),
  );
  const limit = 2_000_000;
  const step = limit / 8;
  const ranges = Array.from(
    { length: 8 },
    (_, i) => [i * step, (i + 1) * step] as [number, number],
  );
  const counts = await pool.starmap("countPrimes", ranges);
  const total = counts.reduce((a, b) => a + b, 0);
  console.log(
    `${total} primes below ${
      limit.toLocaleString("en-US")
    }, counted in ${ranges.length} ranges on ${pool.size} workers`,
  );
}
