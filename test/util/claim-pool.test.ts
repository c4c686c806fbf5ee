// The claim pool: every item done exactly once whoever does it, results in item order, and a worker that
// dies (before claiming, or holding an item) leaves its work to the caller.

import { Worker } from "node:worker_threads";
import test from "ava";
import { runClaimPool, type ClaimShare } from "../../src/util/claim-pool.js";

// Plain-JS workers (eval'd), so the test does not depend on how modules load in workers.
const SERVE = `
const { workerData } = require("node:worker_threads");
const { counters, port, count, dieAfterClaim } = workerData;
for (let i = Atomics.add(counters, 0, 1); i < count; i = Atomics.add(counters, 0, 1)) {
  if (dieAfterClaim) throw new Error("dies holding item " + i);
  port.postMessage({ index: i, result: "w" + i });
  Atomics.add(counters, 1, 1);
  Atomics.notify(counters, 1);
}
port.close();
`;
const serving =
  (count: number, dieAfterClaim = false) =>
  (share: ClaimShare) =>
    new Worker(SERVE, {
      eval: true,
      workerData: { ...share, count, dieAfterClaim },
      transferList: [share.port],
    });

const run = async (
  count: number,
  workers: number,
  callerWorks: boolean,
  start: (s: ClaimShare) => Worker,
) => {
  const threads: string[] = new Array(count);
  const failures: string[] = [];
  const results = await runClaimPool<string, string>({
    count,
    workers,
    start,
    callerWorks,
    work: (i) => `c${i}`,
    receive: (i, r) => {
      if (r !== `w${i}`) throw new Error(`result ${r} posted for item ${i}`);
      return r;
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
  const { results, threads, failures } = await run(40, 1, false, serving(40, true));
  t.deepEqual(failures, ["dies holding item 0"]);
  t.deepEqual(
    results,
    Array.from({ length: 40 }, (_, i) => `c${i}`),
  );
  t.true(threads.every((x) => x === "caller"));
});
