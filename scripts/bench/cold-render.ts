// A node's first renderings, in a process of their own: load and index the cluster (off the clock), then
// render the node as `calisim render` does (iptables-restore and ipset texts, both IP versions), then the
// same rulesets as nft JSON. Nothing has been rendered in the process before, so both are what a first
// rendering costs: code that has not run yet, and the cluster's shared chains, sets and texts not yet made.
//
// The bench runs it a few times and reports the median, beside write-floor.ts's: one sample in the bench's
// own process swung with the machine, and its nft rendering came after every node had been rendered there,
// so it could pay for that step's garbage (a full collection finishing during it). Run as
// `node cold-render.js DIR NODE`; prints `{"iptables": Timing, "nft": Timing, "digests": {…}}`, the
// digests (SHA-256, hex) of the texts, so the bench can check it rendered the same bytes.

import { createHash } from "node:crypto";
import { pathToFileURL } from "node:url";
import { indexCluster } from "../../src/calc/cluster-index.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { nftTexts, renderNodeFiles } from "../../src/render/every-node/index.js";
import { loadCluster } from "../../src/resources/load.js";
import { time, type Timing } from "./measure.js";

export interface ColdRender {
  readonly iptables: Timing;
  readonly nft: Timing;
  readonly digests: { readonly iptables: string; readonly nft: string };
}

/** SHA-256 of texts, one after the other. */
export const digestOf = (texts: readonly string[]): string => {
  const h = createHash("sha256");
  for (const t of texts) h.update(t);
  return h.digest("hex");
};

const main = async (dir: string, node: string): Promise<ColdRender> => {
  const loaded = await loadCluster([dir]);
  const cluster = loaded.cluster;
  indexCluster(cluster);
  // As in the bench: the node is resolved before it is rendered.
  resolveNode(cluster, { node });
  const ipt = time(() => renderNodeFiles(cluster, node));
  const nft = time(() => nftTexts(ipt.value.rulesets));
  return {
    iptables: { ms: ipt.ms, cpuMs: ipt.cpuMs },
    nft: { ms: nft.ms, cpuMs: nft.cpuMs },
    digests: {
      iptables: digestOf([...ipt.value.iptables, ipt.value.ipsets]),
      nft: digestOf(nft.value),
    },
  };
};

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const [dir, node] = process.argv.slice(2);
  if (dir === undefined || node === undefined) throw new Error("usage: cold-render.js DIR NODE");
  process.stdout.write(`${JSON.stringify(await main(dir, node))}\n`);
}
