// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Runs the Deno that runs the build tools, at the repository's root, for
 * the tools that drive `deno bundle` and `deno info`.
 *
 * @module
 */

/** The repository's root, where the tools run `deno`. */
export const ROOT: URL = new URL("../", import.meta.url);

/**
 * Runs `deno ...args` at the root and returns what it printed.
 *
 * @param args The arguments after `deno`.
 * @param what What the run is for, as in "Cannot `what`: ...".
 * @throws {Error} If it exits with another code than 0, with its output.
 */
export async function runDeno(args: string[], what: string): Promise<string> {
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  if (!result.success) {
    throw new Error(
      `Cannot ${what}: deno ${
        args.join(" ")
      } exited with code ${result.code}\n${decoder.decode(result.stderr)}${
        decoder.decode(result.stdout)
      }`,
    );
  }
  return decoder.decode(result.stdout);
}
