// A worker for the claim pool's tests, serving claims with the pool's own serveClaims. Each result says
// how many items the caller had seen done, from the first, when the worker started the item (progress[0],
// which the test keeps); progress[1] counts the items workers have started. Item `slowItem` is done only
// once `othersFirst` other items have been started (however long the other workers take to load), and
// then after `slowMs` more; the worker that claims `dieOn` throws instead.

import { workerData } from "node:worker_threads";
import { serveClaims, type ClaimShare } from "../../src/util/claim-pool.js";

export interface ServeWorkerData extends ClaimShare {
  readonly count: number;
  readonly progress: Int32Array;
  readonly slowItem?: number;
  readonly othersFirst?: number;
  readonly slowMs?: number;
  readonly dieOn?: number;
}

/** What the worker posts for item i. */
export interface Served {
  readonly result: string;
  /** progress[0] as the worker started the item. */
  readonly seen: number;
}

const { count, progress, slowItem, othersFirst, slowMs, dieOn, ...share } = workerData as ServeWorkerData;
const pause = new Int32Array(new SharedArrayBuffer(4));

serveClaims(share, count, (i): Served => {
  if (i === dieOn) throw new Error(`dies holding item ${i}`);
  const seen = Atomics.load(progress, 0);
  Atomics.add(progress, 1, 1);
  if (i === slowItem) {
    // Bounded, so that a broken pool fails the test's assertions rather than hanging it.
    for (let waited = 0; Atomics.load(progress, 1) <= (othersFirst ?? 0) && waited < 30_000; waited += 10)
      Atomics.wait(pause, 0, 0, 10);
    Atomics.wait(pause, 0, 0, slowMs ?? 0);
  }
  return { result: `w${i}`, seen };
});
