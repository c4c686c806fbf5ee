// Closed integer ranges as bigints (addresses, ports, protocols, ICMP types), the cut points that split
// them, unions of ranges, and addresses as text: the arithmetic under the flow-space boxes.

import ipaddr from "ipaddr.js";
import type { IpVersion } from "../../rules/ir.js";

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
 * Splits `r` at cut points: a cut c separates c-1 from c. Cuts outside (lo, hi] are ignored; with none
 * inside, the result is [r] itself.
 */
export const splitRange = (r: Range, cuts: readonly bigint[]): Range[] => {
  const inside = [...new Set(cuts.filter((c) => c > r.lo && c <= r.hi))].sort(compareBigints);
  const out: Range[] = [];
  let lo = r.lo;
  for (const c of inside) {
    out.push({ lo, hi: c - 1n });
    lo = c;
  }
  out.push({ lo, hi: r.hi });
  return out;
};

/** The cuts a range [lo, hi] contributes: its first value and the value after its last. */
export const edges = (r: Range): bigint[] => [r.lo, r.hi + 1n];

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

export const rangesKey = (rs: readonly Range[]): string => rs.map((r) => `${r.lo}-${r.hi}`).join(",");

const toBytes = (n: bigint, count: number): number[] => {
  const bytes: number[] = new Array<number>(count);
  let x = n;
  for (let i = count - 1; i >= 0; i--) {
    bytes[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return bytes;
};

/** The canonical text of an address held as a bigint. */
export const addrText = (v: IpVersion, n: bigint): string =>
  v === 4 ? toBytes(n, 4).join(".") : ipaddr.fromByteArray(toBytes(n, 16)).toString();

/** The smallest list of CIDRs that covers exactly [lo, hi]. */
export const rangeToCidrs = (v: IpVersion, r: Range): string[] => {
  const bits = addrBits(v);
  const out: string[] = [];
  let lo = r.lo;
  while (lo <= r.hi) {
    let len = bits;
    // Grow the block while it stays aligned at lo and inside the range.
    while (len > 0) {
      const size = 1n << BigInt(bits - len + 1);
      if (lo % size !== 0n || lo + size - 1n > r.hi) break;
      len--;
    }
    out.push(`${addrText(v, lo)}/${len}`);
    lo += 1n << BigInt(bits - len);
  }
  return out;
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
