// The interfaces a flow-space analysis ranges over. Rules only see an interface name through `-i` / `-o`
// matches, exact or with a trailing `+` (xt's prefix wildcard), so names fall into finitely many classes:
// each exact name the rules mention, then per prefix pattern P the names whose longest matching prefix is
// P, and the names no pattern matches. One representative per class (plus the node's own interface names,
// which add no work: the rules never separate them from their class) makes the analysis exact over every
// interface name.

import type { Match, Rule, Ruleset } from "../../rules/ir.js";

export interface IfaceUniverse {
  /** Every representative name (never ""), sorted. */
  readonly names: readonly string[];
  /** What a representative stands for, e.g. "other cali+ interfaces". */
  readonly label: (name: string) => string;
  /** The representative of any concrete interface name (itself when it is in `names`). */
  readonly classOf: (name: string) => string;
  /** The representative of the names no rule pattern matches (other host interfaces). */
  readonly other: string;
}

const rulesOf = (rs: Ruleset): Rule[] =>
  rs.tables.flatMap((t) => [
    ...t.hooks.flatMap((h) => [...h.inserted, ...(h.others ?? []), ...h.appended]),
    ...t.chains.flatMap((c) => c.rules),
  ]);

/** Interface names and `name+` patterns in the rules' -i / -o matches. */
export const ifacePatterns = (rulesets: readonly Ruleset[]): { exact: string[]; prefixes: string[] } => {
  const exact = new Set<string>();
  const prefixes = new Set<string>();
  for (const rs of rulesets)
    for (const r of rulesOf(rs))
      for (const m of r.matches as readonly Match[])
        if (m.kind === "inIface" || m.kind === "outIface")
          if (m.name.endsWith("+")) prefixes.add(m.name.slice(0, -1));
          else if (m.name !== "") exact.add(m.name);
  return { exact: [...exact].sort(), prefixes: [...prefixes].sort() };
};

/** Stand-in for the names no rule pattern matches: any other (non-workload) host interface. */
export const OTHER_IFACE = "other-if0";

export const ifaceUniverse = (rulesets: readonly Ruleset[], nodeNames: readonly string[]): IfaceUniverse => {
  const { exact, prefixes } = ifacePatterns(rulesets);
  const exactSet = new Set(exact);
  const longest = (name: string): string | undefined =>
    prefixes.filter((p) => name.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  /** A fresh name of the class "longest matching prefix is p" (p undefined: no prefix matches). */
  const fresh = (p: string | undefined): string => {
    for (let i = 0; ; i++) {
      const name = p === undefined ? (i === 0 ? OTHER_IFACE : `other-if${i}`) : `${p}sim${i}`;
      if (!exactSet.has(name) && longest(name) === p) return name;
    }
  };
  const prefixRep = new Map(prefixes.map((p) => [p, fresh(p)]));
  const other = fresh(undefined);
  const names = [
    ...new Set([...exact, ...prefixRep.values(), other, ...nodeNames.filter((n) => n !== "")]),
  ].sort();
  const inUniverse = new Set(names);
  const repOf = new Map<string, string>([...prefixRep].map(([p, rep]) => [rep, p]));
  return {
    names,
    other,
    label: (name) => {
      if (name === other) return "other interfaces";
      const p = repOf.get(name);
      return p === undefined ? name : `other ${p}+ interfaces`;
    },
    classOf: (name) => {
      if (name === "" || inUniverse.has(name)) return name;
      const p = longest(name);
      return p === undefined ? other : prefixRep.get(p)!;
    },
  };
};
