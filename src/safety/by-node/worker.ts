// Worker-thread entry of by-node/index.ts: rebuilds the clusters from the caller's file texts, then makes
// the parts of the nodes it claims from the counter it shares with the other threads and posts each.

import { workerData } from "node:worker_threads";
import type { Cluster } from "../../resources/model.js";
import { parseResources } from "../../resources/parse.js";
import { serveClaims, type ClaimShare } from "../../util/claim-pool.js";
import { applyLabelPatches } from "../upgrade/apply.js";
import type { ClusterSources } from "./index.js";
import { nodePart, type NodeTask } from "./part.js";

export interface ByNodeWorkerData extends ClaimShare {
  readonly task: NodeTask;
  readonly sources: ClusterSources;
  readonly nodes: readonly string[];
}

const { task, sources, nodes, ...share } = workerData as ByNodeWorkerData;
const patched = (cluster: Cluster): Cluster => {
  if (sources.patches === undefined) return cluster;
  const r = applyLabelPatches(cluster, sources.patches);
  // The caller applied the same patches to the same resources: an error here is a bug, and ends this
  // worker (the caller then checks its nodes).
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const cluster = patched(parseResources(sources.files).cluster);
const against = sources.against === undefined ? undefined : parseResources(sources.against).cluster;
serveClaims(share, nodes.length, (i) =>
  nodePart(task, { cluster, ...(against === undefined ? {} : { against }) }, nodes[i]!),
);
