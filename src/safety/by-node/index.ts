// Reports that go node by node (preflight, upgrade-check, diff) on all cores: the calling thread and worker
// threads each check the nodes they claim from one shared counter (util/claim-pool.ts), and the parts are
// handed on in node order, as soon as every node before them is done, so a report streams as it did on one
// thread and reads the same byte for byte (test/safety/by-node.test.ts). A worker rebuilds the clusters
// from the file texts the caller loaded (a cluster holds functions and lazy fields, which do not cross
// threads). Over a whole cluster the flow analyses take 0.5–5 s a node, so a second thread pays for its
// own loading after a few nodes. Parts finished ahead of a slow node (a gateway) wait as text until it is
// done, a few MB each in JSON: no thread starts a node more than WINDOW_PER_THREAD nodes a thread past the
// first one not done, so they are bounded by the threads (each of which holds a cluster of its own, some
// hundreds of MB).
//
//   const r = await partsByNode(task, { cluster }, { files }, nodes, { onPart: (n, p) => write(p.out) });

import { textChars, type SourceFile } from "../../resources/parse.js";
import { PARALLEL_MIN_CHARS } from "../../resources/read-parallel.js";
import { runClaimPool } from "../../util/claim-pool.js";
import { threadsFor } from "../../util/threads.js";
import { startWorker } from "../../util/worker.js";
import type { Result } from "../flowspace/index.js";
import type { LabelPatch } from "../upgrade/apply.js";
import { nodePart, type NodePart, type NodeTask, type TaskClusters } from "./part.js";
import type { ByNodeWorkerData } from "./worker.js";

export { nodePart, type NodePart, type NodeTask, type TaskClusters } from "./part.js";

/** What a worker rebuilds TaskClusters from: the texts the caller loaded, and the label patches it applied. */
export interface ClusterSources {
  readonly files: readonly SourceFile[];
  /** Applied to `files`' cluster (upgrade-check --apply-migration). */
  readonly patches?: readonly LabelPatch[];
  readonly against?: readonly SourceFile[];
}

export interface ByNodeOptions {
  /**
   * Threads checking nodes, the caller's included. Default: the machine's cores, as far as the available
   * memory holds a worker each (WORKER_BYTES_PER_CHAR), when the resources are large enough to be read on
   * two (resources/read-parallel.ts); else 1: on a small cluster every node is checked before a worker has
   * loaded it.
   */
  readonly jobs?: number;
  /** false: only `jobs` workers check nodes, the caller collecting (tests); default true. */
  readonly callerChecks?: boolean;
  /** Each node's part, in `nodes` order. */
  readonly onPart: (node: string, part: NodePart) => void;
  /**
   * A progress line: called with how many nodes are done and the node the caller is checking, if any (the
   * caller may be waiting for workers): as the caller starts a node, as a worker finishes one (also while
   * the caller checks a long node: it takes workers' results in between the packets it traces), and once
   * when all are done.
   */
  readonly onNode?: (done: number, total: number, node?: string) => void;
  /** Called after each packet the caller's analyses trace (a progress line). */
  readonly onTrace?: () => void;
  /** Told which thread checked each node, as each is done (tests). */
  readonly onChecked?: (node: string, thread: "caller" | "worker") => void;
  /** A worker failed (e.g. ran out of memory); the caller checked its nodes instead. */
  readonly onWorkerFailed?: (problem: Error) => void;
}

/**
 * What a worker thread takes, in bytes per character of the resources' text: its copy of the clusters and
 * one node's analysis. Measured on the bench cluster (8.7 MB of YAML): a second thread added 0.45–0.62 GB
 * to `preflight` of 100 nodes and 0.57 GB to `upgrade-check -o json` of 12 (52–71 bytes a character).
 */
export const WORKER_BYTES_PER_CHAR = 80;

export const defaultJobs = (sources: ClusterSources): number => {
  const chars = textChars(sources.files) + textChars(sources.against ?? []);
  return chars >= PARALLEL_MIN_CHARS ? threadsFor(WORKER_BYTES_PER_CHAR * chars) : 1;
};

/**
 * How far past the first node not done, in nodes per thread, a thread may start one. On this 2-core
 * machine, `preflight -o json` of the bench cluster's first 100 nodes had up to 14 parts (about 1.3 MB
 * each) waiting behind the gateway without a bound, and took as long with this one (29.0–31.4 s against
 * 28.4–32.3 s, 3 runs each); on a many-core machine it keeps the waiting parts to some tens of MB a thread.
 */
export const WINDOW_PER_THREAD = 8;

/** A node's error, carried out of the pool once every node before it has been handed on. */
class NodeFailed extends Error {}

/**
 * Every node's part of `task`'s report, handed to `onPart` in `nodes` order; stops at the first node
 * that cannot be checked (its error, after the parts of the nodes before it).
 */
export const partsByNode = async (
  task: NodeTask,
  clusters: TaskClusters,
  sources: ClusterSources,
  nodes: readonly string[],
  options: ByNodeOptions,
): Promise<Result<void>> => {
  const jobs = options.jobs ?? defaultJobs(sources);
  if (!(Number.isInteger(jobs) && jobs >= 1))
    throw new RangeError(`jobs ${jobs}: expected a whole number of threads, 1 or more`);
  const waiting = new Map<number, Result<NodePart>>();
  let next = 0;
  const deliver = (index: number, r: Result<NodePart>): null => {
    waiting.set(index, r);
    for (let w = waiting.get(next); w !== undefined; w = waiting.get(next)) {
      waiting.delete(next);
      if (!w.ok) throw new NodeFailed(w.error);
      options.onPart(nodes[next]!, w.value);
      next++;
    }
    return null;
  };
  const callerChecks = options.callerChecks ?? true;
  let done = 0;
  // The node the caller is checking.
  let current: string | undefined;
  try {
    await runClaimPool<null, Result<NodePart>>({
      count: nodes.length,
      // A worker beside the caller only pays with a second node to check.
      workers: Math.max(0, callerChecks ? Math.min(jobs, nodes.length) - 1 : Math.min(jobs, nodes.length)),
      start: (share) => {
        const data: ByNodeWorkerData = { task, sources, nodes, ...share };
        return startWorker(import.meta.url, "worker", { workerData: data, transferList: [share.port] });
      },
      callerWorks: callerChecks,
      window: WINDOW_PER_THREAD * jobs,
      work: (i, poll) => {
        current = nodes[i]!;
        options.onNode?.(done, nodes.length, current);
        // Workers' results are taken in as the caller's analysis goes: a gateway takes minutes, and the
        // progress line's count (and the window, when a worker held the first node not done) would not
        // move meanwhile.
        const { onTrace } = options;
        const traced =
          onTrace === undefined
            ? poll
            : () => {
                onTrace();
                poll();
              };
        const part = nodePart(task, clusters, current, traced);
        current = undefined;
        return deliver(i, part);
      },
      receive: deliver,
      onDone: (i, thread) => {
        done++;
        options.onChecked?.(nodes[i]!, thread);
        if (thread === "worker" && done < nodes.length) options.onNode?.(done, nodes.length, current);
      },
      ...(options.onWorkerFailed === undefined ? {} : { onWorkerFailed: options.onWorkerFailed }),
    });
  } catch (e) {
    if (e instanceof NodeFailed) return { ok: false, error: e.message };
    throw e;
  }
  options.onNode?.(nodes.length, nodes.length);
  return { ok: true, value: undefined };
};
