// Copyright 2026 the @paralelo/pool authors. MIT license.
// Plain JavaScript that Node and Bun load as it is: its types are in JSDoc.
// deno-lint-ignore-file explicit-module-boundary-types
/**
 * Runs `scenario.mjs` in Node or Bun on the library a user's program
 * imported, and prints its results as one line of JSON: `{ "runtime",
 * "backend", "results": [...] }`. The program is `app.mjs` in the Node
 * project that `tests/runtimes_test.ts` installs the npm form into
 * (`dist/node-app/`), and is all of two lines:
 *
 *     import * as lib from "@paralelo/pool";
 *     await (await import("<this file's URL>")).main(lib);
 *
 * Run by hand, after the tests made the project:
 *
 *     node dist/node-app/app.mjs [backend] [exit,...] [options-json]
 *     tests/runtimes/npm/node_modules/.bin/bun dist/node-app/app.mjs web process.exit '{"loopStops":true}'
 *
 * `backend` is `web`, `node` or `default` (none named); the exits are the
 * scenario's `exits`; `options-json` is more of its options: what this
 * runtime is expected to do (`loopStops`, `heapLimit`). Nothing is left
 * running: the process ends by itself once the scenario is done, which
 * `tests/runtimes_test.ts` checks too.
 *
 * @module
 */
import process from "node:process";
import { run } from "./scenario.mjs";

/**
 * Runs the scenario on `lib` with the backend and exits of the command
 * line, and prints the results.
 *
 * @param {object} lib The library, as the program imported it.
 * @returns {Promise<void>}
 */
export async function main(lib) {
  const [backend = "default", exits, more] = process.argv.slice(2);
  const runtime = typeof globalThis.Bun === "object"
    ? `bun ${process.versions.bun}`
    : `node ${process.versions.node}`;
  const results = await run(lib, {
    ...(backend === "default" ? {} : { backend }),
    ...(exits === undefined || exits === "" ? {} : { exits: exits.split(",") }),
    ...(more === undefined || more === "" ? {} : JSON.parse(more)),
    tasksUrl: new URL("./tasks.mjs", import.meta.url).href,
    log: (line) => console.error(line),
  });
  process.stdout.write(`${JSON.stringify({ runtime, backend, results })}\n`);
}
