// Rule diff of two rulesets by meaning: chains are matched by table and name (their order in the text
// is irrelevant), a chain that only changed name is reported as renamed, and within a chain rules are
// compared by their canonical meaning (meaning.ts) with a longest common subsequence, so a rule that
// changed shows as removed + added and one that changed place shows as moved. Sets are compared by
// members. Rule order matters to iptables; whether a move changes any verdict is what the flow diff says.

import type { Rule, Ruleset, TableName } from "../../rules/ir.js";
import { ruleText } from "../../trace/index.js";
import { ruleKey } from "./meaning.js";
import { compareStrings } from "../../util/compare.js";

export interface RuleEdit {
  readonly op: "added" | "removed" | "moved";
  /** Index in the old chain (removed, moved) or the new chain (added, moved: `to`). */
  readonly index: number;
  readonly to?: number;
  readonly text: string;
  readonly rule: Rule;
}

export interface ChainDiff {
  readonly table: TableName;
  readonly name: string;
  readonly status: "added" | "removed" | "changed" | "renamed";
  readonly oldName?: string;
  readonly rules: readonly RuleEdit[];
  readonly size: number;
}

export interface SetDiff {
  readonly name: string;
  readonly status: "added" | "removed" | "changed";
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

export interface RulesDiff {
  readonly version: number;
  readonly chains: readonly ChainDiff[];
  readonly sets: readonly SetDiff[];
}

type Chains = Map<string, readonly Rule[]>;

/** Every chain of a ruleset, kernel hooks flattened as the kernel sees them, keyed "table name". */
const chainsOf = (rs: Ruleset): Chains => {
  const out: Chains = new Map();
  for (const t of rs.tables) {
    for (const h of t.hooks)
      out.set(`${t.name} ${h.name}`, [...h.inserted, ...(h.others ?? []), ...h.appended]);
    for (const c of t.chains) if (!out.has(`${t.name} ${c.name}`)) out.set(`${t.name} ${c.name}`, c.rules);
  }
  return out;
};

const split = (id: string): { table: TableName; name: string } => {
  const sp = id.indexOf(" ");
  return { table: id.slice(0, sp) as TableName, name: id.slice(sp + 1) };
};

/** Longest common subsequence of two key lists, as index pairs. */
const lcs = (a: readonly string[], b: readonly string[]): [number, number][] => {
  const n = a.length;
  const m = b.length;
  const t: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  const out: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m;)
    if (a[i] === b[j]) out.push([i++, j++]);
    else if (t[i + 1]![j]! >= t[i]![j + 1]!) i++;
    else j++;
  return out;
};

const ruleEdits = (old: readonly Rule[], neu: readonly Rule[], target: (n: string) => string): RuleEdit[] => {
  const a = old.map((r) => ruleKey(r, target));
  const b = neu.map((r) => ruleKey(r));
  const common = lcs(a, b);
  const keptA = new Set(common.map(([i]) => i));
  const keptB = new Set(common.map(([, j]) => j));
  const removed = a.flatMap((k, i) => (keptA.has(i) ? [] : [{ k, i }]));
  const added = b.flatMap((k, j) => (keptB.has(j) ? [] : [{ k, j }]));
  const edits: RuleEdit[] = [];
  for (const r of removed) {
    const at = added.findIndex((x) => x.k === r.k);
    if (at >= 0) {
      const [m] = added.splice(at, 1);
      edits.push({ op: "moved", index: r.i, to: m!.j, text: ruleText(old[r.i]!), rule: old[r.i]! });
    } else edits.push({ op: "removed", index: r.i, text: ruleText(old[r.i]!), rule: old[r.i]! });
  }
  for (const x of added) edits.push({ op: "added", index: x.j, text: ruleText(neu[x.j]!), rule: neu[x.j]! });
  return edits;
};

const signature = (rules: readonly Rule[]): string => rules.map((r) => ruleKey(r)).join("\n");

export const diffRulesets = (oldRs: Ruleset, newRs: Ruleset): RulesDiff => {
  const a = chainsOf(oldRs);
  const b = chainsOf(newRs);
  const gone = [...a.keys()].filter((k) => !b.has(k));
  const fresh = new Set([...b.keys()].filter((k) => !a.has(k)));
  // A chain that disappeared and one that appeared in the same table with the same rules: a rename.
  const renamed = new Map<string, string>();
  for (const g of gone) {
    const hit = [...fresh].find(
      (f) => split(f).table === split(g).table && signature(b.get(f)!) === signature(a.get(g)!),
    );
    if (hit !== undefined) {
      renamed.set(g, hit);
      fresh.delete(hit);
    }
  }
  const target = (table: string) => (name: string) => {
    const r = renamed.get(`${table} ${name}`);
    return r === undefined ? name : split(r).name;
  };
  const chains: ChainDiff[] = [];
  for (const [id, rules] of a) {
    const { table, name } = split(id);
    const to = renamed.get(id);
    if (to !== undefined) {
      chains.push({
        table,
        name: split(to).name,
        oldName: name,
        status: "renamed",
        rules: [],
        size: rules.length,
      });
      continue;
    }
    const now = b.get(id);
    if (now === undefined) {
      chains.push({ table, name, status: "removed", rules: [], size: rules.length });
      continue;
    }
    const edits = ruleEdits(rules, now, target(table));
    if (edits.length > 0) chains.push({ table, name, status: "changed", rules: edits, size: now.length });
  }
  for (const id of fresh) chains.push({ ...split(id), status: "added", rules: [], size: b.get(id)!.length });
  chains.sort((x, y) => compareStrings(x.table + x.name, y.table + y.name));
  return { version: newRs.version, chains, sets: diffSets(oldRs, newRs) };
};

const diffSets = (oldRs: Ruleset, newRs: Ruleset): SetDiff[] => {
  const a = new Map(oldRs.sets.map((s) => [s.name, new Set(s.members)]));
  const b = new Map(newRs.sets.map((s) => [s.name, new Set(s.members)]));
  const out: SetDiff[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(name);
    const y = b.get(name);
    const added = [...(y ?? [])].filter((m) => !(x?.has(m) ?? false)).sort();
    const removed = [...(x ?? [])].filter((m) => !(y?.has(m) ?? false)).sort();
    if (x === undefined) out.push({ name, status: "added", added, removed: [] });
    else if (y === undefined) out.push({ name, status: "removed", added: [], removed });
    else if (added.length + removed.length > 0) out.push({ name, status: "changed", added, removed });
  }
  return out;
};
