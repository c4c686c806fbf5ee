// Option values as iptables accepts them: marks, addresses, ports.

import ipaddr from "ipaddr.js";
import type { PortRange } from "../rules/ir.js";

/** A uint32 in decimal or 0x hex (strtoul base 0, as libxtables xtables_strtoui does). */
export const parseUint32 = (word: string): number | undefined => {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(word)) return undefined;
  const n = Number(word);
  return Number.isSafeInteger(n) && n <= 0xffffffff ? n >>> 0 : undefined;
};

/** `value[/mask]`; a missing mask is 0xffffffff (libxt_mark). */
export const parseValueMask = (word: string): { value: number; mask: number } | undefined => {
  const [v, m, ...rest] = word.split("/");
  if (v === undefined || rest.length > 0) return undefined;
  const value = parseUint32(v);
  const mask = m === undefined ? 0xffffffff : parseUint32(m);
  return value === undefined || mask === undefined ? undefined : { value, mask };
};

/**
 * An address or network as iptables stores it: network address (host bits cleared) with an explicit prefix
 * length, e.g. `10.0.0.1` → `10.0.0.1/32`, `10.1.2.3/8` → `10.0.0.0/8`, IPv6 in RFC 5952 form. A dotted mask
 * (`/255.255.0.0`) is accepted. Undefined for host names and anything else.
 */
export const canonicalCidr = (word: string): string | undefined => {
  try {
    const [addrText, lenText] = word.split("/", 2);
    if (addrText === undefined || !ipaddr.isValid(addrText)) return undefined;
    const addr = ipaddr.parse(addrText);
    const bits = addr.kind() === "ipv4" ? 32 : 128;
    let len = bits;
    if (lenText !== undefined) {
      if (/^\d+$/.test(lenText)) len = Number(lenText);
      else if (addr.kind() === "ipv4" && ipaddr.IPv4.isValidFourPartDecimal(lenText)) {
        const maskLen = ipaddr.IPv4.parse(lenText).prefixLengthFromSubnetMask();
        if (maskLen === null) return undefined;
        len = maskLen;
      } else return undefined;
    }
    if (len > bits) return undefined;
    const network =
      addr.kind() === "ipv4"
        ? ipaddr.IPv4.networkAddressFromCIDR(`${addr.toString()}/${len}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${addr.toString()}/${len}`);
    const text = network.kind() === "ipv6" ? (network as ipaddr.IPv6).toRFC5952String() : network.toString();
    return `${text}/${len}`;
  } catch {
    return undefined;
  }
};

/** `80`, `80:90`, `80:` (to 65535), `:90` (from 0); iptables' port syntax. */
export const parsePortRange = (word: string): PortRange | undefined => {
  const m = /^(\d*)(?::(\d*))?$/.exec(word);
  if (m === null || (m[1] === "" && m[2] === undefined)) return undefined;
  const from = m[1] === "" ? 0 : Number(m[1]);
  const to = m[2] === undefined ? from : m[2] === "" ? 65535 : Number(m[2]);
  return from <= to && to <= 65535 ? { from, to } : undefined;
};

/** A comma-separated multiport list. */
export const parsePortList = (word: string): PortRange[] | undefined => {
  const ranges = word.split(",").map(parsePortRange);
  return ranges.every((r): r is PortRange => r !== undefined) ? ranges : undefined;
};
