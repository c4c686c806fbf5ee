// Exact flow-space analysis: which NEW packets (protocol, addresses, ports, ICMP type/code, input and
// output interface) a ruleset accepts or drops, and which change verdict between two rulesets — as a
// finite list of regions, each with its deciding rules, computed without sampling.
//
//   const u = ifaceUniverse([before, after], ["eth0"]);
//   const c = compareRulesets(before, after, u);
//   if (c.ok) for (const r of c.value.changed) console.log(changeText(r, u));

import type { IpVersion, Ruleset } from "../../rules/ir.js";
import { rootBoxes, type Box } from "./box.js";
import { explore, refine, type ExploreOptions, type FinalBox } from "./explore.js";
import { mergeBoxes, type Region } from "./merge.js";
import type { IfaceUniverse } from "./universe.js";

export * from "./box.js";
export * from "./describe.js";
export * from "./explore.js";
export * from "./merge.js";
export * from "./ranges.js";
export * from "./universe.js";

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export interface Comparison {
  readonly v: IpVersion;
  /** Packets whose verdict differs, merged by (before, after) outcome. */
  readonly changed: readonly Region[];
  /**
   * Packets accepted before and after, but after only thanks to a failsafe port: the failsafe accepted
   * them and `afterWithoutFailsafe` drops them. Empty when no such ruleset was given.
   */
  readonly failsafeOnly: readonly Region[];
  readonly finalBoxes: number;
  readonly traces: number;
}

export interface CompareOptions extends ExploreOptions {
  /** Boxes to analyse instead of the whole space (all directions over the universe). */
  readonly roots?: readonly Box[];
  /** `after` with no failsafe ports, to tell which of its failsafe accepts alone keep a flow open. */
  readonly afterWithoutFailsafe?: Ruleset;
}

const familyOf = (a: Ruleset, b: Ruleset): IpVersion | string =>
  a.version === b.version
    ? a.version
    : `cannot compare an IPv${a.version} ruleset with an IPv${b.version} one`;

const sameRules = (a: Ruleset, b: Ruleset): boolean =>
  JSON.stringify({ t: a.tables, s: a.sets }) === JSON.stringify({ t: b.tables, s: b.sets });

/** Accepted before (not by a failsafe port) and after only by one: the candidates `afterWithoutFailsafe` checks. */
const failsafeAfter = (f: FinalBox): boolean =>
  f.outcomes[0]!.verdict === "accept" &&
  f.outcomes[0]!.decidedBy.kind !== "failsafe" &&
  f.outcomes[1]!.decidedBy.kind === "failsafe";

export const compareRulesets = (
  before: Ruleset,
  after: Ruleset,
  u: IfaceUniverse,
  opts: CompareOptions = {},
): Result<Comparison> => {
  const v = familyOf(before, after);
  if (typeof v === "string") return { ok: false, error: v };
  // Identical rules decide every packet identically: nothing to explore.
  if (sameRules(before, after))
    return { ok: true, value: { v, changed: [], failsafeOnly: [], finalBoxes: 0, traces: 0 } };
  const noFs = opts.afterWithoutFailsafe;
  const differ = (f: FinalBox): boolean => f.outcomes[0]!.verdict !== f.outcomes[1]!.verdict;
  // Only the boxes this reports on are kept: most of a node's flow space is unchanged.
  const e = explore([before, after], opts.roots ?? rootBoxes(v, u.names), {
    ...opts,
    keep: noFs === undefined ? differ : (f) => differ(f) || failsafeAfter(f),
  });
  if (!e.ok) return e;
  const changed = e.boxes.filter(differ);
  let failsafeOnly: FinalBox[] = [];
  let traces = e.traces;
  if (noFs !== undefined) {
    const f = refine([noFs], e.boxes.filter(failsafeAfter), opts);
    if (!f.ok) return f;
    traces += f.traces;
    failsafeOnly = f.boxes
      .filter((x) => x.outcomes[2]!.verdict === "drop")
      .map((x) => ({ box: x.box, outcomes: x.outcomes.slice(0, 2) }));
  }
  return {
    ok: true,
    value: {
      v,
      changed: mergeBoxes(changed),
      failsafeOnly: mergeBoxes(failsafeOnly, "verdict"),
      finalBoxes: e.finalBoxes,
      traces,
    },
  };
};

export interface Analysis {
  readonly v: IpVersion;
  readonly regions: readonly Region[];
  readonly boxes: readonly FinalBox[];
  readonly traces: number;
}

/** Every packet of the roots (default: the whole space) with its verdict in one ruleset. */
export const analyzeRuleset = (
  rs: Ruleset,
  u: IfaceUniverse,
  opts: CompareOptions = {},
): Result<Analysis> => {
  const e = explore([rs], opts.roots ?? rootBoxes(rs.version, u.names), opts);
  if (!e.ok) return e;
  return {
    ok: true,
    value: { v: rs.version, regions: mergeBoxes(e.boxes), boxes: e.boxes, traces: e.traces },
  };
};
