// `calisim diff`: what changes on a node between two sets of resources — the rules Felix would program
// (by chain, by meaning) and the exact flows whose verdict changes, each with its deciding rules.
//
//   const d = diffNode("node-1", { cluster: old }, { cluster: neu }, { rules: true, flows: true });

import { buildRuleset } from "../../rules/node-ruleset.js";
import type { Result } from "../flowspace/index.js";
import { compareNode, FAMILIES, modelOf, type NodeComparison, type Side } from "../node-flows.js";
import { isDrop } from "../report.js";
import { diffRulesets, type RulesDiff } from "./rules.js";

export { diffRulesets, type ChainDiff, type RuleEdit, type RulesDiff, type SetDiff } from "./rules.js";
export { ruleKey, matchesKey } from "./meaning.js";

export interface NodeDiff {
  readonly node: string;
  readonly rules?: readonly RulesDiff[];
  readonly flows?: NodeComparison;
}

export interface DiffOptions {
  readonly rules: boolean;
  readonly flows: boolean;
  /** Called after each packet the flow analysis traces (for a progress line). */
  readonly onTrace?: () => void;
}

export const diffNode = (node: string, before: Side, after: Side, opts: DiffOptions): Result<NodeDiff> => {
  let rules: RulesDiff[] | undefined;
  if (opts.rules) {
    const a = modelOf(node, before);
    const b = modelOf(node, after);
    rules = FAMILIES.map((v) =>
      diffRulesets(buildRuleset(a, { version: v }), buildRuleset(b, { version: v })),
    );
  }
  let flows: NodeComparison | undefined;
  if (opts.flows) {
    const c = compareNode(
      node,
      before,
      after,
      undefined,
      opts.onTrace === undefined ? {} : { onTrace: opts.onTrace },
    );
    if (!c.ok) return c;
    flows = c.value;
  }
  return {
    ok: true,
    value: { node, ...(rules === undefined ? {} : { rules }), ...(flows === undefined ? {} : { flows }) },
  };
};

export const hasRuleChanges = (d: NodeDiff): boolean =>
  (d.rules ?? []).some((r) => r.chains.length > 0 || r.sets.length > 0);

/** Whether some flow of the node goes from allow to drop. */
export const diffDrops = (d: NodeDiff): boolean =>
  (d.flows?.families ?? []).some((f) => f.changed.some(isDrop));

export const hasFlowChanges = (d: NodeDiff): boolean =>
  (d.flows?.families ?? []).some((f) => f.changed.length > 0);
