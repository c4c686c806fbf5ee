// The claim pool: every item done exactly once whoever does it, results in item order, and a worker that
// dies (before claiming, or holding an item) leaves its work to the caller. With a window, no item is
// started a window or more past the first item not done, and a worker that dies holding that item does not
// leave the others waiting. A long item of the caller's that polls takes in workers' results as it goes,
// and what taking them in throws reaches the pool's caller, not that item.

import { Worker } from "node:worker_threads";
import test from "ava";
import { runClaimPool, type ClaimShare } from "../../src/util/claim-pool.js";
import { startWorker } from "../../src/util/worker.js";
import type { Served, ServeWorkerData } from "./serve-worker.js";

type Serving = Omit<ServeWorkerData, keyof ClaimShare | "count" | "progress"> & { progress?: Int32Array };

/** Workers running the pool's own serveClaims (./serve-worker.ts), each told `o`. */
const serving =
  (count: number, o: Serving = {}) =>
  (share: ClaimShare) => {
    const progress = o.progress ?? new Int32Array(new SharedArrayBuffer(8));
    const workerData: ServeWorkerData = { ...share, ...o, count, progress };
    return startWorker(import.meta.url, "serve-worker", { workerData, transferList: [share.port] });
  };

const run = async (
  count: number,
  workers: number,
  callerWorks: boolean,
  start: (s: ClaimShare) => Worker,
) => {
  const threads: string[] = new Array(count);
  const failures: string[] = [];
  const results = await runClaimPool<string, Served>({
    count,
    workers,
    start,
    callerWorks,
    work: (i) => `c${i}`,
    receive: (i, { result }) => {
      if (result !== `w${i}`) throw new Error(`result ${result} posted for item ${i}`);
      return result;
    },
    onDone: (i, thread) => {
      if (threads[i] !== undefined) throw new Error(`item ${i} done twice`);
      threads[i] = thread;
    },
    onWorkerFailed: (e) => void failures.push(e.message),
  });
  return { results, threads, failures };
};

test("workers only: every item done by a worker, results in item order", async (t) => {
  const { results, threads, failures } = await run(200, 2, false, serving(200));
  t.deepEqual(failures, [], "workers that finish (and are then terminated) are not failures");
  t.deepEqual(
    results,
    Array.from({ length: 200 }, (_, i) => `w${i}`),
  );
  t.true(threads.every((x) => x === "worker"));
});

test("caller and workers: each item once, by either", async (t) => {
  const { results, threads } = await run(300, 2, true, serving(300));
  t.is(threads.filter((x) => x !== undefined).length, 300);
  results.forEach((r, i) => t.is(r, threads[i] === "worker" ? `w${i}` : `c${i}`));
});

test("no workers: the caller does everything, even when told not to work", async (t) => {
  const { results } = await run(5, 0, false, serving(5));
  t.deepEqual(results, ["c0", "c1", "c2", "c3", "c4"]);
});

test("a worker that dies before claiming: the caller does every item", async (t) => {
  const { results, failures } = await run(50, 1, false, () => new Worker("process.exit(3)", { eval: true }));
  t.deepEqual(failures, ["exited with code 3"]);
  t.deepEqual(
    results,
    Array.from({ length: 50 }, (_, i) => `c${i}`),
  );
});

test("a worker that dies holding an item: that item is done by the caller", async (t) => {
  const { results, threads, failures } = await run(40, 1, false, serving(40, { dieOn: 0 }));
  t.deepEqual(failures, ["dies holding item 0"]);
  t.deepEqual(
    results,
    Array.from({ length: 40 }, (_, i) => `c${i}`),
  );
  t.true(threads.every((x) => x === "caller"));
});

// ---- the window: workers that run the pool's own serveClaims (./serve-worker.ts) ------------------------

interface WindowRun {
  readonly count: number;
  readonly workers: number;
  readonly callerWorks: boolean;
  readonly window?: number;
  readonly slowItem?: number;
  readonly othersFirst?: number;
  readonly slowMs?: number;
  readonly dieOn?: number;
}

/** The results, and for each item how far past the first item not done it was started. */
const runWindowed = async (o: WindowRun) => {
  // The first item not done, as the test sees it; workers read it as they start an item.
  const progress = new Int32Array(new SharedArrayBuffer(8));
  const isDone = new Array<boolean>(o.count).fill(false);
  let first = 0;
  const ahead = new Array<number>(o.count);
  const failures: string[] = [];
  const { count, slowItem, othersFirst, slowMs, dieOn } = o;
  const results = await runClaimPool<string, Served>({
    count,
    workers: o.workers,
    callerWorks: o.callerWorks,
    ...(o.window === undefined ? {} : { window: o.window }),
    start: serving(count, { progress, slowItem, othersFirst, slowMs, dieOn }),
    work: (i) => {
      ahead[i] = i - first;
      return `c${i}`;
    },
    receive: (i, m) => {
      ahead[i] = i - m.seen;
      return m.result;
    },
    onDone: (i) => {
      isDone[i] = true;
      while (first < count && isDone[first]) first++;
      Atomics.store(progress, 0, first);
    },
    onWorkerFailed: (e) => void failures.push(e.message),
  });
  return { results, ahead, failures };
};

/** Items 0..n-1 as the serving workers give them. */
const byWorkers = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i}`);

/**
 * 60 items on 2 workers, item 0 slow. With a window, item 0 waits until the other worker has started what
 * the window allows beside it (items 1 to window - 1), then gives it 300 ms to run past them; without one,
 * until it has started 6.
 */
const slowFirst = (window?: number) =>
  runWindowed({
    count: 60,
    workers: 2,
    callerWorks: false,
    slowItem: 0,
    ...(window === undefined ? { othersFirst: 6 } : { window, othersFirst: window - 1, slowMs: 300 }),
  });

test("a window: behind a slow first item, no worker starts an item a window or more past it", async (t) => {
  const { results, ahead } = await slowFirst(5);
  t.deepEqual(results, byWorkers(60));
  t.true(Math.max(...ahead) < 5, `started up to ${Math.max(...ahead)} past the first item not done`);
});

test("without a window, a worker runs ahead of a slow first item (what the window bounds)", async (t) => {
  const { results, ahead } = await slowFirst();
  t.deepEqual(results, byWorkers(60));
  t.true(Math.max(...ahead) >= 5, `started up to ${Math.max(...ahead)} past the first item not done`);
});

test("a window with the caller working too: each item once, none started a window past the first not done", async (t) => {
  const { results, ahead } = await runWindowed({ count: 300, workers: 2, callerWorks: true, window: 3 });
  results.forEach((r, i) => t.true(r === `w${i}` || r === `c${i}`, `item ${i}: ${r}`));
  t.true(Math.max(...ahead) < 3, `started up to ${Math.max(...ahead)} past the first item not done`);
});

test("a window, and a worker dies holding the first item: the caller does it and the others go on", async (t) => {
  // Without the caller taking over the dead worker's item, the other worker would wait past the window
  // for good.
  t.timeout(60_000);
  const { results, failures, ahead } = await runWindowed({
    count: 30,
    workers: 2,
    callerWorks: false,
    window: 3,
    dieOn: 0,
  });
  t.deepEqual(failures, ["dies holding item 0"]);
  t.deepEqual(
    results,
    Array.from({ length: 30 }, (_, i) => (i === 0 ? "c0" : `w${i}`)),
  );
  t.true(Math.max(...ahead) < 3);
});

test("a window must be a whole number of items, 1 or more", async (t) => {
  for (const window of [0, 1.5, -2])
    await t.throwsAsync(
      runClaimPool({
        count: 3,
        workers: 0,
        callerWorks: true,
        window,
        start: () => {
          throw new Error("no");
        },
        work: String,
        receive: String,
      }),
      { instanceOf: RangeError, message: new RegExp(`^window ${window}: expected a whole number`) },
    );
});

// ---- polling: the caller takes in workers' results during a long item of its own ----------------------

const pause = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number): void => void Atomics.wait(pause, 0, 0, ms);

/**
 * 40 items on 1 worker and the caller, in a window of 4. The caller's first item lasts until a worker's
 * result has been received (at most 30 s; 1 s when it does not poll), calling `poll` every 5 ms when
 * `polls`; `receive` throws when `throwing`.
 */
const longCallerItem = (polls: boolean, throwing = false) => {
  const threads: ("caller" | "worker")[] = new Array(40);
  let first = true;
  let received = 0;
  let doneDuring = 0;
  let receivedDuring = 0;
  let caught: unknown;
  const run = runClaimPool<string, Served>({
    count: 40,
    workers: 1,
    callerWorks: true,
    window: 4,
    start: serving(40),
    work: (i, poll) => {
      if (first) {
        first = false;
        const doneBy = (): number => threads.filter((x) => x === "worker").length;
        try {
          for (let waited = 0; received === 0 && waited < (polls ? 30_000 : 1_000); waited += 5) {
            sleep(5);
            if (polls) poll();
          }
        } catch (e) {
          caught = e;
        }
        doneDuring = doneBy();
        receivedDuring = received;
      }
      return `c${i}`;
    },
    receive: (i, { result }) => {
      received++;
      if (throwing) throw new Error(`receive refuses item ${i}`);
      return result;
    },
    onDone: (i, thread) => void (threads[i] = thread),
  });
  return { run, done: () => ({ threads, doneDuring, receivedDuring, caught }) };
};

test("a caller's long item that polls takes in workers' results as it goes", async (t) => {
  t.timeout(60_000);
  const { run, done } = longCallerItem(true);
  const results = await run;
  const { threads, doneDuring } = done();
  t.true(doneDuring > 0, "workers' items were done during the caller's first item");
  results.forEach((r, i) => t.is(r, threads[i] === "worker" ? `w${i}` : `c${i}`));
  // The control: without polling, nothing a worker posts is taken in while the caller's item lasts.
  const without = longCallerItem(false);
  await without.run;
  t.is(without.done().doneDuring, 0);
});

test("what receive throws during a poll is thrown by the pool once the caller's item returns, not into it", async (t) => {
  t.timeout(60_000);
  const { run, done } = longCallerItem(true, true);
  await t.throwsAsync(run, { message: /^receive refuses item \d+$/ });
  t.true(done().receivedDuring > 0, "a worker's result was received during the caller's item");
  t.is(done().caught, undefined, "the caller's work saw no exception");
});
