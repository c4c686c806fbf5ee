// Final boxes → compact regions. A region is a product of unions (per dimension a list of ranges or a
// set of interfaces). Two regions with the same outcomes and direction that agree on every dimension but
// one merge exactly into one region with the union on that dimension; repeating this to a fixpoint gives
// descriptions like "tcp dst ports 1-21,23-178". Merging never changes the set of packets covered.

import type { IpVersion } from "../../rules/ir.js";
import { directionOf, IFACE_DIMS, NUM_DIMS, type Direction, type IfaceDim, type NumDim } from "./box.js";
import { inRange, normalize, rangesHash, rangesMemo, type Range } from "./ranges.js";
import { outcomeKey, type FinalBox, type Outcome } from "./explore.js";

export interface Region {
  readonly v: IpVersion;
  readonly direction: Direction;
  readonly ranges: { readonly [K in NumDim]: readonly Range[] };
  readonly in: readonly string[];
  readonly out: readonly string[];
  readonly outcomes: readonly Outcome[];
}

type Dim = NumDim | IfaceDim;
/** Finest dimensions first, so port lists gather before addresses and interfaces. */
const MERGE_ORDER: readonly Dim[] = [
  "dport",
  "sport",
  "icmpCode",
  "icmpType",
  "src",
  "dst",
  "proto",
  "in",
  "out",
];

const isIface = (d: Dim): d is IfaceDim => (IFACE_DIMS as readonly string[]).includes(d);

// A numeric list's hash, once per list: an address list can hold thousands of ranges.
const hashes = new WeakMap<readonly Range[], number>();
const hashOf = (list: readonly Range[]): number => {
  let h = hashes.get(list);
  if (h === undefined) {
    h = rangesHash(list);
    hashes.set(list, h);
  }
  return h;
};

/**
 * Each distinct dimension value as a small number, for one merge: a region's signature (all dimensions
 * but one, recomputed every round) is then a few numbers, not its address lists' keys joined again. Equal
 * numeric lists are found by hash and compared (rangesMemo), not keyed by their text: printing the bigints
 * of every address list was most of what merging cost.
 */
const dimIds = (): ((r: Region, d: Dim) => number) => {
  let ids = 0;
  const numericId = rangesMemo(() => ids++, hashOf);
  const byList = new WeakMap<readonly string[], number>();
  const byNames = new Map<string, number>();
  return (r, d) => {
    if (!isIface(d)) return numericId(r.ranges[d]);
    const list = r[d];
    let id = byList.get(list);
    if (id === undefined) {
      const k = list.join("\u0000");
      id = byNames.get(k);
      if (id === undefined) byNames.set(k, (id = ids++));
      byList.set(list, id);
    }
    return id;
  };
};

const union = (rs: readonly Region[], d: Dim): Region => {
  const first = rs[0]!;
  if (isIface(d)) return { ...first, [d]: [...new Set(rs.flatMap((r) => r[d]))].sort() };
  return { ...first, ranges: { ...first.ranges, [d]: normalize(rs.flatMap((r) => r.ranges[d])) } };
};

const mergeGroup = (group: readonly Region[]): Region[] => {
  const idOf = dimIds();
  let regions = [...group];
  for (let changed = true; changed;) {
    changed = false;
    for (const d of MERGE_ORDER) {
      const buckets = new Map<string, Region[]>();
      for (const r of regions) {
        let sig = "";
        for (const x of MERGE_ORDER) if (x !== d) sig += `${idOf(r, x)},`;
        const b = buckets.get(sig);
        if (b === undefined) buckets.set(sig, [r]);
        else b.push(r);
      }
      if (buckets.size === regions.length) continue;
      changed = true;
      regions = [...buckets.values()].map((b) => (b.length === 1 ? b[0]! : union(b, d)));
    }
  }
  return regions;
};

export const toRegion = (f: FinalBox): Region => {
  const b = f.box;
  const ranges = Object.fromEntries(NUM_DIMS.map((d) => [d, b[d]])) as unknown as Region["ranges"];
  return { v: b.v, direction: directionOf(b), ranges, in: b.in, out: b.out, outcomes: f.outcomes };
};

/**
 * Merges final boxes of the same direction with the same outcomes: verdicts and deciding rules
 * ("decision", the default), or verdicts only ("verdict"; a merged region then shows the deciding rules
 * of one of its boxes).
 */
export const mergeBoxes = (boxes: readonly FinalBox[], by: "decision" | "verdict" = "decision"): Region[] => {
  const groups = new Map<string, Region[]>();
  for (const f of boxes) {
    const r = toRegion(f);
    const key = `${r.direction}|${r.outcomes.map((o) => (by === "verdict" ? o.verdict : outcomeKey(o))).join("||")}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [r]);
    else g.push(r);
  }
  return [...groups.values()].flatMap(mergeGroup);
};

/** A concrete packet's values (interfaces already mapped to their class representative). */
export interface PacketPoint {
  /** The packet's family; a region of the other family never holds it. */
  readonly v: IpVersion;
  readonly values: { readonly [K in NumDim]?: bigint };
  readonly in: string;
  readonly out: string;
}

export const regionHolds = (r: Region, p: PacketPoint): boolean =>
  r.v === p.v &&
  NUM_DIMS.every((d) => {
    const x = p.values[d];
    return x === undefined || r.ranges[d].some((rg) => inRange(rg, x));
  }) &&
  r.in.includes(p.in) &&
  r.out.includes(p.out);
