// Closed integer ranges as bigints (addresses, ports, protocols, ICMP types), unions of them (sorted,
// disjoint, coalesced: "normalized") with intersection and difference, and addresses as text: the
// arithmetic under the flow-space boxes.

import type { IpVersion } from "../../rules/ir.js";
import { rfc5952 } from "../../util/ipv6.js";

/** The closed range [lo, hi]. */
export interface Range {
  readonly lo: bigint;
  readonly hi: bigint;
}

export const range = (lo: bigint | number, hi: bigint | number): Range => ({
  lo: BigInt(lo),
  hi: BigInt(hi),
});

export const addrBits = (v: IpVersion): number => (v === 4 ? 32 : 128);
export const addrSpace = (v: IpVersion): Range => range(0n, (1n << BigInt(addrBits(v))) - 1n);

export const contains = (outer: Range, inner: Range): boolean => outer.lo <= inner.lo && inner.hi <= outer.hi;
export const disjoint = (a: Range, b: Range): boolean => a.hi < b.lo || b.hi < a.lo;
export const inRange = (r: Range, x: bigint): boolean => r.lo <= x && x <= r.hi;

const compareBigints = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The first index in `rs` from `from` on whose range does not end before `x` (rs.length when none), known to
 * be at most `to`.
 */
const firstEndingAtOrAfter = (rs: readonly Range[], x: bigint, from: number, to = rs.length): number => {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rs[mid]!.hi < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

type Relation = "inside" | "outside" | "across";

/** relation() looking each range of `a` up in `b`: by one sweep over both, or by binary searches in `b`. */
const relationByA = (a: readonly Range[], b: readonly Range[], sweep: boolean): Relation => {
  let inside = false;
  let outside = false;
  let j = 0;
  for (const x of a) {
    // The first range of b that does not end before x (a is sorted: it never lies before the last one's).
    if (sweep) while (j < b.length && b[j]!.hi < x.lo) j++;
    else j = firstEndingAtOrAfter(b, x.lo, j);
    const y = b[j];
    if (y === undefined || y.lo > x.hi) outside = true;
    // b is coalesced: x is covered only by lying within one of its ranges.
    else if (y.lo <= x.lo && x.hi <= y.hi) inside = true;
    else return "across";
    if (inside && outside) return "across";
  }
  return inside ? "inside" : "outside";
};

/**
 * relation() looking each range of `b` up in `a` instead, for a `b` of a few ranges against a box's union of
 * hundreds: the ranges of `a` that meet a range y of `b` are a run; a range of the run that reaches past y
 * has values in the gap next to y (b is coalesced), so it lies across. Otherwise the run is inside, and `a`
 * is inside `b` when the runs hold all of it.
 */
const relationByB = (a: readonly Range[], b: readonly Range[]): Relation => {
  let covered = 0;
  let i = 0;
  for (const y of b) {
    i = firstEndingAtOrAfter(a, y.lo, i);
    if (i === a.length) break;
    // The last range of a that starts within y.
    const end = firstEndingAtOrAfter(a, y.hi, i);
    const last = end < a.length && a[end]!.lo <= y.hi ? end : end - 1;
    if (last < i) continue;
    if (a[i]!.lo < y.lo || a[last]!.hi > y.hi) return "across";
    covered += last - i + 1;
    i = last + 1;
  }
  return covered === 0 ? "outside" : covered === a.length ? "inside" : "across";
};

/**
 * Where normalized `a` lies against normalized `b`: all inside, all outside, or across. Whichever is
 * cheaper: one sweep over both lists (alike in length), a binary search in `b` per range of `a` (a box's
 * dimension against a set of thousands of members), or two in `a` per range of `b` (a box's union of
 * hundreds of ranges against a port or a set of a few members: half of a typical node's weighings).
 */
export const relation = (a: readonly Range[], b: readonly Range[]): Relation => {
  const sweep = a.length + b.length;
  const byA = a.length * Math.log2(b.length + 1);
  const byB = 2 * b.length * Math.log2(a.length + 1);
  if (byB < sweep && byB < byA) return relationByB(a, b);
  return relationByA(a, b, sweep <= byA);
};

/**
 * firstEndingAtOrAfter, searching outward from `from` in steps that double (galloping): a few comparisons when
 * the answer is near, which it mostly is when two unions are swept together.
 */
const gallopEndingAtOrAfter = (rs: readonly Range[], x: bigint, from: number): number => {
  let lo = from;
  let hi = from;
  // Every index before lo ends before x; so does hi when the loop goes on.
  for (let step = 1; hi < rs.length && rs[hi]!.hi < x; step *= 2) {
    lo = hi + 1;
    hi = lo + step;
  }
  return firstEndingAtOrAfter(rs, x, lo, Math.min(hi, rs.length));
};

/**
 * The values of normalized `a` in normalized `b` and those not in it, both normalized: a box's dimension
 * against a set of thousands of members costs one pass, not one box per member. Each union is skipped
 * through by galloping where the other has nothing to cut it with, and the ranges of `a` skipped are copied
 * as they are: a box's address union of thousands of ranges is mostly cut by a set of tens (a whole-cluster
 * `preflight` spent an eighth of its time here, comparing each of them). A range that comes out
 * whole is kept, not copied: a box's unions hold thousands of ranges, and the parts of a split share most
 * of them.
 */
export const partition = (
  a: readonly Range[],
  b: readonly Range[],
): { readonly inside: Range[]; readonly outside: Range[] } => {
  const inside: Range[] = [];
  const outside: Range[] = [];
  // What is left of a is a[i] from lo on, then the ranges after it; b before j ends before lo.
  let i = 0;
  let j = 0;
  let lo = a.length > 0 ? a[0]!.lo : 0n;
  while (i < a.length) {
    const x = a[i]!;
    j = gallopEndingAtOrAfter(b, lo, j);
    if (j === b.length) break;
    const y = b[j]!;
    if (y.lo > x.hi) {
      // y starts after x: the rest of x lies outside, and so does every range of a that ends before y.
      outside.push(lo === x.lo ? x : { lo, hi: x.hi });
      const next = gallopEndingAtOrAfter(a, y.lo, i + 1);
      for (let k = i + 1; k < next; k++) outside.push(a[k]!);
      i = next;
      if (i < a.length) lo = a[i]!.lo;
      continue;
    }
    // y meets the rest of x, [lo, x.hi], from max(lo, y.lo) to min(x.hi, y.hi).
    if (y.lo > lo) outside.push({ lo, hi: y.lo - 1n });
    const from = y.lo > lo ? y.lo : lo;
    const to = y.hi < x.hi ? y.hi : x.hi;
    inside.push(from === x.lo && to === x.hi ? x : from === y.lo && to === y.hi ? y : { lo: from, hi: to });
    if (y.hi < x.hi) {
      // x goes on past y: its rest meets the ranges of b after y, or none.
      lo = y.hi + 1n;
      j++;
    } else if (++i < a.length) lo = a[i]!.lo;
  }
  // b has nothing more: the rest of a lies outside.
  if (i < a.length) {
    const x = a[i]!;
    outside.push(lo === x.lo ? x : { lo, hi: x.hi });
    for (let k = i + 1; k < a.length; k++) outside.push(a[k]!);
  }
  return { inside, outside };
};

/** The values in both normalized unions (sorted, disjoint, coalesced), normalized. */
export const intersect = (a: readonly Range[], b: readonly Range[]): Range[] => partition(a, b).inside;

/** The values of normalized `a` not in normalized `b`, normalized; ranges of `a` that stay whole are kept. */
export const subtract = (a: readonly Range[], b: readonly Range[]): Range[] => partition(a, b).outside;

/** Sorted, coalesced union (adjacent ranges join). */
export const normalize = (rs: readonly Range[]): Range[] => {
  const sorted = [...rs].sort((a, b) => compareBigints(a.lo, b.lo));
  const out: { lo: bigint; hi: bigint }[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.lo <= last.hi + 1n) last.hi = r.hi > last.hi ? r.hi : last.hi;
    else out.push({ lo: r.lo, hi: r.hi });
  }
  return out;
};

/** The complement of a normalized union within `space`. */
export const complement = (rs: readonly Range[], space: Range): Range[] => {
  const out: Range[] = [];
  let lo = space.lo;
  for (const r of normalize(rs)) {
    if (r.lo > lo) out.push({ lo, hi: r.lo - 1n });
    lo = r.hi + 1n;
  }
  if (lo <= space.hi) out.push({ lo, hi: space.hi });
  return out;
};

export const sameRanges = (a: readonly Range[], b: readonly Range[]): boolean =>
  a.length === b.length && a.every((r, i) => r.lo === b[i]!.lo && r.hi === b[i]!.hi);

/**
 * A hash of a union's values, from the low 32 bits of each bound: equal unions hash alike, and unions that
 * differ mostly hash apart (rangesMemo compares those that do not, with sameRanges). Cheaper than a key
 * that prints every bound in decimal.
 */
export const rangesHash = (rs: readonly Range[]): number => {
  let h = rs.length | 0;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    h = Math.imul(h ^ Number(BigInt.asUintN(32, r.lo)), 0x9e3779b1);
    h = Math.imul(h ^ Number(BigInt.asUintN(32, r.hi)), 0x85ebca77);
    h ^= h >>> 15;
  }
  return h >>> 0;
};

/**
 * `make`'s value for a union, made once per distinct union of values: found by the union's array, then by
 * its values (`hash`, then sameRanges), since boxes cut apart elsewhere carry equal unions in arrays of their
 * own. `make` must not give undefined.
 */
export const rangesMemo = <V>(
  make: (rs: readonly Range[]) => V,
  hash: (rs: readonly Range[]) => number = rangesHash,
): ((rs: readonly Range[]) => V) => {
  const byList = new WeakMap<readonly Range[], V>();
  const byHash = new Map<number, { readonly rs: readonly Range[]; readonly value: V }[]>();
  return (rs) => {
    let v = byList.get(rs);
    if (v !== undefined) return v;
    const h = hash(rs);
    let alike = byHash.get(h);
    if (alike === undefined) byHash.set(h, (alike = []));
    v = alike.find((e) => sameRanges(e.rs, rs))?.value;
    if (v === undefined) {
      v = make(rs);
      alike.push({ rs, value: v });
    }
    byList.set(rs, v);
    return v;
  };
};

/** The canonical text of an address held as a bigint. */
export const addrText = (v: IpVersion, n: bigint): string => {
  // The RFC 5952 text ipaddr.js's toString gives (test/util/ipv6.test.ts), without its objects.
  if (v === 6) {
    // 32 bits at a time into two parts each: a quarter of the bigint operations of one part at a time.
    const parts = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      const word = Number(BigInt.asUintN(32, n >> BigInt(96 - 32 * k)));
      parts[2 * k] = word >>> 16;
      parts[2 * k + 1] = word & 0xffff;
    }
    return rfc5952(parts);
  }
  const x = Number(n);
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
};

// Bit counts of addresses (up to 128 bits) 32 bits at a time: a report weighs thousands of ranges, and a
// bigint's hex text (what this once used) cost more than the rest of counting their CIDRs.
const WORD = 0x1_0000_0000n;

/** The number of bits of `n` ≥ 0. */
const bitLength = (n: bigint): number => {
  let bits = 0;
  for (; n >= WORD; n >>= 32n) bits += 32;
  return bits + 32 - Math.clz32(Number(n));
};

const popcount32 = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** The number of set bits of `n` ≥ 0. */
const popcount = (n: bigint): number => {
  let count = 0;
  for (; n > 0n; n >>= 32n) count += popcount32(Number(BigInt.asUintN(32, n)));
  return count;
};

/**
 * Visits the fewest CIDR blocks that cover exactly [lo, hi], lowest first, as (first address, prefix
 * length); stops when the visitor returns false.
 */
const eachCidr = (v: IpVersion, r: Range, visit: (lo: bigint, length: number) => boolean | void): void => {
  const bits = addrBits(v);
  let lo = r.lo;
  while (lo <= r.hi) {
    // The largest block aligned at lo (its lowest set bit; the whole space at 0) that fits in what is left.
    const aligned = lo === 0n ? bits : bitLength(lo & -lo) - 1;
    const fits = bitLength(r.hi - lo + 1n) - 1;
    const host = Math.min(aligned, fits);
    if (visit(lo, bits - host) === false) return;
    lo += 1n << BigInt(host);
  }
};

/** The smallest list of CIDRs that covers exactly [lo, hi]; at most `max` of them when given. */
export const rangeToCidrs = (v: IpVersion, r: Range, max = Infinity): string[] => {
  const out: string[] = [];
  if (max > 0) eachCidr(v, r, (lo, length) => out.push(`${addrText(v, lo)}/${length}`) < max);
  return out;
};

/**
 * How many CIDRs rangeToCidrs gives, without finding them. lo and hi agree above some bit k and differ at
 * it, so the range crosses the boundary c (hi with the bits below k cleared) once, and its fewest blocks
 * are those of [lo, c), one per set bit of c - lo, and those of [c, hi], one per set bit of hi + 1 - c;
 * unless the two halves are whole blocks of 2^k each, which make one.
 */
export const cidrCount = (r: Range): number => {
  if (r.lo === r.hi) return 1;
  if (r.hi < WORD) return cidrCount32(Number(r.lo), Number(r.hi));
  const k = BigInt(bitLength(r.lo ^ r.hi) - 1);
  const c = (r.hi >> k) << k;
  const left = c - r.lo;
  const right = r.hi + 1n - c;
  const half = 1n << k;
  return left === half && right === half ? 1 : popcount(left) + popcount(right);
};

/**
 * cidrCount of [lo, hi] below 2^32 (IPv4 addresses, ports), in numbers: each bigint step makes a new bigint.
 * (IPv6 ranges, most of those a dual-stack report counts, keep the bigint steps.)
 */
const cidrCount32 = (lo: number, hi: number): number => {
  // The top bit where lo and hi differ (xor and clz32 work on the 32-bit patterns).
  const k = 31 - Math.clz32((lo ^ hi) >>> 0);
  const half = 2 ** k;
  const c = hi - (hi % half);
  const left = c - lo;
  const right = hi + 1 - c;
  return left === half && right === half ? 1 : popcount32(left) + popcount32(right);
};

/** "80", "1-21", for ports, protocols and ICMP values. */
export const numberRangeText = (r: Range): string => (r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`);

/** A uniformly random value in a range, for tests and sampling. */
export const pick = (r: Range, rnd: () => number): bigint => {
  const span = r.hi - r.lo + 1n;
  if (span <= 1n) return r.lo;
  const hex = Array.from({ length: 8 }, () =>
    Math.floor(rnd() * 0x10000)
      .toString(16)
      .padStart(4, "0"),
  ).join("");
  return r.lo + (BigInt(`0x${hex}`) % span);
};
