// Rendering every node of a cluster on all cores: the calling thread and `jobs - 1` worker threads each
// render the nodes they claim from one shared counter, so the work balances itself (gateway nodes render
// five times longer than others). A worker builds its own cluster from the same file texts the caller
// loaded (a cluster holds functions and lazy fields, which do not cross threads); it renders exactly what
// the caller would (test/render/every-node.test.ts). The calling thread renders between collecting
// summaries, so the event loop is busy until the end: this is a batch job, for the CLI and the benchmark.
//
//   const { cluster, files } = await loadCluster(["cluster/"]);
//   const summaries = await renderEveryNode(files, cluster, nodesOf(cluster), { jobs: 2, outDir: "out/" });

import type { Cluster } from "../../resources/model.js";
import { textChars, type SourceFile } from "../../resources/parse.js";
import { runClaimPool } from "../../util/claim-pool.js";
import { threadsFor } from "../../util/threads.js";
import { startWorker } from "../../util/worker.js";
import type { EveryNodeOptions, NodeFormat, NodeSummary } from "./node-files.js";
import type { EveryNodeWorkerData } from "./worker.js";
import { renderAndWrite } from "./write.js";

export { nodesOf } from "../../calc/cluster-index.js";
export {
  buildNodeRulesets,
  NODE_FORMATS,
  nftTexts,
  nodeFileNames,
  renderNodeFiles,
  renderNodeTexts,
  ruleCount,
  summarise,
} from "./node-files.js";
export type {
  EveryNodeOptions,
  NodeFiles,
  NodeFormat,
  NodeRulesets,
  NodeSummary,
  NodeTexts,
} from "./node-files.js";
export { asFile } from "./write.js";

export interface RenderEveryNodeOptions extends EveryNodeOptions {
  /**
   * Threads rendering, the caller's included. Default: the machine's cores, as far as the available memory
   * holds a worker each (workerBytes).
   */
  readonly jobs?: number;
  /** What to render (default: iptables, with its ipsets). */
  readonly formats?: readonly NodeFormat[];
  /** Write each node's files here (nodeFileNames; it must exist). */
  readonly outDir?: string;
  /**
   * V8 old-space limit of each worker, in MB (each holds its own cluster and shared renderings); at
   * least MIN_WORKER_HEAP_MB.
   */
  readonly workerHeapMb?: number;
  /**
   * false: the calling thread only collects (`jobs` workers render, and the event loop stays free while
   * they do); true (default): it renders too, beside `jobs - 1` workers.
   */
  readonly callerRenders?: boolean;
  /** Told which thread rendered each node (tests, the benchmark). */
  readonly onNode?: (node: string, thread: "caller" | "worker") => void;
  /** A worker failed (e.g. ran out of `workerHeapMb`); the caller rendered its nodes instead. */
  readonly onWorkerFailed?: (problem: Error) => void;
}

/**
 * The smallest `workerHeapMb` taken. Below a few MB, Node 22 cannot even unpack a worker's start-up
 * snapshot, and V8 then aborts the whole process ("GC during deserialization") instead of failing the
 * worker with ERR_WORKER_OUT_OF_MEMORY; Node 20 fails only the worker.
 */
export const MIN_WORKER_HEAP_MB = 8;

/**
 * What a rendering worker is taken to need, in bytes: its heap limit and 100 MB besides (young generation,
 * code, the texts), or without a limit 100 bytes a character of the resources' text. On the bench cluster
 * (8.7 MB of YAML), rendering every node on 2 threads took 1.7 GB under Node's default heap limit and
 * 0.84 GB with workers at 300 MB.
 */
export const workerBytes = (files: readonly SourceFile[], workerHeapMb?: number): number =>
  workerHeapMb === undefined ? 100 * textChars(files) : (workerHeapMb + 100) * 2 ** 20;

/** Every node's summary, in `nodes` order (and its files in `outDir`). */
export const renderEveryNode = async (
  files: readonly SourceFile[],
  cluster: Cluster,
  nodes: readonly string[],
  options: RenderEveryNodeOptions = {},
): Promise<NodeSummary[]> => {
  for (const n of nodes)
    if (n === "" || n === "." || n === ".." || n.includes("/") || n.includes("\0"))
      throw new Error(`node name ${JSON.stringify(n)} cannot name a file`);
  const {
    jobs,
    callerRenders = true,
    formats = ["iptables"],
    outDir,
    workerHeapMb,
    onNode,
    onWorkerFailed,
    ...renderOptions
  } = options;
  if (workerHeapMb !== undefined && !(Number.isInteger(workerHeapMb) && workerHeapMb >= MIN_WORKER_HEAP_MB))
    throw new RangeError(
      `workerHeapMb ${workerHeapMb}: expected a whole number of MB, ${MIN_WORKER_HEAP_MB} or more`,
    );
  const threads = jobs ?? threadsFor(workerBytes(files, workerHeapMb));
  return runClaimPool<NodeSummary, NodeSummary>({
    count: nodes.length,
    workers: Math.min(Math.max(callerRenders ? threads - 1 : threads, 0), nodes.length),
    start: (share) => {
      const data: EveryNodeWorkerData = { files, nodes, options: renderOptions, formats, outDir, ...share };
      return startWorker(import.meta.url, "worker", {
        workerData: data,
        transferList: [share.port],
        ...(workerHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: workerHeapMb } }),
      });
    },
    callerWorks: callerRenders,
    work: (i) => renderAndWrite(cluster, nodes[i]!, renderOptions, formats, outDir),
    receive: (_, summary) => summary,
    onDone: (i, thread) => onNode?.(nodes[i]!, thread),
    ...(onWorkerFailed === undefined ? {} : { onWorkerFailed }),
  });
};
