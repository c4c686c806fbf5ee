// The v3.14 host-endpoint upgrade check: per node, the exact flows whose verdict changes between two
// Calico versions, and which "*" endpoints are behind it.

import type { HostInterface } from "../../calc/interfaces.js";
import { formatCalicoVersion, type CalicoVersion } from "../../calc/versions.js";
import type { Cluster } from "../../resources/model.js";
import type { Result } from "../flowspace/index.js";
import { compareNode, policedNodes, type NodeComparison } from "../node-flows.js";
import { isDrop } from "../report.js";
import { isStar, starEndpoints, type StarEndpoint } from "./star-endpoints.js";

export interface UpgradeOptions {
  readonly from: CalicoVersion;
  readonly to: CalicoVersion;
  /** Nodes to check; default every node with a host endpoint. */
  readonly nodes?: readonly string[];
  /** Interfaces per node (`ip -j addr`), when known. */
  readonly interfaces?: ReadonlyMap<string, readonly HostInterface[]>;
  /** Called before each node is checked and once when all are (for a progress line). */
  readonly onNode?: (done: number, total: number, node?: string) => void;
  /** Called after each packet the analysis traces (for a progress line). */
  readonly onTrace?: () => void;
}

export interface NodeUpgrade {
  readonly node: string;
  readonly comparison: NodeComparison;
  /** The "*" endpoint governing the node, if any. */
  readonly star?: StarEndpoint;
  /** Some flow goes from allow to drop. */
  readonly drops: boolean;
  readonly changedRegions: number;
}

export interface UpgradeReport {
  readonly from: string;
  readonly to: string;
  /** The "*" endpoints of the nodes checked. */
  readonly stars: readonly StarEndpoint[];
  /** How many "*" endpoints other nodes have (not checked, so not listed): only with `nodes`. */
  readonly starsElsewhere: number;
  readonly nodes: readonly NodeUpgrade[];
  /** The governing "*" endpoints of nodes where flows change: the ones the runbook labels. */
  readonly affected: readonly StarEndpoint[];
}

/** What an upgrade report says before any node is checked: the versions and the "*" endpoints. */
export type UpgradeFrame = Pick<UpgradeReport, "from" | "to" | "stars" | "starsElsewhere">;

const nodesOf = (cluster: Cluster, opts: UpgradeOptions): readonly string[] =>
  opts.nodes ?? policedNodes(cluster);

export const upgradeFrame = (cluster: Cluster, opts: UpgradeOptions): UpgradeFrame => {
  const nodes = nodesOf(cluster, opts);
  // Only the checked nodes' "*" endpoints are listed: with --node on a large cluster, listing every one
  // (with every policy selecting it) was most of the report and of its time (5,000 of them: 35 MB, 2.5 s).
  const checked = new Set(nodes);
  return {
    from: formatCalicoVersion(opts.from),
    to: formatCalicoVersion(opts.to),
    stars: starEndpoints(cluster, checked),
    starsElsewhere: cluster.hostEndpoints.filter((e) => isStar(e) && !checked.has(e.spec.node)).length,
  };
};

/** The "*" endpoint governing `node`, as upgradeFrame lists it (without a frame: for one node alone). */
export const governingStar = (cluster: Cluster, node: string): StarEndpoint | undefined =>
  starEndpoints(cluster, new Set([node])).find((s) => s.governs);

/**
 * One node of upgradeCheck (`opts.nodes` and `opts.onNode` are not used); `star` is the "*" endpoint
 * governing it (governingStar, or found in upgradeFrame's list).
 */
export const upgradeNode = (
  cluster: Cluster,
  node: string,
  opts: UpgradeOptions,
  star: StarEndpoint | undefined,
): Result<NodeUpgrade> => {
  const interfaces = opts.interfaces?.get(node);
  const side = (v: CalicoVersion) => ({
    cluster,
    calicoVersion: v,
    ...(interfaces === undefined ? {} : { interfaces }),
  });
  const c = compareNode(
    node,
    side(opts.from),
    side(opts.to),
    undefined,
    opts.onTrace === undefined ? {} : { onTrace: opts.onTrace },
  );
  if (!c.ok) return c;
  const regions = c.value.families.flatMap((f) => f.changed);
  return {
    ok: true,
    value: {
      node,
      comparison: c.value,
      ...(star === undefined ? {} : { star }),
      drops: regions.some(isDrop),
      changedRegions: regions.length,
    },
  };
};

/**
 * The nodes of upgradeCheck one at a time, each as soon as it is checked, so that a caller can report and
 * drop it: a whole cluster's comparisons do not fit in memory at once. `frame` is upgradeFrame's for the
 * same cluster and options. Stops after the first error.
 */
export function* upgradeByNode(
  cluster: Cluster,
  opts: UpgradeOptions,
  frame: UpgradeFrame,
): Generator<Result<NodeUpgrade>, void, undefined> {
  const nodes = nodesOf(cluster, opts);
  for (const [i, node] of nodes.entries()) {
    opts.onNode?.(i, nodes.length, node);
    const r = upgradeNode(
      cluster,
      node,
      opts,
      frame.stars.find((s) => s.node === node && s.governs),
    );
    yield r;
    if (!r.ok) return;
  }
  opts.onNode?.(nodes.length, nodes.length);
}

/** The "*" endpoints the runbook labels: those governing a node where flows change. */
export const affectedStar = (n: NodeUpgrade): StarEndpoint | undefined =>
  n.changedRegions > 0 ? n.star : undefined;

export const upgradeCheck = (cluster: Cluster, opts: UpgradeOptions): Result<UpgradeReport> => {
  const frame = upgradeFrame(cluster, opts);
  const nodes: NodeUpgrade[] = [];
  for (const r of upgradeByNode(cluster, opts, frame)) {
    if (!r.ok) return r;
    nodes.push(r.value);
  }
  const affected = nodes.flatMap((n) => affectedStar(n) ?? []);
  return { ok: true, value: { ...frame, nodes, affected } };
};
