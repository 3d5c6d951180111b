// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Runs a notebook top to bottom in Deno's Jupyter kernel, through nbclient,
 * Jupyter's own client (`tools/run_notebook.py`, under `/usr/bin/python3`),
 * with a kernel installed by `deno jupyter --install` into a temporary
 * folder of its own: the machine's Jupyter set-up is neither used nor
 * changed.
 *
 *     deno run -A tools/notebook.ts examples/lesson.ipynb [--write]
 *
 * `--write` saves the outputs into the notebook (then `deno fmt` formats it,
 * as `deno task check` expects); without it, the run only reports each
 * cell's time. `tests/notebook_test.ts` runs it and checks the outputs.
 *
 * `deno jupyter --install` writes its kernelspec under the user's data
 * folder, `$XDG_DATA_HOME/jupyter/kernels/deno` (else
 * `~/.local/share/jupyter/...`), and reads no `JUPYTER_*` variable; so the
 * install gets its own `XDG_DATA_HOME`, and nbclient its `JUPYTER_PATH`.
 *
 * @module
 */

/**
 * The Python that runs nbclient: Debian's, where `apt-get install
 * python3-nbclient` puts it, unless `PARALELO_PYTHON` names another (one
 * with `pip install nbclient`, say).
 */
export const PYTHON: string = pythonPath();

function pythonPath(): string {
  const variable = "PARALELO_PYTHON";
  const env = Deno.permissions.querySync({ name: "env", variable });
  const chosen = env.state === "granted" ? Deno.env.get(variable) : undefined;
  return chosen || "/usr/bin/python3";
}

/** What to install when nbclient is missing. */
export const INSTALL_HINT = "apt-get install python3-nbclient";

/** One output of a cell, as nbformat keeps it. */
export interface CellOutput {
  "output_type": "stream" | "display_data" | "execute_result" | "error";
  /** `stdout` or `stderr`, for a stream. */
  name?: string;
  /** A stream's text (nbformat may split it into lines). */
  text?: string | string[];
  /** A display's forms, by MIME type. */
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** One iopub message a cell got, as `tools/run_notebook.py` records it. */
export interface KernelMessage {
  "msg_type": string;
  "display_id"?: string;
  /** A stream's name. */
  name?: string;
  /** The MIME types of a display. */
  mimetypes?: string[];
}

/** One code cell after the run. */
export interface RunCell {
  /** Its position among all the notebook's cells. */
  index: number;
  source: string;
  /** The cell's `metadata.tags`. */
  tags: string[];
  outputs: CellOutput[];
  messages: KernelMessage[];
  /** Its wall time, or null if it did not run. */
  seconds: number | null;
}

/** What a run did. */
export interface NotebookRun {
  ok: boolean;
  /** The error of the cell that failed, or of the kernel. */
  error: { ename: string; evalue: string; message: string } | null;
  /** The whole run, kernel start included. */
  seconds: number;
  cells: RunCell[];
}

/** Options for {@linkcode runNotebook}. */
export interface RunOptions {
  /** Save the executed notebook here. @default {undefined, not saved} */
  write?: string;
  /** The most one cell may take, in seconds. @default {60} */
  cellTimeout?: number;
  /** The most the whole run may take, in milliseconds, before it is killed. @default {150000} */
  ms?: number;
}

/**
 * Why nbclient cannot run here, with what to install, or null if it can.
 * Synchronous, so that a test can decide at registration whether to skip.
 */
export function nbclientMissing(): string | null {
  const run = Deno.permissions.querySync({ name: "run", command: PYTHON });
  if (run.state !== "granted") {
    return `it needs to run ${PYTHON}: add --allow-run`;
  }
  try {
    const { code } = new Deno.Command(PYTHON, {
      args: ["-c", "import nbclient, nbformat, jupyter_client"],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return code === 0
      ? null
      : `it needs Jupyter's nbclient under ${PYTHON}: ${INSTALL_HINT}`;
  } catch {
    return `it needs ${PYTHON} with Jupyter's nbclient: ${INSTALL_HINT}`;
  }
}

/** Runs a command, killed if it has not exited within `ms`. */
async function run(
  command: string,
  args: string[],
  env: Record<string, string>,
  ms: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(command, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Installs Deno's kernel in a fresh temporary folder and runs the notebook
 * in it with nbclient, from the notebook's folder (as Jupyter starts a
 * kernel). The folder is removed afterwards.
 *
 * @throws {Error} If the kernel cannot be installed, or the runner did not
 * give its report (it crashed, or ran out of time).
 */
export async function runNotebook(
  path: string,
  options: RunOptions = {},
): Promise<NotebookRun> {
  const ms = options.ms ?? 150_000;
  const home = await Deno.makeTempDir({ prefix: "paralelo_jupyter_" });
  try {
    const data = `${home}/data`;
    const install = await run(
      Deno.execPath(),
      ["jupyter", "--install", "--force"],
      { XDG_DATA_HOME: data, NO_COLOR: "1" },
      20_000,
    );
    const spec = `${data}/jupyter/kernels/deno/kernel.json`;
    try {
      await Deno.stat(spec);
    } catch {
      throw new Error(
        `Cannot run the notebook as 'deno jupyter --install' did not write ${spec}: ${install.stderr.trim()}`,
      );
    }
    const runner = new URL("./run_notebook.py", import.meta.url).pathname;
    const args = [
      runner,
      path,
      "--kernel",
      "deno",
      "--cell-timeout",
      String(options.cellTimeout ?? 60),
      "--total-timeout",
      String(Math.floor(ms / 1000) - 10),
    ];
    if (options.write !== undefined) args.push("--write", options.write);
    const result = await run(PYTHON, args, {
      XDG_DATA_HOME: data,
      JUPYTER_PATH: `${data}/jupyter`,
      JUPYTER_DATA_DIR: `${data}/jupyter`,
      JUPYTER_CONFIG_DIR: `${home}/config`,
      JUPYTER_RUNTIME_DIR: `${home}/runtime`,
      NO_COLOR: "1",
    }, ms);
    const report = result.stdout.trim().split("\n").at(-1) ?? "";
    try {
      return JSON.parse(report) as NotebookRun;
    } catch {
      throw new Error(
        `Cannot read the notebook run's report (exit code ${result.code}): ${
          result.stderr.trim().split("\n").slice(-20).join("\n")
        }`,
      );
    }
  } finally {
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const [path, ...flags] = Deno.args;
  if (path === undefined || flags.some((flag) => flag !== "--write")) {
    console.error(
      "Usage: deno run -A tools/notebook.ts NOTEBOOK.ipynb [--write]",
    );
    Deno.exit(2);
  }
  const missing = nbclientMissing();
  if (missing !== null) {
    console.error(`Cannot run the notebook as ${missing}`);
    Deno.exit(2);
  }
  const write = flags.includes("--write") ? path : undefined;
  const result = await runNotebook(path, write === undefined ? {} : { write });
  for (const cell of result.cells) {
    const first = cell.source.split("\n")[0];
    console.log(
      `${
        cell.seconds === null ? "   -  " : `${cell.seconds.toFixed(2)} s`
      }  [${cell.index}] ${first}`,
    );
  }
  console.log(`Total: ${result.seconds.toFixed(1)} s`);
  if (!result.ok) {
    console.error(result.error?.message ?? "The run failed");
    Deno.exit(1);
  }
  if (write !== undefined) {
    // nbformat's layout is deno fmt's for notebooks; only the cells change.
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", write],
    }).output();
    if (fmt.code !== 0) Deno.exit(fmt.code);
    console.log(`Wrote ${write}`);
  }
}
