// Changed-flow regions as text lines and as JSON, shared by upgrade-check, diff and preflight.

import {
  decidedText,
  FULL_ICMP,
  FULL_PORT,
  FULL_PROTO,
  addressCover,
  numberRangeText,
  rangeToCidrs,
  regionText,
  sameRanges,
  verdictText,
  type IfaceUniverse,
  type Outcome,
  type Range,
  type Region,
} from "./flowspace/index.js";
import type { IpVersion } from "../rules/ir.js";
import type { NodeComparison } from "./node-flows.js";
import { compareStrings } from "../util/compare.js";

/** A region (or a box) the change (or upgrade) takes from allow to drop. */
export const isDrop = (r: Pick<Region, "outcomes">): boolean =>
  r.outcomes[0]?.verdict === "accept" && r.outcomes[1]?.verdict === "drop";

/** Drops first (allow → drop), then the rest; each group by IP family and text. */
export const orderRegions = (rs: readonly Region[], u: IfaceUniverse): Region[] => {
  // Each text once, not once per comparison: an address list can take thousands of CIDRs to weigh.
  const text = new Map(rs.map((r) => [r, regionText(r, u)]));
  return [...rs].sort(
    (a, b) =>
      Number(isDrop(b)) - Number(isDrop(a)) || a.v - b.v || compareStrings(text.get(a)!, text.get(b)!),
  );
};

/** "…: allow → drop" and, indented, the deciding rule on each side. */
export const regionLines = (r: Region, u: IfaceUniverse, indent = "  "): string[] => {
  const names = r.outcomes.length === 2 ? ["before", "after"] : r.outcomes.map((_, i) => `#${i}`);
  return [
    `${indent}${regionText(r, u)}: ${r.outcomes.map(verdictText).join(" → ")}`,
    ...r.outcomes.map((o, i) => `${indent}    ${names[i]}: ${decidedText(o)}`),
  ];
};

export const changedLines = (c: NodeComparison, indent = "  "): string[] =>
  orderRegions(
    c.families.flatMap((f) => f.changed),
    c.universe,
  ).flatMap((r) => regionLines(r, c.universe, indent));

const rangesJson = (rs: readonly Range[], full: Range): string[] | "any" =>
  sameRanges(rs, [full]) ? "any" : rs.map(numberRangeText);

const outcomeJson = (o: Outcome) => ({
  verdict: o.verdict,
  decidedBy: o.decidedBy,
  ...(o.at === undefined ? {} : { at: o.at }),
  text: decidedText(o),
});

/**
 * A region's addresses as the text gives them (addressCover): "any", their CIDRs, or `{ except: CIDRs }`.
 * Anywhere but 5,000 IPv6 endpoints takes about 300,000 CIDRs, 12.5 MB; its complement, 5,000.
 */
const addressesJson = (v: IpVersion, rs: readonly Range[]): "any" | string[] | { except: string[] } => {
  const c = addressCover(v, rs);
  if (c.kind === "any") return "any";
  const list = c.ranges.flatMap((x) => rangeToCidrs(v, x));
  return c.kind === "except" ? { except: list } : list;
};

export const regionJson = (r: Region, u: IfaceUniverse) => ({
  ipVersion: r.v,
  direction: r.direction,
  in: r.in.filter((n) => n !== "").map((n) => u.label(n)),
  out: r.out.filter((n) => n !== "").map((n) => u.label(n)),
  protocols: rangesJson(r.ranges.proto, FULL_PROTO),
  srcPorts: rangesJson(r.ranges.sport, FULL_PORT),
  dstPorts: rangesJson(r.ranges.dport, FULL_PORT),
  icmpTypes: rangesJson(r.ranges.icmpType, FULL_ICMP),
  icmpCodes: rangesJson(r.ranges.icmpCode, FULL_ICMP),
  src: addressesJson(r.v, r.ranges.src),
  dst: addressesJson(r.v, r.ranges.dst),
  text: regionText(r, u),
  outcomes: r.outcomes.map(outcomeJson),
});

export const comparisonJson = (c: NodeComparison) => ({
  node: c.node,
  interfaces: c.universe.names.map((n) => ({ name: n, standsFor: c.universe.label(n) })),
  families: c.families.map((f) => ({
    ipVersion: f.v,
    changed: orderRegions(f.changed, c.universe).map((r) => regionJson(r, c.universe)),
    failsafeOnly: f.failsafeOnly.map((r) => regionJson(r, c.universe)),
    finalBoxes: f.finalBoxes,
    traces: f.traces,
  })),
});
