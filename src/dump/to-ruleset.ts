// A parsed dump (plus `ipset save`) as an IR Ruleset, so the tracer can walk a live node's rules. Kernel chains
// become HookChains: Felix's inserted rules (the leading rules whose `cali:` ids chain from the kernel chain name),
// its appended rules (the trailing rules whose ids chain from `<chain>*appends*`, felix/iptables/table.go), other
// software's rules in between (`others`), and the chain policy.

import { appendsSeed, ruleIds } from "../render/iptables/index.js";
import type { HookChain, IpSet, IpVersion, Match, Ruleset, Table, Warning } from "../rules/ir.js";
import type { Dump, DumpChain, DumpIpSet, DumpRule, DumpTable } from "./types.js";
import { familyVersion } from "./types.js";

const HOOKS: ReadonlySet<string> = new Set<HookChain["name"]>([
  "PREROUTING",
  "INPUT",
  "FORWARD",
  "OUTPUT",
  "POSTROUTING",
]);

export interface DumpToRulesetOptions {
  /** IP version of the dump; default: 6 if any address, ICMPv6 match or set is IPv6, else 4. */
  readonly version?: IpVersion;
}

const isV6Match = (m: Match): boolean =>
  ((m.kind === "srcNet" || m.kind === "dstNet") && m.cidr.includes(":")) ||
  (m.kind === "icmp" && m.version === 6);

const inferVersion = (dump: Dump, sets: readonly DumpIpSet[]): IpVersion =>
  sets.some((s) => s.family === "inet6") ||
  dump.tables.some((t) => t.chains.some((c) => c.rules.some((r) => r.rule.matches.some(isV6Match))))
    ? 6
    : 4;

/** Kernel chain policies by "table/chain" (also in each HookChain's `policy`). */
export const chainPolicies = (dump: Dump): ReadonlyMap<string, "ACCEPT" | "DROP"> =>
  new Map(
    dump.tables.flatMap((t) =>
      t.chains.flatMap((c) => (c.policy === undefined ? [] : [[`${t.name}/${c.name}`, c.policy] as const])),
    ),
  );

/** Do these rules carry exactly the ids Felix would give them when hashed from `seed`? */
const idsChain = (seed: string, rules: readonly DumpRule[]): boolean => {
  if (rules.some((r) => r.id === undefined)) return false;
  const ids = ruleIds(
    seed,
    rules.map((r) => r.rule),
  );
  return rules.every((r, i) => r.id === ids[i]);
};

/** Split a kernel chain's rules into Felix's inserts, other software's rules, and Felix's appends. */
export const splitHookRules = (
  chain: string,
  rules: readonly DumpRule[],
): { inserted: DumpRule[]; others: DumpRule[]; appended: DumpRule[] } => {
  let k = 0;
  while (k < rules.length && idsChain(chain, rules.slice(0, k + 1))) k++;
  let j = k;
  while (j < rules.length && !idsChain(appendsSeed(chain), rules.slice(j))) j++;
  return { inserted: rules.slice(0, k), others: rules.slice(k, j), appended: rules.slice(j) };
};

const toHook = (c: DumpChain): HookChain => {
  const { inserted, others, appended } = splitHookRules(c.name, c.rules);
  const rule = (r: DumpRule) => r.rule;
  return {
    kind: "hook",
    name: c.name as HookChain["name"],
    inserted: inserted.map(rule),
    appended: appended.map(rule),
    ...(others.length === 0 ? {} : { others: others.map(rule) }),
    ...(c.policy === undefined ? {} : { policy: c.policy }),
  };
};

const isHook = (c: DumpChain): boolean => c.builtin && HOOKS.has(c.name);

const toTable = (t: DumpTable): Table => ({
  kind: "table",
  name: t.name,
  hooks: t.chains.filter(isHook).map(toHook),
  chains: t.chains
    .filter((c) => !isHook(c))
    .map((c) => ({ kind: "chain", name: c.name, rules: c.rules.map((r) => r.rule) })),
});

const toSet = (s: DumpIpSet, warnings: Warning[]): IpSet[] => {
  if (s.type !== "hash:net" && s.type !== "hash:ip,port") {
    warnings.push({
      code: "dump_set_type",
      message: `IP set ${s.name} has type ${s.type}, which is not modelled`,
    });
    return [];
  }
  // Felix names sets cali4/cali6 + "0" + id (felix/ipsets/ipset_defs.go); the id is cut to fit 31 characters.
  const id = /^cali[46]0/.test(s.name) ? s.name.slice(6) : s.name;
  return [
    {
      kind: "set",
      id,
      name: s.name,
      type: s.type,
      version: familyVersion(s.family),
      members: s.members,
      description: "from ipset save",
    },
  ];
};

/** A dump (and its IP sets) as a Ruleset; dump warnings become Warnings with code "dump". */
export const dumpToRuleset = (
  dump: Dump,
  sets: readonly DumpIpSet[] = [],
  opts: DumpToRulesetOptions = {},
): Ruleset => {
  const warnings: Warning[] = dump.warnings.map((message) => ({ code: "dump", message }));
  return {
    kind: "ruleset",
    version: opts.version ?? inferVersion(dump, sets),
    tables: dump.tables.map(toTable),
    sets: sets.flatMap((s) => toSet(s, warnings)),
    warnings,
  };
};
