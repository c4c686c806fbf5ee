// Per-cluster indexes, built once and shared by every node resolved from the same resources:
//   - each host endpoint's effective labels (own + inherited from profiles), in a label index;
//   - host endpoints by node;
//   - which endpoints each policy selects (a bitset per policy, from the label index);
//   - each endpoint's expectedIPs in canonical form, per IP version;
//   - the members of every IP set a rule asks for, so a set is computed once for all nodes.
//
// Caches are keyed by object identity (the arrays of the Cluster and the resource objects in them),
// treating the model as immutable, as the rest of calisim does. A cluster that shares arrays with
// another (e.g. the same endpoints and profiles with one policy replaced) shares their indexes, so an
// edit re-evaluates only what changed.

import ipaddr from "ipaddr.js";
import type { Cluster, GlobalNetworkSet, HostEndpoint, Policy, Profile } from "../resources/model.js";
import type { IpSet, IpVersion } from "../rules/ir.js";
import { dottedQuad, dottedQuadValue, maskIpv4 } from "../util/ipv4.js";
import { ipv6Parts, ipv6PartsInto, isIpv4Mapped, maskIpv6, rfc5952 } from "../util/ipv6.js";
import { hasBit, LabelIndex, type Bits } from "./label-index.js";
import { compileSelector, namespaceClauseMatchesGlobal } from "./selectors.js";

const versionOf = (addr: string): IpVersion => (addr.includes(":") ? 6 : 4);

const networkOf = (cidr: string): string => {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  const net =
    addr.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return `${net.toString()}/${len}`;
};

const canonicalNetUncached = (cidr: string): string | undefined => {
  const slash = cidr.indexOf("/");
  const addr = slash < 0 ? cidr : cidr.slice(0, slash);
  const lenText = cidr.slice(slash + 1);
  const len = /^\d+$/.test(lenText) ? parseInt(lenText, 10) : Number.NaN; // as ipaddr.parseCIDR reads it
  // Dotted quads and plain hex IPv6 are read here (a cluster has tens of thousands of expectedIPs), the
  // same way ipaddr.js reads them (test/calc/canonical-net.test.ts); any other form is left to ipaddr.js.
  const v4 = dottedQuadValue(addr);
  if (v4 !== undefined) {
    if (slash < 0) return cidr;
    if (!(len <= 32)) return undefined;
    return len === 32 ? addr : `${dottedQuad(maskIpv4(v4, len))}/${len}`;
  }
  const v6 = ipv6Parts(addr);
  if (v6 !== undefined) {
    if (slash < 0) return rfc5952(v6);
    if (!(len <= 128)) return undefined;
    return len === 128 ? rfc5952(v6) : `${rfc5952(maskIpv6(v6, len))}/${len}`;
  }
  try {
    if (!cidr.includes("/")) return ipaddr.parse(cidr).toString();
    const [addr, len] = ipaddr.parseCIDR(cidr);
    const full = addr.kind() === "ipv4" ? 32 : 128;
    // A single-address CIDR is written as a plain IP (ip_set_member.go:92-95).
    return len === full ? addr.toString() : networkOf(cidr);
  } catch {
    return undefined;
  }
};

const canonicalCache = new Map<string, string | null>();
const CANONICAL_CACHE_MAX = 1 << 20;

/** An address or CIDR as an IP set member (network address, host CIDRs as plain IPs); memoised. */
export const canonicalNet = (cidr: string): string | undefined => {
  const hit = canonicalCache.get(cidr);
  if (hit !== undefined) return hit ?? undefined;
  const c = canonicalNetUncached(cidr);
  if (canonicalCache.size >= CANONICAL_CACHE_MAX) canonicalCache.clear();
  canonicalCache.set(cidr, c ?? null);
  return c;
};

/** The canonical members of `addrs` of one IP version, in order (duplicates kept). */
export const canonicalOfVersion = (addrs: readonly string[], version: IpVersion): string[] => {
  const out: string[] = [];
  for (const a of addrs) {
    const c = canonicalNet(a);
    if (c !== undefined && versionOf(c) === version) out.push(c);
  }
  return out;
};

// ---- labels ----------------------------------------------------------------------------------------

const profileMaps = new WeakMap<readonly Profile[], ReadonlyMap<string, Profile>>();

/** Profiles by name (the last of a duplicated name wins, as `new Map(entries)` does); cached per array. */
export const profilesByName = (profiles: readonly Profile[]): ReadonlyMap<string, Profile> => {
  let m = profileMaps.get(profiles);
  if (m === undefined) {
    m = new Map(profiles.map((p) => [p.metadata.name, p]));
    profileMaps.set(profiles, m);
  }
  return m;
};

/** Labels a policy selector sees: the endpoint's own, plus those inherited from its profiles. */
export const effectiveLabels = (ep: HostEndpoint, profiles: readonly Profile[]): Record<string, string> => {
  // Built by assignment, in the order `{ ...inherited, ...own }` gives (own values win, keys keep their
  // first place), without the spreads: this runs for every endpoint of a cluster. Label keys start with
  // a letter or digit (checks/metadata-fields.ts), so none is `__proto__`; `hasOwn`, not `in`, so that a
  // label called `constructor` is not taken for Object.prototype's.
  const out: Record<string, string> = {};
  if (ep.spec.profiles.length > 0) {
    const byName = profilesByName(profiles);
    for (const name of ep.spec.profiles) {
      const toApply = byName.get(name)?.spec.labelsToApply;
      if (toApply !== undefined) for (const k in toApply) if (!Object.hasOwn(out, k)) out[k] = toApply[k]!;
    }
  }
  const own = ep.metadata.labels;
  for (const k in own) out[k] = own[k]!;
  return out;
};

// ---- the endpoint index ----------------------------------------------------------------------------

export interface NetworkSetIndex {
  readonly sets: readonly GlobalNetworkSet[];
  readonly labels: LabelIndex;
  /** Canonical nets per set, per IP version. */
  readonly nets: Readonly<Record<IpVersion, readonly (readonly string[])[]>>;
  /** IP sets computed for this endpoint index and these network sets, by request key. */
  readonly ipSets: Map<string, IpSet>;
}

export interface EndpointIndex {
  readonly endpoints: readonly HostEndpoint[];
  readonly profiles: readonly Profile[];
  readonly labels: LabelIndex;
  /** Position of each endpoint object in `endpoints` (the first, if an object appears twice). */
  readonly position: ReadonlyMap<HostEndpoint, number>;
  /** Endpoints of each node, in `endpoints` order. */
  readonly byNode: ReadonlyMap<string, readonly HostEndpoint[]>;
  /** Which endpoints each policy selects (by object). */
  readonly policyBits: WeakMap<Policy, Bits>;
  /** Per policy list: the bitsets of its policies, aligned with it. */
  readonly policyLists: WeakMap<readonly Policy[], readonly Bits[]>;
  /** Per network set list: its index and the IP sets computed with it. */
  readonly networkSets: WeakMap<readonly GlobalNetworkSet[], NetworkSetIndex>;
  /** Canonical expectedIPs per endpoint, per IP version (filled on first use). */
  ips?: Readonly<Record<IpVersion, readonly (readonly string[])[]>>;
  /** Those addresses sorted once, per IP version (filled on first use). */
  order?: Readonly<Record<IpVersion, AddressOrder>>;
  /** Every endpoint's named ports, by name (filled on first use). */
  namedPorts?: ReadonlyMap<string, readonly NamedPortEntry[]>;
}

/**
 * The endpoints' distinct addresses of one IP version in IP set member order (string order), and each
 * endpoint's addresses as positions in it: a selector set's members are then the marked positions read in
 * order, instead of a sort of tens of thousands of strings per set.
 */
export interface AddressOrder {
  readonly sorted: readonly string[];
  /** Endpoint e's addresses are at `sorted[ranks[k]]` for k in `start[e]` .. `start[e + 1] - 1`. */
  readonly start: Int32Array;
  readonly ranks: Int32Array;
  /**
   * Every address is one host (no prefix) written in its one canonical form (a four-part decimal quad, or
   * RFC 5952 text outside ::ffff:0:0/96), so distinct texts are distinct addresses: a set of some of them
   * has no member inside another (IpSet.disjoint).
   */
  readonly distinctHosts: boolean;
}

/** One named port of one endpoint: what a named-port IP set takes from it. */
export interface NamedPortEntry {
  /** The endpoint's position in the index. */
  readonly endpoint: number;
  /** Lower case, as it appears in the set member (`tcp`, `udp`, `sctp`). */
  readonly protocol: string;
  readonly port: number;
  /** What follows the address in the member: `tcp:80`. */
  readonly suffix: string;
}

const byEndpoints = new WeakMap<readonly HostEndpoint[], WeakMap<readonly Profile[], EndpointIndex>>();

const buildEndpointIndex = (
  endpoints: readonly HostEndpoint[],
  profiles: readonly Profile[],
): EndpointIndex => {
  const position = new Map<HostEndpoint, number>();
  const byNode = new Map<string, HostEndpoint[]>();
  endpoints.forEach((ep, i) => {
    if (!position.has(ep)) position.set(ep, i);
    const list = byNode.get(ep.spec.node);
    if (list === undefined) byNode.set(ep.spec.node, [ep]);
    else list.push(ep);
  });
  return {
    endpoints,
    profiles,
    labels: new LabelIndex(endpoints.map((ep) => effectiveLabels(ep, profiles))),
    position,
    byNode,
    policyBits: new WeakMap(),
    policyLists: new WeakMap(),
    networkSets: new WeakMap(),
  };
};

/** The index of the cluster's endpoints (built on first use, then shared). */
export const endpointIndex = (cluster: Pick<Cluster, "hostEndpoints" | "profiles">): EndpointIndex => {
  let perProfiles = byEndpoints.get(cluster.hostEndpoints);
  if (perProfiles === undefined) {
    perProfiles = new WeakMap();
    byEndpoints.set(cluster.hostEndpoints, perProfiles);
  }
  let idx = perProfiles.get(cluster.profiles);
  // A length change means someone modified the array in place: rebuild rather than answer wrongly.
  if (idx === undefined || idx.labels.size !== cluster.hostEndpoints.length) {
    idx = buildEndpointIndex(cluster.hostEndpoints, cluster.profiles);
    perProfiles.set(cluster.profiles, idx);
  }
  return idx;
};

/** Items a selector text matches (an unparsable selector matches nothing, as selectorMatches). */
export const selectorBits = (labels: LabelIndex, text: string | undefined): Bits => {
  const sel = compileSelector(text);
  return sel === null ? labels.none() : labels.evaluate(sel);
};

/** policySelects() for every endpoint at once. */
const computePolicyBits = (idx: EndpointIndex, policy: Policy): Bits => {
  if (policy.kind === "NetworkPolicy") return idx.labels.none();
  const sa = policy.spec.serviceAccountSelector;
  if (sa !== undefined && sa.trim() !== "") return idx.labels.none();
  if (!namespaceClauseMatchesGlobal(policy.spec.namespaceSelector)) return idx.labels.none();
  return selectorBits(idx.labels, policy.spec.selector);
};

export const policyBits = (idx: EndpointIndex, policy: Policy): Bits => {
  let b = idx.policyBits.get(policy);
  if (b === undefined) {
    b = computePolicyBits(idx, policy);
    idx.policyBits.set(policy, b);
  }
  return b;
};

const policyList = (idx: EndpointIndex, policies: readonly Policy[]): readonly Bits[] => {
  let l = idx.policyLists.get(policies);
  if (l === undefined || l.length !== policies.length) {
    l = policies.map((p) => policyBits(idx, p));
    idx.policyLists.set(policies, l);
  }
  return l;
};

/**
 * The cluster's policies that select `ep`, in cluster order — what filtering with policySelects gives —
 * with the selection bitsets (aligned with cluster.policies) and the endpoint's position in them; undefined
 * when `ep` is not one of the cluster's endpoints.
 */
export const policiesSelecting = (
  cluster: Cluster,
  ep: HostEndpoint,
): { policies: Policy[]; bits: readonly Bits[]; position: number } | undefined => {
  const idx = endpointIndex(cluster);
  const i = idx.position.get(ep);
  if (i === undefined) return undefined;
  const bits = policyList(idx, cluster.policies);
  const out: Policy[] = [];
  for (let k = 0; k < bits.length; k++) if (hasBit(bits[k]!, i)) out.push(cluster.policies[k]!);
  return { policies: out, bits, position: i };
};

/** Nodes that have host endpoints (only those get rules), sorted; across several clusters if given. */
export const nodesOf = (...clusters: readonly Cluster[]): string[] =>
  [...new Set(clusters.flatMap((c) => c.hostEndpoints.map((e) => e.spec.node)))].sort();

/** The node's endpoints, in cluster order. */
export const endpointsOfNode = (cluster: Cluster, node: string): readonly HostEndpoint[] =>
  endpointIndex(cluster).byNode.get(node) ?? [];

export const endpointIps = (
  idx: EndpointIndex,
): Readonly<Record<IpVersion, readonly (readonly string[])[]>> => {
  if (idx.ips === undefined) {
    const v4: string[][] = [];
    const v6: string[][] = [];
    for (const ep of idx.endpoints) {
      v4.push(canonicalOfVersion(ep.spec.expectedIPs, 4));
      v6.push(canonicalOfVersion(ep.spec.expectedIPs, 6));
    }
    idx.ips = { 4: v4, 6: v6 };
  }
  return idx.ips;
};

// Scratch space for one IPv6 address's parts.
const V6_PARTS = [0, 0, 0, 0, 0, 0, 0, 0];

/** Whether `addr` is a single address in the one spelling canonicalNet gives it (see AddressOrder). */
const isCanonicalHost = (addr: string): boolean => {
  if (addr.includes("/")) return false;
  if (!addr.includes(":")) return dottedQuadValue(addr) !== undefined;
  return ipv6PartsInto(addr, V6_PARTS) && !isIpv4Mapped(V6_PARTS) && rfc5952(V6_PARTS) === addr;
};

const addressOrderOf = (ips: readonly (readonly string[])[]): AddressOrder => {
  const sorted = [...new Set(ips.flat())].sort();
  const rank = new Map<string, number>();
  sorted.forEach((a, i) => rank.set(a, i));
  const start = new Int32Array(ips.length + 1);
  const ranks = new Int32Array(ips.reduce((n, list) => n + list.length, 0));
  let k = 0;
  ips.forEach((list, e) => {
    start[e] = k;
    for (const a of list) ranks[k++] = rank.get(a)!;
  });
  start[ips.length] = k;
  return { sorted, start, ranks, distinctHosts: sorted.every(isCanonicalHost) };
};

export const addressOrder = (idx: EndpointIndex): Readonly<Record<IpVersion, AddressOrder>> => {
  if (idx.order === undefined) {
    const ips = endpointIps(idx);
    idx.order = { 4: addressOrderOf(ips[4]), 6: addressOrderOf(ips[6]) };
  }
  return idx.order;
};

/**
 * The endpoints' named ports by name, in endpoint order. A named-port IP set then visits only the ports of
 * its name, instead of every port of every endpoint its selector matches (a set per name, protocol and
 * selector, on clusters with thousands of endpoints).
 */
export const namedPortIndex = (idx: EndpointIndex): ReadonlyMap<string, readonly NamedPortEntry[]> => {
  if (idx.namedPorts === undefined) {
    const byName = new Map<string, NamedPortEntry[]>();
    idx.endpoints.forEach((ep, endpoint) => {
      for (const p of ep.spec.ports) {
        const protocol = p.protocol.toLowerCase();
        const entry: NamedPortEntry = { endpoint, protocol, port: p.port, suffix: `${protocol}:${p.port}` };
        const list = byName.get(p.name);
        if (list === undefined) byName.set(p.name, [entry]);
        else list.push(entry);
      }
    });
    idx.namedPorts = byName;
  }
  return idx.namedPorts;
};

export const networkSetIndex = (idx: EndpointIndex, sets: readonly GlobalNetworkSet[]): NetworkSetIndex => {
  let n = idx.networkSets.get(sets);
  if (n === undefined || n.labels.size !== sets.length) {
    n = {
      sets,
      labels: new LabelIndex(sets.map((s) => ({ ...s.metadata.labels }))),
      nets: {
        4: sets.map((s) => canonicalOfVersion(s.spec.nets, 4)),
        6: sets.map((s) => canonicalOfVersion(s.spec.nets, 6)),
      },
      ipSets: new Map(),
    };
    idx.networkSets.set(sets, n);
  }
  return n;
};

/**
 * Builds every index of the cluster now (endpoint labels, policy selections, canonical addresses)
 * instead of on first use; returns the endpoint index. For benchmarks and long-running callers.
 */
export const indexCluster = (cluster: Cluster): EndpointIndex => {
  const idx = endpointIndex(cluster);
  policyList(idx, cluster.policies);
  addressOrder(idx);
  namedPortIndex(idx);
  networkSetIndex(idx, cluster.networkSets);
  return idx;
};
