// IP sets as ranges, for deciding whether a box lies inside, outside or across a set. Members are read
// the way the tracer reads them (src/trace/sets.ts): hash:net members are CIDRs of the set's family,
// hash:ip,port members "ip,proto:port" with tcp/udp/sctp/udplite (no proto: tcp); others are ignored.

import type { IpSet, IpVersion } from "../../rules/ir.js";
import { parseAddr, parsePrefix } from "../../trace/addr.js";
import { foldedKey } from "../../util/bigint-key.js";
import { lazyLookup, type Lookup } from "../../util/lazy-lookup.js";
import { keptIn } from "../../util/memo.js";
import { addrSpace, complement, normalize, range, rangesMemo, relation, type Range } from "./ranges.js";

export interface IpPortMember {
  readonly ip: Range;
  readonly proto: bigint;
  readonly port: bigint;
}

export interface SetRanges {
  readonly type: IpSet["type"];
  readonly version: IpVersion;
  /** hash:net members, normalized (sorted, overlaps and neighbours joined). */
  readonly nets: readonly Range[];
  readonly ipPorts: readonly IpPortMember[];
}

const IPSET_PROTOS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, sctp: 132, udplite: 136 };

/** The address range of a CIDR (or plain address) of family v; undefined when it is not one. */
export const cidrRange = (text: string, v: IpVersion): Range | undefined => {
  const p = parsePrefix(text);
  if (p === undefined || p.v !== v) return undefined;
  const host = (1n << p.shift) - 1n;
  const lo = p.key << p.shift;
  return range(lo, lo + host);
};

const ipPort = (m: string, v: IpVersion): IpPortMember | undefined => {
  const comma = m.indexOf(",");
  const ip = comma < 0 ? undefined : parseAddr(m.slice(0, comma));
  const rest = comma < 0 ? "" : m.slice(comma + 1);
  const colon = rest.indexOf(":");
  const proto = IPSET_PROTOS[colon < 0 ? "tcp" : rest.slice(0, colon).toLowerCase()];
  const port = colon < 0 ? rest : rest.slice(colon + 1);
  if (ip === undefined || ip.v !== v || proto === undefined || !/^\d{1,5}$/.test(port)) return undefined;
  return { ip: range(ip.n, ip.n), proto: BigInt(proto), port: BigInt(port) };
};

// By set: a node's rulesets (IPv4, IPv6, with and without failsafe ports, before and after a change)
// share most of their IpSet objects.
const rangesOf = new WeakMap<IpSet, SetRanges>();

export const setRanges = (set: IpSet): SetRanges => keptIn(rangesOf, set, readSet);

const readSet = (set: IpSet): SetRanges => {
  const nets: Range[] = [];
  const ipPorts: IpPortMember[] = [];
  for (const m of set.members) {
    if (set.type === "hash:net") {
      const r = cidrRange(m, set.version);
      if (r !== undefined) nets.push(r);
    } else {
      const r = ipPort(m, set.version);
      if (r !== undefined) ipPorts.push(r);
    }
  }
  return { type: set.type, version: set.version, nets: normalize(nets), ipPorts };
};

/** Sets by dataplane name, read into ranges when first asked for. */
export type SetRangesLookup = Lookup<SetRanges>;

/**
 * Sets by dataplane name (what `-m set --match-set` names), as the tracer looks them up (a later set of
 * the same name replaces an earlier one). A set's members are parsed on first use: a node's ruleset holds
 * hundreds of sets with up to thousands of members, and an analysis reaches a few of them.
 */
export const setsByName = (sets: readonly IpSet[]): SetRangesLookup =>
  lazyLookup(
    sets.map((s) => [s.name, s] as const),
    setRanges,
  );

/** Loopback is always local (the tracer's isLoopback: 127.0.0.0/8, ::1). */
const LOOPBACK = { 4: cidrRange("127.0.0.0/8", 4)!, 6: cidrRange("::1/128", 6)! } as const;
export const loopback = (v: IpVersion): Range => LOOPBACK[v];

/** Addresses of an ip,port set that are paired with the same ports (of one protocol). */
export interface IpPortClass {
  readonly ips: readonly Range[];
  readonly ports: readonly Range[];
}

/** An ip,port set's member addresses grouped by their ports. */
export interface IpPortClasses {
  /** The group of an address; undefined when no member has it. */
  readonly classOf: (ip: bigint) => IpPortClass | undefined;
  /**
   * For a union of ports: the addresses paired with every one of them, and those paired with none of
   * them (addresses in no member among them). The same answer, the same arrays, for the same union.
   */
  readonly byPorts: (ports: readonly Range[]) => PortsAnswer;
}

export interface PortsAnswer {
  readonly all: readonly Range[];
  readonly none: readonly Range[];
}

const classCache = new WeakMap<SetRanges, Map<bigint, IpPortClasses>>();

/**
 * The set's addresses grouped by the ports they are paired with for `proto`: a box whose addresses lie in
 * one group (or all in none) matches the set exactly for the group's ports, whatever its address.
 */
export const ipPortClasses = (set: SetRanges, proto: bigint): IpPortClasses => {
  let byProto = classCache.get(set);
  if (byProto === undefined) classCache.set(set, (byProto = new Map()));
  let out = byProto.get(proto);
  if (out !== undefined) return out;
  // By folded address: each address with its ports.
  const portsOf = new Map<bigint, { ip: bigint; ports: bigint[] }>();
  for (const m of set.ipPorts) {
    if (m.proto !== proto) continue;
    // Members are single addresses (ipPort above).
    const key = foldedKey(m.ip.lo);
    const seen = portsOf.get(key);
    if (seen === undefined) portsOf.set(key, { ip: m.ip.lo, ports: [m.port] });
    else seen.ports.push(m.port);
  }
  // The sorted addresses, each with its group (by port list); a group's addresses are joined at the end.
  const byIp = [...portsOf.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  const ips = byIp.map((x) => x.ip);
  const groups: { ips: Range[]; ports: readonly Range[] }[] = [];
  const groupWith = rangesMemo((ports) => {
    const g = { ips: [] as Range[], ports };
    groups.push(g);
    return g;
  });
  const groupOf = byIp.map(({ ip, ports: list }) => {
    const g = groupWith(normalize(list.map((p) => range(p, p))));
    g.ips.push(range(ip, ip));
    return g;
  });
  for (const g of groups) g.ips = normalize(g.ips);
  const classOf = (ip: bigint): IpPortClass | undefined => {
    let lo = 0;
    let hi = ips.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ips[mid]! < ip) lo = mid + 1;
      else hi = mid;
    }
    return ips[lo] === ip ? groupOf[lo] : undefined;
  };
  const space = addrSpace(set.version);
  // Paired with all of them; paired with some (or all): "none" is the rest of the address space. Made once
  // per union of ports, not by printing the union for every call.
  const byPorts = rangesMemo((ports): PortsAnswer => {
    const all: Range[] = [];
    const some: Range[] = [];
    for (const g of groups) {
      const r = relation(ports, g.ports);
      if (r === "inside") all.push(...g.ips);
      if (r !== "outside") some.push(...g.ips);
    }
    return { all: normalize(all), none: complement(normalize(some), space) };
  });
  out = { classOf, byPorts };
  byProto.set(proto, out);
  return out;
};
