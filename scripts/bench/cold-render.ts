// A node's first rendering, in a process of its own: load and index the cluster (off the clock), then
// render the node, either as `calisim render` does (its rulesets built, then the iptables-restore and ipset
// texts of both IP versions) or as nft JSON (its rulesets built, then the JSON of both). Nothing has been
// rendered in the process before, so it is what a first rendering costs: code that has not run yet, and the
// cluster's shared chains, sets and texts not yet made.
//
// The bench runs it a few times for each and reports the medians, beside write-floor.ts's. One sample in
// the bench's own process swung with the machine; and its nft rendering came after every node had been
// rendered there, with the node's rulesets built long before and its code partly run, so it was not a
// first rendering. Run as `node cold-render.js DIR NODE iptables|nft`; prints
// `{"ms": …, "cpuMs": …, "digest": …}`, the digest (SHA-256, hex) of the texts, so that the bench can check
// it rendered the same bytes.

import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { indexCluster } from "../../src/calc/cluster-index.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildNodeRulesets, nftTexts, renderNodeFiles } from "../../src/render/every-node/index.js";
import type { Cluster } from "../../src/resources/model.js";
import { loadCluster } from "../../src/resources/load.js";
import { time, type Timing } from "./measure.js";

export type ColdFormat = "iptables" | "nft";

export interface ColdRender extends Timing {
  readonly digest: string;
}

/** SHA-256 of texts, one after the other. */
export const digestOf = (texts: readonly string[]): string => {
  const h = createHash("sha256");
  for (const t of texts) h.update(t);
  return h.digest("hex");
};

const render = (cluster: Cluster, node: string, format: ColdFormat): readonly string[] => {
  if (format === "nft") return nftTexts(buildNodeRulesets(cluster, node).rulesets);
  const r = renderNodeFiles(cluster, node);
  return [...r.iptables, r.ipsets];
};

const main = async (dir: string, node: string, format: ColdFormat): Promise<ColdRender> => {
  const loaded = await loadCluster([dir]);
  const cluster = loaded.cluster;
  indexCluster(cluster);
  // As in the bench: the node is resolved before it is rendered.
  resolveNode(cluster, { node });
  const t = time(() => render(cluster, node, format));
  return { ms: t.ms, cpuMs: t.cpuMs, digest: digestOf(t.value) };
};

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const [dir, node, format] = process.argv.slice(2);
  if (dir === undefined || node === undefined || (format !== "iptables" && format !== "nft"))
    throw new Error("usage: cold-render.js DIR NODE iptables|nft");
  process.stdout.write(`${JSON.stringify(await main(dir, node, format))}\n`);
}
