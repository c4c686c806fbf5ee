// Worker-thread entry of every-node.ts: builds its own copy of the cluster from the same file texts, then
// renders the nodes it claims from the counter it shares with the other threads and posts each summary.

import { workerData, type MessagePort } from "node:worker_threads";
import { parseResources, type SourceFile } from "../../resources/parse.js";
import type { EveryNodeOptions } from "./node-files.js";
import { renderAndWrite } from "./write.js";

export interface EveryNodeWorkerData {
  readonly files: readonly SourceFile[];
  readonly nodes: readonly string[];
  /** [0]: next node to claim; [1]: summaries posted (notified on each post). */
  readonly counters: Int32Array;
  readonly port: MessagePort;
  readonly options: EveryNodeOptions;
  readonly outDir: string | undefined;
}

const { files, nodes, counters, port, options, outDir } = workerData as EveryNodeWorkerData;
const { cluster } = parseResources(files);
for (let i = Atomics.add(counters, 0, 1); i < nodes.length; i = Atomics.add(counters, 0, 1)) {
  port.postMessage({ index: i, summary: renderAndWrite(cluster, nodes[i]!, options, outDir) });
  Atomics.add(counters, 1, 1);
  Atomics.notify(counters, 1);
}
port.close();
