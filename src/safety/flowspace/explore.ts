// Refines boxes until each is uniform in every given ruleset: trace the representative (verbose), split
// where a rule on its path tells the box's packets apart, repeat. No sampling: a final box's verdicts and
// deciding rules hold for every packet in it (see uniform.ts).

import type { Ruleset, TableName } from "../../rules/ir.js";
import { traceAlong, type DecidedBy, type TraceResult, type Walk } from "../../trace/index.js";
import { representative, sameCorner, type Box } from "./box.js";
import { alikeSteps, prepareRuleset, sameRulesSteps, splitAlongPath } from "./uniform.js";

/** Where the verdict was decided: the deciding rule (or chain-policy event) on the path. */
export interface DecidedAt {
  readonly table?: TableName;
  readonly chain: string;
  readonly ruleIndex?: number;
}

export interface Outcome {
  readonly verdict: "accept" | "drop";
  readonly decidedBy: DecidedBy;
  readonly at?: DecidedAt;
}

export interface FinalBox {
  readonly box: Box;
  /** One outcome per ruleset, in the order given. */
  readonly outcomes: readonly Outcome[];
}

export type Explored =
  | {
      readonly ok: true;
      /** The final boxes `keep` kept (all of them without it), in the order they were found. */
      readonly boxes: readonly FinalBox[];
      /** How many final boxes there were, kept or not. */
      readonly finalBoxes: number;
      readonly traces: number;
    }
  | { readonly ok: false; readonly error: string };

export interface ExploreOptions {
  /** Give up (as an error value) after this many traces; default 2,000,000. */
  readonly maxTraces?: number;
  /** Called after each trace (for a progress line: a gateway's analysis takes minutes). */
  readonly onTrace?: () => void;
}

export interface RefineOptions extends ExploreOptions {
  /** Which final boxes to return (default: all); the others are counted and dropped as soon as they are found. */
  readonly keep?: (f: FinalBox) => boolean;
}

const outcomeOf = (r: TraceResult): Outcome => {
  const s = r.decidedBy.step === undefined ? undefined : r.path[r.decidedBy.step];
  const at: DecidedAt | undefined =
    s === undefined
      ? undefined
      : s.kind === "rule"
        ? { table: s.table, chain: s.chain, ruleIndex: s.ruleIndex }
        : { ...(s.table === undefined ? {} : { table: s.table }), chain: s.hook };
  return { verdict: r.verdict, decidedBy: r.decidedBy, ...(at === undefined ? {} : { at }) };
};

/** What makes two outcomes "the same decision": the verdict and the deciding rule, not the prose. */
export const outcomeKey = (o: Outcome): string => {
  const d = o.decidedBy;
  const at = o.at === undefined ? "" : `${o.at.table ?? ""}/${o.at.chain}#${o.at.ruleIndex ?? ""}`;
  return [o.verdict, d.kind, d.name ?? "", d.ruleIndex ?? "", d.tier ?? "", d.endpoint ?? "", at].join("|");
};

export const explore = (
  rulesets: readonly Ruleset[],
  roots: readonly Box[],
  opts: RefineOptions = {},
): Explored =>
  refine(
    rulesets,
    roots.map((box) => ({ box, outcomes: [] })),
    opts,
  );

/** A box on its way down: the ruleset refining it, and the path step up to which it is known to be uniform. */
interface Pending {
  readonly box: Box;
  /** Index of the ruleset refining it; rulesets.length when it is final. */
  readonly k: number;
  /** Its outcomes in rulesets 0 … k-1. */
  readonly outcomes: readonly Outcome[];
  readonly from: number;
  /** Its representative's walk in ruleset k, when its parent's was the same packet. */
  readonly traced?: Walk;
  /** Otherwise its parent's walk in ruleset k, which every packet of it takes up to step `from`. */
  readonly parentWalk?: Walk;
  /** Its walk in ruleset k - 1, in which it is uniform (when it has just come to ruleset k). */
  readonly earlier?: Walk;
}

/** Refines boxes that already carry outcomes (of earlier rulesets) by more rulesets. */
export const refine = (
  rulesets: readonly Ruleset[],
  items: readonly FinalBox[],
  opts: RefineOptions = {},
): Explored => {
  const prepared = rulesets.map(prepareRuleset);
  for (const p of prepared) if (p.unsupported !== undefined) return { ok: false, error: p.unsupported };
  const max = opts.maxTraces ?? 2_000_000;
  let traces = 0;
  let finalBoxes = 0;
  const kept: FinalBox[] = [];
  // Uniformity is hereditary (a sub-box of a box uniform in a ruleset is uniform in it, with the same
  // outcome), so a box uniform in ruleset k is refined by ruleset k+1 only, and no box is traced twice in
  // the same ruleset. Depth first, across rulesets as well: a box uniform in ruleset k is refined by k+1 at
  // once, so only the boxes on the way down are held, not every final box of every ruleset (a typical node's
  // upgrade-check: 33,000 boxes, each with unions of hundreds of address ranges, most of them unchanged).
  // Boxes come out in the order ruleset-by-ruleset refinement would give.
  const stack: Pending[] = [];
  for (let i = items.length - 1; i >= 0; i--)
    stack.push({ box: items[i]!.box, k: 0, outcomes: items[i]!.outcomes, from: 0 });
  while (stack.length > 0) {
    const pending = stack.pop()!;
    const { box, k, outcomes, traced, parentWalk, earlier } = pending;
    const p = prepared[k];
    if (p === undefined) {
      finalBoxes++;
      const f: FinalBox = { box, outcomes };
      if (opts.keep?.(f) ?? true) kept.push(f);
      continue;
    }
    let walk = traced;
    if (walk === undefined) {
      if (++traces > max)
        return {
          ok: false,
          error: `the flow space needs more than ${max} traces; narrow it (--node, fewer rulesets)`,
        };
      // The steps before `from` are uniform over the parent box: its walk is this one's up to there. A
      // box come from ruleset k - 1 walks here as it did there, until it meets a rule the two do not share.
      const known =
        parentWalk !== undefined
          ? { walk: parentWalk, length: pending.from }
          : earlier !== undefined
            ? { walk: earlier, length: sameRulesSteps(prepared[k - 1]!, earlier.result.path, p) }
            : undefined;
      walk = traceAlong(p.ruleset, representative(box), known);
      opts.onTrace?.();
    }
    const r = walk.result;
    // Come from ruleset k - 1, where it is uniform: the steps its walk there shares are uniform here too.
    const from =
      earlier === undefined ? pending.from : alikeSteps(prepared[k - 1]!, earlier.result.path, p, r.path);
    const split = splitAlongPath(p, r.path, box, from);
    if (split === undefined)
      stack.push({ box, k: k + 1, outcomes: [...outcomes, outcomeOf(r)], from: 0, earlier: walk });
    else
      for (let i = split.parts.length - 1; i >= 0; i--) {
        const part = split.parts[i]!;
        // The part holding the parent's lowest corner has it as its own: its walk is the parent's.
        stack.push(
          sameCorner(part, box)
            ? { box: part, k, outcomes, from: split.at, traced: walk }
            : { box: part, k, outcomes, from: split.at, parentWalk: walk },
        );
      }
  }
  return { ok: true, boxes: kept, finalBoxes, traces };
};
