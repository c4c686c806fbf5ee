// Which tiers, policies and profiles apply to a host endpoint, in Felix's order, split per kind and
// direction (felix/calc/policy_sorter.go, policy_resolver.go, event_sequencer.go:1161-1198).

import type { Cluster, Direction, HostEndpoint, Policy, Profile, Tier } from "../resources/model.js";
import { DEFAULT_TIER } from "../resources/model.js";
import { effectiveLabels, policiesSelecting } from "./cluster-index.js";
import { hasBit } from "./label-index.js";
import { namespaceClauseMatchesGlobal, selectorMatches } from "./selectors.js";
import { compareStrings } from "../util/compare.js";
import { lowerBound } from "../util/sorted.js";

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

/** Felix's order of two policies of one tier: by order (none last), then by name/namespace/kind. */
const inTierOrder =
  (keyOf: (p: Policy) => string) =>
  (a: Policy, b: Policy): number =>
    cmpOrder(a.spec.order, b.spec.order) || compareStrings(keyOf(a), keyOf(b));

/**
 * One tier's policies, in order, with `before` taken out and `after` (of the same tier: `before` with
 * another order) put where it sorts.
 */
export const movePolicy = (policies: readonly Policy[], before: Policy, after: Policy): Policy[] => {
  const rest = policies.filter((p) => p !== before);
  const cmp = inTierOrder(policySortKey);
  rest.splice(
    lowerBound(rest, (p) => cmp(p, after) < 0),
    0,
    after,
  );
  return rest;
};

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
    .sort((a, b) => cmpOrder(info(a).order, info(b).order) || compareStrings(a, b))
    .map((tier) => ({
      tier,
      defaultAction: info(tier).defaultAction,
      policies: [...(groups.get(tier) ?? [])].sort(inTierOrder(keyOf)),
    }));
};

const applies = (p: Policy, dir: Direction): boolean =>
  // Felix treats empty types as both directions (policy_sorter.go:197-207).
  p.spec.types.length === 0 || p.spec.types.includes(dir === "ingress" ? "Ingress" : "Egress");

// ---- one ranking of all policies, shared by every endpoint ----------------------------------------------
//
// groupByTier sorts tiers (by order, then name) and the policies of each tier (by order, then
// name/namespace/kind). Both are total orders, so sorting the cluster's policies once by (tier, policy) and
// keeping that order while filtering gives every endpoint exactly groupByTier's groups without a sort.

/** Compares two policies as groupByTier orders them: tier first, then within the tier. */
const rankComparator = (tiers: ReadonlyMap<string, TierInfo>): ((a: Policy, b: Policy) => number) => {
  const info = (name: string): TierInfo => tiers.get(name) ?? { name, defaultAction: "Deny" };
  const keys = new Map<Policy, string>();
  const keyOf = (p: Policy): string => {
    let k = keys.get(p);
    if (k === undefined) {
      k = policySortKey(p);
      keys.set(p, k);
    }
    return k;
  };
  const within = inTierOrder(keyOf);
  return (a, b) => {
    const ta = a.spec.tier;
    const tb = b.spec.tier;
    if (ta !== tb) return cmpOrder(info(ta).order, info(tb).order) || compareStrings(ta, tb);
    return within(a, b);
  };
};

interface Ranking {
  readonly tiers: readonly Tier[];
  /** Indices into the policy list, in rank order. */
  readonly order: readonly number[];
}

const rankings = new WeakMap<readonly Policy[], Ranking>();
/** A policy list made from another by one change (see derivedPolicyList), to re-rank it cheaply. */
const derivedFrom = new WeakMap<readonly Policy[], readonly Policy[]>();

/** Records that `next` is `prev` with one policy replaced, added or removed (for the incremental re-render). */
export const derivedPolicyList = (prev: readonly Policy[], next: readonly Policy[]): void => {
  derivedFrom.set(next, prev);
};

const insertSorted = (
  order: number[],
  index: number,
  policies: readonly Policy[],
  cmp: (a: Policy, b: Policy) => number,
): void => {
  const p = policies[index]!;
  order.splice(
    lowerBound(order, (k) => cmp(policies[k]!, p) < 0),
    0,
    index,
  );
};

/** The ranking of `next` from that of `prev` when they differ in one element; undefined otherwise. */
const deriveRanking = (
  prev: readonly Policy[],
  prevOrder: readonly number[],
  next: readonly Policy[],
  cmp: (a: Policy, b: Policy) => number,
): number[] | undefined => {
  if (next.length === prev.length) {
    let changed = -1;
    for (let k = 0; k < next.length; k++)
      if (next[k] !== prev[k]) {
        if (changed >= 0) return undefined;
        changed = k;
      }
    const order = prevOrder.filter((k) => k !== changed);
    if (changed >= 0) insertSorted(order, changed, next, cmp);
    return order;
  }
  if (next.length === prev.length + 1) {
    for (let k = 0; k < prev.length; k++) if (next[k] !== prev[k]) return undefined;
    const order = [...prevOrder];
    insertSorted(order, prev.length, next, cmp);
    return order;
  }
  if (next.length === prev.length - 1) {
    let removed = next.length;
    for (let k = 0; k < next.length; k++)
      if (next[k] !== prev[k]) {
        removed = k;
        break;
      }
    for (let k = removed; k < next.length; k++) if (next[k] !== prev[k + 1]) return undefined;
    return prevOrder.filter((k) => k !== removed).map((k) => (k > removed ? k - 1 : k));
  }
  return undefined;
};

/** Indices of cluster.policies in (tier, policy) order; cached per policy list and tier list. */
const rankedOrder = (cluster: Cluster, tiers: ReadonlyMap<string, TierInfo>): readonly number[] => {
  const hit = rankings.get(cluster.policies);
  if (hit !== undefined && hit.tiers === cluster.tiers && hit.order.length === cluster.policies.length)
    return hit.order;
  const cmp = rankComparator(tiers);
  const prev = derivedFrom.get(cluster.policies);
  const prevRanking = prev === undefined ? undefined : rankings.get(prev);
  const order =
    (prev !== undefined && prevRanking !== undefined && prevRanking.tiers === cluster.tiers
      ? deriveRanking(prev, prevRanking.order, cluster.policies, cmp)
      : undefined) ??
    cluster.policies.map((_, k) => k).sort((a, b) => cmp(cluster.policies[a]!, cluster.policies[b]!));
  rankings.set(cluster.policies, { tiers: cluster.tiers, order });
  return order;
};

const tierCache = new WeakMap<readonly Tier[], Map<string, TierInfo>>();
const cachedTierInfos = (cluster: Cluster): Map<string, TierInfo> => {
  let t = tierCache.get(cluster.tiers);
  if (t === undefined) {
    t = tierInfos(cluster);
    tierCache.set(cluster.tiers, t);
  }
  return t;
};

/** Already ranked policies → groupByTier's groups (consecutive runs of one tier). */
const groupRanked = (ranked: readonly Policy[], tiers: ReadonlyMap<string, TierInfo>): TierGroup[] => {
  const groups: TierGroup[] = [];
  let current: Policy[] | undefined;
  let tier = "";
  for (const p of ranked) {
    if (current === undefined || p.spec.tier !== tier) {
      tier = p.spec.tier;
      current = [];
      groups.push({
        tier,
        defaultAction: (tiers.get(tier) ?? { defaultAction: "Deny" }).defaultAction,
        policies: current,
      });
    }
    current.push(p);
  }
  return groups;
};

export const policiesForEndpoint = (cluster: Cluster, ep: HostEndpoint): EndpointPolicies => {
  // From the cluster's selector index; an endpoint that is not one of the cluster's is tested directly.
  const indexed = policiesSelecting(cluster, ep);
  const selectedBy =
    indexed?.policies ??
    ((labels) => cluster.policies.filter((p) => policySelects(p, labels)))(
      endpointLabels(ep, cluster.profiles),
    );
  let group: (list: readonly Policy[]) => TierGroup[];
  let ranked: readonly Policy[];
  if (indexed === undefined) {
    const tiers = tierInfos(cluster);
    group = (list) => groupByTier(list, tiers);
    ranked = selectedBy;
  } else {
    const tiers = cachedTierInfos(cluster);
    group = (list) => groupRanked(list, tiers);
    ranked = rankedOrder(cluster, tiers)
      .filter((k) => hasBit(indexed.bits[k]!, indexed.position))
      .map((k) => cluster.policies[k]!);
  }
  const pick = (filter: (p: Policy) => boolean): PerDirection<TierGroup[]> => ({
    ingress: group(ranked.filter((p) => filter(p) && applies(p, "ingress"))),
    egress: group(ranked.filter((p) => filter(p) && applies(p, "egress"))),
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
