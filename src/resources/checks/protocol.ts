// Rule and endpoint-port protocols (numorstring.Protocol and validateProtocol).

import type { ProtocolSpec } from "../model.js";
import type { Detail } from "../findings.js";
import { err, ok, type Result } from "../../util/result.js";
import { suggest } from "../suggest.js";

export const PROTOCOL_NAMES = ["TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite"] as const;

const NUMBERS: Readonly<Record<string, number>> = {
  TCP: 6,
  UDP: 17,
  ICMP: 1,
  ICMPv6: 58,
  SCTP: 132,
  UDPLite: 136,
};

/** Names must be spelt exactly as Calico does; numeric strings are numbers (Uint8OrString). */
export const parseProtocol = (value: string | number): Result<ProtocolSpec, Detail> => {
  const n = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : undefined;
  if (n !== undefined) {
    return Number.isInteger(n) && n >= 1 && n <= 255 ? ok(n) : err({ code: "invalid_protocol", value });
  }
  const name = String(value);
  if ((PROTOCOL_NAMES as readonly string[]).includes(name)) return ok(name);
  const hint = suggest(name, PROTOCOL_NAMES);
  return err({ code: "invalid_protocol", value, ...(hint === undefined ? {} : { suggestion: hint }) });
};

/** IANA number of a parsed protocol. */
export const protocolNumber = (p: ProtocolSpec): number => (typeof p === "number" ? p : (NUMBERS[p] ?? -1));

/** Protocol.SupportsPorts: TCP, UDP and SCTP (by name or number). */
export const supportsPorts = (p: ProtocolSpec): boolean => [6, 17, 132].includes(protocolNumber(p));

export const isIcmp = (p: ProtocolSpec): 4 | 6 | undefined => {
  const n = protocolNumber(p);
  return n === 1 ? 4 : n === 58 ? 6 : undefined;
};

/** Endpoint ports: TCP, UDP or SCTP, by name or number (validateEndpointPort + validateProtocol). */
export const parseEndpointProtocol = (value: string | number): Result<"TCP" | "UDP" | "SCTP", Detail> => {
  const parsed = parseProtocol(value);
  if (!parsed.ok) return parsed;
  const n = protocolNumber(parsed.value);
  if (n === 6) return ok("TCP");
  if (n === 17) return ok("UDP");
  if (n === 132) return ok("SCTP");
  return err({ code: "endpoint_port_protocol", value });
};
