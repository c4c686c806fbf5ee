// Worker-thread entry of every-node.ts: builds its own copy of the cluster from the same file texts, then
// renders the nodes it claims from the counter it shares with the other threads (util/claim-pool.ts) and
// posts each summary.

import { workerData } from "node:worker_threads";
import { parseResources, type SourceFile } from "../../resources/parse.js";
import { serveClaims, type ClaimShare } from "../../util/claim-pool.js";
import type { EveryNodeOptions, NodeFormat } from "./node-files.js";
import { renderAndWrite } from "./write.js";

export interface EveryNodeWorkerData extends ClaimShare {
  readonly files: readonly SourceFile[];
  readonly nodes: readonly string[];
  readonly options: EveryNodeOptions;
  readonly formats: readonly NodeFormat[];
  readonly outDir: string | undefined;
}

const { files, nodes, options, formats, outDir, ...share } = workerData as EveryNodeWorkerData;
const { cluster } = parseResources(files);
serveClaims(share, nodes.length, (i) => renderAndWrite(cluster, nodes[i]!, options, formats, outDir));
