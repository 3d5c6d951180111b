// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * Hand-written worker loops, the floors the pool is measured against: what
 * the same work costs with bare `Worker`s and `postMessage`, no pool.
 *
 * @module
 */

/** A worker that answers `[id, items]` with `[id, results]`, items mapped by `body`. */
export function rawWorkers(count: number, body: string): Worker[] {
  const source = `const task = ${body};
self.onmessage = (event) => {
  const [id, items] = event.data;
  self.postMessage([id, items.map(task)]);
};`;
  const url = URL.createObjectURL(
    new Blob([source], { type: "text/javascript" }),
  );
  return Array.from(
    { length: count },
    () => new Worker(url, { type: "module" }),
  );
}

/** Waits until every worker has answered one message: they have started. */
export async function warm(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) =>
    new Promise<void>((resolve) => {
      worker.onmessage = () => resolve();
      worker.postMessage([0, []]);
    })
  ));
}

/**
 * Sends `chunks` round the workers with at most `inFlight` messages on each,
 * handing the next chunk to whichever worker answers first (so tasks go out
 * in order as workers free up), and resolves with the results in order.
 */
export function runChunks(
  workers: Worker[],
  chunks: unknown[][],
  inFlight: number,
): Promise<unknown[][]> {
  const results: unknown[][] = new Array(chunks.length);
  let next = 0;
  let done = 0;
  return new Promise((resolve) => {
    if (chunks.length === 0) return resolve(results);
    for (const worker of workers) {
      worker.onmessage = (event: MessageEvent<[number, unknown[]]>) => {
        const [id, values] = event.data;
        results[id] = values;
        if (++done === chunks.length) return resolve(results);
        if (next < chunks.length) worker.postMessage([next, chunks[next++]]);
      };
      for (let i = 0; i < inFlight && next < chunks.length; i++) {
        worker.postMessage([next, chunks[next++]]);
      }
    }
  });
}

/** Splits `items` into chunks of `size`. */
export function chunked<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}
