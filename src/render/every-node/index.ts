// Rendering every node of a cluster on all cores: the calling thread and `jobs - 1` worker threads each
// render the nodes they claim from one shared counter, so the work balances itself (gateway nodes render
// five times longer than others). A worker builds its own cluster from the same file texts the caller
// loaded (a cluster holds functions and lazy fields, which do not cross threads); it renders exactly what
// the caller would (test/render/every-node.test.ts). The calling thread renders between collecting
// summaries, so the event loop is busy until the end: this is a batch job, for the CLI and the benchmark.
//
//   const { files } = await loadResourceFiles(["cluster/"]);
//   const { cluster } = parseResources(files);
//   const summaries = await renderEveryNode(files, cluster, nodesOf(cluster), { jobs: 2, outDir: "out/" });

import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import type { Cluster } from "../../resources/model.js";
import type { SourceFile } from "../../resources/parse.js";
import { startWorker, waitForChange } from "../../util/worker.js";
import type { EveryNodeOptions, NodeSummary } from "./node-files.js";
import type { EveryNodeWorkerData } from "./worker.js";
import { renderAndWrite } from "./write.js";

export { nodesOf } from "../../calc/cluster-index.js";
export { nodeFileNames, renderNodeFiles, ruleCount, summarise } from "./node-files.js";
export type { EveryNodeOptions, NodeFiles, NodeSummary } from "./node-files.js";
export { asFile } from "./write.js";

export interface RenderEveryNodeOptions extends EveryNodeOptions {
  /** Threads rendering, the caller's included (default: the machine's cores). */
  readonly jobs?: number;
  /** Write each node's `<node>.iptables`, `<node>.ip6tables` and `<node>.ipsets` here (it must exist). */
  readonly outDir?: string;
  /** V8 old-space limit of each worker, in MB (each holds its own cluster and shared renderings). */
  readonly workerHeapMb?: number;
  /**
   * false: the calling thread only collects (`jobs` workers render, and the event loop stays free while
   * they do); true (default): it renders too, beside `jobs - 1` workers.
   */
  readonly callerRenders?: boolean;
  /** Told which thread rendered each node (tests, the benchmark). */
  readonly onNode?: (node: string, thread: "caller" | "worker") => void;
}

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
    jobs = availableParallelism(),
    callerRenders = true,
    outDir,
    workerHeapMb,
    onNode,
    ...renderOptions
  } = options;
  const workerCount = Math.min(Math.max(callerRenders ? jobs - 1 : jobs, 0), nodes.length);
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const summaries: (NodeSummary | undefined)[] = new Array(nodes.length);
  let done = 0;
  let received = 0;
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  let alive = 0;
  const gone = (): void => {
    alive--;
    Atomics.notify(counters, 1); // wake the caller if it waits for a post that will not come
  };
  for (let w = 0; w < workerCount; w++) {
    const { port1, port2 } = new MessageChannel();
    const data: EveryNodeWorkerData = { files, nodes, counters, port: port2, options: renderOptions, outDir };
    const worker = startWorker(import.meta.url, "worker", {
      workerData: data,
      transferList: [port2],
      ...(workerHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: workerHeapMb } }),
    });
    alive++;
    worker.once("exit", gone);
    worker.on("error", () => undefined); // an error ends in "exit"; what it left undone is rendered here
    ports.push(port1);
    workers.push(worker);
  }
  const take = (): boolean => {
    for (const port of ports) {
      const m = receiveMessageOnPort(port)?.message as { index: number; summary: NodeSummary } | undefined;
      if (m !== undefined) {
        received++;
        summaries[m.index] = m.summary;
        onNode?.(m.summary.node, "worker");
        done++;
        return true;
      }
    }
    return false;
  };
  try {
    while (done < nodes.length) {
      if (take()) continue;
      const mine = callerRenders || workerCount === 0 ? Atomics.add(counters, 0, 1) : nodes.length;
      if (mine < nodes.length) {
        summaries[mine] = renderAndWrite(cluster, nodes[mine]!, renderOptions, outDir);
        onNode?.(nodes[mine]!, "caller");
        done++;
        continue;
      }
      if (alive === 0) {
        // Every worker has ended (one may have died holding a node): render what is missing here.
        while (take());
        for (let i = 0; i < nodes.length; i++)
          if (summaries[i] === undefined) {
            summaries[i] = renderAndWrite(cluster, nodes[i]!, renderOptions, outDir);
            onNode?.(nodes[i]!, "caller");
            done++;
          }
        break;
      }
      const posted = Atomics.load(counters, 1);
      if (posted === received) await waitForChange(counters, 1, posted, 1000);
    }
  } finally {
    for (const port of ports) port.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return summaries as NodeSummary[];
};
