// IP address and CIDR parsing with Go's strictness (net.ParseIP, cnet.ParseCIDROrIP), printed in
// Go's canonical form (dotted quad, RFC 5952 IPv6).

import ipaddr from "ipaddr.js";
import { dottedQuad, dottedQuadValue, maskIpv4 } from "../../util/ipv4.js";
import { ipv6Parts, isIpv4Mapped, maskIpv6, rfc5952 } from "../../util/ipv6.js";
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

// Canonical dotted quads take a numeric path (the hot path of loading a large cluster): ipaddr's
// isValidFourPartDecimal finds them through exceptions. Such text is already canonical.
const ipv4 = (text: string): ParsedIp | undefined =>
  dottedQuadValue(text) === undefined ? undefined : { version: 4, text };

/** An IPv6 address without a zone, parsed once (ipaddr's isValid would parse it a second time). */
const parseV6 = (text: string): ipaddr.IPv6 | undefined => {
  if (!text.includes(":") || text.includes("%")) return undefined;
  try {
    return ipaddr.IPv6.parse(text);
  } catch {
    return undefined;
  }
};

export const parseIp = (text: string): Result<ParsedIp, "invalid"> => {
  const v4 = ipv4(text);
  if (v4 !== undefined) return ok(v4);
  const plain = ipv6Parts(text);
  if (plain !== undefined && !isIpv4Mapped(plain)) return ok({ version: 6, text: rfc5952(plain) });
  const v6 = parseV6(text);
  if (v6 === undefined) return err("invalid");
  // Go treats IPv4-mapped IPv6 addresses as IPv4 and prints them dotted.
  if (v6.isIPv4MappedAddress()) return ok({ version: 4, text: v6.toIPv4Address().toString() });
  return ok({ version: 6, text: v6.toRFC5952String() });
};

/** An IPv4 CIDR in 32-bit arithmetic (`address` is canonical dotted-quad text). */
const cidr4 = (address: string, prefix: number): ParsedCidr | undefined => {
  if (prefix > 32) return undefined;
  const n = dottedQuadValue(address)!;
  const network = maskIpv4(n, prefix);
  return {
    version: 4,
    text: `${address}/${prefix}`,
    network: `${dottedQuad(network)}/${prefix}`,
    prefix,
    masked: network === n,
  };
};

/** An address or address/prefix. A bare address gets a full-length prefix. */
export const parseCidr = (text: string): Result<ParsedCidr, "invalid"> => {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return err("invalid");
  const v4 = ipv4(addressText);
  if (v4 !== undefined) {
    const parsed = cidr4(v4.text, prefixText === undefined ? 32 : Number(prefixText));
    return parsed === undefined ? err("invalid") : ok(parsed);
  }
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  const plain = ipv6Parts(addressText);
  const parts = plain ?? parseV6(addressText)?.parts;
  if (parts === undefined || prefix > 128) return err("invalid");
  const address = rfc5952(parts);
  const network = rfc5952(maskIpv6(parts, prefix));
  return ok({
    version: 6,
    text: `${address}/${prefix}`,
    network: `${network}/${prefix}`,
    prefix,
    masked: address === network,
  });
};
