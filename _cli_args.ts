// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Command-line arguments for `node:util`'s `parseArgs`, shared by the
 * consumer's command line (`cluster/worker.ts`) and the examples.
 *
 * @module
 */

/**
 * Joins `--flag -1` into `--flag=-1` for the flags that take a value, so
 * that `parseArgs` hands the value to the flag's own check, which refuses it
 * by name, instead of calling it "ambiguous".
 *
 * @param args The arguments, such as `Deno.args`.
 * @param takesValue Whether the flag of that name (without the dashes)
 * takes a value.
 * @returns The arguments, with each such pair joined.
 */
export function joinNegativeValues(
  args: readonly string[],
  takesValue: (name: string) => boolean,
): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (
      arg.startsWith("--") && takesValue(arg.slice(2)) &&
      next !== undefined && /^-\.?\d/.test(next)
    ) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}
