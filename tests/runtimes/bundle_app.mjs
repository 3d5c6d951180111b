// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * A small app that imports the library by its package name, as a user's
 * would: `tests/runtimes_test.ts` bundles it with `deno bundle` and with
 * esbuild, with and without `--keep-names`, runs the bundle (the pool's
 * worker source is then inside it, as a string), and reads the one line of
 * JSON it prints. Its argument is the URL of `tasks.mjs`, as the bundle is
 * written elsewhere.
 *
 * @module
 */
import { Pool, TaskError } from "@paralelo/pool";

const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const tasksUrl = args[0];

/** A named function with a nested one: what `--keep-names` rewrites. */
function digits(n) {
  function count(text) {
    return text.length;
  }
  return count(String(n));
}

const output = {};
const inlinePool = new Pool({ size: 2 });
const modulePool = new Pool(tasksUrl, { size: 2 });
try {
  output.inline = await inlinePool.map((x) => x * 2, [1, 2, 3]);
  output.named = await inlinePool.map(digits, [1, 22, 333]).catch((error) =>
    `${error.name}: ${error.message}`
  );
  output.module = await modulePool.map("square", [1, 2, 3]);
  const error = await modulePool.map("failOnTwo", [0, 1, 2, 3]).then(
    () => null,
    (error) => error,
  );
  output.taskError = {
    isTaskError: error instanceof TaskError,
    index: error?.index,
    cause: `${error?.cause?.name}: ${error?.cause?.message}`,
  };
} catch (error) {
  output.error = `${error?.name}: ${error?.message}`;
} finally {
  inlinePool.close();
  modulePool.close();
  await Promise.all([inlinePool.join(), modulePool.join()]);
}
console.log(JSON.stringify(output));
