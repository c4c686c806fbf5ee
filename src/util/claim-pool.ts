// Work over items 0..count-1 shared by the calling thread and worker threads: every thread claims the next
// item from one shared counter, so none waits while items remain and long items balance out. A worker posts
// each result with its item's index; the caller takes those in between items of its own, and during a long
// one when its work polls. A worker that ends early (an error) leaves what it held to the caller, so the
// result never depends on a worker.
// With a window, no item is worked before every item more than a window before it is done: results handed
// on in item order (by-node) then wait, behind a slow item, a window's worth at most.
// Used by loading (resources/read-parallel.ts), by rendering every node (render/every-node) and by the
// reports that go node by node (safety/by-node).

import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";

// The shared counters: the next item to claim, the results posted, the claim limit (an item at or past it
// is worked only once the limit has passed it), then each worker's slot: the item it last claimed.
const NEXT = 0;
const POSTED = 1;
const LIMIT = 2;
const SLOTS = 3;

/** What a worker gets to take part: the shared counters, its slot among them, and its port. */
export interface ClaimShare {
  readonly counters: Int32Array;
  readonly slot: number;
  readonly port: MessagePort;
}

interface Posted<M> {
  readonly index: number;
  readonly result: M;
}

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeout: number,
) => { value: Promise<string> | string };

// Atomics.waitAsync is in Node 20 (V8 11), but in TypeScript's lib only from ES2024. Waiting this way
// leaves the event loop free, so workers' error and exit events still arrive.
const waitForChange = async (array: Int32Array, index: number, value: number, timeout: number) =>
  (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync(array, index, value, timeout).value;

/**
 * In a worker: claims items until none are left, posting `work(i)` for each; then closes its port. An item
 * claimed past the window waits for the caller to move the window on.
 */
export const serveClaims = <M>(share: ClaimShare, count: number, work: (index: number) => M): void => {
  const { counters, slot, port } = share;
  for (let i = Atomics.add(counters, NEXT, 1); i < count; i = Atomics.add(counters, NEXT, 1)) {
    // Recorded before anything can fail: if this worker dies, the caller does the item.
    Atomics.store(counters, slot, i);
    for (let limit = Atomics.load(counters, LIMIT); i >= limit; limit = Atomics.load(counters, LIMIT))
      Atomics.wait(counters, LIMIT, limit);
    const posted: Posted<M> = { index: i, result: work(i) };
    port.postMessage(posted);
    Atomics.add(counters, POSTED, 1);
    Atomics.notify(counters, POSTED);
  }
  port.close();
};

export interface ClaimPoolOptions<R, M> {
  readonly count: number;
  /** Workers to start; each is given its share (transfer `share.port` to it). */
  readonly workers: number;
  readonly start: (share: ClaimShare) => Worker;
  /** false: the caller only takes in the workers' results (with no worker it works anyway). */
  readonly callerWorks: boolean;
  /**
   * The caller's own work on an item. A long item may call `poll` now and then: it takes in the results
   * workers have posted meanwhile (receive and onDone run for them, and the window moves on if the first
   * item not done is among them), which would otherwise wait until the item is done. It returns at once
   * when there are none.
   */
  readonly work: (index: number, poll: () => void) => R;
  /** A worker's posted result for an item, as the caller keeps it. */
  readonly receive: (index: number, result: M) => R;
  readonly onDone?: (index: number, thread: "caller" | "worker") => void;
  /**
   * A worker ended early: its error (an exception, running out of its heap), or its exit code. The pool
   * finishes anyway, the caller doing what that worker would have; this says why it took longer.
   */
  readonly onWorkerFailed?: (problem: Error) => void;
  /**
   * At most this many items from the first one not done are worked at once: a worker that claims one past
   * them waits, and the caller claims none. For results handed on in item order as they come, this bounds
   * how many wait behind a slow item. Default: no bound.
   */
  readonly window?: number;
}

/** Every item's result, in item order. */
export const runClaimPool = async <R, M>(o: ClaimPoolOptions<R, M>): Promise<R[]> => {
  if (o.window !== undefined && !(Number.isInteger(o.window) && o.window >= 1))
    throw new RangeError(`window ${o.window}: expected a whole number of items, 1 or more`);
  const counters = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + o.workers)));
  const limitAfter = (firstNotDone: number): number =>
    o.window === undefined ? o.count : Math.min(o.count, firstNotDone + o.window);
  counters[LIMIT] = limitAfter(0);
  counters.fill(-1, SLOTS);
  const results: (R | undefined)[] = new Array(o.count);
  const held = new Array<boolean>(o.count).fill(false);
  let done = 0;
  let firstNotDone = 0;
  let received = 0;
  let alive = 0;
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  // Slots of workers that ended: the item each last claimed may be left undone.
  const ended: number[] = [];
  const finish = (index: number, result: R, thread: "caller" | "worker"): void => {
    results[index] = result;
    held[index] = true;
    done++;
    // Told before the window moves: no later item has started on what this one's being done allows.
    o.onDone?.(index, thread);
    if (index === firstNotDone) {
      while (firstNotDone < o.count && held[firstNotDone]) firstNotDone++;
      if (o.window !== undefined) {
        Atomics.store(counters, LIMIT, limitAfter(firstNotDone));
        Atomics.notify(counters, LIMIT);
      }
    }
  };
  let stopping = false;
  for (let w = 0; w < o.workers; w++) {
    const { port1, port2 } = new MessageChannel();
    const slot = SLOTS + w;
    const worker = o.start({ counters, slot, port: port2 });
    alive++;
    let failed = false;
    // An error ends in "exit"; what the worker held is done below.
    worker.on("error", (e: Error) => {
      failed = true;
      o.onWorkerFailed?.(e);
    });
    worker.once("exit", (code) => {
      alive--;
      ended.push(slot);
      Atomics.notify(counters, POSTED); // wake the caller if it waits for a post that will not come
      // terminate() below ends workers with code 1: that is not theirs to report.
      if (code !== 0 && !failed && !stopping) o.onWorkerFailed?.(new Error(`exited with code ${code}`));
    });
    ports.push(port1);
    workers.push(worker);
  }
  const take = (): boolean => {
    for (const port of ports) {
      const m = receiveMessageOnPort(port)?.message as Posted<M> | undefined;
      if (m !== undefined) {
        received++;
        finish(m.index, o.receive(m.index, m.result), "worker");
        return true;
      }
    }
    return false;
  };
  // What receive or onDone threw while the caller's work polled: thrown again once that work returns, so that
  // the work (which may catch what it calls) never sees it.
  let thrown: { readonly error: unknown } | undefined;
  const poll = (): void => {
    if (thrown !== undefined || Atomics.load(counters, POSTED) === received) return;
    try {
      while (take());
    } catch (error) {
      thrown = { error };
    }
  };
  const workOn = (i: number): R => {
    const r = o.work(i, poll);
    if (thrown !== undefined) throw thrown.error;
    return r;
  };
  // The caller claims only below the limit: it cannot wait for itself.
  const claimBelowLimit = (): number | undefined => {
    for (;;) {
      const i = Atomics.load(counters, NEXT);
      if (i >= Atomics.load(counters, LIMIT)) return undefined;
      if (Atomics.compareExchange(counters, NEXT, i, i + 1) === i) return i;
    }
  };
  const callerClaims = o.callerWorks || o.workers === 0;
  try {
    while (done < o.count) {
      // The workers' results first: it keeps their queues short.
      if (take()) continue;
      if (ended.length > 0) {
        // A worker that ended may have held an item (which the others, past the window, may wait for).
        // What it posted before it ended has been taken above.
        const slot = ended.pop()!;
        const i = Atomics.load(counters, slot);
        if (i >= 0 && i < o.count && !held[i]) finish(i, workOn(i), "caller");
        continue;
      }
      const mine = callerClaims ? claimBelowLimit() : undefined;
      if (mine !== undefined) {
        finish(mine, workOn(mine), "caller");
        continue;
      }
      if (alive === 0) {
        // Every worker has ended: what is missing is done here.
        while (take());
        for (let i = 0; i < o.count; i++) if (!held[i]) finish(i, workOn(i), "caller");
        break;
      }
      const posted = Atomics.load(counters, POSTED);
      if (posted === received) await waitForChange(counters, POSTED, posted, 1000);
    }
  } finally {
    stopping = true;
    for (const port of ports) port.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results as R[];
};
