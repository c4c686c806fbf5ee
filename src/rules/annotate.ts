// Maps a parsed dump back to resources: a rule in a real node's dump whose Felix rule id (the chained
// `cali:` hash, which covers its chain, position and every rule before it) equals the id of a rule we
// rendered from the resources gets that rule's origin. Rules that differ keep no origin.

import { ruleIds } from "../render/iptables/index.js";
import type { Chain, HookChain, Origin, Rule, Ruleset } from "./ir.js";
import { limitRulesetNames, MAX_CHAIN_NAME } from "./names.js";

const idMap = (logical: Ruleset): Map<string, Origin> => {
  const map = new Map<string, Origin>();
  // Ids are computed over the iptables spelling: chain names and targets cut to 28 characters.
  for (const t of limitRulesetNames(logical, MAX_CHAIN_NAME).tables) {
    for (const c of t.chains) {
      ruleIds(c.name, c.rules).forEach((id, i) => {
        const o = c.rules[i]?.origin;
        if (o !== undefined) map.set(`${t.name}/${id}`, o);
      });
    }
  }
  return map;
};

const annotateRules = (
  table: string,
  chain: string,
  rules: readonly Rule[],
  map: Map<string, Origin>,
): Rule[] => {
  const ids = ruleIds(chain, rules);
  return rules.map((r, i) => {
    const o = r.origin ?? map.get(`${table}/${ids[i]}`);
    return o === undefined ? r : { ...r, origin: o };
  });
};

/** Returns the dump's ruleset with origins filled in from `rendered`; also counts the matches. */
export const annotateDump = (
  dump: Ruleset,
  rendered: Ruleset,
): { ruleset: Ruleset; matched: number; total: number } => {
  const map = idMap(rendered);
  let matched = 0;
  let total = 0;
  const count = (rules: readonly Rule[]): readonly Rule[] => {
    total += rules.length;
    matched += rules.filter((r) => r.origin !== undefined).length;
    return rules;
  };
  const tables = dump.tables.map((t) => ({
    ...t,
    chains: t.chains.map((c): Chain => ({ ...c, rules: count(annotateRules(t.name, c.name, c.rules, map)) })),
    hooks: t.hooks.map((h): HookChain => ({
      ...h,
      inserted: count(annotateRules(t.name, h.name, h.inserted, map)),
    })),
  }));
  return { ruleset: { ...dump, tables }, matched, total };
};
