// Address arithmetic for the throwaway topology. Only documentation ranges are ever configured
// (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; RFC 3849: 2001:db8::/32), so nothing we
// build can collide with, or leak to, a real network.

import ipaddr from "ipaddr.js";

export const DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"];

const parsedRanges = DOCUMENTATION_RANGES.map((c) => ipaddr.parseCIDR(c));

export const isV6 = (addr: string): boolean => addr.includes(":");

/** Canonical text of an address, or undefined. */
export const canonical = (addr: string): string | undefined => {
  try {
    return ipaddr.parse(addr).toString();
  } catch {
    return undefined;
  }
};

const parseNet = (cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined => {
  try {
    if (!cidr.includes("/")) {
      const a = ipaddr.parse(cidr);
      return [a, a.kind() === "ipv4" ? 32 : 128];
    }
    return ipaddr.parseCIDR(cidr);
  } catch {
    return undefined;
  }
};

export const inCidr = (addr: string, cidr: string): boolean => {
  const net = parseNet(cidr);
  const a = canonical(addr);
  if (net === undefined || a === undefined) return false;
  const p = ipaddr.parse(a);
  return p.kind() === net[0].kind() && p.match(net as never);
};

export const isDocumentation = (addr: string): boolean =>
  parsedRanges.some((r) => {
    const a = canonical(addr);
    if (a === undefined) return false;
    const p = ipaddr.parse(a);
    return p.kind() === r[0].kind() && p.match(r as never);
  });

/** The address `n` after `addr` (bytes as a big-endian integer). */
export const offset = (addr: string, n: number): string => {
  const bytes = ipaddr.parse(addr).toByteArray();
  let carry = n;
  for (let i = bytes.length - 1; i >= 0 && carry !== 0; i--) {
    const v = bytes[i]! + carry;
    bytes[i] = ((v % 256) + 256) % 256;
    carry = Math.floor(v / 256);
  }
  return ipaddr.fromByteArray(bytes).toString();
};

/**
 * An address inside a CIDR to probe it with: the network address + 1 (the CIDR itself for a single
 * address), when that is a documentation address; undefined otherwise (e.g. 0.0.0.0/0 or 10.0.0.0/8).
 */
export const representative = (cidr: string): string | undefined => {
  const net = parseNet(cidr);
  if (net === undefined) return undefined;
  const [a, len] = net;
  const full = a.kind() === "ipv4" ? 32 : 128;
  const network =
    len === full
      ? a.toString()
      : (a.kind() === "ipv4"
          ? ipaddr.IPv4.networkAddressFromCIDR(`${a.toString()}/${len}`)
          : ipaddr.IPv6.networkAddressFromCIDR(`${a.toString()}/${len}`)
        ).toString();
  const rep = len >= full - 1 ? network : offset(network, 1);
  return isDocumentation(rep) ? rep : undefined;
};

/**
 * Hands out unused documentation addresses: from each pool start upwards, skipping taken ones and,
 * while possible, ones inside `avoid` CIDRs (so an allocated address matches no rule by accident).
 */
export const allocator = (taken: Iterable<string>, avoid: readonly string[]) => {
  const used = new Set([...taken].map((a) => canonical(a) ?? a));
  return (pools: readonly string[]): string => {
    for (const strict of [true, false])
      for (const start of pools)
        for (let i = 0; i < 48; i++) {
          const a = offset(start, i);
          if (!isDocumentation(a) || used.has(a)) continue;
          if (strict && avoid.some((c) => inCidr(a, c))) continue;
          used.add(a);
          return a;
        }
    throw new Error(`no free documentation address left in ${pools.join(", ")}`);
  };
};
