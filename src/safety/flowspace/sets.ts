// IP sets as ranges, for deciding whether a box lies inside, outside or across a set. Members are read
// the way the tracer reads them (src/trace/sets.ts): hash:net members are CIDRs of the set's family,
// hash:ip,port members "ip,proto:port" with tcp/udp/sctp/udplite (no proto: tcp); others are ignored.

import type { IpSet, IpVersion } from "../../rules/ir.js";
import { parseAddr, parsePrefix } from "../../trace/addr.js";
import { range, type Range } from "./ranges.js";

export interface IpPortMember {
  readonly ip: Range;
  readonly proto: bigint;
  readonly port: bigint;
}

export interface SetRanges {
  readonly type: IpSet["type"];
  readonly version: IpVersion;
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

export const setRanges = (set: IpSet): SetRanges => {
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
  return { type: set.type, version: set.version, nets, ipPorts };
};

/** Sets by dataplane name (what `-m set --match-set` names), as the tracer looks them up. */
export const setsByName = (sets: readonly IpSet[]): Map<string, SetRanges> => {
  // A later set of the same name replaces an earlier one, as in the tracer's Map.
  return new Map(sets.map((s) => [s.name, setRanges(s)]));
};

/** Loopback is always local (the tracer's isLoopback: 127.0.0.0/8, ::1). */
export const loopback = (v: IpVersion): Range =>
  v === 4 ? cidrRange("127.0.0.0/8", 4)! : cidrRange("::1/128", 6)!;
