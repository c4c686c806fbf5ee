// Members of the IP sets a node's rules reference. A host endpoint contributes only its expectedIPs
// (named_port_index.go:362-375) — never the addresses seen on its interface — so an endpoint without
// expectedIPs is in no set: the trap Calico's docs warn about. Sets span endpoints on every node.
//
// Membership comes from the cluster's label index (cluster-index.ts): a set's selector is evaluated
// once over all endpoints and network sets, and the finished set is cached for every node that
// references it. Members come out sorted and distinct by reading the selected endpoints' addresses in the
// cluster's address order (cluster-index.ts addressOrder, sorted once), so no set sorts address strings.

import type { Cluster } from "../resources/model.js";
import type { IpSet, IpVersion } from "../rules/ir.js";
import {
  addressOrder,
  type AddressOrder,
  endpointIndex,
  namedPortIndex,
  networkSetIndex,
  type NamedPortEntry,
  selectorBits,
} from "./cluster-index.js";
import { ipSetName } from "./ipset-ids.js";
import { forEachBit, hasBit, type Bits, type LabelIndex } from "./label-index.js";
import type { SetRequest } from "./rule-convert.js";
import { namespaceClauseMatchesGlobal } from "./selectors.js";
import { compareStrings } from "../util/compare.js";

type SelectorRequest = Extract<SetRequest, { kind: "selector" }>;
type NamedPortRequest = Extract<SetRequest, { kind: "namedPort" }>;

const saGiven = (sa: SelectorRequest["side"]["serviceAccounts"]): boolean =>
  sa !== undefined && (sa.names.length > 0 || sa.selector !== undefined);

/** Items whose labels satisfy the rule side of a selector set (sideMatches for all of them). */
const sideBits = (req: SelectorRequest, labels: LabelIndex): Bits => {
  if (req.negatedSide) return selectorBits(labels, req.side.notSelector);
  if (saGiven(req.side.serviceAccounts)) return labels.none();
  return namespaceClauseMatchesGlobal(req.side.namespaceSelector)
    ? selectorBits(labels, req.side.selector)
    : labels.none();
};

/** Endpoints that satisfy the side of a named-port set (npSideMatches for all of them). */
const npSideBits = (req: NamedPortRequest, labels: LabelIndex): Bits => {
  const side = req.side;
  if (side === undefined) return selectorBits(labels, "all()");
  if (saGiven(side.serviceAccounts)) return labels.none();
  return namespaceClauseMatchesGlobal(side.namespaceSelector)
    ? selectorBits(labels, side.selector)
    : labels.none();
};

// Requests come from memoised rule conversions, so the same objects recur on every node: key them once.
const keys = { 4: new WeakMap<SetRequest, string>(), 6: new WeakMap<SetRequest, string>() };

const requestKey = (req: SetRequest, version: IpVersion): string => {
  let k = keys[version].get(req);
  if (k === undefined) {
    k = requestKeyUncached(req, version);
    keys[version].set(req, k);
  }
  return k;
};

/** Everything membership and presentation depend on, so equal keys give equal sets. */
const requestKeyUncached = (req: SetRequest, version: IpVersion): string =>
  req.kind === "selector"
    ? JSON.stringify([
        version,
        "s",
        req.id,
        req.canonical,
        req.negatedSide,
        req.negatedSide ? req.side.notSelector : null,
        req.negatedSide ? null : saGiven(req.side.serviceAccounts),
        req.negatedSide ? null : (req.side.namespaceSelector ?? null),
        req.negatedSide ? null : (req.side.selector ?? null),
      ])
    : JSON.stringify([
        version,
        "n",
        req.id,
        req.canonical,
        req.portName,
        req.protocol,
        req.side === undefined,
        req.side === undefined ? null : saGiven(req.side.serviceAccounts),
        req.side?.namespaceSelector ?? null,
        req.side?.selector ?? null,
      ]);

/** The IR set a request stands for, with members already sorted and distinct. */
const setOf = (req: SetRequest, version: IpVersion, members: readonly string[], disjoint = false): IpSet => ({
  kind: "set",
  id: req.id,
  name: ipSetName(version, req.id),
  type: req.kind === "selector" ? "hash:net" : "hash:ip,port",
  version,
  members,
  ...(disjoint ? { disjoint: true } : {}),
  description:
    req.kind === "selector"
      ? `selector ${req.canonical}${req.negatedSide ? " (notSelector)" : ""}`
      : `named port ${req.portName}/${req.protocol} on ${req.canonical}`,
});

/** The IR set a request stands for, with its members (sorted). */
export const ipSetFor = (req: SetRequest, version: IpVersion, members: Iterable<string>): IpSet =>
  setOf(req, version, [...members].sort());

/** `list` sorted, without repeats (in place: an array, not a Set, for tens of thousands of members). */
const sortUnique = (list: string[]): string[] => {
  list.sort();
  let n = 0;
  for (const m of list) if (n === 0 || list[n - 1] !== m) list[n++] = m;
  list.length = n;
  return list;
};

/** Two sorted lists without repeats, merged into one. */
const mergeSorted = (a: readonly string[], b: readonly string[]): string[] => {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x <= y) i++;
    if (y <= x) j++;
    out.push(x <= y ? x : y);
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
};

/** The selected endpoints' addresses, sorted and distinct, read off the cluster's address order. */
const endpointMembers = (order: AddressOrder, endpoints: Bits): string[] => {
  const { sorted, start, ranks } = order;
  const seen = new Uint8Array(sorted.length);
  const picked: number[] = [];
  forEachBit(endpoints, (e) => {
    for (let k = start[e]!; k < start[e + 1]!; k++) {
      const r = ranks[k]!;
      if (seen[r] === 0) {
        seen[r] = 1;
        picked.push(r);
      }
    }
  });
  // A few members: sort their positions; many: read the marks in order.
  if (picked.length * 16 < sorted.length) {
    // Copied by index (a typed array's `from` and Array.from iterate, which unoptimised code pays for).
    const positions = new Int32Array(picked.length);
    for (let i = 0; i < picked.length; i++) positions[i] = picked[i]!;
    positions.sort();
    const members = new Array<string>(positions.length);
    for (let i = 0; i < positions.length; i++) members[i] = sorted[positions[i]!]!;
    return members;
  }
  const out: string[] = [];
  for (let r = 0; r < sorted.length; r++) if (seen[r] === 1) out.push(sorted[r]!);
  return out;
};

/**
 * The `address,protocol:port` members of a named-port set, sorted and distinct. They are ordered by the
 * address's position in the cluster's address order, then by `protocol:port`: that is their string order,
 * because `,` sorts before every character of an address, so no address string is compared here.
 */
const namedPortMembers = (
  order: AddressOrder,
  endpoints: Bits,
  req: NamedPortRequest,
  ports: ReadonlyMap<string, readonly NamedPortEntry[]>,
): string[] => {
  const { sorted, start, ranks } = order;
  const rank: number[] = [];
  const suffix: string[] = [];
  const entries = ports.get(req.portName) ?? [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if ((req.protocol !== "any" && req.protocol !== e.protocol) || !hasBit(endpoints, e.endpoint)) continue;
    for (let k = start[e.endpoint]!; k < start[e.endpoint + 1]!; k++) {
      rank.push(ranks[k]!);
      suffix.push(e.suffix);
    }
  }
  // Each member as one number, address position × suffix count + the suffix's position, so a typed
  // array's numeric sort (no comparator) puts them in order; equal members are equal numbers.
  const suffixes = [...new Set(suffix)].sort(compareStrings);
  const n = suffixes.length;
  const suffixRank = new Map(suffixes.map((x, i) => [x, i]));
  const keys = new Float64Array(rank.length);
  for (let i = 0; i < rank.length; i++) keys[i] = rank[i]! * n + suffixRank.get(suffix[i]!)!;
  keys.sort();
  const out: string[] = [];
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (k > 0 && key === keys[k - 1]) continue;
    const s = key % n;
    out.push(`${sorted[(key - s) / n]!},${suffixes[s]!}`);
  }
  return out;
};

export const computeIpSets = (
  cluster: Cluster,
  requests: readonly SetRequest[],
  version: IpVersion,
): IpSet[] => {
  const unique = new Map<string, SetRequest>();
  for (const r of requests) if (!unique.has(r.id)) unique.set(r.id, r);
  const idx = endpointIndex(cluster);
  const nsIdx = networkSetIndex(idx, cluster.networkSets);

  const compute = (req: SetRequest): IpSet => {
    if (req.kind === "selector") {
      const order = addressOrder(idx)[version];
      const fromEndpoints = endpointMembers(order, sideBits(req, idx.labels));
      const nets: string[] = [];
      const netsOf = nsIdx.nets[version];
      forEachBit(sideBits(req, nsIdx.labels), (i) => {
        for (const c of netsOf[i]!) nets.push(c);
      });
      // Endpoint addresses alone are disjoint when the order says so; a network set's nets may overlap them.
      if (nets.length === 0) return setOf(req, version, fromEndpoints, order.distinctHosts);
      return setOf(req, version, mergeSorted(fromEndpoints, sortUnique(nets)));
    }
    return setOf(
      req,
      version,
      namedPortMembers(addressOrder(idx)[version], npSideBits(req, idx.labels), req, namedPortIndex(idx)),
    );
  };

  const sets: IpSet[] = [];
  for (const req of unique.values()) {
    const key = requestKey(req, version);
    let set = nsIdx.ipSets.get(key);
    if (set === undefined) {
      set = compute(req);
      nsIdx.ipSets.set(key, set);
    }
    sets.push(set);
  }
  return sets.sort((a, b) => compareStrings(a.name, b.name));
};
