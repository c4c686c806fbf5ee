// Addresses and prefixes as bigints, parsed once, so CIDR tests are a shift and a compare.

import ipaddr from "ipaddr.js";
import type { IpVersion } from "../rules/ir.js";
import { ipv6Parts } from "../util/ipv6.js";

export interface Addr {
  readonly v: IpVersion;
  readonly n: bigint;
}

/** A prefix: `key` is the address shifted right by the host bits (iptables masks host bits too). */
export interface Prefix {
  readonly v: IpVersion;
  readonly len: number;
  readonly shift: bigint;
  readonly key: bigint;
}

const width = (v: IpVersion): number => (v === 4 ? 32 : 128);

const toBigint = (bytes: readonly number[]): bigint => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

/**
 * Four decimal parts of 0-255 without leading zeros (what ipaddr.js's isValidFourPartDecimal accepts), as
 * a number; -1 otherwise. Flow-space analysis traces millions of packets, each with two addresses.
 */
const ipv4Number = (text: string): number => {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 0x2e : text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || part > 255) return -1;
      dots++;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      // No leading zero, and no more than three digits.
      if ((digits === 1 && part === 0) || ++digits > 3) return -1;
      part = part * 10 + (c - 0x30);
    } else return -1;
  }
  return dots === 4 ? n : -1;
};

// Two parts at a time (32 bits, exact as a number): half the bigint operations of one part at a time, each of
// which allocates (this runs for every IPv6 address a flow-space analysis traces).
const fromParts = (p: readonly number[]): bigint => {
  const word = (i: number): bigint => BigInt(p[i]! * 65536 + p[i + 1]!);
  return (((word(0) << 32n) | word(2)) << 64n) | (word(4) << 32n) | word(6);
};

/** parseAddr by ipaddr.js alone: what the shortcuts below must agree with, and where they leave off. */
export const parseAddrByIpaddr = (text: string): Addr | undefined => {
  try {
    if (text.includes(":")) return { v: 6, n: toBigint(ipaddr.IPv6.parse(text).toByteArray()) };
    if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
    return { v: 4, n: toBigint(ipaddr.IPv4.parse(text).toByteArray()) };
  } catch {
    return undefined;
  }
};

/** Dotted-quad IPv4 or any IPv6 text; undefined for anything else (no "0x1.2" or "10" shorthands). */
export const parseAddr = (text: string): Addr | undefined => {
  const v4 = ipv4Number(text);
  if (v4 >= 0) return { v: 4, n: BigInt(v4) };
  // Plain hex IPv6 in one pass; dotted-quad tails, zones and all refusals through ipaddr.js.
  const parts = ipv6Parts(text);
  return parts !== undefined ? { v: 6, n: fromParts(parts) } : parseAddrByIpaddr(text);
};

/** "a.b.c.d/len", "x::/len" or a plain address (a host prefix). */
export const parsePrefix = (text: string): Prefix | undefined => {
  const slash = text.indexOf("/");
  const addr = parseAddr(slash < 0 ? text : text.slice(0, slash));
  if (addr === undefined) return undefined;
  const w = width(addr.v);
  const lenText = slash < 0 ? String(w) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > w) return undefined;
  const shift = BigInt(w - len);
  return { v: addr.v, len, shift, key: addr.n >> shift };
};

export const inPrefix = (a: Addr, p: Prefix): boolean => a.v === p.v && a.n >> p.shift === p.key;

export const sameAddr = (a: Addr, b: Addr): boolean => a.v === b.v && a.n === b.n;

/** Loopback is always local (the kernel's RTN_LOCAL for 127.0.0.0/8 and ::1). */
const LOOPBACK = [parsePrefix("127.0.0.0/8")!, parsePrefix("::1/128")!];
export const isLoopback = (a: Addr): boolean => LOOPBACK.some((p) => inPrefix(a, p));

export const addrKey = (a: Addr): string => `${a.v}:${a.n.toString(16)}`;
