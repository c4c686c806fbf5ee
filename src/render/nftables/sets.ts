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
import { distinctSorted } from "../../util/sorted.js";

export interface NftSetPlan {
  readonly set: NftSet;
  /** `add set …` text for `nft -f` (made when first read: JSON renderings never read it). */
  readonly text: string;
}

// A member's address is kept as 32-bit words, one for IPv4 and four for IPv6, in a typed array shared by all
// of a set's members: a set holds tens of thousands of them, and an array (or object) per member made
// overlap removal the largest allocation of a gateway's first nft rendering.
type Family = 0 | 4 | 6;

/** Writes `bytes` (4 or 16) as big-endian words at `at`; the family. */
const putBytes = (bytes: readonly number[], words: Uint32Array, at: number): Family => {
  for (let k = 0; k < bytes.length; k += 4)
    words[at + k / 4] =
      ((bytes[k]! << 24) | (bytes[k + 1]! << 16) | (bytes[k + 2]! << 8) | bytes[k + 3]!) >>> 0;
  return bytes.length === 4 ? 4 : 6;
};

// A prefix length in plain decimal without leading zeros (ipaddr reads "010" as octal).
const DEC = /^(?:0|[1-9]\d{0,2})$/;

/**
 * The common spellings (dotted quads, hex groups with at most one "::", decimal prefix lengths) parsed
 * directly, as ipaddr would: the address's words go to `words` at `at`, and the family and prefix length
 * are returned. Undefined for anything else, which ipaddr then decides. ipaddr takes microseconds a member.
 */
const fastNet = (member: string, words: Uint32Array, at: number): [Family, number] | undefined => {
  const slash = member.indexOf("/");
  const addr = slash < 0 ? member : member.slice(0, slash);
  let family: Family;
  if (addr.includes(":")) {
    const parts = ipv6Parts(addr);
    if (parts === undefined) return undefined;
    for (let k = 0; k < 4; k++) words[at + k] = ((parts[2 * k]! << 16) | parts[2 * k + 1]!) >>> 0;
    family = 6;
  } else {
    const n = dottedQuadValue(addr);
    if (n === undefined) return undefined;
    words[at] = n;
    family = 4;
  }
  const full = family === 4 ? 32 : 128;
  if (slash < 0) return [family, full];
  const len = member.slice(slash + 1);
  return DEC.test(len) && Number(len) <= full ? [family, Number(len)] : undefined;
};

const slowNet = (member: string, words: Uint32Array, at: number): [Family, number] | undefined => {
  try {
    const [addr, len] = member.includes("/")
      ? ipaddr.parseCIDR(member)
      : [ipaddr.parse(member), ipaddr.parse(member).kind() === "ipv4" ? 32 : 128];
    return [putBytes(addr.toByteArray(), words, at), len];
  } catch {
    return undefined;
  }
};

/** The first `bits` bits of `word` (0 to 32; any more is the whole word). */
const maskWord = (word: number, bits: number): number =>
  bits <= 0 ? 0 : bits >= 32 ? word : (word & (0xffffffff << (32 - bits))) >>> 0;

/** The first `len` bits of the address at `at` as a string key, with its family so v4 and v6 never meet. */
const prefixKey = (family: Family, words: Uint32Array, at: number, len: number): string =>
  family === 4
    ? `4/${maskWord(words[at]!, len)}/${len}`
    : `6/${maskWord(words[at]!, len)}.${maskWord(words[at + 1]!, len - 32)}.${maskWord(words[at + 2]!, len - 64)}.${maskWord(words[at + 3]!, len - 96)}/${len}`;

/**
 * Members of an interval set without overlaps: nft 1.0.6 rejects overlapping intervals ("conflicting intervals
 * specified") and its JSON cannot ask for auto-merge (reference §3 pitfall 10); ipset's hash:net accepts them.
 * A CIDR inside another member adds nothing, so it is left out. Members are visited widest first (in string
 * order within a prefix length, so of two spellings of one net the first is kept); one is inside a kept one
 * when its first `l` bits equal a kept prefix of length `l`, so each is looked up once per distinct kept
 * prefix length (a handful) instead of compared with every kept member. What does not parse is kept as it is.
 */
export const withoutOverlaps = (members: readonly string[]): string[] => {
  // Computed sets arrive sorted and distinct (calc/ipsets.ts): then nothing is copied or sorted here.
  const ms = distinctSorted(members);
  const n = ms.length;
  const words = new Uint32Array(4 * n);
  const family = new Uint8Array(n);
  const length = new Uint8Array(n);
  // Widest first: a stable counting sort by prefix length (what does not parse counts as 0) keeps string order.
  const count = new Int32Array(130);
  for (let i = 0; i < n; i++) {
    const m = ms[i]!;
    const net = fastNet(m, words, 4 * i) ?? slowNet(m, words, 4 * i);
    if (net !== undefined) {
      family[i] = net[0];
      length[i] = net[1];
    }
    count[length[i]! + 1]!++;
  }
  for (let l = 1; l < count.length; l++) count[l]! += count[l - 1]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[count[length[i]!]!++] = i;

  const keep = new Uint8Array(n);
  const prefixes = new Set<string>();
  const lengths = { 4: [] as number[], 6: [] as number[] };
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const f = family[i]! as Family;
    if (f === 0) {
      keep[i] = 1;
      continue;
    }
    const bits = length[i]!;
    const seen = lengths[f];
    // Its own prefix once: kept already (the same net spelled twice), or inside a shorter kept one. A set of
    // single addresses, the usual kind, has no shorter one to look up.
    const own = prefixKey(f, words, 4 * i, bits);
    if (prefixes.has(own) || seen.some((l) => l < bits && prefixes.has(prefixKey(f, words, 4 * i, l))))
      continue;
    keep[i] = 1;
    prefixes.add(own);
    if (!seen.includes(bits)) seen.push(bits);
  }
  const kept: string[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) kept.push(ms[i]!);
  return kept;
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
  let texts: () => string[];
  if (ipset.type === "hash:net") {
    type = addr;
    flags = ["interval"];
    const members = withoutOverlaps(ipset.members);
    elem = members.map(addressExpr);
    texts = () => elem.map(textValue);
  } else {
    type = [addr, "inet_proto", "inet_service"];
    const members = distinctSorted(ipset.members).map(ipPortMember);
    elem = members.map((parts) => ({ concat: parts }));
    texts = () => members.map((parts) => parts.join(" . "));
  }
  const set: NftSet = {
    family,
    table,
    name,
    type,
    ...(flags.length === 0 ? {} : { flags }),
    ...(elem.length === 0 ? {} : { elem }),
  };
  let text: string | undefined;
  return {
    set,
    get text(): string {
      if (text === undefined) {
        const typeText = Array.isArray(type) ? type.join(" . ") : type;
        const body = [
          `type ${typeText};`,
          ...(flags.length === 0 ? [] : [`flags ${flags.join(",")};`]),
          ...(elem.length === 0 ? [] : [`elements = { ${texts().join(", ")} };`]),
        ];
        text = `add set ${family} ${table} ${name} { ${body.join(" ")} }`;
      }
      return text;
    },
  };
};
