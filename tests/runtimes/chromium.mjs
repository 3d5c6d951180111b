// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Opens a page in headless Chromium with puppeteer-core (from
 * `tests/runtimes/npm/`), waits for the page to set `globalThis.__report`,
 * and prints one line of JSON: `{ report, console, errors }`, where
 * `console` is what the page logged and `errors` its uncaught errors.
 *
 *     node tests/runtimes/chromium.mjs URL [--timeout-ms 60000]
 *       [--screenshot FILE] [--chromium /usr/bin/chromium]
 *
 * It exits 0 when the page reported, 1 when it did not in time (the JSON
 * then has `report: null` and what the page showed), 2 on bad arguments. A
 * watchdog kills the browser and exits if even that hangs.
 *
 * @module
 */
import { createRequire } from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "timeout-ms": { type: "string", default: "60000" },
    screenshot: { type: "string" },
    chromium: {
      type: "string",
      default: process.env.PARALELO_CHROMIUM ?? "/usr/bin/chromium",
    },
  },
});
const url = positionals[0];
const timeoutMs = Number(values["timeout-ms"]);
if (url === undefined || !(timeoutMs > 0)) {
  console.error(
    "Usage: node chromium.mjs URL [--timeout-ms N] [--screenshot FILE] [--chromium PATH]",
  );
  process.exit(2);
}

const require = createRequire(new URL("./npm/package.json", import.meta.url));
const puppeteer = (await import(
  pathToFileURL(require.resolve("puppeteer-core")).href
)).default;

let browser;
// Past the page's own deadline and the browser's start and stop: whatever
// hangs, this process ends.
const watchdog = setTimeout(() => {
  console.error(`chromium.mjs: still running after ${timeoutMs + 30_000} ms`);
  browser?.process()?.kill("SIGKILL");
  process.exit(3);
}, timeoutMs + 30_000);
watchdog.unref();

const messages = [];
const errors = [];
let report = null;
let shown = "";
try {
  browser = await puppeteer.launch({
    executablePath: values.chromium,
    headless: true,
    pipe: true,
    // Root needs --no-sandbox; /dev/shm is small in containers.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
    protocolTimeout: timeoutMs + 10_000,
  });
  const page = await browser.newPage();
  page.on("console", (message) => {
    messages.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(String(error?.stack ?? error)));
  await page.goto(url, { waitUntil: "load", timeout: timeoutMs });
  try {
    await page.waitForFunction(() => globalThis.__report !== undefined, {
      timeout: timeoutMs,
      polling: 100,
    });
    report = await page.evaluate(() => globalThis.__report);
  } catch (error) {
    errors.push(`No report within ${timeoutMs} ms: ${error?.message ?? error}`);
    shown = await page.evaluate(() => document.body?.innerText ?? "")
      .catch(() => "");
  }
  if (values.screenshot !== undefined) {
    await page.screenshot({ path: values.screenshot, fullPage: true });
  }
} catch (error) {
  errors.push(`chromium.mjs: ${error?.stack ?? error}`);
} finally {
  await browser?.close().catch(() => browser?.process()?.kill("SIGKILL"));
}
process.stdout.write(
  `${JSON.stringify({ report, console: messages, errors, shown })}\n`,
);
process.exit(report === null ? 1 : 0);
