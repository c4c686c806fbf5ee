// IPv4 dotted quads as 32-bit numbers, for the hot paths of loading and indexing large clusters.
// Only the canonical form is recognised (four decimal parts, no leading zeros, each at most 255, as
// ipaddr.js's isValidFourPartDecimal and Go's net.ParseIP accept); anything else is left to ipaddr.js.

const FOUR_PART_DECIMAL = /^(?:0|[1-9]\d{0,2})\.(?:0|[1-9]\d{0,2})\.(?:0|[1-9]\d{0,2})\.(?:0|[1-9]\d{0,2})$/;

/** The address as a number, or undefined when `text` is not a canonical dotted quad. */
export const dottedQuadValue = (text: string): number | undefined => {
  if (!FOUR_PART_DECIMAL.test(text)) return undefined;
  let n = 0;
  for (const part of text.split(".")) {
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
};

export const dottedQuad = (n: number): string =>
  `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** The network of `address` with a `prefix`-bit mask. */
export const maskIpv4 = (address: number, prefix: number): number =>
  prefix === 0 ? 0 : (address & ((0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
