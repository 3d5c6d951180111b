// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * The browser demo (`index.html`): the lesson's `x ** N` for x in 1..6 on a
 * pool of Web Workers, with a live progress bar (`onProgress`), the
 * timeline of the run (`timelineSvg` of `pool.trace()`), and a meter of the
 * page's own thread: the longest task it ran during the run (the browser's
 * `longtask` entries, 50 ms and over) and the longest gap between two
 * frames.
 *
 * `?autorun` starts a run on load, `?exponent=N` and `?workers=N` set the
 * fields. When a run started by `?autorun` ends, `globalThis.__report` says
 * how it went, for `tests/runtimes_test.ts`.
 *
 * @module
 */
// The browser build, which `deno task browser-demo` makes first. Imported
// by a name held in a variable, so that `deno check .` on a fresh clone,
// where dist/ is not built yet, does not look for it.
const LIBRARY = "../../dist/browser/pool.js";
const { cpuCount, Pool, timelineSvg } = await import(LIBRARY);

/** The lesson's N: about two seconds on a pool of two in headless Chromium. */
const DEFAULT_EXPONENT = 10_000_000;
const XS = [1, 2, 3, 4, 5, 6];

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$("exponent").value = params.get("exponent") ?? String(DEFAULT_EXPONENT);
$("workers").value = params.get("workers") ?? String(cpuCount());
$("progress").max = XS.length;
$("isolation").textContent = globalThis.crossOriginIsolated
  ? "This page is cross-origin isolated: the pool shares memory (SharedArrayBuffer) with its workers."
  : "This page is not cross-origin isolated (no COOP/COEP headers): the pool sends its workers' state in messages instead of sharing memory.";

/**
 * x ** n as a BigInt, and its number of decimal digits: the digits
 * themselves would be megabytes. Self-contained, so the pool can send it.
 */
function power(x, n) {
  const result = BigInt(x) ** BigInt(n);
  return result < 10n
    ? String(result).length
    : Math.floor(n * Math.log10(x)) + 1;
}

// --- the page's own thread ------------------------------------------------

let frames = 0;
let angle = 0;
/** @type {{ last: number, longestGap: number } | null} */
let gapMeter = null;
function frame(now) {
  frames++;
  angle = (angle + 6) % 360;
  $("ticker").style.transform = `rotate(${angle}deg)`;
  $("frames").textContent = String(frames);
  if (gapMeter !== null) {
    gapMeter.longestGap = Math.max(gapMeter.longestGap, now - gapMeter.last);
    gapMeter.last = now;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

/** The browser's long tasks (50 ms and more), kept while a run measures. */
let longTasks = null;
const longTaskSupported = typeof PerformanceObserver === "function" &&
  PerformanceObserver.supportedEntryTypes?.includes("longtask");
function keepLongTasks(entries) {
  if (longTasks === null) return;
  for (const entry of entries) {
    longTasks.push({ start: entry.startTime, duration: entry.duration });
  }
}
const longTaskObserver = longTaskSupported
  ? new PerformanceObserver((list) => keepLongTasks(list.getEntries()))
  : null;
longTaskObserver?.observe({ type: "longtask" });

/** Starts measuring the page's thread; the result's `stop()` ends it. */
function measure() {
  const started = performance.now();
  longTasks = [];
  gapMeter = { last: started, longestGap: 0 };
  return {
    async stop() {
      // Long tasks are reported after they end: let the last ones arrive,
      // and take those not yet delivered.
      await new Promise((resolve) => setTimeout(resolve, 100));
      keepLongTasks(longTaskObserver?.takeRecords() ?? []);
      const ended = performance.now();
      // A task that ran when the run started counts: it held the page then.
      const tasks = longTasks.filter((task) =>
        task.start + task.duration > started
      );
      const gaps = gapMeter;
      longTasks = null;
      gapMeter = null;
      return {
        longestTaskMs: Math.max(0, ...tasks.map((task) => task.duration)),
        longTasks: tasks.length,
        longestFrameGapMs: Math.max(gaps.longestGap, ended - gaps.last),
      };
    },
  };
}

function showMeter(meter, what) {
  const task = !longTaskSupported
    ? "this browser does not report long tasks"
    : meter.longTasks === 0
    ? "under 50 ms (no long task)"
    : `${meter.longestTaskMs.toFixed(0)} ms (${meter.longTasks} long task${
      meter.longTasks === 1 ? "" : "s"
    } of 50 ms or more)`;
  const element = $("longest");
  element.textContent =
    `Longest main-thread task during ${what}: ${task}; longest gap between two frames: ${
      meter.longestFrameGapMs.toFixed(0)
    } ms`;
  // Green while the page's thread never held on for 200 ms. A frame can
  // come late with every core busy computing, though no task of the page
  // held it: the gap is shown, but judged only where long tasks are not
  // reported.
  const held = longTaskSupported
    ? meter.longestTaskMs
    : meter.longestFrameGapMs;
  element.className = `meter ${held < 200 ? "good" : "bad"}`;
}

function showProgress(done, total) {
  $("progress").value = done;
  $("progress").max = total;
  $("progress-text").textContent = `${done} / ${total} (${
    Math.round(done / total * 100)
  }%)`;
}

function showDigits(exponent, digits) {
  const body = $("results").querySelector("tbody");
  body.replaceChildren(...XS.map((x, i) => {
    const row = document.createElement("tr");
    for (
      const text of [String(x), digits[i].toLocaleString("en-US")]
    ) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  }));
  $("results").querySelector("th:last-child").textContent = `digits of x ** ${
    exponent.toLocaleString("en-US")
  }`;
  $("results").hidden = false;
}

function setBusy(busy) {
  for (const id of ["run", "serial", "exponent", "workers"]) {
    $(id).disabled = busy;
  }
}

/** The serial run's spans, drawn above the pool's rows once there is one. */
let serialSpans = null;

/** Runs the powers on a pool and shows it all; resolves with a summary. */
async function runOnPool(exponent, workers) {
  setBusy(true);
  showProgress(0, XS.length);
  $("timeline").replaceChildren();
  $("status").textContent =
    `Running x ** ${exponent} for x in 1..6 on ${workers} workers...`;
  const pool = new Pool({ size: workers, trace: true });
  const meter = measure();
  const started = performance.now();
  try {
    const digits = await pool.starmap(
      power,
      XS.map((x) => [x, exponent]),
      { chunkSize: 1, onProgress: showProgress },
    );
    const runMs = performance.now() - started;
    const measured = await meter.stop();
    showMeter(measured, "the pool's run");
    showDigits(exponent, digits);
    $("status").textContent = `Pool of ${workers}: ${
      (runMs / 1000).toFixed(2)
    } s, workers' start included.`;
    $("timeline").innerHTML = timelineSvg(pool.trace(), {
      title: `x ** ${exponent} for x in 1..6 on a pool of ${workers}`,
      ...(serialSpans === null ? {} : { serial: serialSpans }),
      width: 900,
    });
    return { runMs, digits, ...measured };
  } finally {
    pool.close();
    await pool.join();
    setBusy(false);
  }
}

/** The same loop on the page's own thread: the page freezes meanwhile. */
async function runHere(exponent) {
  setBusy(true);
  showProgress(0, XS.length);
  $("status").textContent = `Running x ** ${exponent} on this thread...`;
  // Let the status show before the thread is taken.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const meter = measure();
  const origin = performance.now();
  const spans = [];
  const digits = [];
  for (const x of XS) {
    const start = performance.now() - origin;
    digits.push(power(x, exponent));
    spans.push({ label: `x=${x}`, start, end: performance.now() - origin });
  }
  const runMs = performance.now() - origin;
  // The bar moves only now: the thread that draws it was busy.
  showProgress(XS.length, XS.length);
  showMeter(await meter.stop(), "the run on this thread");
  showDigits(exponent, digits);
  serialSpans = spans;
  $("status").textContent = `On this thread: ${
    (runMs / 1000).toFixed(2)
  } s, and the page froze for all of it. Run it on the pool to compare.`;
  setBusy(false);
}

function fields() {
  const exponent = Number($("exponent").value);
  const workers = Number($("workers").value);
  if (!Number.isSafeInteger(exponent) || exponent < 1) {
    throw new RangeError("N must be a whole number of at least 1");
  }
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new RangeError("Workers must be a whole number of at least 1");
  }
  return { exponent, workers };
}

function fail(error) {
  $("status").textContent = `Failed: ${error?.message ?? error}`;
  $("status").className = "meter bad";
  setBusy(false);
}

$("controls").addEventListener("submit", (event) => {
  event.preventDefault();
  try {
    const { exponent, workers } = fields();
    runOnPool(exponent, workers).catch(fail);
  } catch (error) {
    fail(error);
  }
});
$("serial").addEventListener("click", () => {
  try {
    runHere(fields().exponent).catch(fail);
  } catch (error) {
    fail(error);
  }
});

if (params.has("autorun")) {
  const report = {
    isolated: globalThis.crossOriginIsolated === true,
    longTaskSupported,
  };
  try {
    // In a task of its own: the one that evaluated this module (and the
    // library, 400 KiB of it) is not part of the run.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { exponent, workers } = fields();
    Object.assign(report, { exponent, workers });
    Object.assign(report, await runOnPool(exponent, workers));
    const svg = $("timeline").querySelector("svg");
    Object.assign(report, {
      done: true,
      progress: { value: $("progress").value, max: $("progress").max },
      progressText: $("progress-text").textContent,
      svg: svg !== null,
      spans: svg?.querySelectorAll("rect.span").length ?? 0,
      longestText: $("longest").textContent,
      frames,
    });
  } catch (error) {
    report.error = `${error?.name}: ${error?.message}\n${error?.stack ?? ""}`;
  }
  globalThis.__report = report;
}
