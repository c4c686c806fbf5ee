// Is a traced path shared by every packet of a box? The walk is deterministic given the packet, so by
// induction on the steps: if every rule the representative met (verbose paths list the ones that did not
// match too) matches all of the box or none of it, every packet meets the same rules with the same mark
// and conntrack state, and ends with the same verdict and explanation. Otherwise the first rule that
// tells packets apart gives the cut: the box is split at that match's boundaries. A neutral rule (a
// policy's Log rule: trace/neutral.ts) is not weighed: whether it matched changes neither the rest of the
// walk nor the outcome, so a box's packets may differ on it and still share the path's other steps.

import { isDeepStrictEqual } from "node:util";
import type { ActionKind, Rule, Ruleset } from "../../rules/ir.js";
import type { CompiledChain, CompiledRule } from "../../trace/compile.js";
import {
  compileRuleset,
  neutralStep,
  type CompiledRuleset,
  type RuleStep,
  type Step,
} from "../../trace/index.js";
import { CT_BIT } from "../../trace/state.js";
import type { Box } from "./box.js";
import { classify } from "./classify.js";
import { setsByName, type SetRangesLookup } from "./sets.js";

export interface Prepared {
  readonly ruleset: Ruleset;
  readonly compiled: CompiledRuleset;
  readonly sets: SetRangesLookup;
  /** Why the analysis cannot treat the ruleset exactly (NAT rewrites addresses mid-walk), if it cannot. */
  readonly unsupported: string | undefined;
}

// One per ruleset: preflight explores the same node's rulesets once per flow and interface.
const prepared = new WeakMap<Ruleset, Prepared>();

export const prepareRuleset = (ruleset: Ruleset): Prepared => {
  let p = prepared.get(ruleset);
  if (p === undefined) {
    p = {
      ruleset,
      compiled: compileRuleset(ruleset),
      sets: setsByName(ruleset.sets),
      unsupported: natRule(ruleset),
    };
    prepared.set(ruleset, p);
  }
  return p;
};

const natRule = (rs: Ruleset): string | undefined => {
  for (const t of rs.tables)
    for (const rules of [
      ...t.chains.map((c) => c.rules),
      ...t.hooks.flatMap((h) => [h.inserted, h.appended]),
    ])
      for (const r of rules)
        if (r.action.kind === "dnat" || r.action.kind === "masquerade")
          return `the ${t.name} table has NAT rules (${r.action.kind}); flow-space analysis does not model NAT`;
  return undefined;
};

/** A rule step's chain in a prepared ruleset (the hook's kernel chain for a kernel chain's rule). */
const chainOf = (p: Prepared, s: RuleStep): CompiledChain | undefined => {
  const t = p.compiled.tables.get(s.table);
  return t?.chains.get(s.chain) ?? t?.hooks.get(s.hook);
};

const ruleOf = (p: Prepared, s: RuleStep): Rule => {
  const r = chainOf(p, s)?.rules[s.ruleIndex];
  if (r === undefined)
    throw new Error(`bug: path step ${s.table} ${s.chain} #${s.ruleIndex} is not in the ruleset`);
  return r.rule;
};

/**
 * Whether rule `a` of ruleset `p` and rule `b` of ruleset `q` weigh every box alike: the same matches and,
 * for a set match, the same members in both rulesets.
 * Rules of two versions of a node share most of their matches and sets; an analysis compares them by the
 * thousand, so the answer is kept per rule of `q`.
 */
const sameTest = (p: Prepared, a: Rule, q: Prepared, b: Rule): boolean => {
  const memo = alike.get(b);
  if (memo !== undefined && memo.a === a && memo.p === p && memo.q === q) return memo.same;
  let same = a.matches.length === b.matches.length;
  for (let j = 0; same && j < a.matches.length; j++) {
    const m = a.matches[j]!;
    const n = b.matches[j]!;
    // Most values are one object (rules/build.ts); interface matches, for one, are built per rule.
    same =
      (m === n || isDeepStrictEqual(m, n)) && (m.kind !== "set" || p.sets.get(m.set) === q.sets.get(m.set));
  }
  alike.set(b, { a, p, q, same });
  return same;
};
const alike = new WeakMap<Rule, { a: Rule; p: Prepared; q: Prepared; same: boolean }>();

/**
 * How many first steps of walk `later` (in ruleset `q`) repeat walk `earlier` (in ruleset `p`) of the same
 * packet: the same events, and at each rule the same position, text and outcome, a rule that weighs
 * boxes alike (sameTest) and the same mark after it (or a neutral rule in both, which is not weighed). For
 * a box uniform in `p` along `earlier`, those steps of `later` are uniform too: each weighs the box as its
 * twin did, under the same mark and conntrack state.
 * So refining it by `q` classifies only the steps after them (splitAlongPath's `from`). A node's rulesets
 * before and after an upgrade differ in a few endpoint chains, and a typical box's two walks share 99 % of
 * their steps.
 */
export const alikeSteps = (
  p: Prepared,
  earlier: readonly Step[],
  q: Prepared,
  later: readonly Step[],
): number => {
  const n = Math.min(earlier.length, later.length);
  for (let i = 0; i < n; i++) {
    const e = earlier[i]!;
    const l = later[i]!;
    if (e === l) continue;
    if (e.hook !== l.hook || e.markAfter !== l.markAfter) return i;
    if (e.kind === "event") {
      if (l.kind !== "event" || e.event !== l.event || e.text !== l.text) return i;
      continue;
    }
    if (l.kind !== "rule" || e.table !== l.table || e.chain !== l.chain || e.ruleIndex !== l.ruleIndex)
      return i;
    // Two neutral rules at the same place are not weighed (splitAlongPath), whatever they test.
    if (neutralStep(e) && neutralStep(l)) continue;
    if (e.matched !== l.matched || e.rule !== l.rule || !sameTest(p, ruleOf(p, e), q, ruleOf(q, l))) return i;
  }
  return n;
};

/**
 * How many first steps of walk `earlier` (in ruleset `p`) any packet that walked them there walks alike in
 * ruleset `q`, so that its walk in `q` can go on from `earlier`'s checkpoints (traceAlong): up to the first
 * rule that `q` does not have at the same place with the same test (sameTest), text and origin, or after
 * which control would go elsewhere in `q` (off the end of a chain of another length, into an empty chain
 * that is not empty in `q`). The two must have the same tables and hooks with the same policies.
 */
export const sameRulesSteps = (p: Prepared, earlier: readonly Step[], q: Prepared): number => {
  if (!sameHooks(p, q)) return 0;
  const chains = chainsAlike(p, q);
  let table: string | undefined;
  let name: string | undefined;
  let pc: CompiledChain | undefined;
  let qc: CompiledChain | undefined;
  let alike = false;
  for (let i = 0; i < earlier.length; i++) {
    const s = earlier[i]!;
    if (s.kind === "event") {
      if (s.event === "policy") {
        // Off the end of a kernel chain with no rule of it on the path (an empty chain).
        const lengthIn = (x: Prepared) => x.compiled.tables.get(s.table!)?.hooks.get(s.hook)?.rules.length;
        if (lengthIn(p) !== lengthIn(q)) return i;
      } else if (s.event !== "hook" && s.event !== "conntrack") return i;
      continue;
    }
    // A walk meets a chain's rules one after another: look its chains up once per run of them.
    if (s.chain !== name || s.table !== table) {
      table = s.table;
      name = s.chain;
      pc = chainOf(p, s);
      qc = chainOf(q, s);
      if (pc === undefined || qc === undefined) return i;
      let known = chains.get(pc);
      if (known === undefined) chains.set(pc, (known = sameChain(p, pc, q, qc)));
      alike = known;
    }
    const a = pc!.rules[s.ruleIndex];
    const b = qc!.rules[s.ruleIndex];
    if (a === undefined || b === undefined) return i;
    if (!alike) {
      if (!sameRule(p, a, q, b)) return i;
      // The chain's last rule, when control can come back after it: off the end there, not in a longer one.
      if (
        s.ruleIndex === pc!.rules.length - 1 &&
        qc!.rules.length !== pc!.rules.length &&
        !(s.matched && LEAVES.has(s.action))
      )
        return i;
    }
    // Into a chain that is missing or empty, and so straight back: it must be so in q too.
    if (s.matched && (a.target === null || a.target?.rules.length === 0) && !sameEnd(a.target, b.target))
      return i;
  }
  return earlier.length;
};

/** For a jump whose target `a` is missing (null) or empty: `b` is too. */
const sameEnd = (a: CompiledChain | null | undefined, b: CompiledChain | null | undefined): boolean =>
  a === null ? b === null : b?.rules.length === 0;

/** Actions after which control never comes back to the rule's chain (a jump's target returns to it). */
const LEAVES: ReadonlySet<ActionKind> = new Set(["accept", "drop", "reject", "return", "goto"]);

/** A chain of `p` whose rules are all the same (sameRule) in its namesake of `q`, which is as long. */
const sameChain = (p: Prepared, pc: CompiledChain, q: Prepared, qc: CompiledChain): boolean =>
  pc.rules.length === qc.rules.length && pc.rules.every((a, j) => sameRule(p, a, q, qc.rules[j]!));

/** Per pair of rulesets, which chains of the first are the same in the second (the last pair asked). */
const chainsAlike = (p: Prepared, q: Prepared): Map<CompiledChain, boolean> => {
  let m = alikeChains.get(p);
  if (m === undefined || m.q !== q) alikeChains.set(p, (m = { q, chains: new Map() }));
  return m.chains;
};
const alikeChains = new WeakMap<Prepared, { q: Prepared; chains: Map<CompiledChain, boolean> }>();

/** The same test, text (so the same action) and origin; kept per rule of `q`, as sameTest's answers are. */
const sameRule = (p: Prepared, a: CompiledRule, q: Prepared, b: CompiledRule): boolean => {
  const memo = sameRules.get(b.rule);
  if (memo !== undefined && memo.a === a.rule && memo.p === p && memo.q === q) return memo.same;
  const same =
    sameTest(p, a.rule, q, b.rule) &&
    (a.rule === b.rule ||
      (a.text === b.text &&
        (a.rule.origin === b.rule.origin ||
          JSON.stringify(a.rule.origin) === JSON.stringify(b.rule.origin))));
  sameRules.set(b.rule, { a: a.rule, p, q, same });
  return same;
};
const sameRules = new WeakMap<Rule, { a: Rule; p: Prepared; q: Prepared; same: boolean }>();

/** The same tables, each with the same hooks and chain policies: a packet meets the same hooks in both. */
const sameHooks = (p: Prepared, q: Prepared): boolean => {
  const shape = (x: Prepared) =>
    [...x.compiled.tables.values()]
      .map((t) => `${t.name}:${[...t.hooks.values()].map((h) => `${h.name}/${h.policy}`).join(",")}`)
      .sort()
      .join(" ");
  let memo = hookShapes.get(p);
  if (memo === undefined) hookShapes.set(p, (memo = shape(p)));
  let other = hookShapes.get(q);
  if (other === undefined) hookShapes.set(q, (other = shape(q)));
  return memo === other;
};
const hookShapes = new WeakMap<Prepared, string>();

/** Where a box was split: its parts, and the path step whose rule told their packets apart. */
export interface Split {
  readonly parts: readonly Box[];
  readonly at: number;
}

/**
 * undefined when the whole box shares the representative's path; otherwise the box split at the first
 * rule on the path whose matches tell its packets apart. `from`: the steps before it are known to be
 * uniform over the box (it is a part of a box split there, and uniformity is hereditary), so each of its
 * packets walks them as the representative does; they are not classified again.
 */
export const splitAlongPath = (p: Prepared, path: readonly Step[], box: Box, from = 0): Split | undefined => {
  // Before nf_conntrack_in the tracer sees INVALID; NOTRACK in raw makes it UNTRACKED; the lookup, NEW.
  let ct = CT_BIT.INVALID;
  for (let i = 0; i < path.length; i++) {
    const s = path[i]!;
    if (s.kind === "event") {
      if (s.event === "conntrack" && ct !== CT_BIT.UNTRACKED) ct = CT_BIT.NEW;
      continue;
    }
    if (i >= from && !neutralStep(s)) {
      const mark = i === 0 ? 0 : path[i - 1]!.markAfter;
      const ctx = { box, hook: s.hook, mark, ct, sets: p.sets };
      let value = true;
      // The first match that splits the box gives the cut, unless a later one matches none of it; its
      // parts are made only then.
      let cut: (() => readonly Box[]) | undefined;
      for (const m of ruleOf(p, s).matches) {
        const c = classify(m, ctx);
        if (c.kind === "uniform" && !c.value) {
          value = false;
          cut = undefined;
          break;
        }
        if (c.kind === "split") cut ??= c.parts;
      }
      if (cut !== undefined) return { parts: cut(), at: i };
      if (value !== s.matched)
        throw new Error(
          `bug: flow-space analysis and tracer disagree on ${s.table} ${s.chain} #${s.ruleIndex} (${s.rule})`,
        );
    }
    if (s.matched && s.action === "notrack" && s.table === "raw") ct = CT_BIT.UNTRACKED;
  }
  return undefined;
};
