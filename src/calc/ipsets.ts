// Members of the IP sets a node's rules reference. A host endpoint contributes only its expectedIPs
// (named_port_index.go:362-375) — never the addresses seen on its interface — so an endpoint without
// expectedIPs is in no set: the trap Calico's docs warn about. Sets span endpoints on every node.

import ipaddr from "ipaddr.js";
import type { Cluster } from "../resources/model.js";
import type { IpSet, IpVersion } from "../rules/ir.js";
import { ipSetName } from "./ipset-ids.js";
import { endpointLabels } from "./policies.js";
import type { SetRequest } from "./rule-convert.js";
import { namespaceClauseMatchesGlobal, selectorMatches } from "./selectors.js";

const versionOf = (addr: string): IpVersion => (addr.includes(":") ? 6 : 4);

const canonicalNet = (cidr: string): string | undefined => {
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

const networkOf = (cidr: string): string => {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  const net =
    addr.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return `${net.toString()}/${len}`;
};

const sideMatches = (
  req: Extract<SetRequest, { kind: "selector" }>,
  labels: Record<string, string>,
): boolean => {
  if (req.negatedSide) return selectorMatches(req.side.notSelector, labels);
  const sa = req.side.serviceAccounts;
  if (sa !== undefined && (sa.names.length > 0 || sa.selector !== undefined)) return false;
  return (
    namespaceClauseMatchesGlobal(req.side.namespaceSelector) && selectorMatches(req.side.selector, labels)
  );
};

const npSideMatches = (
  req: Extract<SetRequest, { kind: "namedPort" }>,
  labels: Record<string, string>,
): boolean =>
  req.side === undefined ||
  ((req.side.serviceAccounts === undefined ||
    (req.side.serviceAccounts.names.length === 0 && req.side.serviceAccounts.selector === undefined)) &&
    namespaceClauseMatchesGlobal(req.side.namespaceSelector) &&
    selectorMatches(req.side.selector, labels));

export const computeIpSets = (
  cluster: Cluster,
  requests: readonly SetRequest[],
  version: IpVersion,
): IpSet[] => {
  const unique = new Map<string, SetRequest>();
  for (const r of requests) if (!unique.has(r.id)) unique.set(r.id, r);
  const endpoints = cluster.hostEndpoints.map((ep) => ({ ep, labels: endpointLabels(ep, cluster.profiles) }));

  const sets: IpSet[] = [];
  for (const req of unique.values()) {
    const members = new Set<string>();
    if (req.kind === "selector") {
      for (const { ep, labels } of endpoints)
        if (sideMatches(req, labels))
          for (const ip of ep.spec.expectedIPs) {
            const c = canonicalNet(ip);
            if (c !== undefined && versionOf(c) === version) members.add(c);
          }
      for (const ns of cluster.networkSets)
        if (sideMatches(req, { ...ns.metadata.labels }))
          for (const net of ns.spec.nets) {
            const c = canonicalNet(net);
            if (c !== undefined && versionOf(c) === version) members.add(c);
          }
    } else {
      for (const { ep, labels } of endpoints) {
        if (!npSideMatches(req, labels)) continue;
        for (const port of ep.spec.ports) {
          const proto = port.protocol.toLowerCase();
          if (port.name !== req.portName || (req.protocol !== "any" && req.protocol !== proto)) continue;
          for (const ip of ep.spec.expectedIPs) {
            const c = canonicalNet(ip);
            if (c !== undefined && versionOf(c) === version) members.add(`${c},${proto}:${port.port}`);
          }
        }
      }
    }
    sets.push({
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
  }
  return sets.sort((a, b) => (a.name < b.name ? -1 : 1));
};
