// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * What differs between the runtimes the pool runs on: Deno, Bun, Node and
 * browsers. This is the one module of the pool's side that reads `Deno`,
 * `process`, `navigator`, `location` or `SharedArrayBuffer` (the backends
 * ask it too, and the worker side guards its own reads): everything else
 * asks {@linkcode runtime} what this runtime has, so that a Deno-only
 * feature degrades with a clear error rather than a `ReferenceError`.
 *
 * It also holds the neutral stand-in for the one Deno helper the messages
 * used, `Deno.inspect`: {@linkcode formatValue}.
 *
 * A {@linkcode Runtime} is made from a global object, so that tests can
 * describe another runtime with a plain object, and
 * {@linkcode simulateRuntime} swaps the one the pool uses (to run the
 * paths of a page that is not cross-origin isolated in Deno, say).
 *
 * @module
 */
import type { Backend } from "./_backend.ts";

/** The runtimes the pool knows apart. */
export type RuntimeName = "deno" | "bun" | "node" | "browser";

/** The part of the Web Locks API the pool uses (not in every runtime). */
export interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}

/** A Web Worker constructor, as the `"web"` backend calls it. */
export type WorkerConstructor = new (
  url: string | URL,
  options?: WorkerOptions,
) => Worker;

/** What the file at a module's `file:` URL is, when the runtime can tell. */
export type ModuleFile =
  | { kind: "file" }
  | { kind: "directory" }
  | { kind: "missing"; error: Error };

/** The base a relative module path resolves against, and how to say so. */
export interface ModuleBase {
  /** An absolute URL, ending in `/` for a directory. */
  url: string;
  /**
   * How it is described in `ModuleLoadError.resolution`: "relative to the
   * working directory /home/me", "relative to the page's location https://…".
   */
  resolution: string;
}

/** The `Deno` namespace, as far as the pool reads it; every part optional. */
interface DenoLike {
  version?: { deno?: unknown };
  cwd?: () => string;
  args?: string[];
  pid?: number;
  hostname?: () => string;
  exit?: (code: number) => never;
  mainModule?: string;
  readFile?: (path: URL) => Promise<Uint8Array>;
  stat?: (path: URL) => Promise<{ size: number; mtime: Date | null }>;
  addSignalListener?: (signal: string, listener: () => void) => void;
  removeSignalListener?: (signal: string, listener: () => void) => void;
  readTextFileSync?: (path: string) => string;
  statSync?: (path: URL) => { isDirectory: boolean };
  permissions?: {
    querySync?: (descriptor: { name: "read"; path: URL }) => {
      state: string;
    };
  };
  errors?: { NotFound?: new (...args: never[]) => Error };
}

/** `process`, as far as the pool reads it (Node, Bun, and Deno have it). */
interface ProcessLike {
  versions?: { node?: unknown; bun?: unknown };
  cwd?: () => string;
  getBuiltinModule?: (id: string) => unknown;
  argv?: string[];
  pid?: number;
  exit?: (code: number) => never;
  on?: (event: string, listener: () => void) => unknown;
  off?: (event: string, listener: () => void) => unknown;
}

/** The part of `node:fs/promises` the pool reads files with. */
interface FsPromisesLike {
  readFile(path: URL): Promise<Uint8Array>;
  stat(path: URL): Promise<{ size: number; mtimeMs: number }>;
}

/** The globals the pool may read, every one optional. */
export interface GlobalsLike {
  Deno?: unknown;
  Bun?: unknown;
  process?: unknown;
  navigator?: unknown;
  location?: unknown;
  Worker?: unknown;
  SharedArrayBuffer?: unknown;
  crossOriginIsolated?: unknown;
}

const LABELS: Record<RuntimeName, string> = {
  deno: "Deno",
  bun: "Bun",
  node: "Node",
  browser: "a browser",
};

const STUCK_ADVICE: Record<RuntimeName, string> = {
  deno:
    'and will keep this process from exiting. Use { backend: "node" }, whose workers can be stopped, or end the program with Deno.exit() when its work is done',
  bun:
    'and may keep this process from exiting. Use { backend: "node" }, whose workers can be stopped, or end the program with process.exit() when its work is done',
  node:
    'and may keep this process from exiting. Use { backend: "node" }, whose workers can be stopped, or end the program with process.exit() when its work is done',
  browser: "until the browser ends it: reload the page if it goes on",
};

/** Reads `read()`, or `undefined` if it throws (a getter, a permission). */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * What one runtime has, read from its global object once, on first use of
 * each part.
 */
export class Runtime {
  /** Which runtime this is. */
  readonly name: RuntimeName;
  readonly #globals: GlobalsLike;
  readonly #deno: DenoLike | undefined;
  readonly #process: ProcessLike | undefined;

  /** Describes the runtime whose global object is `globals`. */
  constructor(globals: GlobalsLike) {
    this.#globals = globals;
    const deno = attempt(() => globals.Deno) as DenoLike | undefined;
    const process = attempt(() => globals.process) as ProcessLike | undefined;
    this.#deno = typeof deno === "object" && deno !== null ? deno : undefined;
    this.#process = typeof process === "object" && process !== null
      ? process
      : undefined;
    // Deno and Bun both have a `process` that says it is Node: ask them
    // first.
    if (typeof this.#deno?.version?.deno === "string") {
      this.name = "deno";
    } else if (
      attempt(() => globals.Bun) !== undefined ||
      typeof this.#process?.versions?.bun === "string"
    ) {
      this.name = "bun";
    } else if (typeof this.#process?.versions?.node === "string") {
      this.name = "node";
    } else {
      this.name = "browser";
    }
  }

  /** How the runtime is named in messages: "Deno", "Bun", "Node", "a browser". */
  get label(): string {
    return LABELS[this.name];
  }

  /** The `Deno` namespace, in Deno only (for `Deno.jupyter`, say). */
  get deno(): unknown {
    return this.name === "deno" ? this.#deno : undefined;
  }

  /** The Web Worker constructor, or `undefined` where there is none (Node). */
  get Worker(): WorkerConstructor | undefined {
    const Worker = attempt(() => this.#globals.Worker);
    return typeof Worker === "function"
      ? Worker as WorkerConstructor
      : undefined;
  }

  /**
   * The backend a pool gets when it names none: `"web"` wherever there is
   * a Web Worker (Deno, Bun, browsers), `"node"` where there is not (Node).
   */
  get defaultBackend(): Backend {
    return this.Worker === undefined && this.name === "node" ? "node" : "web";
  }

  /**
   * Whether memory can be shared with workers: a `SharedArrayBuffer` that
   * can be made and posted. A browser page has one only when it is
   * cross-origin isolated (`Cross-Origin-Opener-Policy: same-origin` and
   * `Cross-Origin-Embedder-Policy: require-corp`).
   */
  get sharedMemory(): boolean {
    const isolated = attempt(() => this.#globals.crossOriginIsolated);
    return typeof attempt(() => this.#globals.SharedArrayBuffer) ===
        "function" && isolated !== false;
  }

  /**
   * Whether `node:worker_threads` honours `resourceLimits`, which
   * `maxHeapMb` sets: Deno and Node do. Bun 1.4 accepts the option and
   * ignores it (a task kept 2 GiB under a limit of 64 MiB), so a limit
   * there would bound nothing.
   */
  get heapLimits(): boolean {
    return this.name === "deno" || this.name === "node";
  }

  /** The Web Locks API, where there is one (Deno, browsers' secure pages). */
  get locks(): LockManagerLike | undefined {
    const locks = attempt(() =>
      (this.#globals.navigator as { locks?: unknown } | undefined)?.locks
    ) as Partial<LockManagerLike> | undefined;
    return typeof locks?.request === "function"
      ? locks as LockManagerLike
      : undefined;
  }

  /**
   * A built-in module of Node's (`node:os`, `node:worker_threads`), through
   * `process.getBuiltinModule` (Node 20.16 and later, Deno, Bun), or
   * `undefined` where there is none.
   */
  builtin(id: string): unknown {
    const load = this.#process?.getBuiltinModule;
    if (typeof load !== "function") return undefined;
    return attempt(() => load.call(this.#process, id));
  }

  /**
   * The number of logical CPUs: `navigator.hardwareConcurrency` (Deno, Bun,
   * browsers, Node 21 and later), else `node:os`'s `availableParallelism()`
   * (Node 20), else 1.
   */
  cpuCount(): number {
    const reported = attempt(() =>
      (this.#globals.navigator as { hardwareConcurrency?: unknown } | undefined)
        ?.hardwareConcurrency
    );
    if (typeof reported === "number" && reported >= 1) {
      return Math.floor(reported);
    }
    const os = this.builtin("node:os") as {
      availableParallelism?: () => number;
      cpus?: () => unknown[];
    } | undefined;
    const counted = attempt(() =>
      os?.availableParallelism?.() ?? os?.cpus?.().length
    );
    return typeof counted === "number" && counted >= 1
      ? Math.floor(counted)
      : 1;
  }

  /**
   * What a relative module path (a string that is not a URL) resolves
   * against: the working directory where there is one (Deno's `Deno.cwd()`,
   * `process.cwd()` in Node and Bun), the page's location in a browser, or
   * `undefined` where there is neither.
   *
   * @throws {Error} What `Deno.cwd()` throws without read permission.
   */
  moduleBase(): ModuleBase | undefined {
    if (this.name === "browser") {
      const href = attempt(() =>
        (this.#globals.location as { href?: unknown } | undefined)?.href
      );
      if (typeof href !== "string") return undefined;
      return {
        url: href,
        resolution: `relative to the page's location ${href}`,
      };
    }
    const cwd = this.name === "deno" && typeof this.#deno?.cwd === "function"
      ? this.#deno.cwd()
      : attempt(() => this.#process?.cwd?.());
    if (typeof cwd !== "string") return undefined;
    const dir = cwd.replaceAll("\\", "/");
    return {
      url: new URL(`file://${dir.startsWith("/") ? "" : "/"}${dir}/`).href,
      resolution: `relative to the working directory ${cwd}`,
    };
  }

  /**
   * Whether an absolute path (`/x/tasks.ts`, `C:\x\tasks.ts`) names a file:
   * everywhere but in a browser, where it is a path on the page's server.
   */
  get filePaths(): boolean {
    return this.name !== "browser";
  }

  /**
   * What is at a `file:` URL, if the runtime can tell without asking for a
   * permission: Deno only when the program may read it, Node and Bun
   * through `node:fs`; `undefined` otherwise (a browser, an error other
   * than a missing file).
   */
  statModule(url: URL): ModuleFile | undefined {
    const deno = this.#deno;
    if (this.name === "deno") {
      if (deno?.permissions?.querySync === undefined || !deno.statSync) {
        return undefined;
      }
      try {
        const state = deno.permissions.querySync({ name: "read", path: url })
          .state;
        if (state !== "granted") return undefined;
        return deno.statSync(url).isDirectory
          ? { kind: "directory" }
          : { kind: "file" };
      } catch (error) {
        const NotFound = deno.errors?.NotFound;
        return NotFound !== undefined && error instanceof NotFound
          ? { kind: "missing", error }
          : undefined;
      }
    }
    const fs = this.builtin("node:fs") as {
      statSync?: (path: URL) => { isDirectory(): boolean };
    } | undefined;
    if (typeof fs?.statSync !== "function") return undefined;
    try {
      return fs.statSync(url).isDirectory()
        ? { kind: "directory" }
        : { kind: "file" };
    } catch (error) {
      return error instanceof Error &&
          (error as { code?: unknown }).code === "ENOENT"
        ? { kind: "missing", error }
        : undefined;
    }
  }

  /** `node:fs/promises`, or a TypeError that says this runtime has no files. */
  #fs(what: string): FsPromisesLike {
    const fs = this.builtin("node:fs/promises") as FsPromisesLike | undefined;
    if (typeof fs?.readFile !== "function") {
      throw new TypeError(
        `Cannot ${what} as ${this.label} has no file system: use an http: or https: URL`,
      );
    }
    return fs;
  }

  /**
   * The bytes of the file at a `file:` URL: `Deno.readFile` in Deno (so
   * that its permission errors are Deno's), `node:fs/promises` in Node and
   * Bun.
   *
   * @throws {TypeError} In a browser, which has no files.
   */
  async readFile(url: URL): Promise<Uint8Array> {
    const deno = this.#deno;
    if (this.name === "deno" && typeof deno?.readFile === "function") {
      return await deno.readFile(url);
    }
    return await this.#fs(`read ${url.href}`).readFile(url);
  }

  /** The size and modification time (ms, or null) of the file at `url`. */
  async statFile(url: URL): Promise<{ size: number; mtimeMs: number | null }> {
    const deno = this.#deno;
    if (this.name === "deno" && typeof deno?.stat === "function") {
      const info = await deno.stat(url);
      return { size: info.size, mtimeMs: info.mtime?.getTime() ?? null };
    }
    const info = await this.#fs(`read ${url.href}`).stat(url);
    return { size: info.size, mtimeMs: info.mtimeMs };
  }

  /** Whether `error` says a file is missing (`Deno.errors.NotFound`, `ENOENT`). */
  isNotFound(error: unknown): boolean {
    const NotFound = this.#deno?.errors?.NotFound;
    if (NotFound !== undefined && error instanceof NotFound) return true;
    return error instanceof Error &&
      (error as { code?: unknown }).code === "ENOENT";
  }

  /**
   * `host:pid`, naming this process among others, such as the consumers of
   * a cluster. Where the host name cannot be read (Deno without
   * `--allow-sys=hostname`) or there is no process id (a page), a random
   * part stands in, so that two processes never share a name.
   */
  processName(): string {
    const os = this.builtin("node:os") as
      | { hostname?: () => string }
      | undefined;
    const host = attempt(() =>
      this.name === "deno" ? this.#deno?.hostname?.() : os?.hostname?.()
    );
    const pid = this.name === "deno" ? this.#deno?.pid : this.#process?.pid;
    const random = () => crypto.randomUUID().slice(0, 8);
    return `${
      typeof host === "string" && host !== ""
        ? host
        : `${this.name}-${random()}`
    }:${pid ?? random()}`;
  }

  /** The program's arguments after its script, or none in a browser. */
  get args(): string[] {
    if (this.name === "deno") return [...(this.#deno?.args ?? [])];
    return this.#process?.argv?.slice(2) ?? [];
  }

  /**
   * Calls `listener` on SIGINT and SIGTERM (Deno's signal listeners, or
   * `process.on`), and returns what stops that. Nothing in a browser.
   */
  onStopSignals(listener: () => void): () => void {
    const signals = ["SIGINT", "SIGTERM"];
    const deno = this.#deno;
    if (this.name === "deno" && deno?.addSignalListener !== undefined) {
      for (const signal of signals) deno.addSignalListener(signal, listener);
      return () => {
        for (const signal of signals) {
          deno.removeSignalListener?.(signal, listener);
        }
      };
    }
    const process = this.#process;
    if (typeof process?.on !== "function") return () => {};
    for (const signal of signals) process.on(signal, listener);
    return () => {
      for (const signal of signals) process.off?.(signal, listener);
    };
  }

  /**
   * Ends the process with `code` (`Deno.exit`, `process.exit`).
   *
   * @throws {TypeError} In a browser, which has no process to end.
   */
  exit(code: number): never {
    const exit = this.name === "deno" ? this.#deno?.exit : this.#process?.exit;
    if (typeof exit !== "function") {
      throw new TypeError(`Cannot exit as ${this.label} has no process`);
    }
    return exit.call(this.name === "deno" ? this.#deno : this.#process, code);
  }

  /**
   * Whether the module of `meta` is the program's entry point:
   * `import.meta.main` where the runtime has it (Deno, Bun, Node 24), else
   * whether it is the script Node was started with (its real path, as
   * `node_modules` may hold links).
   */
  isMain(meta: { url: string; main?: boolean }): boolean {
    if (typeof meta.main === "boolean") return meta.main;
    const script = this.#process?.argv?.[1];
    if (this.name !== "node" || script === undefined) return false;
    const fs = this.builtin("node:fs") as {
      realpathSync?: (path: string) => string;
    } | undefined;
    const url = this.builtin("node:url") as {
      fileURLToPath?: (url: string) => string;
    } | undefined;
    const real = (path: string) => attempt(() => fs?.realpathSync?.(path));
    const here = attempt(() => url?.fileURLToPath?.(meta.url));
    if (here === undefined) return false;
    const module = real(here) ?? here;
    // Node finds the script as require() would: `worker` runs worker.js.
    return ["", ".js", ".mjs"].some((ext) =>
      real(`${script}${ext}`) === module
    );
  }

  /**
   * The flags Deno was started with, before the script's name, from the
   * process's command line: only in Deno on Linux, and only when the
   * program may read `/proc/self/cmdline` (with `--allow-all`); otherwise
   * `undefined`, as Deno offers no other way to see them.
   */
  denoFlags(): string[] | undefined {
    const deno = this.#deno;
    if (this.name !== "deno" || typeof deno?.readTextFileSync !== "function") {
      return undefined;
    }
    const argv = attempt(() =>
      deno.readTextFileSync!("/proc/self/cmdline").split("\0")
    );
    if (argv === undefined) return undefined;
    const args = deno.args?.length ?? 0;
    return argv.slice(0, Math.max(0, argv.length - args - 1));
  }

  /**
   * What the warning about a thread that a stop could not end says after
   * "its thread still runs, keeps a core busy": what it costs here, and the
   * way out ("... or end the program with Deno.exit() when its work is
   * done").
   */
  get stuckThreadAdvice(): string {
    return STUCK_ADVICE[this.name];
  }

  /**
   * How long a stopped Web Worker's thread may take to end before the pool
   * warns that it still runs: 1 s in Deno, whose Web Workers are never
   * interrupted; 5 s elsewhere, as Chromium ends a looping worker, but took
   * 2 s to (measured with Chromium 156).
   */
  get stopGraceMs(): number {
    return this.name === "deno" ? 1_000 : 5_000;
  }
}

/** What {@linkcode simulateRuntime} may change of the runtime. */
export interface RuntimeOverrides {
  /** Another global object to read, in full. */
  globals?: GlobalsLike;
  /**
   * `false` describes a browser page that is not cross-origin isolated:
   * no `SharedArrayBuffer` for the workers' state.
   */
  sharedMemory?: boolean;
  /** The Web Worker constructor that the `"web"` backend uses. */
  Worker?: WorkerConstructor;
}

let current: Runtime = new Runtime(globalThis as GlobalsLike);

/** The runtime the pool runs on (or the one a test simulates). */
export function runtime(): Runtime {
  return current;
}

/**
 * For tests: makes the pool see another runtime until the returned
 * function is called, such as one without shared memory (a page that is
 * not cross-origin isolated). A pool reads what it needs when it is
 * created, so the simulation applies to the pools created under it.
 *
 * @param overrides What differs from the real runtime.
 * @returns A function that restores the real runtime.
 */
export function simulateRuntime(overrides: RuntimeOverrides): () => void {
  const previous = current;
  const globals: GlobalsLike = {
    ...(overrides.globals ?? globalThis as GlobalsLike),
  };
  if (overrides.globals === undefined) {
    // Copied by name: globalThis's properties are not its own enumerable
    // ones, which a spread would miss.
    for (
      const name of [
        "Deno",
        "Bun",
        "process",
        "navigator",
        "location",
        "Worker",
        "SharedArrayBuffer",
        "crossOriginIsolated",
      ] as const
    ) {
      globals[name] = attempt(() => (globalThis as GlobalsLike)[name]);
    }
  }
  if (overrides.sharedMemory === false) globals.SharedArrayBuffer = undefined;
  if (overrides.Worker !== undefined) globals.Worker = overrides.Worker;
  current = new Runtime(globals);
  return () => {
    current = previous;
  };
}

// --- formatting values for messages, without Deno.inspect -------------------

/** The most entries of an array, object, Map or Set that are shown. */
const MAX_ENTRIES = 100;
/** The longest string shown whole. */
const MAX_STRING = 1_000;

/** A string quoted as Deno.inspect quotes it: `"`, else `'`, else `` ` ``. */
function quote(text: string): string {
  const shown = text.length > MAX_STRING
    ? `${text.slice(0, MAX_STRING)}... ${
      text.length - MAX_STRING
    } more characters`
    : text;
  const mark = !shown.includes('"')
    ? '"'
    : !shown.includes("'")
    ? "'"
    : !shown.includes("`")
    ? "`"
    : '"';
  let escaped = "";
  for (const char of shown) {
    const code = char.codePointAt(0)!;
    if (char === mark || char === "\\") escaped += `\\${char}`;
    else if (char === "\n") escaped += "\\n";
    else if (char === "\r") escaped += "\\r";
    else if (char === "\t") escaped += "\\t";
    else if (code < 0x20 || code === 0x7f) {
      escaped += `\\x${code.toString(16).padStart(2, "0")}`;
    } else escaped += char;
  }
  return `${mark}${escaped}${mark}`;
}

const IDENTIFIER = /^[\p{L}\p{Nl}$_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*$/u;

function formatKey(key: string | symbol): string {
  if (typeof key === "symbol") return key.toString();
  return IDENTIFIER.test(key) ? key : quote(key);
}

function formatFunction(fn: (...args: never[]) => unknown): string {
  let source = "";
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    // A revoked Proxy, say: shown as a function.
  }
  const name = typeof fn.name === "string" && fn.name !== ""
    ? fn.name
    : undefined;
  if (/^class\b/.test(source)) {
    return name === undefined ? "[class (anonymous)]" : `[class ${name}]`;
  }
  return name === undefined ? "[Function (anonymous)]" : `[Function: ${name}]`;
}

/** The name shown before an object's fields: `Foo` in `Foo { a: 1 }`. */
function prefixOf(value: object): string {
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return "[Object: null prototype] ";
  const name = (proto as { constructor?: { name?: unknown } }).constructor
    ?.name;
  return typeof name === "string" && name !== "" && name !== "Object"
    ? `${name} `
    : "";
}

function joined(
  open: string,
  parts: string[],
  more: number,
  close: string,
): string {
  if (more > 0) parts.push(`... ${more} more item${more === 1 ? "" : "s"}`);
  return parts.length === 0
    ? `${open}${close}`
    : `${open} ${parts.join(", ")} ${close}`;
}

function formatInner(
  value: unknown,
  depth: number,
  seen: Set<object>,
): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return formatFunction(value as (...args: never[]) => unknown);
  }
  if (value === null) return "null";
  const object = value as object;
  if (seen.has(object)) return "[Circular]";
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  }
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) {
    return value.message === ""
      ? value.name
      : `${value.name}: ${value.message}`;
  }
  if (value instanceof URL) return `URL ${quote(value.href)}`;
  const nested = depth < 0;
  seen.add(object);
  try {
    if (Array.isArray(value)) {
      if (nested) return "[Array]";
      const parts: string[] = [];
      const shown = Math.min(value.length, MAX_ENTRIES);
      let holes = 0;
      for (let i = 0; i < shown; i++) {
        if (!(i in value)) {
          holes++;
          continue;
        }
        if (holes > 0) {
          parts.push(`<${holes} empty item${holes === 1 ? "" : "s"}>`);
          holes = 0;
        }
        parts.push(formatInner(value[i], depth - 1, seen));
      }
      if (holes > 0) {
        parts.push(`<${holes} empty item${holes === 1 ? "" : "s"}>`);
      }
      return joined("[", parts, value.length - shown, "]");
    }
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      const typed = value as unknown as ArrayLike<number | bigint>;
      const name = prefixOf(value).trim();
      if (nested) return `[${name}]`;
      const parts: string[] = [];
      const shown = Math.min(typed.length, MAX_ENTRIES);
      for (let i = 0; i < shown; i++) {
        parts.push(formatInner(typed[i], depth - 1, seen));
      }
      return joined(
        `${name}(${typed.length}) [`,
        parts,
        typed.length - shown,
        "]",
      );
    }
    if (value instanceof Map || value instanceof Set) {
      const kind = value instanceof Map ? "Map" : "Set";
      if (nested) return `[${kind}]`;
      const parts: string[] = [];
      for (const entry of value instanceof Map ? value : value.values()) {
        if (parts.length === MAX_ENTRIES) break;
        parts.push(
          value instanceof Map
            ? `${formatInner(entry[0], depth - 1, seen)} => ${
              formatInner(entry[1], depth - 1, seen)
            }`
            : formatInner(entry, depth - 1, seen),
        );
      }
      return joined(
        `${kind}(${value.size}) {`,
        parts,
        value.size - parts.length,
        "}",
      );
    }
    const prefix = prefixOf(object);
    if (nested) return `[${prefix.trim() || "Object"}]`;
    const keys = Reflect.ownKeys(object).filter((key) =>
      Object.getOwnPropertyDescriptor(object, key)?.enumerable === true
    );
    const parts: string[] = [];
    for (const key of keys.slice(0, MAX_ENTRIES)) {
      const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
      const shown = "value" in descriptor
        ? formatInner(descriptor.value, depth - 1, seen)
        : descriptor.get && descriptor.set
        ? "[Getter/Setter]"
        : descriptor.get
        ? "[Getter]"
        : "[Setter]";
      parts.push(`${formatKey(key)}: ${shown}`);
    }
    return joined(`${prefix}{`, parts, keys.length - parts.length, "}");
  } finally {
    seen.delete(object);
  }
}

/**
 * A value as an error message shows it, on one line, the way
 * `Deno.inspect(value, { depth })` shows a small value (`"1s"`,
 * `{ disk: true }`, `[ 1, [Array] ]`), in every runtime. It never throws:
 * a value that cannot be read (a Proxy that throws) says so.
 *
 * @param value Any value.
 * @param depth How deep to show nested objects: 0 shows only the
 * top-level fields' own values, and deeper objects as `[Object]`.
 * @returns The value, shown.
 */
export function formatValue(value: unknown, depth = 1): string {
  try {
    return formatInner(value, depth, new Set());
  } catch {
    return "a value that could not be read";
  }
}
