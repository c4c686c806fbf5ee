// IP sets as nft named sets, as Felix declares them (felix/nftables/ipsets.go:565-597 NFTablesSet, 926-943
// setType; members.go): hash:net → ipvN_addr with the interval flag, hash:ip,port → the concatenation
// ipvN_addr . inet_proto . inet_service with [ip, proto, port] members. Names lose their `:` (LegalizeSetName).

import ipaddr from "ipaddr.js";
import type { IpSet } from "../../rules/ir.js";
import { dottedQuadValue } from "../../util/ipv4.js";
import { ipv6PartsInto } from "../../util/ipv6.js";
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

// A set's members are parsed into typed arrays, one entry per member: a set holds tens of thousands of them,
// and an array (or object) per member made overlap removal the largest allocation of a gateway's first nft
// rendering.
type Family = 0 | 4 | 6;

/** Per member: its family (0: not an address), prefix length and address as four 32-bit words. */
interface Nets {
  readonly family: Uint8Array;
  readonly length: Uint8Array;
  readonly words: Uint32Array;
}

const put = (nets: Nets, i: number, family: Family, len: number): true => {
  nets.family[i] = family;
  nets.length[i] = len;
  return true;
};

// A prefix length in plain decimal without leading zeros (ipaddr reads "010" as octal).
const DEC = /^(?:0|[1-9]\d{0,2})$/;

// Scratch space for one IPv6 address's parts: a gateway's sets have tens of thousands of them.
const V6_PARTS = [0, 0, 0, 0, 0, 0, 0, 0];

/**
 * The common spellings (dotted quads, hex groups with at most one "::", decimal prefix lengths) parsed
 * directly, as ipaddr would, into member `i` of `nets`; false for anything else, which ipaddr then decides.
 * ipaddr takes microseconds a member.
 */
const fastNet = (member: string, nets: Nets, i: number): boolean => {
  const slash = member.indexOf("/");
  const addr = slash < 0 ? member : member.slice(0, slash);
  const { words } = nets;
  let family: Family;
  if (addr.includes(":")) {
    const parts = V6_PARTS;
    if (!ipv6PartsInto(addr, parts)) return false;
    for (let k = 0; k < 4; k++) words[4 * i + k] = ((parts[2 * k]! << 16) | parts[2 * k + 1]!) >>> 0;
    family = 6;
  } else {
    const n = dottedQuadValue(addr);
    if (n === undefined) return false;
    words[4 * i] = n;
    family = 4;
  }
  const full = family === 4 ? 32 : 128;
  if (slash < 0) return put(nets, i, family, full);
  const len = member.slice(slash + 1);
  return DEC.test(len) && Number(len) <= full && put(nets, i, family, Number(len));
};

const slowNet = (member: string, nets: Nets, i: number): boolean => {
  try {
    const [addr, len] = member.includes("/")
      ? ipaddr.parseCIDR(member)
      : [ipaddr.parse(member), ipaddr.parse(member).kind() === "ipv4" ? 32 : 128];
    const bytes = addr.toByteArray();
    for (let k = 0; k < bytes.length; k += 4)
      nets.words[4 * i + k / 4] =
        ((bytes[k]! << 24) | (bytes[k + 1]! << 16) | (bytes[k + 2]! << 8) | bytes[k + 3]!) >>> 0;
    return put(nets, i, bytes.length === 4 ? 4 : 6, len);
  } catch {
    return false;
  }
};

/** The first `bits` bits of `word` (0 to 32; any more is the whole word). */
const maskWord = (word: number, bits: number): number =>
  bits <= 0 ? 0 : bits >= 32 ? word : (word & (0xffffffff << (32 - bits))) >>> 0;

/**
 * Kept prefixes (a family, a length and the first `length` bits of an address), in an open-addressing hash
 * table of typed arrays: a string key per lookup, and a Set of them, were most of overlap removal's work on a
 * gateway's IPv6 sets (tens of thousands of members). One table serves every set, one set at a time: `clear`
 * starts a new generation instead of zeroing it, so a set of a few members costs no more than its members.
 */
class Prefixes {
  // Per slot: the four masked words, then family << 8 | length.
  private keys = new Uint32Array(5 * 1024);
  // The generation of the set that filled each slot: a slot of an earlier one is empty.
  private filled = new Uint32Array(1024);
  private generation = 0;
  private mask = 0;

  /** Empties the table for a set of `members`. */
  clear(members: number): void {
    let slots = 16;
    while (slots < 2 * members) slots *= 2;
    if (slots > this.filled.length) {
      this.keys = new Uint32Array(5 * slots);
      this.filled = new Uint32Array(slots);
      this.generation = 0;
    }
    this.mask = slots - 1;
    // After 2^32 - 1 sets the generations start again, from a zeroed table.
    if (this.generation === 0xffffffff) {
      this.filled.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }

  /** Whether the first `len` bits of member `i` of `nets` are a kept prefix; with `add`, keeps them if not. */
  find(nets: Nets, i: number, len: number, add: boolean): boolean {
    const w = nets.words;
    const tag = (nets.family[i]! << 8) | len;
    const a = maskWord(w[4 * i]!, len);
    const six = nets.family[i] === 6;
    const b = six ? maskWord(w[4 * i + 1]!, len - 32) : 0;
    const c = six ? maskWord(w[4 * i + 2]!, len - 64) : 0;
    const d = six ? maskWord(w[4 * i + 3]!, len - 96) : 0;
    let h = Math.imul(a ^ tag, 0x9e3779b1);
    h = Math.imul(h ^ b, 0x85ebca6b);
    h = Math.imul(h ^ c, 0xc2b2ae35);
    h = Math.imul(h ^ d, 0x27d4eb2f);
    const { keys, filled, generation, mask } = this;
    for (let slot = (h ^ (h >>> 15)) & mask; ; slot = (slot + 1) & mask) {
      const at = 5 * slot;
      if (filled[slot] !== generation) {
        if (add) {
          keys[at] = a;
          keys[at + 1] = b;
          keys[at + 2] = c;
          keys[at + 3] = d;
          keys[at + 4] = tag;
          filled[slot] = generation;
        }
        return false;
      }
      if (
        keys[at + 4] === tag &&
        keys[at] === a &&
        keys[at + 1] === b &&
        keys[at + 2] === c &&
        keys[at + 3] === d
      )
        return true;
    }
  }
}

const prefixes = new Prefixes();

/**
 * Whether member `i` is inside a kept prefix of one of the `lengths` shorter than `bits` (a loop, not a
 * closure per member).
 */
const insideShorter = (
  kept: Prefixes,
  lengths: readonly number[],
  nets: Nets,
  i: number,
  bits: number,
): boolean => {
  for (const l of lengths) if (l < bits && kept.find(nets, i, l, false)) return true;
  return false;
};

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
  const nets: Nets = { family: new Uint8Array(n), length: new Uint8Array(n), words: new Uint32Array(4 * n) };
  // Widest first: a stable counting sort by prefix length (what does not parse counts as 0) keeps string order.
  const count = new Int32Array(130);
  for (let i = 0; i < n; i++) {
    const m = ms[i]!;
    if (!fastNet(m, nets, i)) slowNet(m, nets, i);
    count[nets.length[i]! + 1]!++;
  }
  for (let l = 1; l < count.length; l++) count[l]! += count[l - 1]!;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[count[nets.length[i]!]!++] = i;

  const keep = new Uint8Array(n);
  prefixes.clear(n);
  const lengths = { 4: [] as number[], 6: [] as number[] };
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const f = nets.family[i]! as Family;
    if (f === 0) {
      keep[i] = 1;
      continue;
    }
    const bits = nets.length[i]!;
    const seen = lengths[f];
    // Left out when inside a shorter kept prefix (a set of single addresses, the usual kind, has none to look
    // up), or when its own prefix is kept already (the same net spelled twice); that last lookup keeps it.
    if (insideShorter(prefixes, seen, nets, i, bits)) continue;
    if (prefixes.find(nets, i, bits, true)) continue;
    keep[i] = 1;
    if (!seen.includes(bits)) seen.push(bits);
  }
  const kept: string[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) kept.push(ms[i]!);
  return kept;
};

const isLowerAlnum = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * `192.0.2.1,tcp:80` → [address, protocol, port] (members.go v4IPPortMember.Key): the address is all before the
 * last comma, which neither protocol nor port has. Read by hand: a regular expression's match array per member
 * was most of what a gateway's named-port sets allocated.
 */
const ipPortMember = (member: string): [string, string, number] => {
  const comma = member.lastIndexOf(",");
  const colon = comma < 0 ? -1 : member.indexOf(":", comma);
  let ok = comma > 0 && colon > comma + 1 && colon < member.length - 1;
  for (let i = comma + 1; ok && i < colon; i++) ok = isLowerAlnum(member.charCodeAt(i));
  for (let i = colon + 1; ok && i < member.length; i++) ok = isDigit(member.charCodeAt(i));
  if (!ok) throw new Error(`bug: hash:ip,port member ${member} is not ip,proto:port`);
  return [member.slice(0, comma), member.slice(comma + 1, colon), Number(member.slice(colon + 1))];
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
  let elem: readonly NftExpr[];
  let texts: () => string[];
  if (ipset.type === "hash:net") {
    type = addr;
    flags = ["interval"];
    // calc marks sets it knows to have no overlaps (canonical host addresses, IpSet.disjoint): most of a
    // gateway's IPv6 members, whose check was a fifth of its first nft rendering.
    const members = ipset.disjoint === true ? ipset.members : withoutOverlaps(ipset.members);
    // A disjoint set's members are single addresses, which are their own nft values.
    elem = ipset.disjoint === true ? members : members.map(addressExpr);
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
