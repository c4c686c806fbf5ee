// One node's rendering as `calisim render` prints it (iptables-restore text for IPv4 and IPv6, ipset-restore
// text for both) and a summary of it. Pure: cluster and node in, texts and counts out.

import { resolveNode, type NodeModel, type ResolveOptions } from "../../calc/resolve.js";
import type { Ruleset } from "../../rules/ir.js";
import { buildRuleset } from "../../rules/node-ruleset.js";
import { renderIpsets } from "../ipset/index.js";
import { renderIptables } from "../iptables/index.js";

/** What varies between nodes' renderings besides the node (plain data: it is posted to worker threads). */
export type EveryNodeOptions = Omit<ResolveOptions, "node" | "interfaces" | "extraWorkloads">;

export interface NodeFiles {
  readonly model: NodeModel;
  readonly rulesets: readonly [Ruleset, Ruleset];
  readonly iptables: readonly [string, string];
  readonly ipsets: string;
}

export interface NodeSummary {
  readonly node: string;
  /** Rules per IP version, kernel-chain inserts and appends included. */
  readonly rules: { readonly v4: number; readonly v6: number };
  readonly chains: number;
  readonly sets: number;
  /** Characters of iptables-restore (v4 + v6) and ipset-restore text. */
  readonly chars: { readonly iptables: number; readonly ipsets: number };
  /** What Felix would warn about on this node (e.g. untracked policy on a `*` endpoint, ignored). */
  readonly warnings: readonly string[];
}

export const ruleCount = (rs: Ruleset): number => {
  let n = 0;
  for (const t of rs.tables) {
    for (const c of t.chains) n += c.rules.length;
    for (const h of t.hooks) n += h.inserted.length + h.appended.length;
  }
  return n;
};

export const renderNodeFiles = (
  cluster: Parameters<typeof resolveNode>[0],
  node: string,
  options: EveryNodeOptions = {},
): NodeFiles => {
  const model = resolveNode(cluster, { ...options, node });
  const rulesets = [buildRuleset(model, { version: 4 }), buildRuleset(model, { version: 6 })] as const;
  return {
    model,
    rulesets,
    iptables: [renderIptables(rulesets[0]), renderIptables(rulesets[1])],
    ipsets: renderIpsets(rulesets[0]) + renderIpsets(rulesets[1]),
  };
};

export const summarise = (node: string, files: NodeFiles): NodeSummary => ({
  node,
  rules: { v4: ruleCount(files.rulesets[0]), v6: ruleCount(files.rulesets[1]) },
  chains: files.rulesets.reduce((n, rs) => n + rs.tables.reduce((k, t) => k + t.chains.length, 0), 0),
  sets: files.rulesets[0].sets.length + files.rulesets[1].sets.length,
  chars: { iptables: files.iptables[0].length + files.iptables[1].length, ipsets: files.ipsets.length },
  warnings: files.model.warnings.map((w) => w.message),
});

/** File names of a node's rendering in an output directory. */
export const nodeFileNames = (node: string): { v4: string; v6: string; ipsets: string } => ({
  v4: `${node}.iptables`,
  v6: `${node}.ip6tables`,
  ipsets: `${node}.ipsets`,
});
