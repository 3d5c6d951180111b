// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What the examples share on the command line: their flags (`--help` lists
 * each one with its meaning and default), bad input (what was wrong and the
 * usage, exit code 2), an operator's mistake (one line that names the fix,
 * exit code 2, no stack trace), and plurals.
 *
 * @module
 */
import { joinNegativeValues } from "../_cli_args.ts";
import { parseArgs } from "node:util";

/** One flag of an example. */
export interface Flag {
  /** A string flag takes a value; a boolean one is on when given. */
  type: "string" | "boolean";
  /** What the flag does, for `--help`. */
  description: string;
  /** The value's name in the usage line, such as `N` or `URL`. @default {"VALUE"} */
  value?: string;
  /** The value when the flag is not given. */
  default?: string | boolean;
  /** The default as `--help` says it, when the value alone would not. */
  defaultText?: string;
}

/** An example's command line, for its usage line and `--help`. */
export interface Command {
  /** How to run it, such as `deno run -A examples/scrape.ts`. */
  run: string;
  /** What it does, in a sentence or two. */
  summary: string;
  /** Its flags, by name without the dashes. */
  flags: Record<string, Flag>;
}

/** The flags' values, by name. */
export type FlagValues = Record<string, string | boolean | undefined>;

/** The one-line usage of `command`: how to run it and its flags. */
export function usageLine(command: Command): string {
  const flags = Object.entries(command.flags).map(([name, flag]) =>
    flag.type === "boolean"
      ? `[--${name}]`
      : `[--${name} ${flag.value ?? "VALUE"}]`
  );
  return `Usage: ${command.run} ${flags.join(" ")}`;
}

/** What `--help` prints: the usage, the summary, and each flag's meaning and default. */
export function helpText(command: Command): string {
  const rows: [string, string][] = Object.entries(command.flags).map((
    [name, flag],
  ) => {
    const left = flag.type === "boolean"
      ? `--${name}`
      : `--${name} ${flag.value ?? "VALUE"}`;
    const byDefault = flag.defaultText ??
      (flag.type === "boolean"
        ? "off"
        : flag.default === undefined
        ? "none"
        : String(flag.default));
    return [left, `${flag.description} (default: ${byDefault})`];
  });
  rows.push(["-h, --help", "Print this help and exit"]);
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    usageLine(command),
    "",
    command.summary,
    "",
    "Flags:",
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
  ].join("\n");
}

/**
 * Prints `message`, the usage line and where to find more to stderr, and
 * exits with code 2.
 */
export function usageError(command: Command, message: string): never {
  console.error(
    `${message}\n${usageLine(command)}\n(--help says what each flag means)`,
  );
  Deno.exit(2);
}

/**
 * Prints an operator's mistake as one line that names the fix, and exits
 * with code 2: no usage, no stack trace.
 */
export function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

/**
 * Parses `Deno.args` with `node:util`'s `parseArgs`: `--help` prints
 * {@linkcode helpText} and exits 0, and an unknown flag or a missing value
 * exits 2 with the usage.
 */
export function parseFlags(command: Command): FlagValues {
  const options: Record<
    string,
    { type: "string" | "boolean"; default?: string | boolean; short?: string }
  > = { help: { type: "boolean", short: "h" } };
  for (const [name, flag] of Object.entries(command.flags)) {
    options[name] = flag.default === undefined
      ? { type: flag.type }
      : { type: flag.type, default: flag.default };
  }
  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(
        Deno.args,
        (name) => command.flags[name]?.type === "string",
      ),
      options,
    }) as { values: FlagValues });
  } catch (error) {
    usageError(command, (error as Error).message);
  }
  if (values.help) {
    console.log(helpText(command));
    Deno.exit(0);
  }
  return values;
}

/** The flag's value as a positive integer, or a usage error. */
export function positiveInteger(
  command: Command,
  flag: string,
  value: unknown,
): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) {
    usageError(
      command,
      `Cannot run as '--${flag}' must be a positive integer: received ${value}`,
    );
  }
  return number;
}

/** The flag's value as a positive finite number, or a usage error. */
export function positiveNumber(
  command: Command,
  flag: string,
  value: unknown,
): number {
  const number = Number(value);
  if (!(number > 0) || !Number.isFinite(number)) {
    usageError(
      command,
      `Cannot run as '--${flag}' must be positive, such as 0.5: received ${value}`,
    );
  }
  return number;
}

/**
 * Exits with one line (code 2) unless Deno may read `module`: the pool's
 * workers import it, and without read permission they could not.
 */
export function requireRead(module: URL): void {
  const status = Deno.permissions.querySync({
    name: "read",
    path: module,
  });
  if (status.state !== "granted") {
    fail(
      `Cannot start the workers as they import ${
        module.pathname.split("/").slice(-2).join("/")
      }, which Deno lets them read only with --allow-read: run it with deno run --allow-read`,
    );
  }
}

/**
 * Exits with one line (code 2) unless Deno may write every one of `paths`:
 * checked before the work starts, not after it.
 */
export function requireWrite(paths: string[], what: string): void {
  const denied = paths.filter((path) =>
    Deno.permissions.querySync({ name: "write", path }).state !== "granted"
  );
  if (denied.length > 0) {
    fail(
      `Cannot write ${what} to ${
        denied.join(" and ")
      } as Deno has no write permission there: add --allow-write (or --allow-write=${
        paths.join(",")
      })`,
    );
  }
}

/** `count` and the noun, plural unless the count is 1: "1 worker", "2 workers". */
export function plural(
  count: number,
  noun: string,
  nouns = `${noun}s`,
): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/**
 * Exits with one line (code 2) unless the folder that `file` goes in
 * exists, so that a typo in a path stops the run before its work.
 */
export function requireFolderOf(file: string, what: string): void {
  const slash = file.lastIndexOf("/");
  const folder = slash < 0 ? "." : slash === 0 ? "/" : file.slice(0, slash);
  let isDirectory = false;
  try {
    isDirectory = Deno.statSync(folder).isDirectory;
  } catch (error) {
    // Without read permission there, writing will say what is missing.
    if (error instanceof Deno.errors.NotCapable) return;
  }
  if (!isDirectory) {
    fail(
      `Cannot write ${what} to ${file} as ${folder} is not a folder: create it, or choose another path`,
    );
  }
}

/**
 * A ratio such as a speedup, as "1.9x": one decimal, or one significant
 * digit when it is under 0.1, so that a large slowdown reads "0.04x", not
 * "0.0x".
 */
export function formatRatio(ratio: number): string {
  return `${ratio >= 0.095 ? ratio.toFixed(1) : ratio.toPrecision(1)}x`;
}

/**
 * A Markdown table, as the demos print their summaries: the first column
 * left-aligned, the others (numbers) right-aligned, each as wide as its
 * widest cell.
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map((row) => (row[c] ?? "").length))
  );
  const line = (cells: string[]) =>
    `| ${
      widths.map((width, c) =>
        c === 0
          ? (cells[c] ?? "").padEnd(width)
          : (cells[c] ?? "").padStart(width)
      ).join(" | ")
    } |`;
  return [
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}
