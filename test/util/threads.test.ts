// The default thread count: the cores, as far as the available memory holds a worker each.

import test from "ava";
import { availableMemory, threadsFor } from "../../src/util/threads.js";

const GB = 2 ** 30;

const cases: readonly [string, number, number, number, number][] = [
  // [what, per worker, cores, available, threads]
  ["memory for every core", 0.5 * GB, 2, 20 * GB, 2],
  ["many cores, memory for 7 workers", 0.5 * GB, 64, 3.9 * GB, 8],
  ["memory for no worker: the calling thread alone", 0.5 * GB, 8, 0.4 * GB, 1],
  ["nothing available", 0.5 * GB, 8, 0, 1],
  ["one core", 1, 1, 20 * GB, 1],
  ["a worker needing nothing: every core", 0, 8, 0, 8],
];

for (const [what, perWorker, cores, available, threads] of cases)
  test(`threadsFor: ${what}`, (t) => t.is(threadsFor(perWorker, cores, available), threads));

test("threadsFor: a worker's memory must be 0 bytes or more", (t) => {
  for (const perWorker of [-1, Number.NaN])
    t.throws(() => threadsFor(perWorker, 2, GB), {
      instanceOf: RangeError,
      message: /^perWorker .*: expected/,
    });
});

test("availableMemory: a positive number of bytes, no more than the machine's", async (t) => {
  const { totalmem } = await import("node:os");
  const bytes = availableMemory();
  t.true(bytes > 0 && bytes <= totalmem(), `${bytes}`);
});
