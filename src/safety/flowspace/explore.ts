// Refines boxes until each is uniform in every given ruleset: trace the representative (verbose), split
// where a rule on its path tells the box's packets apart, repeat. No sampling: a final box's verdicts and
// deciding rules hold for every packet in it (see uniform.ts).

import type { Ruleset, TableName } from "../../rules/ir.js";
import { trace, type DecidedBy, type TraceResult } from "../../trace/index.js";
import { representative, sameCorner, type Box } from "./box.js";
import { prepareRuleset, splitAlongPath } from "./uniform.js";

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
  | { readonly ok: true; readonly boxes: readonly FinalBox[]; readonly traces: number }
  | { readonly ok: false; readonly error: string };

export interface ExploreOptions {
  /** Give up (as an error value) after this many traces; default 2,000,000. */
  readonly maxTraces?: number;
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
  opts: ExploreOptions = {},
): Explored =>
  refine(
    rulesets,
    roots.map((box) => ({ box, outcomes: [] })),
    opts,
  );

/** Refines boxes that already carry outcomes (of earlier rulesets) by more rulesets. */
export const refine = (
  rulesets: readonly Ruleset[],
  items: readonly FinalBox[],
  opts: ExploreOptions = {},
): Explored => {
  const prepared = rulesets.map(prepareRuleset);
  for (const p of prepared) if (p.unsupported !== undefined) return { ok: false, error: p.unsupported };
  const max = opts.maxTraces ?? 2_000_000;
  let traces = 0;
  // Uniformity is hereditary (a sub-box of a uniform box is uniform, with the same outcome), so the boxes
  // are refined for one ruleset at a time and never traced twice in the same ruleset.
  let current: readonly FinalBox[] = items;
  for (const p of prepared) {
    const refined: FinalBox[] = [];
    for (const item of current) {
      // Each box with the path step up to which it is known to be uniform, and its representative's trace
      // when its parent's was the same packet.
      const stack: { box: Box; from: number; traced?: TraceResult }[] = [{ box: item.box, from: 0 }];
      while (stack.length > 0) {
        const { box, from, traced } = stack.pop()!;
        let r = traced;
        if (r === undefined) {
          if (++traces > max)
            return {
              ok: false,
              error: `the flow space needs more than ${max} traces; narrow it (--node, fewer rulesets)`,
            };
          r = trace(p.ruleset, representative(box), { verbose: true });
        }
        const split = splitAlongPath(p, r.path, box, from);
        if (split === undefined) refined.push({ box, outcomes: [...item.outcomes, outcomeOf(r)] });
        else
          for (let i = split.parts.length - 1; i >= 0; i--) {
            const part = split.parts[i]!;
            // The part holding the parent's lowest corner has it as its own: its walk is the parent's.
            stack.push(
              sameCorner(part, box)
                ? { box: part, from: split.at, traced: r }
                : { box: part, from: split.at },
            );
          }
      }
    }
    current = refined;
  }
  return { ok: true, boxes: current, traces };
};
