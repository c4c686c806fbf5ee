// One `match` statement (as `nft -j list` prints it) → IR matches, by the kind of its left-hand side. A transport
// payload (`tcp dport`, `icmp type`) also reports the protocol it implies: nft drops a redundant `meta l4proto`
// match on read-back (reference §2.6 item 4), so the rule reader puts it back. Anything not understood returns
// undefined and becomes an `unknown` match.

import type { NftExpr, NftMatch } from "../../render/nftables/schema-expr.js";
import { ct, fib } from "./match-state.js";
import { ipsetNameOf } from "./names.js";
import { IMPLIED, metaKey, negation, obj, payloadOf, read } from "./reader.js";
import type { MatchPart, MatchRead, Reader } from "./reader.js";
import {
  ICMPV6_CODES,
  ICMPV6_TYPES,
  ICMP_CODES,
  ICMP_TYPES,
  cidrOf,
  portRanges,
  prefixMask,
  protocolNumber,
  symbol,
} from "./values.js";

const iface: Reader = (m) => {
  const negated = negation(m.op);
  if (negated === undefined || typeof m.right !== "string") return undefined;
  // Only a trailing unescaped `*` is a wildcard; the IR spells it `+` as iptables does.
  const name =
    m.right.endsWith("*") && !m.right.endsWith("\\*")
      ? `${m.right.slice(0, -1)}+`
      : m.right.replace(/\\\*$/, "*");
  return read([{ kind: metaKey(m.left) === "iifname" ? "inIface" : "outIface", name, negated }]);
};

const l4proto: Reader = (m) => {
  const negated = negation(m.op);
  const protocol = protocolNumber(m.right);
  return negated === undefined || protocol === undefined
    ? undefined
    : read([{ kind: "protocol", protocol, negated }]);
};

/** `meta mark & M == V`, `meta mark == V` (mask all ones) or `meta mark != 0x0/12` (a contiguous mask). */
const mark: Reader = (m) => {
  const negated = negation(m.op);
  if (negated === undefined) return undefined;
  const and = obj(m.left)?.["&"] as readonly [NftExpr, NftExpr] | undefined;
  const mask = and === undefined ? 0xffffffff : symbol(and[1]);
  const prefix = obj(m.right)?.["prefix"] as { addr: NftExpr; len: number } | undefined;
  if (prefix !== undefined && and === undefined) {
    const value = symbol(prefix.addr);
    return value === undefined
      ? undefined
      : read([{ kind: "mark", value: value >>> 0, mask: prefixMask(prefix.len), negated }]);
  }
  const value = symbol(m.right);
  if (mask === undefined || value === undefined) return undefined;
  return read([{ kind: "mark", value: value >>> 0, mask: mask >>> 0, negated }]);
};

const addr: Reader = (m) => {
  const negated = negation(m.op);
  const p = payloadOf(m.left);
  if (negated === undefined || p === undefined) return undefined;
  const dir = p.field === "saddr" ? "src" : "dst";
  if (typeof m.right === "string" && m.right.startsWith("@")) {
    return read([{ kind: "set", set: ipsetNameOf(m.right.slice(1)), dirs: [dir], negated }]);
  }
  const cidr = cidrOf(m.right);
  return cidr === undefined
    ? undefined
    : read([{ kind: dir === "src" ? "srcNet" : "dstNet", cidr, negated }]);
};

const ports: Reader = (m) => {
  const negated = negation(m.op);
  const p = payloadOf(m.left);
  const ranges = portRanges(m.right);
  if (negated === undefined || p === undefined || ranges === undefined) return undefined;
  return read(
    [{ kind: p.field === "sport" ? "srcPorts" : "dstPorts", ports: ranges, negated }],
    IMPLIED[p.protocol],
  );
};

const icmpTables = (protocol: string) =>
  protocol === "icmp" ? ([4, ICMP_TYPES, ICMP_CODES] as const) : ([6, ICMPV6_TYPES, ICMPV6_CODES] as const);

const icmp: Reader = (m) => {
  const negated = negation(m.op);
  const p = payloadOf(m.left);
  if (negated === undefined || p === undefined) return undefined;
  const [version, types, codes] = icmpTables(p.protocol);
  const n = symbol(m.right, p.field === "type" ? types : codes);
  if (n === undefined) return undefined;
  const part: MatchPart =
    p.field === "type"
      ? { kind: "icmp", version, type: n, negated }
      : { kind: "icmpCode", version, code: n, negated };
  return read([part], IMPLIED[p.protocol]);
};

/** ICMP type . code against a one-element set: how we write a negated type/code pair. */
const icmpPair = (m: NftMatch, keys: readonly NftExpr[]): MatchRead | undefined => {
  const negated = negation(m.op);
  const p = payloadOf(keys[0] ?? 0);
  const set = obj(m.right)?.["set"];
  const only = Array.isArray(set) && set.length === 1 ? obj(set[0] as NftExpr) : undefined;
  const values = only?.["concat"] as readonly NftExpr[] | undefined;
  if (negated === undefined || p === undefined || values?.length !== 2) return undefined;
  const [version, types, codes] = icmpTables(p.protocol);
  const type = symbol(values[0] ?? "", types);
  const code = symbol(values[1] ?? "", codes);
  if (type === undefined || code === undefined) return undefined;
  return read([{ kind: "icmp", version, type, code, negated }], IMPLIED[p.protocol]);
};

/** `ip daddr . meta l4proto . th dport @set`: nft prints `tcp dport` when the rule fixes the protocol. */
const concat: Reader = (m) => {
  const keys = obj(m.left)?.["concat"] as readonly NftExpr[] | undefined;
  if (keys === undefined) return undefined;
  const first = payloadOf(keys[0] ?? 0);
  if (first?.protocol === "icmp" || first?.protocol === "icmpv6") return icmpPair(m, keys);
  const port = payloadOf(keys[2] ?? 0);
  const negated = negation(m.op);
  if (keys.length !== 3 || first === undefined || metaKey(keys[1] ?? 0) !== "l4proto" || port === undefined)
    return undefined;
  if (negated === undefined || typeof m.right !== "string" || !m.right.startsWith("@")) return undefined;
  const dir =
    first.field === "saddr" && port.field === "sport"
      ? "src"
      : first.field === "daddr" && port.field === "dport"
        ? "dst"
        : undefined;
  if (dir === undefined) return undefined;
  return read(
    [{ kind: "set", set: ipsetNameOf(m.right.slice(1)), dirs: [dir, dir], negated }],
    IMPLIED[port.protocol],
  );
};

/**
 * A key for the left-hand side: `meta iifname`, `payload tcp dport`, `& meta mark`, `concat`, `ct`, `fib`. Masked
 * marks key on the masked operand.
 */
const leftKey = (left: NftExpr): string | undefined => {
  const o = obj(left);
  if (o === undefined) return undefined;
  const p = payloadOf(left);
  if (p !== undefined) return `payload ${p.protocol} ${p.field}`;
  const key = metaKey(left);
  if (key !== undefined) return `meta ${key}`;
  const masked = o["&"] as readonly NftExpr[] | undefined;
  if (masked !== undefined) return `& ${leftKey(masked[0] ?? 0) ?? "?"}`;
  return Object.keys(o)[0];
};

const each = (keys: readonly string[], reader: Reader): [string, Reader][] => keys.map((k) => [k, reader]);

/** Left-hand side → reader. */
const READERS: ReadonlyMap<string, Reader> = new Map([
  ...each(["meta iifname", "meta oifname"], iface),
  ...each(["meta l4proto"], l4proto),
  ...each(["meta mark", "& meta mark"], mark),
  ...each(
    ["ip", "ip6"].flatMap((p) => [`payload ${p} saddr`, `payload ${p} daddr`]),
    addr,
  ),
  ...each(
    ["tcp", "udp", "udplite", "sctp", "dccp", "th"].flatMap((p) => [
      `payload ${p} sport`,
      `payload ${p} dport`,
    ]),
    ports,
  ),
  ...each(
    ["icmp", "icmpv6"].flatMap((p) => [`payload ${p} type`, `payload ${p} code`]),
    icmp,
  ),
  ...each(["concat"], concat),
  ...each(["ct"], ct),
  ...each(["fib"], fib),
]);

/** One match statement as IR match parts, or undefined when it has no IR form. */
export const readMatch = (m: NftMatch): MatchRead | undefined => {
  const key = leftKey(m.left);
  return key === undefined ? undefined : READERS.get(key)?.(m);
};
