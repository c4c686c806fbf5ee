// The `interfaceName: "*"` host endpoints of a cluster and the policies that select them. From v3.14 such an
// endpoint takes normal (and applyOnForward) policy and drops by default; before, it took only pre-DNAT
// policy and allowed the rest (Calico commit 79efdd9f77, hostendpoints-upgrade). DoNotTrack policy is
// ignored on "*" endpoints in every version (felix endpoint_mgr.go:1328-1333).

import { bindEndpoints } from "../../calc/bind.js";
import { policiesForEndpoint } from "../../calc/policies.js";
import type { Cluster, HostEndpoint, Policy, SourcePos } from "../../resources/model.js";
import { compareStrings } from "../../util/compare.js";

export type PolicyEffect = "normal" | "applyOnForward" | "preDNAT" | "doNotTrack (ignored on *)";

export interface SelectingPolicy {
  readonly name: string;
  readonly tier: string;
  readonly order?: number;
  readonly effect: PolicyEffect;
}

export interface StarEndpoint {
  readonly node: string;
  readonly name: string;
  readonly profiles: readonly string[];
  /** Only the smallest-named "*" endpoint of a node governs it; the others do nothing. */
  readonly governs: boolean;
  readonly selectedBy: readonly SelectingPolicy[];
  /** Some policy other than pre-DNAT (and DoNotTrack, which Felix ignores here) selects it. */
  readonly takesNormalPolicy: boolean;
  readonly source: SourcePos;
  readonly endpoint: HostEndpoint;
}

const effectOf = (p: Policy): PolicyEffect =>
  p.spec.doNotTrack
    ? "doNotTrack (ignored on *)"
    : p.spec.preDNAT
      ? "preDNAT"
      : p.spec.applyOnForward
        ? "applyOnForward"
        : "normal";

export const isStar = (e: HostEndpoint): boolean => e.spec.interfaceName === "*";

/** The "*" endpoints of `nodes` (default: every node), with the policies that select them. */
export const starEndpoints = (cluster: Cluster, nodes?: ReadonlySet<string>): StarEndpoint[] => {
  const stars = cluster.hostEndpoints.filter(
    (e) => isStar(e) && (nodes === undefined || nodes.has(e.spec.node)),
  );
  // Grouped by node first: filtering every node's out of all of them is quadratic (5,000 nodes with a "*"
  // endpoint each took seconds).
  const byNode = new Map<string, HostEndpoint[]>();
  for (const e of stars) {
    const list = byNode.get(e.spec.node);
    if (list === undefined) byNode.set(e.spec.node, [e]);
    else list.push(e);
  }
  const governing = new Set<string>();
  for (const list of byNode.values()) {
    const star = bindEndpoints(list, [], []).star;
    if (star !== undefined) governing.add(star.endpoint.metadata.name);
  }
  return stars
    .map((e): StarEndpoint => {
      const selectedBy = policiesForEndpoint(cluster, e).selectedBy.map((p) => ({
        name: p.metadata.name,
        tier: p.spec.tier,
        ...(p.spec.order === undefined ? {} : { order: p.spec.order }),
        effect: effectOf(p),
      }));
      return {
        node: e.spec.node,
        name: e.metadata.name,
        profiles: e.spec.profiles,
        governs: governing.has(e.metadata.name),
        selectedBy,
        takesNormalPolicy: selectedBy.some((p) => p.effect === "normal" || p.effect === "applyOnForward"),
        source: e.source,
        endpoint: e,
      };
    })
    .sort((a, b) => compareStrings(a.node, b.node) || compareStrings(a.name, b.name));
};
