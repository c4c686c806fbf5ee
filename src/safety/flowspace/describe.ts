// Regions and outcomes in words: "ingress on any interface, tcp dst ports 1-21,23-178, from anywhere:
// allow → drop". A union is printed as its complement ("except …") when that is shorter.

import {
  addrSpace,
  cidrCount,
  complement,
  numberRangeText,
  rangeToCidrs,
  sameRanges,
  type Range,
} from "./ranges.js";
import type { IpVersion } from "../../rules/ir.js";
import { FULL_ICMP, FULL_PORT, FULL_PROTO, icmpProto, isPortProto } from "./box.js";
import type { DecidedAt, Outcome } from "./explore.js";
import type { Region } from "./merge.js";
import type { IfaceUniverse } from "./universe.js";

const PROTO_NAMES: Readonly<Record<number, string>> = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  58: "icmpv6",
  132: "sctp",
  136: "udplite",
};

const protoName = (p: bigint): string => PROTO_NAMES[Number(p)] ?? `proto ${p}`;

const protoList = (rs: readonly Range[]): string =>
  rs
    .flatMap((r) =>
      r.hi - r.lo < 3n
        ? Array.from({ length: Number(r.hi - r.lo) + 1 }, (_, i) => protoName(r.lo + BigInt(i)))
        : [`proto ${numberRangeText(r)}`],
    )
    .join(",");

const protocols = (rs: readonly Range[]): string => {
  if (sameRanges(rs, [FULL_PROTO])) return "any protocol";
  const direct = protoList(rs);
  const except = `any protocol except ${protoList(complement(rs, FULL_PROTO))}`;
  return except.length < direct.length ? except : direct;
};

/** "1-21,23-178" or "except 22", whichever is shorter; undefined when the union is the whole space. */
const numbers = (rs: readonly Range[], space: Range): string | undefined => {
  if (sameRanges(rs, [space])) return undefined;
  const direct = rs.map(numberRangeText).join(",");
  const inverse = complement(rs, space);
  const except = `except ${inverse.map(numberRangeText).join(",")}`;
  return except.length < direct.length ? except : direct;
};

const MAX_CIDRS = 6;
const countCidrs = (rs: readonly Range[]): number => rs.reduce((n, x) => n + cidrCount(x), 0);

/**
 * How a union of addresses is written, in words and in JSON: the whole space, its own CIDRs, or, when its
 * complement takes fewer, the complement's ("anywhere except …"). `cidrs` counts those of `ranges`.
 */
export type AddressCover =
  | { readonly kind: "any" }
  | { readonly kind: "only" | "except"; readonly ranges: readonly Range[]; readonly cidrs: number };

export const addressCover = (v: IpVersion, rs: readonly Range[]): AddressCover => {
  const space = addrSpace(v);
  if (sameRanges(rs, [space])) return { kind: "any" };
  const inverse = complement(rs, space);
  const direct = countCidrs(rs);
  const except = countCidrs(inverse);
  return except < direct
    ? { kind: "except", ranges: inverse, cidrs: except }
    : { kind: "only", ranges: rs, cidrs: direct };
};

/** The first MAX_CIDRS of the union's CIDRs and how many there are (only those printed are written). */
const cidrs = (r: Region, rs: readonly Range[], count: number): string => {
  const list: string[] = [];
  for (const x of rs) {
    if (list.length > MAX_CIDRS) break;
    list.push(...rangeToCidrs(r.v, x, MAX_CIDRS + 1 - list.length));
  }
  return count <= MAX_CIDRS ? list.join(", ") : `${list.slice(0, MAX_CIDRS).join(", ")}, … (${count} CIDRs)`;
};

const addresses = (r: Region, rs: readonly Range[], word: string, any: string): string | undefined => {
  const c = addressCover(r.v, rs);
  if (c.kind === "any") return any === "" ? undefined : any;
  return c.kind === "except"
    ? `${word} anywhere except ${cidrs(r, c.ranges, c.cidrs)}`
    : `${word} ${cidrs(r, c.ranges, c.cidrs)}`;
};

export const ifacesText = (names: readonly string[], u: IfaceUniverse): string =>
  names.length === u.names.length ? "any interface" : names.map((n) => u.label(n)).join(", ");

const headerText = (r: Region): string => {
  const protos = r.ranges.proto;
  const ports = protos.every((p) => p.lo === p.hi && isPortProto(p.lo));
  const parts: string[] = [];
  parts.push(protocols(protos));
  if (ports) {
    const dp = numbers(r.ranges.dport, FULL_PORT);
    const sp = numbers(r.ranges.sport, FULL_PORT);
    if (dp !== undefined) parts.push(`dst ports ${dp}`);
    if (sp !== undefined) parts.push(`src ports ${sp}`);
  }
  const p = protos[0];
  if (protos.length === 1 && p !== undefined && p.lo === p.hi && Number(p.lo) === icmpProto(r.v)) {
    const t = numbers(r.ranges.icmpType, FULL_ICMP);
    const c = numbers(r.ranges.icmpCode, FULL_ICMP);
    if (t !== undefined) parts.push(`type ${t}`);
    if (c !== undefined) parts.push(`code ${c}`);
  }
  return parts.join(" ");
};

export const directionText = (r: Region, u: IfaceUniverse): string =>
  r.direction === "ingress"
    ? `ingress on ${ifacesText(r.in, u)}`
    : r.direction === "egress"
      ? `egress on ${ifacesText(r.out, u)}`
      : `forwarded ${ifacesText(r.in, u)} → ${ifacesText(r.out, u)}`;

/** The packets of a region, without the outcomes. */
export const regionText = (r: Region, u: IfaceUniverse): string =>
  [
    `IPv${r.v} ${directionText(r, u)}`,
    headerText(r),
    addresses(r, r.ranges.src, "from", "from anywhere"),
    addresses(r, r.ranges.dst, "to", ""),
  ]
    .filter((x) => x !== undefined)
    .join(", ");

export const verdictText = (o: Outcome): string => (o.verdict === "accept" ? "allow" : "drop");

export const atText = (a: DecidedAt | undefined): string =>
  a === undefined
    ? ""
    : ` at ${a.table === undefined ? "" : `${a.table} `}${a.chain}${a.ruleIndex === undefined ? "" : ` #${a.ruleIndex}`}`;

/** "default-drop node-3-all (tier default) at filter cali-fh-any-interface-at-all #12". */
export const decidedText = (o: Outcome): string => {
  const d = o.decidedBy;
  const name = d.name === undefined ? "" : ` ${d.name}`;
  const rule = d.ruleIndex === undefined ? "" : ` rule ${d.ruleIndex}`;
  const tier = d.tier === undefined ? "" : ` (tier ${d.tier})`;
  return `${d.kind}${name}${rule}${tier}${atText(o.at)}`;
};

/** "…: allow → drop" for two outcomes, "…: drop" for one. */
export const changeText = (r: Region, u: IfaceUniverse): string =>
  `${regionText(r, u)}: ${r.outcomes.map(verdictText).join(" → ")}`;
