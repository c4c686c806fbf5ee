// IP address and CIDR parsing with Go's strictness (net.ParseIP, cnet.ParseCIDROrIP), printed in
// Go's canonical form (dotted quad, RFC 5952 IPv6).

import ipaddr from "ipaddr.js";
import { err, ok, type Result } from "../../util/result.js";

export interface ParsedIp {
  readonly version: 4 | 6;
  readonly text: string;
}

export interface ParsedCidr {
  readonly version: 4 | 6;
  /** The address as written, canonicalised, with its prefix: "192.0.2.5/24". */
  readonly text: string;
  /** The masked network: "192.0.2.0/24". */
  readonly network: string;
  readonly prefix: number;
  /** True when the address has no host bits set. */
  readonly masked: boolean;
}

const ipv4 = (text: string): ParsedIp | undefined =>
  ipaddr.IPv4.isValidFourPartDecimal(text)
    ? { version: 4, text: ipaddr.IPv4.parse(text).toString() }
    : undefined;

export const parseIp = (text: string): Result<ParsedIp, "invalid"> => {
  const v4 = ipv4(text);
  if (v4 !== undefined) return ok(v4);
  if (!text.includes(":") || text.includes("%") || !ipaddr.IPv6.isValid(text)) return err("invalid");
  const v6 = ipaddr.IPv6.parse(text);
  // Go treats IPv4-mapped IPv6 addresses as IPv4 and prints them dotted.
  if (v6.isIPv4MappedAddress()) return ok({ version: 4, text: v6.toIPv4Address().toString() });
  return ok({ version: 6, text: v6.toRFC5952String() });
};

/** An address or address/prefix. A bare address gets a full-length prefix. */
export const parseCidr = (text: string): Result<ParsedCidr, "invalid"> => {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return err("invalid");
  const v4 = ipv4(addressText);
  const version = v4 !== undefined ? 4 : 6;
  if (
    v4 === undefined &&
    (!addressText.includes(":") || addressText.includes("%") || !ipaddr.IPv6.isValid(addressText))
  ) {
    return err("invalid");
  }
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return err("invalid");
  const address = version === 4 ? ipaddr.IPv4.parse(addressText) : ipaddr.IPv6.parse(addressText);
  const show = (a: ipaddr.IPv4 | ipaddr.IPv6): string =>
    a instanceof ipaddr.IPv6 ? a.toRFC5952String() : a.toString();
  const networkAddress =
    version === 4
      ? ipaddr.IPv4.networkAddressFromCIDR(`${addressText}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${addressText}/${prefix}`);
  return ok({
    version,
    text: `${show(address)}/${prefix}`,
    network: `${show(networkAddress)}/${prefix}`,
    prefix,
    masked: show(address) === show(networkAddress),
  });
};
