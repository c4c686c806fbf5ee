// IP sets as nft named sets, as Felix declares them (felix/nftables/ipsets.go:565-597 NFTablesSet, 926-943
// setType; members.go): hash:net → ipvN_addr with the interval flag, hash:ip,port → the concatenation
// ipvN_addr . inet_proto . inet_service with [ip, proto, port] members. Names lose their `:` (LegalizeSetName).

import ipaddr from "ipaddr.js";
import type { IpSet } from "../../rules/ir.js";
import { nftSetName } from "./layout.js";
import { addressExpr } from "./expr.js";
import type { NftExpr } from "./schema-expr.js";
import type { NftIpFamily } from "./layout.js";
import type { NftKeyType, NftSet, NftSetFlag } from "./schema.js";

export interface NftSetPlan {
  readonly set: NftSet;
  /** `add set …` text for `nft -f`. */
  readonly text: string;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

type Net = [ipaddr.IPv4 | ipaddr.IPv6, number];

const parseNet = (member: string): Net | undefined => {
  try {
    return member.includes("/")
      ? ipaddr.parseCIDR(member)
      : [ipaddr.parse(member), ipaddr.parse(member).kind() === "ipv4" ? 32 : 128];
  } catch {
    return undefined;
  }
};

const contains = (outer: Net, inner: Net): boolean => {
  const [o, oBits] = outer;
  const [i, iBits] = inner;
  if (iBits < oBits) return false;
  if (o.kind() === "ipv4" && i.kind() === "ipv4") return (i as ipaddr.IPv4).match(o as ipaddr.IPv4, oBits);
  if (o.kind() === "ipv6" && i.kind() === "ipv6") return (i as ipaddr.IPv6).match(o as ipaddr.IPv6, oBits);
  return false;
};

/**
 * Members of an interval set without overlaps: nft 1.0.6 rejects overlapping intervals ("conflicting intervals
 * specified") and its JSON cannot ask for auto-merge (reference §3 pitfall 10); ipset's hash:net accepts them.
 * A CIDR inside another member adds nothing, so it is left out.
 */
export const withoutOverlaps = (members: readonly string[]): string[] => {
  const nets = [...new Set(members)]
    .map((m) => ({ m, net: parseNet(m) }))
    .sort((a, b) => (a.net?.[1] ?? 0) - (b.net?.[1] ?? 0) || compare(a.m, b.m));
  const kept: { m: string; net: Net | undefined }[] = [];
  for (const n of nets) {
    const net = n.net;
    if (net === undefined || !kept.some((k) => k.net !== undefined && contains(k.net, net))) kept.push(n);
  }
  return kept.map((k) => k.m).sort(compare);
};

/** `192.0.2.1,tcp:80` → [address, protocol, port] (members.go v4IPPortMember.Key). */
const ipPortMember = (member: string): [string, string, number] => {
  const m = /^(.+),([a-z0-9]+):(\d+)$/.exec(member);
  if (m === null || m[1] === undefined || m[2] === undefined || m[3] === undefined) {
    throw new Error(`bug: hash:ip,port member ${member} is not ip,proto:port`);
  }
  return [m[1], m[2], Number(m[3])];
};

const textValue = (e: NftExpr): string =>
  typeof e === "object" && e !== null && "prefix" in e ? `${e.prefix.addr}/${e.prefix.len}` : String(e);

/** One IR IP set as an nft set in table `calico` of `family`. */
export const setPlan = (ipset: IpSet, family: NftIpFamily, table: string): NftSetPlan => {
  const addr: NftKeyType = ipset.version === 4 ? "ipv4_addr" : "ipv6_addr";
  const name = nftSetName(ipset.name);
  let type: NftKeyType | NftKeyType[];
  let flags: NftSetFlag[] = [];
  let elem: NftExpr[];
  let texts: string[];
  if (ipset.type === "hash:net") {
    type = addr;
    flags = ["interval"];
    const members = withoutOverlaps(ipset.members);
    elem = members.map(addressExpr);
    texts = elem.map(textValue);
  } else {
    type = [addr, "inet_proto", "inet_service"];
    const members = [...new Set(ipset.members)].sort(compare).map(ipPortMember);
    elem = members.map((parts) => ({ concat: parts }));
    texts = members.map((parts) => parts.join(" . "));
  }
  const set: NftSet = {
    family,
    table,
    name,
    type,
    ...(flags.length === 0 ? {} : { flags }),
    ...(elem.length === 0 ? {} : { elem }),
  };
  const typeText = Array.isArray(type) ? type.join(" . ") : type;
  const body = [
    `type ${typeText};`,
    ...(flags.length === 0 ? [] : [`flags ${flags.join(",")};`]),
    ...(texts.length === 0 ? [] : [`elements = { ${texts.join(", ")} };`]),
  ];
  return { set, text: `add set ${family} ${table} ${name} { ${body.join(" ")} }` };
};
