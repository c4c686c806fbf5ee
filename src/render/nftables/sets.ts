// IP sets as nft named sets, as Felix declares them (felix/nftables/ipsets.go:565-597 NFTablesSet, 926-943
// setType; members.go): hash:net → ipvN_addr with the interval flag, hash:ip,port → the concatenation
// ipvN_addr . inet_proto . inet_service with [ip, proto, port] members. Names lose their `:` (LegalizeSetName).

import ipaddr from "ipaddr.js";
import type { IpSet } from "../../rules/ir.js";
import { dottedQuadValue } from "../../util/ipv4.js";
import { ipv6Parts } from "../../util/ipv6.js";
import { nftSetName } from "./layout.js";
import { addressExpr } from "./expr.js";
import type { NftExpr } from "./schema-expr.js";
import type { NftIpFamily } from "./layout.js";
import type { NftKeyType, NftSet, NftSetFlag } from "./schema.js";
import { compareStrings } from "../../util/compare.js";

export interface NftSetPlan {
  readonly set: NftSet;
  /** `add set …` text for `nft -f`. */
  readonly text: string;
}

/** An address as bytes (4 or 16) and a prefix length. */
type Net = readonly [readonly number[], number];

const parseNet = (member: string): Net | undefined => fastNet(member) ?? slowNet(member);

const slowNet = (member: string): Net | undefined => {
  try {
    const [addr, len] = member.includes("/")
      ? ipaddr.parseCIDR(member)
      : [ipaddr.parse(member), ipaddr.parse(member).kind() === "ipv4" ? 32 : 128];
    return [addr.toByteArray(), len];
  } catch {
    return undefined;
  }
};

const v4Bytes = (s: string): number[] | undefined => {
  const n = dottedQuadValue(s);
  return n === undefined ? undefined : [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
};

const v6Bytes = (s: string): number[] | undefined => {
  const parts = ipv6Parts(s);
  if (parts === undefined) return undefined;
  const bytes: number[] = [];
  for (const p of parts) bytes.push(p >> 8, p & 0xff);
  return bytes;
};

// A prefix length in plain decimal without leading zeros (ipaddr reads "010" as octal).
const DEC = /^(?:0|[1-9]\d{0,2})$/;

/**
 * The common spellings (dotted quads, hex groups with at most one "::", decimal prefix lengths) parsed
 * directly, as ipaddr would; undefined for anything else, which ipaddr then decides. Sets hold tens of
 * thousands of members, and ipaddr takes microseconds for each.
 */
const fastNet = (member: string): Net | undefined => {
  const slash = member.indexOf("/");
  const addr = slash < 0 ? member : member.slice(0, slash);
  const bytes = addr.includes(":") ? v6Bytes(addr) : v4Bytes(addr);
  if (bytes === undefined) return undefined;
  const full = bytes.length * 8;
  if (slash < 0) return [bytes, full];
  const len = member.slice(slash + 1);
  return DEC.test(len) && Number(len) <= full ? [bytes, Number(len)] : undefined;
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The first `len` bits of an address as a string key, with the address length so v4 and v6 never meet. */
const prefixKey = (bytes: readonly number[], len: number): string => {
  let k = `${bytes.length}:`;
  const full = len >> 3;
  for (let i = 0; i < full; i++) k += HEX[bytes[i]!]!;
  const rest = len & 7;
  if (rest !== 0) k += HEX[bytes[full]! & (0xff << (8 - rest)) & 0xff]!;
  return `${k}/${len}`;
};

/**
 * Members of an interval set without overlaps: nft 1.0.6 rejects overlapping intervals ("conflicting intervals
 * specified") and its JSON cannot ask for auto-merge (reference §3 pitfall 10); ipset's hash:net accepts them.
 * A CIDR inside another member adds nothing, so it is left out. Members are visited widest first; one is inside a
 * kept one when its first `l` bits equal a kept prefix of length `l`, so each is looked up once per distinct
 * kept prefix length (a handful) instead of compared with every kept member.
 */
export const withoutOverlaps = (members: readonly string[]): string[] => {
  const nets = [...new Set(members)].map((m) => ({ m, net: parseNet(m) }));
  nets.sort((a, b) => (a.net?.[1] ?? 0) - (b.net?.[1] ?? 0) || compareStrings(a.m, b.m));
  const kept: string[] = [];
  const prefixes = new Set<string>();
  const lengths = { 4: [] as number[], 16: [] as number[] };
  for (const n of nets) {
    if (n.net === undefined) {
      kept.push(n.m);
      continue;
    }
    const [bytes, bits] = n.net;
    const seen = lengths[bytes.length as 4 | 16];
    // Its own prefix once: kept already (the same net spelled twice), or inside a shorter kept one. A set of
    // single addresses, the usual kind, has no shorter one to look up.
    const own = prefixKey(bytes, bits);
    if (prefixes.has(own) || seen.some((l) => l < bits && prefixes.has(prefixKey(bytes, l)))) continue;
    kept.push(n.m);
    prefixes.add(own);
    if (!seen.includes(bits)) seen.push(bits);
  }
  return kept.sort(compareStrings);
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

// Sets are computed once per cluster and shared by every node that references them (calc/ipsets.ts), so each
// is planned once per family and table; IR sets are never modified.
const plans = new WeakMap<IpSet, Map<string, NftSetPlan>>();

/** One IR IP set as an nft set in table `calico` of `family`. */
export const setPlan = (ipset: IpSet, family: NftIpFamily, table: string): NftSetPlan => {
  let byTable = plans.get(ipset);
  if (byTable === undefined) {
    byTable = new Map();
    plans.set(ipset, byTable);
  }
  const key = `${family} ${table}`;
  let plan = byTable.get(key);
  if (plan === undefined) {
    plan = planSet(ipset, family, table);
    byTable.set(key, plan);
  }
  return plan;
};

const planSet = (ipset: IpSet, family: NftIpFamily, table: string): NftSetPlan => {
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
    const members = [...new Set(ipset.members)].sort(compareStrings).map(ipPortMember);
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
