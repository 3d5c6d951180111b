// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Flag handling shared by the examples: bad input prints what was wrong and
 * the usage, and exits with code 2.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** Prints `message` and the usage to stderr, and exits with code 2. */
export function usageError(usage: string, message: string): never {
  console.error(`${message}\n${usage}`);
  Deno.exit(2);
}

/**
 * Parses `Deno.args` with `node:util`'s `parseArgs`; `--help` prints the
 * usage and exits 0, and an unknown flag exits 2 with the usage.
 */
export function parseFlags(
  usage: string,
  options: ParseArgsConfig["options"],
): Record<string, string | boolean | undefined> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: { ...options, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    usageError(usage, (error as Error).message);
  }
  if (values.help) {
    console.log(usage);
    Deno.exit(0);
  }
  return values as Record<string, string | boolean | undefined>;
}

/** The flag's value as a positive integer, or a usage error. */
export function positiveInteger(
  usage: string,
  flag: string,
  value: unknown,
): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    usageError(
      usage,
      `'--${flag}' must be a positive integer: received ${value}`,
    );
  }
  return number;
}

/** The flag's value as a positive finite number, or a usage error. */
export function positiveNumber(
  usage: string,
  flag: string,
  value: unknown,
): number {
  const number = Number(value);
  if (!(number > 0) || !Number.isFinite(number)) {
    usageError(
      usage,
      `'--${flag}' must be a positive number: received ${value}`,
    );
  }
  return number;
}

/**
 * Exits with a clear message (code 2) unless Deno may read `module`: the
 * pool's workers import it, and without read permission they could not.
 */
export function requireRead(usage: string, module: URL): void {
  const status = Deno.permissions.querySync({
    name: "read",
    path: module.pathname,
  });
  if (status.state !== "granted") {
    usageError(
      usage,
      `This example's workers import ${
        module.pathname.split("/").slice(-2).join("/")
      }, which Deno lets them read only with --allow-read: run it with deno run --allow-read`,
    );
  }
}
