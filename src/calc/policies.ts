// Which tiers, policies and profiles apply to a host endpoint, in Felix's order, split per kind and
// direction (felix/calc/policy_sorter.go, policy_resolver.go, event_sequencer.go:1161-1198).

import type { Cluster, Direction, HostEndpoint, Policy, Profile } from "../resources/model.js";
import { DEFAULT_TIER } from "../resources/model.js";
import { effectiveLabels, policiesSelecting } from "./cluster-index.js";
import { namespaceClauseMatchesGlobal, selectorMatches } from "./selectors.js";

export interface TierGroup {
  readonly tier: string;
  readonly defaultAction: "Deny" | "Pass";
  readonly policies: readonly Policy[];
}

export type PerDirection<T> = { readonly ingress: T; readonly egress: T };

export interface EndpointPolicies {
  /** Normal policy: filter INPUT/OUTPUT and mangle POSTROUTING for DNAT'd host traffic. */
  readonly normal: PerDirection<readonly TierGroup[]>;
  /** applyOnForward policy, for forwarded traffic. */
  readonly forward: PerDirection<readonly TierGroup[]>;
  /** preDNAT policy; ingress only (Felix drops the egress side). */
  readonly preDnat: readonly TierGroup[];
  /** doNotTrack policy, in raw. */
  readonly untracked: PerDirection<readonly TierGroup[]>;
  readonly profiles: readonly string[];
  /** Every policy whose selector matches the endpoint, whatever its kind. */
  readonly selectedBy: readonly Policy[];
}

/** The default tier is created with order 1,000,000 by current Calico releases (assumed if undeclared). */
const DEFAULT_TIER_ORDER = 1_000_000;

/** Labels a policy selector sees: the endpoint's own, plus those inherited from its profiles. */
export const endpointLabels = (ep: HostEndpoint, profiles: readonly Profile[]): Record<string, string> =>
  effectiveLabels(ep, profiles);

/** Does a policy select a (non-namespaced) host endpoint with these labels? */
export const policySelects = (policy: Policy, labels: Readonly<Record<string, string>>): boolean => {
  // A namespaced NetworkPolicy is scoped to its namespace; host endpoints have none.
  if (policy.kind === "NetworkPolicy") return false;
  if (policy.spec.serviceAccountSelector !== undefined && policy.spec.serviceAccountSelector.trim() !== "")
    return false;
  return (
    namespaceClauseMatchesGlobal(policy.spec.namespaceSelector) &&
    selectorMatches(policy.spec.selector, labels)
  );
};

const cmpOrder = (a: number | undefined, b: number | undefined): number =>
  (a ?? Number.POSITIVE_INFINITY) - (b ?? Number.POSITIVE_INFINITY) || 0;

const policySortKey = (p: Policy): string => `${p.metadata.name}/${p.metadata.namespace ?? ""}/${p.kind}`;

export interface TierInfo {
  readonly name: string;
  readonly order?: number;
  readonly defaultAction: "Deny" | "Pass";
}

export const tierInfos = (cluster: Cluster): Map<string, TierInfo> => {
  const tiers = new Map<string, TierInfo>(
    cluster.tiers.map((t) => [
      t.metadata.name,
      {
        name: t.metadata.name,
        ...(t.spec.order === undefined ? {} : { order: t.spec.order }),
        defaultAction: t.spec.defaultAction,
      },
    ]),
  );
  if (!tiers.has(DEFAULT_TIER))
    tiers.set(DEFAULT_TIER, { name: DEFAULT_TIER, order: DEFAULT_TIER_ORDER, defaultAction: "Deny" });
  return tiers;
};

/** Groups policies into tiers: tiers by order then name, policies by order then name/namespace/kind. */
export const groupByTier = (
  policies: readonly Policy[],
  tiers: ReadonlyMap<string, TierInfo>,
): TierGroup[] => {
  const groups = new Map<string, Policy[]>();
  for (const p of policies) {
    const g = groups.get(p.spec.tier);
    if (g === undefined) groups.set(p.spec.tier, [p]);
    else g.push(p);
  }
  const info = (name: string): TierInfo => tiers.get(name) ?? { name, defaultAction: "Deny" };
  const sortKeys = new Map<Policy, string>();
  const keyOf = (p: Policy): string => {
    let k = sortKeys.get(p);
    if (k === undefined) {
      k = policySortKey(p);
      sortKeys.set(p, k);
    }
    return k;
  };
  return [...groups.keys()]
    .sort((a, b) => cmpOrder(info(a).order, info(b).order) || (a < b ? -1 : a > b ? 1 : 0))
    .map((tier) => ({
      tier,
      defaultAction: info(tier).defaultAction,
      policies: [...(groups.get(tier) ?? [])].sort((a, b) => {
        const byOrder = cmpOrder(a.spec.order, b.spec.order);
        if (byOrder !== 0) return byOrder;
        const ka = keyOf(a);
        const kb = keyOf(b);
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      }),
    }));
};

const applies = (p: Policy, dir: Direction): boolean =>
  // Felix treats empty types as both directions (policy_sorter.go:197-207).
  p.spec.types.length === 0 || p.spec.types.includes(dir === "ingress" ? "Ingress" : "Egress");

export const policiesForEndpoint = (cluster: Cluster, ep: HostEndpoint): EndpointPolicies => {
  const tiers = tierInfos(cluster);
  // From the cluster's selector index; an endpoint that is not one of the cluster's is tested directly.
  const selectedBy =
    policiesSelecting(cluster, ep) ??
    ((labels) => cluster.policies.filter((p) => policySelects(p, labels)))(
      endpointLabels(ep, cluster.profiles),
    );
  const pick = (filter: (p: Policy) => boolean): PerDirection<TierGroup[]> => ({
    ingress: groupByTier(
      selectedBy.filter((p) => filter(p) && applies(p, "ingress")),
      tiers,
    ),
    egress: groupByTier(
      selectedBy.filter((p) => filter(p) && applies(p, "egress")),
      tiers,
    ),
  });
  const untracked = (p: Policy): boolean => p.spec.doNotTrack;
  const preDnat = (p: Policy): boolean => !p.spec.doNotTrack && p.spec.preDNAT;
  const normal = (p: Policy): boolean => !p.spec.doNotTrack && !p.spec.preDNAT;
  // Untracked and pre-DNAT tiers always end with Pass: no end-of-tier drop (event_sequencer.go:1164-1167).
  const asPass = (groups: TierGroup[]): TierGroup[] => groups.map((g) => ({ ...g, defaultAction: "Pass" }));
  const u = pick(untracked);
  return {
    normal: pick(normal),
    forward: pick((p) => normal(p) && p.spec.applyOnForward),
    preDnat: asPass(pick(preDnat).ingress),
    untracked: { ingress: asPass(u.ingress), egress: asPass(u.egress) },
    profiles: ep.spec.profiles,
    selectedBy,
  };
};

const EMPTY: PerDirection<readonly TierGroup[]> = { ingress: [], egress: [] };

/** Before v3.14, a `*` endpoint took only pre-DNAT policy (and allowed everything else). */
export const onlyPreDnat = (p: EndpointPolicies): EndpointPolicies => ({
  ...p,
  normal: EMPTY,
  forward: EMPTY,
  untracked: EMPTY,
});

export const withoutUntracked = (p: EndpointPolicies): EndpointPolicies => ({ ...p, untracked: EMPTY });
