// IPv6 addresses as eight 16-bit parts, for the hot path of loading large clusters. Only plain hex forms
// are recognised here (one to four hex digits per part, at most one `::`, no embedded dotted quad, no
// zone); anything else is left to ipaddr.js, which gives the same parts and text for what this accepts
// (test/util/ipv6.test.ts checks both against it).

const hexDigit = (c: number): number =>
  c >= 0x30 && c <= 0x39
    ? c - 0x30
    : c >= 0x61 && c <= 0x66
      ? c - 0x57
      : c >= 0x41 && c <= 0x46
        ? c - 0x37
        : -1;

/**
 * The eight parts of a plain hex IPv6 address, or undefined (not such an address: ask ipaddr.js). One pass
 * over the characters: this runs for every address of a large cluster.
 */
export const ipv6Parts = (text: string): number[] | undefined => {
  // Eight slots from the start: growing an empty array by push allocated a backing store twice this size.
  const parts = [0, 0, 0, 0, 0, 0, 0, 0];
  return ipv6PartsInto(text, parts) ? parts : undefined;
};

/**
 * ipv6Parts written into `parts` (eight slots, all of them written), for callers that parse many addresses
 * one at a time and keep none of the arrays: false when `text` is not such an address.
 */
export const ipv6PartsInto = (text: string, parts: number[]): boolean => {
  const n = text.length;
  if (n < 2 || n > 39) return false;
  let count = 0;
  let gap = -1; // index in `parts` where `::` stands
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
    if (i === n) {
      parts.fill(0);
      return true;
    }
  }
  for (;;) {
    let value = 0;
    let digits = 0;
    for (let d = hexDigit(text.charCodeAt(i)); d >= 0 && i < n; d = hexDigit(text.charCodeAt(++i))) {
      if (++digits > 4) return false;
      value = value * 16 + d;
    }
    if (digits === 0 || count === 8) return false;
    parts[count++] = value;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = count;
      i++;
      if (i === n) break;
    } else if (i === n) return false; // a trailing single colon
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  // The parts after `::` move to the end; the zeros it stands for take their place.
  for (let k = count - 1; k >= gap; k--) parts[k + 8 - count] = parts[k]!;
  for (let k = gap; k < gap + 8 - count; k++) parts[k] = 0;
  return true;
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
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      out += "::";
      i += bestLen - 1;
      continue;
    }
    if (out !== "" && !out.endsWith(":")) out += ":";
    out += parts[i]!.toString(16);
  }
  return out;
};

/** The network of an address: its first `prefix` bits, the rest zero. */
export const maskIpv6 = (parts: readonly number[], prefix: number): number[] =>
  parts.map((part, i) => {
    const keep = Math.max(0, Math.min(16, prefix - 16 * i));
    return keep === 0 ? 0 : part & ((0xffff << (16 - keep)) & 0xffff);
  });
