// Members of the IP sets a node's rules reference. A host endpoint contributes only its expectedIPs
// (named_port_index.go:362-375) — never the addresses seen on its interface — so an endpoint without
// expectedIPs is in no set: the trap Calico's docs warn about. Sets span endpoints on every node.
//
// Membership comes from the cluster's label index (cluster-index.ts): a set's selector is evaluated
// once over all endpoints and network sets, and the finished set is cached for every node that
// references it.

import type { Cluster } from "../resources/model.js";
import type { IpSet, IpVersion } from "../rules/ir.js";
import {
  endpointIndex,
  endpointIps,
  namedPortIndex,
  networkSetIndex,
  selectorBits,
} from "./cluster-index.js";
import { ipSetName } from "./ipset-ids.js";
import { forEachBit, hasBit, type Bits, type LabelIndex } from "./label-index.js";
import type { SetRequest } from "./rule-convert.js";
import { namespaceClauseMatchesGlobal } from "./selectors.js";

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

/** The IR set a request stands for, with its members (sorted). */
export const ipSetFor = (req: SetRequest, version: IpVersion, members: Iterable<string>): IpSet => ({
  kind: "set",
  id: req.id,
  name: ipSetName(version, req.id),
  type: req.kind === "selector" ? "hash:net" : "hash:ip,port",
  version,
  members: [...members].sort(),
  description:
    req.kind === "selector"
      ? `selector ${req.canonical}${req.negatedSide ? " (notSelector)" : ""}`
      : `named port ${req.portName}/${req.protocol} on ${req.canonical}`,
});

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
    const ips = endpointIps(idx)[version];
    // An array, sorted and deduplicated at the end: cheaper than a Set for tens of thousands of members.
    const members: string[] = [];
    if (req.kind === "selector") {
      forEachBit(sideBits(req, idx.labels), (i) => {
        for (const c of ips[i]!) members.push(c);
      });
      const nets = nsIdx.nets[version];
      forEachBit(sideBits(req, nsIdx.labels), (i) => {
        for (const c of nets[i]!) members.push(c);
      });
    } else {
      const side = npSideBits(req, idx.labels);
      for (const e of namedPortIndex(idx).get(req.portName) ?? []) {
        if ((req.protocol !== "any" && req.protocol !== e.protocol) || !hasBit(side, e.endpoint)) continue;
        for (const c of ips[e.endpoint]!) members.push(`${c},${e.protocol}:${e.port}`);
      }
    }
    members.sort();
    let n = 0;
    for (const m of members) if (n === 0 || members[n - 1] !== m) members[n++] = m;
    members.length = n;
    return ipSetFor(req, version, members);
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
  return sets.sort((a, b) => (a.name < b.name ? -1 : 1));
};
