// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `deno task cluster-demo`: scale out, on one machine. It starts a local
 * `nats-server` with JetStream (on a free port, with a store of its own)
 * and two consumers (`cluster/worker.ts`, each a local pool of
 * `--workers-per-consumer`), then scrapes the local books site (100 ms per
 * response) twice: through a `ClusterPool`, whose chunks the consumers pull
 * from the stream, and through a local `Pool` with as many workers. It
 * checks that both wrote the same CSV files, and ends with a table of the
 * two times. Everything it started is stopped at the end, or on Ctrl-C
 * (exit code 130).
 *
 *     deno run -A examples/cluster_demo.ts [--pages 50] [--workers-per-consumer 4] [--out DIR]
 *
 * On many machines, the consumers run there instead, each started with
 * `deno run -A jsr:@paralelo/pool/cluster/worker --servers nats://HOST:4222`,
 * and the task module is one they can all import (a URL, or a shared disk).
 *
 * @module
 */
import { ClusterPool } from "../cluster/mod.ts";
import { Pool } from "../mod.ts";
import type * as bookTasks from "../workers/books.ts";
import type { PageJob, PageReport } from "../workers/books.ts";
import { startBooksSite } from "./books_site.ts";
import {
  type Command,
  fail,
  formatRatio,
  markdownTable,
  parseFlags,
  positiveInteger,
} from "./_cli.ts";

const COMMAND: Command = {
  run: "deno run -A examples/cluster_demo.ts",
  summary:
    "Starts a local nats-server and two consumers, and scrapes a local books site through a ClusterPool and through a local Pool of as many workers: the same files, the two times side by side.",
  flags: {
    pages: {
      type: "string",
      value: "N",
      default: "50",
      description: "How many listing pages to scrape",
    },
    "workers-per-consumer": {
      type: "string",
      value: "N",
      default: "4",
      description: "The --size of each of the two consumers",
    },
    out: {
      type: "string",
      value: "DIR",
      default: "out/cluster-demo",
      description: "Where the CSV files go: DIR/cluster and DIR/local",
    },
  },
};

const TASKS = new URL("../workers/books.ts", import.meta.url);
const WORKER = new URL("../cluster/worker.ts", import.meta.url);

/** A child process and how to stop it. */
interface Child {
  name: string;
  process: Deno.ChildProcess;
}

const children: Child[] = [];

function spawn(name: string, command: string, args: string[]): Child {
  const process = new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const child = { name, process };
  children.push(child);
  return child;
}

/** Resolves once the child's stderr has printed `text`, or rejects after `ms`. */
async function waitFor(child: Child, text: string, ms: number): Promise<void> {
  const decoder = new TextDecoder();
  let seen = "";
  const reader = child.process.stderr.getReader();
  const timer = setTimeout(() => reader.cancel(), ms);
  try {
    while (!seen.includes(text)) {
      const { value, done } = await reader.read();
      if (done) {
        throw new Error(
          `${child.name} did not say '${text}' within ${ms} ms:\n${seen}`,
        );
      }
      seen += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
  // Keep reading, so that a full pipe never blocks the child.
  void child.process.stderr.pipeTo(new WritableStream()).catch(() => {});
}

/** Stops every child: consumers first (SIGTERM, they drain), then the server. */
async function stopAll(): Promise<void> {
  for (const child of children.reverse()) {
    try {
      child.process.kill(child.name === "nats-server" ? "SIGKILL" : "SIGTERM");
    } catch {
      // Gone already.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      child.process.status,
      new Promise((resolve) => {
        timer = setTimeout(() => {
          try {
            child.process.kill("SIGKILL");
          } catch {
            // Gone already.
          }
          resolve(undefined);
        }, 10_000);
      }),
    ]);
    clearTimeout(timer);
  }
  children.length = 0;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function natsServerOnPath(): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return dir !== "" && Deno.statSync(`${dir}/nats-server`).isFile;
    } catch {
      return false;
    }
  });
}

/** The CSV files of a folder, by name. */
async function csvFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".csv")) {
      files.set(entry.name, await Deno.readTextFile(`${dir}/${entry.name}`));
    }
  }
  return files;
}

async function main(): Promise<number> {
  const flags = parseFlags(COMMAND);
  const pages = positiveInteger(COMMAND, "pages", flags.pages);
  const perConsumer = positiveInteger(
    COMMAND,
    "workers-per-consumer",
    flags["workers-per-consumer"],
  );
  const out = String(flags.out).replace(/(.)\/+$/, "$1");
  if (!natsServerOnPath()) {
    fail(
      "Cannot run the cluster demo as nats-server is not on PATH: install it with apt-get install nats-server",
    );
  }
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    console.error("\nInterrupted: stopping the consumers and the server");
    stopAll().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onInterrupt);

  const store = await Deno.makeTempDir({ prefix: "paralelo-demo-nats-" });
  const site = startBooksSite({ latencyMs: 100, pages });
  const workers = 2 * perConsumer;
  try {
    const port = freePort();
    const servers = `nats://127.0.0.1:${port}`;
    console.log(`# Starting nats-server -js on ${servers}`);
    const server = spawn("nats-server", "nats-server", [
      "-js",
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "-sd",
      store,
    ]);
    await waitFor(server, "Server is ready", 10_000);
    console.log(
      `# Starting two consumers of ${perConsumer} workers: deno run -A cluster/worker.ts --servers ${servers} --size ${perConsumer}`,
    );
    const consumers = [1, 2].map((n) =>
      spawn(`consumer ${n}`, Deno.execPath(), [
        "run",
        "-A",
        WORKER.pathname,
        "--servers",
        servers,
        "--size",
        String(perConsumer),
      ])
    );
    await Promise.all(
      consumers.map((consumer) => waitFor(consumer, "serving stream", 30_000)),
    );

    const jobs = (dir: string): PageJob[] =>
      Array.from({ length: pages }, (_, i) => ({
        page: i + 1,
        options: { baseUrl: site.url, outDir: dir, retries: 2 },
      }));
    const results: { label: string; seconds: number; reports: PageReport[] }[] =
      [];

    for (const label of ["local pool", "cluster"] as const) {
      const dir = `${out}/${label === "cluster" ? "cluster" : "local"}`;
      await Deno.mkdir(dir, { recursive: true });
      console.log(
        `\n# The books scraper, ${pages} pages, 100 ms per response: ${
          label === "cluster"
            ? `ClusterPool, 2 consumers × ${perConsumer} workers`
            : `local Pool of ${workers} workers`
        }`,
      );
      const started = performance.now();
      let reports: PageReport[];
      if (label === "cluster") {
        await using pool = new ClusterPool<typeof bookTasks>(TASKS, {
          servers,
          size: workers,
        });
        reports = await pool.map("scrapeJob", jobs(dir), { chunkSize: 1 });
      } else {
        await using pool = new Pool<typeof bookTasks>(TASKS, { size: workers });
        reports = await pool.map("scrapeJob", jobs(dir), { chunkSize: 1 });
      }
      const seconds = (performance.now() - started) / 1000;
      const failed = reports.filter((report) => !report.ok);
      console.log(
        `${reports.length - failed.length} pages written to ${dir} in ${
          seconds.toFixed(2)
        } s${
          failed.length > 0 ? `; failed: ${failed.map((r) => r.page)}` : ""
        }`,
      );
      results.push({ label, seconds, reports });
    }

    const [local, cluster] = [
      await csvFiles(`${out}/local`),
      await csvFiles(`${out}/cluster`),
    ];
    const same = local.size === cluster.size &&
      [...local].every(([name, text]) => cluster.get(name) === text);
    console.log(
      `\nThe same ${local.size} CSV files both ways: ${same ? "yes" : "NO"}`,
    );

    const [l, c] = results as [typeof results[0], typeof results[0]];
    const rows = [[
      `the books scraper, ${pages} pages, 100 ms per response`,
      `${l.seconds.toFixed(2)} s`,
      `${c.seconds.toFixed(2)} s`,
      formatRatio(l.seconds / c.seconds),
    ]];
    const header = [
      "step",
      `local pool (${workers})`,
      `cluster (2 × ${perConsumer})`,
      "speedup",
    ];
    console.log(`\n# Summary (${navigator.hardwareConcurrency} cores)\n`);
    console.log(markdownTable(header, rows));
    console.log(
      "\nBoth run on this machine, so the cluster cannot be faster: it shows what the broker costs. On more machines, add consumers there.",
    );
    return same && results.every((r) => r.reports.every((p) => p.ok)) ? 0 : 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    if (!interrupted) {
      await stopAll();
      await site.close();
      await Deno.remove(store, { recursive: true }).catch(() => {});
    }
  }
}

if (import.meta.main) Deno.exit(await main());
