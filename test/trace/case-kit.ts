// Shared pieces of the trace case table: the per-family address books, the case shape, and small builders.
// Addresses come from the documentation ranges only (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).

import { resolveNode } from "../../src/calc/resolve.js";
import type { CalicoVersion } from "../../src/calc/versions.js";
import type { Cluster, PolicyRule } from "../../src/resources/model.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import type { IpVersion, Ruleset } from "../../src/rules/ir.js";
import type { DecidedByKind, Packet } from "../../src/trace/index.js";
import { hep, ruleOf } from "../helpers/model.js";

/** The addresses a case may use, per family. */
export interface Fam {
  readonly v: IpVersion;
  /** The node's own address (on eth0). */
  readonly host: string;
  readonly host2: string;
  /** A backend a NodePort is DNAT'd to. */
  readonly backend: string;
  readonly remote: string;
  readonly remoteNet: string;
  readonly other: string;
  /** A local workload's address. */
  readonly pod: string;
  readonly icmpProto: number;
  readonly icmpEcho: number;
  readonly icmpName: string;
}

export const V4: Fam = {
  v: 4,
  host: "192.0.2.10",
  host2: "192.0.2.11",
  backend: "192.0.2.20",
  remote: "198.51.100.7",
  remoteNet: "198.51.100.0/24",
  other: "203.0.113.7",
  pod: "192.0.2.50",
  icmpProto: 1,
  icmpEcho: 8,
  icmpName: "ICMP",
};

export const V6: Fam = {
  v: 6,
  host: "2001:db8::10",
  host2: "2001:db8::11",
  backend: "2001:db8::20",
  remote: "2001:db8:100::7",
  remoteNet: "2001:db8:100::/64",
  other: "2001:db8:113::7",
  pod: "2001:db8::50",
  icmpProto: 58,
  icmpEcho: 128,
  icmpName: "ICMPv6",
};

export interface Expect {
  readonly verdict: "accept" | "drop";
  readonly kind: DecidedByKind;
  readonly name?: string;
  readonly ruleIndex?: number;
  readonly tier?: string;
}

export interface TraceCase {
  readonly name: string;
  /** Default: both. */
  readonly families?: readonly IpVersion[];
  readonly cluster: (a: Fam) => Cluster;
  readonly node?: string;
  readonly calicoVersion?: CalicoVersion;
  /** Edits the built ruleset (e.g. to add a workload calisim does not model). */
  readonly patch?: (rs: Ruleset) => Ruleset;
  readonly packet: (a: Fam) => Packet;
  readonly expect: Expect;
  /** A warning the result must carry. */
  readonly warning?: RegExp;
  /** A known bug outside src/trace: the case documents the right answer and runs as test.failing. */
  readonly knownBug?: string;
}

export const port = (n: number) => ({ kind: "range" as const, from: n, to: n });
export const tcp = (dport: number, more: Partial<PolicyRule> = {}): PolicyRule =>
  ruleOf({ protocol: "TCP", destination: { ports: [port(dport)] }, ...more });

/** A received packet to the host. */
export const tcpIn = (a: Fam, iface: string, dport: number, more: Partial<Packet> = {}): Packet => ({
  in: iface,
  src: a.remote,
  dst: a.host,
  proto: 6,
  sport: 40000,
  dport,
  state: "new",
  ...more,
});

/** A locally generated packet. */
export const out = (
  a: Fam,
  iface: string,
  proto: number,
  dport: number,
  more: Partial<Packet> = {},
): Packet => ({
  out: iface,
  src: a.host,
  dst: a.remote,
  proto,
  sport: 40001,
  dport,
  state: "new",
  ...more,
});

export const web = (more: Parameters<typeof hep>[1] = {}, labels: Record<string, string> = { role: "web" }) =>
  hep("web", { interfaceName: "eth0", ...more }, labels);
export const star = (more: Parameters<typeof hep>[1] = {}) => hep("all", { interfaceName: "*", ...more });
export const allowAll = ruleOf();
export const denyAll = ruleOf({ action: "Deny" });
export const DEFAULT_ALLOW = "projectcalico-default-allow";

/** resources → node model → IR for the case and family, with the case's patch applied. */
export const rulesetFor = (c: TraceCase, a: Fam): Ruleset => {
  const model = resolveNode(c.cluster(a), {
    node: c.node ?? "node-1",
    ...(c.calicoVersion === undefined ? {} : { calicoVersion: c.calicoVersion }),
  });
  const rs = buildRuleset(model, { version: a.v });
  return c.patch === undefined ? rs : c.patch(rs);
};
