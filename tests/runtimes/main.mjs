// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Runs `scenario.mjs` in Node or Bun, on a build of the library, and prints
 * its results as one line of JSON: `{ "runtime", "results": [...] }`.
 *
 *     node tests/runtimes/main.mjs dist/node/pool.js [backend] [exit,...]
 *     bun tests/runtimes/main.mjs dist/node/pool.js web self.close,process.exit
 *
 * `backend` is `web`, `node` or `default` (none named); the exits are the
 * scenario's `exits`. Nothing is left running: the process ends by itself
 * once the scenario is done, which `tests/runtimes_test.ts` checks too.
 *
 * @module
 */
import process from "node:process";
import { pathToFileURL } from "node:url";
import { run } from "./scenario.mjs";

const [library, backend = "default", exits] = process.argv.slice(2);
if (library === undefined) {
  console.error("Usage: main.mjs LIBRARY [web|node|default] [exit,...]");
  process.exit(2);
}
const lib = await import(pathToFileURL(library).href);
const runtime = typeof globalThis.Bun === "object"
  ? `bun ${process.versions.bun}`
  : `node ${process.versions.node}`;
const results = await run(lib, {
  ...(backend === "default" ? {} : { backend }),
  ...(exits === undefined || exits === "" ? {} : { exits: exits.split(",") }),
  tasksUrl: new URL("./tasks.mjs", import.meta.url).href,
  log: (line) => console.error(line),
});
process.stdout.write(`${JSON.stringify({ runtime, backend, results })}\n`);
