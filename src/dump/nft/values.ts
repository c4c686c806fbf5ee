// Values as `nft -j list` prints them back (nft 1.0.6): symbolic names for protocols, ICMP types and codes,
// conntrack flags and log levels (reference §2.6 item 7; `nft describe icmp type` etc.), ports, addresses and
// mark arithmetic re-derived from the kernel's (mask, xor) pair (§2.6 item 6).

import type { CtState, PortRange } from "../../rules/ir.js";
import type { NftExpr } from "../../render/nftables/schema-expr.js";
import { PROTOCOL_NUMBERS } from "../protocols.js";

/** `nft describe icmp type` (nft 1.0.6). */
export const ICMP_TYPES: Readonly<Record<string, number>> = {
  "echo-reply": 0,
  "destination-unreachable": 3,
  "source-quench": 4,
  redirect: 5,
  "echo-request": 8,
  "router-advertisement": 9,
  "router-solicitation": 10,
  "time-exceeded": 11,
  "parameter-problem": 12,
  "timestamp-request": 13,
  "timestamp-reply": 14,
  "info-request": 15,
  "info-reply": 16,
  "address-mask-request": 17,
  "address-mask-reply": 18,
};

/** `nft describe icmp code`. */
export const ICMP_CODES: Readonly<Record<string, number>> = {
  "net-unreachable": 0,
  "host-unreachable": 1,
  "prot-unreachable": 2,
  "port-unreachable": 3,
  "frag-needed": 4,
  "net-prohibited": 9,
  "host-prohibited": 10,
  "admin-prohibited": 13,
};

/** `nft describe icmpv6 type`. */
export const ICMPV6_TYPES: Readonly<Record<string, number>> = {
  "destination-unreachable": 1,
  "packet-too-big": 2,
  "time-exceeded": 3,
  "parameter-problem": 4,
  "echo-request": 128,
  "echo-reply": 129,
  "mld-listener-query": 130,
  "mld-listener-report": 131,
  "mld-listener-done": 132,
  "mld-listener-reduction": 132,
  "nd-router-solicit": 133,
  "nd-router-advert": 134,
  "nd-neighbor-solicit": 135,
  "nd-neighbor-advert": 136,
  "nd-redirect": 137,
  "router-renumbering": 138,
  "ind-neighbor-solicit": 141,
  "ind-neighbor-advert": 142,
  "mld2-listener-report": 143,
};

/** `nft describe icmpv6 code`. */
export const ICMPV6_CODES: Readonly<Record<string, number>> = {
  "no-route": 0,
  "admin-prohibited": 1,
  "addr-unreachable": 3,
  "port-unreachable": 4,
  "policy-fail": 5,
  "reject-route": 6,
};

/** ct state flags and the ct status bits the IR models (iptables --ctstate DNAT/SNAT). */
export const CT_STATES: Readonly<Record<string, CtState>> = {
  new: "NEW",
  established: "ESTABLISHED",
  related: "RELATED",
  invalid: "INVALID",
  untracked: "UNTRACKED",
};
export const CT_STATUSES: Readonly<Record<string, CtState>> = { dnat: "DNAT", snat: "SNAT" };

/** nft log levels as syslog numbers (the IR keeps iptables' numeric --log-level). */
export const LOG_LEVELS: Readonly<Record<string, number>> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** A number, or a decimal / 0x string, or a symbolic name from `table`. */
export const symbol = (e: NftExpr, table: Readonly<Record<string, number>> = {}): number | undefined => {
  if (typeof e === "number") return e;
  if (typeof e !== "string") return undefined;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(e)) return Number(e);
  return table[e];
};

/** A protocol as nft prints it: a number or a /etc/protocols name (`ipv6-icmp` for 58, `ipencap` for 4). */
export const protocolNumber = (e: NftExpr): number | undefined => symbol(e, PROTOCOL_NUMBERS);

/** Port values: `22`, `{"range":[a,b]}`, or an anonymous set of those (one-element sets collapse on read-back). */
export const portRanges = (e: NftExpr): PortRange[] | undefined => {
  const one = (x: NftExpr): PortRange | undefined => {
    if (typeof x === "object" && x !== null && "range" in x) {
      const [a, b] = x.range;
      const from = symbol(a);
      const to = symbol(b);
      return from === undefined || to === undefined ? undefined : { from, to };
    }
    const p = symbol(x);
    return p === undefined ? undefined : { from: p, to: p };
  };
  const items =
    typeof e === "object" && e !== null && "set" in e ? (Array.isArray(e.set) ? e.set : [e.set]) : [e];
  const out = (items as readonly NftExpr[]).map(one);
  return out.every((p): p is PortRange => p !== undefined) && out.length > 0 ? out : undefined;
};

/** An address or prefix as a CIDR (`/32` and `/128` prefixes read back as plain addresses). */
export const cidrOf = (e: NftExpr): string | undefined => {
  if (typeof e === "string" && !e.startsWith("@")) return `${e}/${e.includes(":") ? 128 : 32}`;
  if (typeof e === "object" && e !== null && "prefix" in e && typeof e.prefix.addr === "string") {
    return `${e.prefix.addr}/${e.prefix.len}`;
  }
  return undefined;
};

/** Flags of a ct match: `"a"`, `["a","b"]`, `{"set":[…]}` or the `{"|":[…]}` of an exact compare. */
export const flagWords = (e: NftExpr): string[] | undefined => {
  if (typeof e === "string") return [e];
  if (Array.isArray(e)) return e.every((x) => typeof x === "string") ? (e as string[]) : undefined;
  if (typeof e === "object" && e !== null && "set" in e)
    return flagWords(Array.isArray(e.set) ? (e.set as NftExpr) : [e.set]);
  if (typeof e === "object" && e !== null && "|" in e) {
    const [a, b] = e["|"].map(flagWords);
    return a === undefined || b === undefined ? undefined : [...a, ...b];
  }
  return undefined;
};

const isMetaMark = (e: NftExpr): boolean =>
  typeof e === "object" && e !== null && "meta" in e && e.meta.key === "mark";

/**
 * A mark expression as the kernel's pair: new mark = (mark & and) ^ xor. `mark | b` is (~b, b), `(mark & a) | b`
 * is (a & ~b, b), `(mark & a) ^ b` is (a, b), a constant c is (0, c); undefined for anything else.
 */
export const markPair = (e: NftExpr): { readonly and: number; readonly xor: number } | undefined => {
  if (isMetaMark(e)) return { and: 0xffffffff, xor: 0 };
  const n = symbol(e);
  if (n !== undefined) return { and: 0, xor: n >>> 0 };
  if (typeof e !== "object" || e === null) return undefined;
  const op = "&" in e ? "&" : "|" in e ? "|" : "^" in e ? "^" : undefined;
  if (op === undefined) return undefined;
  const [l, r] = (e as Record<"&" | "|" | "^", readonly [NftExpr, NftExpr]>)[op];
  const inner = markPair(l);
  const c = symbol(r);
  if (inner === undefined || c === undefined) return undefined;
  const k = c >>> 0;
  if (op === "&") return { and: (inner.and & k) >>> 0, xor: (inner.xor & k) >>> 0 };
  if (op === "|") return { and: (inner.and & ~k) >>> 0, xor: (inner.xor | k) >>> 0 };
  return { and: inner.and, xor: (inner.xor ^ k) >>> 0 };
};

/** The mask of a `/len` mark prefix: the top `len` bits. */
export const prefixMask = (len: number): number =>
  len <= 0 ? 0 : (0xffffffff << (32 - Math.min(len, 32))) >>> 0;
