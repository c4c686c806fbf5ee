// IPv6 addresses as eight 16-bit parts, for the hot path of loading large clusters. Only plain hex forms
// are recognised here (one to four hex digits per part, at most one `::`, no embedded dotted quad, no
// zone); anything else is left to ipaddr.js, which gives the same parts and text for what this accepts
// (test/util/ipv6.test.ts checks both against it).

const PLAIN = /^[0-9A-Fa-f:]{2,39}$/;
const PART = /^[0-9A-Fa-f]{1,4}$/;

const partsOf = (text: string): number[] | undefined => {
  if (text === "") return [];
  const out: number[] = [];
  for (const p of text.split(":")) {
    if (!PART.test(p)) return undefined;
    out.push(parseInt(p, 16));
  }
  return out;
};

/** The eight parts of a plain hex IPv6 address, or undefined (not such an address: ask ipaddr.js). */
export const ipv6Parts = (text: string): number[] | undefined => {
  if (!PLAIN.test(text)) return undefined;
  const gap = text.indexOf("::");
  if (gap < 0) {
    const parts = partsOf(text);
    return parts?.length === 8 ? parts : undefined;
  }
  if (text.indexOf("::", gap + 1) >= 0) return undefined;
  const head = partsOf(text.slice(0, gap));
  const tail = partsOf(text.slice(gap + 2));
  if (head === undefined || tail === undefined || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
};

/** ::ffff:0:0/96, which Go (and calisim) treat as IPv4. */
export const isIpv4Mapped = (parts: readonly number[]): boolean =>
  parts[0] === 0 &&
  parts[1] === 0 &&
  parts[2] === 0 &&
  parts[3] === 0 &&
  parts[4] === 0 &&
  parts[5] === 0xffff;

/** RFC 5952 text: lower case, no leading zeros, the first longest run of two or more zero parts as `::`. */
export const rfc5952 = (parts: readonly number[]): string => {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (parts[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    parts
      .slice(from, to)
      .map((p) => p.toString(16))
      .join(":");
  return bestAt < 0 ? hex(0, 8) : `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
};

/** The network of an address: its first `prefix` bits, the rest zero. */
export const maskIpv6 = (parts: readonly number[], prefix: number): number[] =>
  parts.map((part, i) => {
    const keep = Math.max(0, Math.min(16, prefix - 16 * i));
    return keep === 0 ? 0 : part & ((0xffff << (16 - keep)) & 0xffff);
  });
