// One node under two configurations (two clusters, two Calico versions, or both): its rulesets per IP
// family, one interface universe for both sides, and the exact set of flows whose verdict changes.

import { resolveNode, type NodeModel } from "../calc/resolve.js";
import type { HostInterface } from "../calc/interfaces.js";
import type { CalicoVersion } from "../calc/versions.js";
import type { Cluster } from "../resources/model.js";
import type { IpVersion, Ruleset } from "../rules/ir.js";
import { buildRuleset } from "../rules/node-ruleset.js";
import {
  compareRulesets,
  ifaceUniverse,
  type Comparison,
  type ExploreOptions,
  type IfaceUniverse,
  type Result,
} from "./flowspace/index.js";

export interface Side {
  readonly cluster: Cluster;
  readonly calicoVersion?: CalicoVersion;
  readonly interfaces?: readonly HostInterface[];
}

export interface NodeComparison {
  readonly node: string;
  readonly before: NodeModel;
  readonly after: NodeModel;
  readonly universe: IfaceUniverse;
  readonly families: readonly Comparison[];
}

export const FAMILIES: readonly IpVersion[] = [4, 6];

/** Nodes that have host endpoints (only those are policed), sorted. */
export { nodesOf as policedNodes } from "../calc/cluster-index.js";

export const modelOf = (node: string, s: Side): NodeModel =>
  resolveNode(s.cluster, {
    node,
    ...(s.calicoVersion === undefined ? {} : { calicoVersion: s.calicoVersion }),
    ...(s.interfaces === undefined ? {} : { interfaces: s.interfaces }),
  });

/** The node with no failsafe ports: what policy alone would do (FailsafeInboundHostPorts: []). */
export const withoutFailsafe = (m: NodeModel): NodeModel => ({
  ...m,
  config: { ...m.config, failsafeInbound: [], failsafeOutbound: [] },
});

export const nodeIfaceNames = (models: readonly NodeModel[]): string[] =>
  models.flatMap((m) => [
    ...m.interfaces.map((i) => i.name),
    ...m.workloads,
    ...m.endpoints.map((e) => e.binding.iface),
  ]);

export const universeFor = (models: readonly NodeModel[], rulesets: readonly Ruleset[]): IfaceUniverse =>
  ifaceUniverse(rulesets, nodeIfaceNames(models));

export const compareNode = (
  node: string,
  before: Side,
  after: Side,
  families: readonly IpVersion[] = FAMILIES,
  opts: ExploreOptions = {},
): Result<NodeComparison> => {
  const b = modelOf(node, before);
  const a = modelOf(node, after);
  const rs = families.map((v) => ({
    v,
    before: buildRuleset(b, { version: v }),
    after: buildRuleset(a, { version: v }),
    noFailsafe: buildRuleset(withoutFailsafe(a), { version: v }),
  }));
  const universe = universeFor(
    [b, a],
    rs.flatMap((r) => [r.before, r.after, r.noFailsafe]),
  );
  const out: Comparison[] = [];
  for (const r of rs) {
    const c = compareRulesets(r.before, r.after, universe, { ...opts, afterWithoutFailsafe: r.noFailsafe });
    if (!c.ok) return { ok: false, error: `node ${node}, IPv${r.v}: ${c.error}` };
    out.push(c.value);
  }
  return { ok: true, value: { node, before: b, after: a, universe, families: out } };
};
