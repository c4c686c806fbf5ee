// IPv4 prefixes as sorted, disjoint, non-adjacent address ranges, so membership is one binary search over
// numbers instead of a hash probe per stored prefix length (what sets.ts does, as the kernel's hash:net).

import { parsePrefix } from "./addr.js";

/** Ranges [lo[i], hi[i]] of 32-bit addresses, sorted, disjoint and not touching. */
export interface RangeSet {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/**
 * The union of the IPv4 prefixes among `cidrs` ("a.b.c.d/len" or a plain address). Entries that are not IPv4
 * prefixes are skipped, as compileSet() skips them.
 */
export const rangeSetOf = (cidrs: readonly string[]): RangeSet => {
  const spans: [number, number][] = [];
  for (const c of cidrs) {
    const p = parsePrefix(c);
    if (p === undefined || p.v !== 4) continue;
    const size = 2 ** (32 - p.len);
    const lo = Number(p.key) * size;
    spans.push([lo, lo + size - 1]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const lo: number[] = [];
  const hi: number[] = [];
  for (const [a, b] of spans) {
    const last = hi.length - 1;
    if (last >= 0 && a <= hi[last]! + 1) hi[last] = Math.max(hi[last]!, b);
    else {
      lo.push(a);
      hi.push(b);
    }
  }
  return { lo: Float64Array.from(lo), hi: Float64Array.from(hi) };
};

/** Is the address number `n` (0 .. 2^32-1) in one of the ranges? */
export const inRangeSet = (r: RangeSet, n: number): boolean => {
  const { lo, hi } = r;
  let a = 0;
  let b = lo.length - 1;
  // The last range whose start is <= n holds n, if any does.
  while (a <= b) {
    const mid = (a + b) >>> 1;
    if (lo[mid]! <= n) a = mid + 1;
    else b = mid - 1;
  }
  return b >= 0 && n <= hi[b]!;
};
