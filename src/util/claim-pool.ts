// Work over items 0..count-1 shared by the calling thread and worker threads: every thread claims the next
// item from one shared counter, so none waits while items remain and long items balance out. A worker posts
// each result with its item's index; the caller takes those in between items of its own. A worker that
// ends early (an error) leaves what it held to the caller, so the result never depends on a worker.
// Used by loading (resources/read-parallel.ts) and by rendering every node (render/every-node).

import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";

/** What a worker gets to take part: [0] of `counters` is the next item, [1] the results posted. */
export interface ClaimShare {
  readonly counters: Int32Array;
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

/** In a worker: claims items until none are left, posting `work(i)` for each; then closes its port. */
export const serveClaims = <M>(share: ClaimShare, count: number, work: (index: number) => M): void => {
  const { counters, port } = share;
  for (let i = Atomics.add(counters, 0, 1); i < count; i = Atomics.add(counters, 0, 1)) {
    const posted: Posted<M> = { index: i, result: work(i) };
    port.postMessage(posted);
    Atomics.add(counters, 1, 1);
    Atomics.notify(counters, 1);
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
  /** The caller's own work on an item. */
  readonly work: (index: number) => R;
  /** A worker's posted result for an item, as the caller keeps it. */
  readonly receive: (index: number, result: M) => R;
  readonly onDone?: (index: number, thread: "caller" | "worker") => void;
  /**
   * A worker ended early: its error (an exception, running out of its heap), or its exit code. The pool
   * finishes anyway, the caller doing what that worker would have; this says why it took longer.
   */
  readonly onWorkerFailed?: (problem: Error) => void;
}

/** Every item's result, in item order. */
export const runClaimPool = async <R, M>(o: ClaimPoolOptions<R, M>): Promise<R[]> => {
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const results: (R | undefined)[] = new Array(o.count);
  const held = new Array<boolean>(o.count).fill(false);
  let done = 0;
  let received = 0;
  let alive = 0;
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  const finish = (index: number, result: R, thread: "caller" | "worker"): void => {
    results[index] = result;
    held[index] = true;
    done++;
    o.onDone?.(index, thread);
  };
  let stopping = false;
  for (let w = 0; w < o.workers; w++) {
    const { port1, port2 } = new MessageChannel();
    const worker = o.start({ counters, port: port2 });
    alive++;
    let failed = false;
    // An error ends in "exit"; what the worker held is done below.
    worker.on("error", (e: Error) => {
      failed = true;
      o.onWorkerFailed?.(e);
    });
    worker.once("exit", (code) => {
      alive--;
      Atomics.notify(counters, 1); // wake the caller if it waits for a post that will not come
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
  const callerClaims = o.callerWorks || o.workers === 0;
  try {
    while (done < o.count) {
      // The workers' results first: it keeps their queues short.
      if (take()) continue;
      const mine = callerClaims ? Atomics.add(counters, 0, 1) : o.count;
      if (mine < o.count) {
        finish(mine, o.work(mine), "caller");
        continue;
      }
      if (alive === 0) {
        // Every worker has ended, one maybe holding an item: what is missing is done here.
        while (take());
        for (let i = 0; i < o.count; i++) if (!held[i]) finish(i, o.work(i), "caller");
        break;
      }
      const posted = Atomics.load(counters, 1);
      if (posted === received) await waitForChange(counters, 1, posted, 1000);
    }
  } finally {
    stopping = true;
    for (const port of ports) port.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results as R[];
};
