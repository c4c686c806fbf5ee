// What to build for a node (pure): one link per interface its host endpoints need, each a veth from the
// host namespace to a peer namespace, plus a workload link on a `cali…` interface. Addresses: the
// endpoints' expectedIPs on the host side when they are documentation addresses, else allocated. Every
// peer also holds the "extra" addresses the rules talk about (other nodes' expectedIPs, a member of every
// net and network set), so selectors and nets can be probed from every interface.

import { assumeInterfaces } from "../calc/bind.js";
import { effectiveConfig } from "../calc/config.js";
import type { HostInterface } from "../calc/interfaces.js";
import type { Cluster, EntityRule, PolicyRule } from "../resources/model.js";
import { allocator, canonical, isDocumentation, isV6, representative } from "./addresses.js";

export interface PlannedLink {
  /** The host-side interface name (`eth0`, `cali0000000001`). */
  readonly name: string;
  readonly kind: "host" | "workload";
  /** Addresses on the host side (none on a workload link, as with Calico). */
  readonly hostAddrs: readonly string[];
  /** The far namespace's own addresses (a peer's default addresses, or the workload's). */
  readonly farAddrs: readonly string[];
  readonly hostMac: string;
  readonly farMac: string;
}

export interface TopologyPlan {
  readonly links: readonly PlannedLink[];
  /** Addresses every peer also holds; the host routes each to its `home` link (by source for replies). */
  readonly extra: readonly { readonly addr: string; readonly home: string }[];
  /** Next-hop addresses no namespace holds, resolved by permanent neighbour entries (like Calico's 169.254.1.1). */
  readonly gateway: { readonly v4: string; readonly v6: string };
  /** The NodePort DNAT'd to the first workload (tcp and udp). */
  readonly nodePort: number;
  readonly notes: readonly string[];
}

export interface PlanOptions {
  readonly node: string;
  /** Interfaces to build instead of those the endpoints need (names and host addresses). */
  readonly interfaces?: readonly HostInterface[];
  /** At most this many extra addresses per family (default 8). */
  readonly maxExtra?: number;
  /** Ports the rules probe directly: the NodePort must be none of them (it is DNAT'd on every host address). */
  readonly avoidPorts?: readonly number[];
}

const POOLS = {
  host: { v4: ["192.0.2.200", "198.51.100.150", "203.0.113.150"], v6: ["2001:db8:ca11:1::1"] },
  peer: { v4: ["198.51.100.200", "203.0.113.100", "192.0.2.150"], v6: ["2001:db8:ca11:2::1"] },
  workload: { v4: ["203.0.113.200", "192.0.2.100", "198.51.100.100"], v6: ["2001:db8:ca11:3::1"] },
  gateway: { v4: ["192.0.2.254", "198.51.100.254", "203.0.113.254"], v6: ["2001:db8:ca11:ff::1"] },
};

const entityNets = (e: EntityRule): string[] => [...e.nets, ...e.notNets];
const ruleNets = (r: PolicyRule): string[] => [...entityNets(r.source), ...entityNets(r.destination)];

/** Every CIDR the resources mention (rules, network sets, failsafe entries). */
export const mentionedNets = (cluster: Cluster, node: string): string[] => {
  const cfg = effectiveConfig(cluster, node);
  return [
    ...cluster.policies.flatMap((p) => [...p.spec.ingress, ...p.spec.egress].flatMap(ruleNets)),
    ...cluster.profiles.flatMap((p) => [...p.spec.ingress, ...p.spec.egress].flatMap(ruleNets)),
    ...cluster.networkSets.flatMap((s) => s.spec.nets),
    ...[...cfg.failsafeInbound, ...cfg.failsafeOutbound].flatMap((f) => (f.net === undefined ? [] : [f.net])),
  ];
};

const mac = (i: number, side: 1 | 2): string =>
  `02:ca:11:${((i >> 8) & 0xff).toString(16).padStart(2, "0")}:${(i & 0xff).toString(16).padStart(2, "0")}:0${side}`;

const freeName = (used: Set<string>, from: number): string => {
  let n = from;
  while (used.has(`eth${n}`)) n++;
  used.add(`eth${n}`);
  return `eth${n}`;
};

export const planTopology = (cluster: Cluster, opts: PlanOptions): TopologyPlan => {
  const notes: string[] = [];
  const local = cluster.hostEndpoints.filter((e) => e.spec.node === opts.node);
  const prefix = effectiveConfig(cluster, opts.node).workloadPrefixes[0] ?? "cali";
  const base: HostInterface[] = [...(opts.interfaces ?? assumeInterfaces(local).interfaces)].filter(
    (i) => !i.name.startsWith(prefix) && i.name !== "lo",
  );
  // A `*` endpoint governs every interface without a named endpoint: give it two; otherwise one
  // interface no endpoint governs shows that a named endpoint's default drop stays on its interface.
  const names = new Set(base.map((i) => i.name));
  const extraIfaces = local.some((e) => e.spec.interfaceName === "*") ? 2 : 1;
  const star = local.find((e) => e.spec.interfaceName === "*");
  for (let k = 0; k < extraIfaces; k++)
    base.push({ name: freeName(names, 8), addresses: k === 0 && star ? [...star.spec.expectedIPs] : [] });

  const nets = mentionedNets(cluster, opts.node);
  const everyIp = cluster.hostEndpoints.flatMap((e) => e.spec.expectedIPs);
  const seen = new Set<string>();
  const hostSide = base.map((i) => {
    const kept = i.addresses.map((a) => canonical(a) ?? a).filter((a) => isDocumentation(a) && !seen.has(a));
    kept.forEach((a) => seen.add(a));
    for (const a of i.addresses.filter((x) => !isDocumentation(x)))
      notes.push(`${i.name}: ${a} is not a documentation address; not configured (allocated one instead)`);
    return { name: i.name, addrs: kept };
  });
  const alloc = allocator([...everyIp, ...hostSide.flatMap((h) => h.addrs)], nets);
  const family = (addrs: readonly string[], pool: { v4: string[]; v6: string[] }): string[] => [
    ...addrs,
    ...(addrs.some((a) => !isV6(a)) ? [] : [alloc(pool.v4)]),
    ...(addrs.some(isV6) ? [] : [alloc(pool.v6)]),
  ];
  const links: PlannedLink[] = hostSide.map((h, i) => ({
    name: h.name,
    kind: "host",
    hostAddrs: family(h.addrs, POOLS.host),
    farAddrs: family([], POOLS.peer),
    hostMac: mac(i, 1),
    farMac: mac(i, 2),
  }));
  links.push({
    name: `${prefix}0000000001`.slice(0, 15),
    kind: "workload",
    hostAddrs: [],
    farAddrs: family([], POOLS.workload),
    hostMac: mac(links.length, 1),
    farMac: mac(links.length, 2),
  });
  const gateway = { v4: alloc(POOLS.gateway.v4), v6: alloc(POOLS.gateway.v6) };

  // Extra addresses: other nodes' expectedIPs and a member of every mentioned net (documentation only).
  const own = new Set(links.flatMap((l) => [...l.hostAddrs, ...l.farAddrs]));
  const candidates = [
    ...cluster.hostEndpoints.filter((e) => e.spec.node !== opts.node).flatMap((e) => e.spec.expectedIPs),
    ...nets,
  ];
  const extra: string[] = [];
  for (const c of candidates) {
    const rep = representative(c);
    if (rep === undefined) continue;
    if (own.has(rep) || extra.includes(rep)) continue;
    if (extra.filter((e) => isV6(e) === isV6(rep)).length >= (opts.maxExtra ?? 8)) continue;
    extra.push(rep);
  }
  const skipped = candidates.filter((c) => representative(c) === undefined);
  if (skipped.length > 0)
    notes.push(`not probed from inside (not documentation addresses): ${[...new Set(skipped)].join(", ")}`);
  const peers = links.filter((l) => l.kind === "host");
  return {
    links,
    extra: extra.map((addr, i) => ({ addr, home: peers[i % peers.length]!.name })),
    gateway,
    nodePort: nodePortAvoiding(opts.avoidPorts ?? []),
    notes,
  };
};

const nodePortAvoiding = (ports: readonly number[]): number => {
  let p = 30080;
  while (ports.includes(p)) p++;
  return p;
};

/** The interfaces the node has once built (host side), for resolveNode. */
export const planInterfaces = (plan: TopologyPlan): HostInterface[] =>
  plan.links.map((l) => ({ name: l.name, addresses: [...l.hostAddrs] }));
