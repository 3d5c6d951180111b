// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Runs `scenario.mjs` in the page (`page.html`) on the browser build, and
 * leaves what happened in `globalThis.__report` for the test's driver
 * (`chromium.mjs`): whether the page is cross-origin isolated, and each
 * step's result, or the error that stopped the run.
 *
 * @module
 */
import { run } from "./scenario.mjs";

const params = new URLSearchParams(location.search);
const library = params.get("lib") ?? "/dist/browser/pool.js";
const log = document.getElementById("log");
const report = {
  isolated: globalThis.crossOriginIsolated === true,
  sharedArrayBuffer: typeof globalThis.SharedArrayBuffer === "function",
  hardwareConcurrency: navigator.hardwareConcurrency,
  userAgent: navigator.userAgent,
};
try {
  const lib = await import(library);
  report.results = await run(lib, {
    backend: params.get("backend") ?? "web",
    // Measured in Chromium: a terminated worker's loop runs on for about
    // 2 s (Blink's kForcibleTerminationDelay), then stops.
    loopStops: true,
    tasksUrl: new URL("./tasks.mjs", import.meta.url).href,
    ...(params.has("only") ? { only: params.getAll("only") } : {}),
    log: (line) => {
      log.textContent += `${line}\n`;
      console.log(line);
    },
  });
} catch (error) {
  report.error = error instanceof Error
    ? `${error.name}: ${error.message}\n${error.stack ?? ""}`
    : String(error);
}
globalThis.__report = report;
