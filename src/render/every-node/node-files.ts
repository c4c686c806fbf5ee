// One node's rendering as `calisim render` prints it — iptables-restore text for IPv4 and IPv6 with the
// ipset-restore text for both, and/or libnftables JSON for both — and a summary of it. Pure: cluster and
// node in, texts and counts out.

import { resolveNode, type NodeModel, type ResolveOptions } from "../../calc/resolve.js";
import type { Ruleset } from "../../rules/ir.js";
import { buildRuleset } from "../../rules/node-ruleset.js";
import { renderIpsets } from "../ipset/index.js";
import { renderIptables } from "../iptables/index.js";
import { renderNftJsonText } from "../nftables/index.js";

/** What varies between nodes' renderings besides the node (plain data: it is posted to worker threads). */
export type EveryNodeOptions = Omit<ResolveOptions, "node" | "interfaces" | "extraWorkloads">;

/** What is rendered per node: `iptables` is iptables-restore text with its ipset-restore text. */
export type NodeFormat = "iptables" | "nft-json";
export const NODE_FORMATS: readonly NodeFormat[] = ["iptables", "nft-json"];

export interface NodeRulesets {
  readonly model: NodeModel;
  /** IPv4, IPv6. */
  readonly rulesets: readonly [Ruleset, Ruleset];
}

/** The texts of the formats rendered, each for IPv4 and IPv6 (ipset text: both in one). */
export interface NodeTexts {
  readonly iptables?: readonly [string, string];
  readonly ipsets?: string;
  /** `nft -j -f` input: table ip calico, table ip6 calico. */
  readonly nft?: readonly [string, string];
}

export interface NodeFiles extends NodeRulesets {
  readonly iptables: readonly [string, string];
  readonly ipsets: string;
}

export interface NodeSummary {
  readonly node: string;
  /** Rules per IP version, kernel-chain inserts and appends included. */
  readonly rules: { readonly v4: number; readonly v6: number };
  readonly chains: number;
  readonly sets: number;
  /** Characters of each format rendered: iptables-restore (v4 + v6), ipset-restore, nft JSON (v4 + v6). */
  readonly chars: { readonly iptables?: number; readonly ipsets?: number; readonly nft?: number };
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

export const buildNodeRulesets = (
  cluster: Parameters<typeof resolveNode>[0],
  node: string,
  options: EveryNodeOptions = {},
): NodeRulesets => {
  const model = resolveNode(cluster, { ...options, node });
  return { model, rulesets: [buildRuleset(model, { version: 4 }), buildRuleset(model, { version: 6 })] };
};

/** iptables-restore text for IPv4 and IPv6, and the ipset-restore text of both. */
const iptablesTexts = ([v4, v6]: NodeRulesets["rulesets"]): Pick<NodeFiles, "iptables" | "ipsets"> => ({
  iptables: [renderIptables(v4), renderIptables(v6)],
  ipsets: renderIpsets(v4) + renderIpsets(v6),
});

/** libnftables JSON (`nft -j -f` input) for IPv4 and IPv6: table ip calico, table ip6 calico. */
export const nftTexts = ([v4, v6]: NodeRulesets["rulesets"]): readonly [string, string] => [
  renderNftJsonText(v4),
  renderNftJsonText(v6),
];

/** The texts of `formats` (each rendered once however often it is named). */
export const renderNodeTexts = ({ rulesets }: NodeRulesets, formats: readonly NodeFormat[]): NodeTexts => ({
  ...(formats.includes("iptables") ? iptablesTexts(rulesets) : {}),
  ...(formats.includes("nft-json") ? { nft: nftTexts(rulesets) } : {}),
});

/** A node's iptables-restore and ipset-restore texts, as `calisim render` prints them. */
export const renderNodeFiles = (
  cluster: Parameters<typeof resolveNode>[0],
  node: string,
  options: EveryNodeOptions = {},
): NodeFiles => {
  const built = buildNodeRulesets(cluster, node, options);
  return { ...built, ...iptablesTexts(built.rulesets) };
};

const chars = (texts: NodeTexts): NodeSummary["chars"] => ({
  ...(texts.iptables === undefined ? {} : { iptables: texts.iptables[0].length + texts.iptables[1].length }),
  ...(texts.ipsets === undefined ? {} : { ipsets: texts.ipsets.length }),
  ...(texts.nft === undefined ? {} : { nft: texts.nft[0].length + texts.nft[1].length }),
});

export const summarise = (node: string, files: NodeRulesets & NodeTexts): NodeSummary => ({
  node,
  rules: { v4: ruleCount(files.rulesets[0]), v6: ruleCount(files.rulesets[1]) },
  chains: files.rulesets.reduce((n, rs) => n + rs.tables.reduce((k, t) => k + t.chains.length, 0), 0),
  sets: files.rulesets[0].sets.length + files.rulesets[1].sets.length,
  chars: chars(files),
  warnings: files.model.warnings.map((w) => w.message),
});

/** File names of a node's rendering in an output directory (nft: by the table's family, ip and ip6). */
export const nodeFileNames = (
  node: string,
): { v4: string; v6: string; ipsets: string; nftV4: string; nftV6: string } => ({
  v4: `${node}.iptables`,
  v6: `${node}.ip6tables`,
  ipsets: `${node}.ipsets`,
  nftV4: `${node}.ip.nft.json`,
  nftV6: `${node}.ip6.nft.json`,
});
