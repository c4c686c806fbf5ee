// Kernel round trip: render → `ipset restore` + `iptables-restore --noflush` (as Felix runs it) in a throwaway
// namespace → `iptables-save` → parse, and compare by meaning with the parse of what we rendered. Runs for
// iptables-nft and iptables-legacy, IPv4 and IPv6.

import test from "ava";
import type { ExecutionContext } from "ava";
import { renderIpsets } from "../../src/render/ipset/index.js";
import { renderIptables } from "../../src/render/iptables/index.js";
import type {
  Action,
  Chain,
  IpSet,
  IpVersion,
  Match,
  Rule,
  Ruleset,
  Table,
  TableName,
} from "../../src/rules/ir.js";
import { loadAndCompare } from "../helpers/kernel-compare.js";
import { ACTION_CASES, CASE_SETS, MATCH_CASES } from "./fragment-cases.js";
import type { FragmentCase } from "./fragment-cases.js";
import { workedExampleRuleset } from "./worked-example-ir.js";

const set = (name: string, type: IpSet["type"], version: IpVersion, members: string[] = []): IpSet => ({
  kind: "set",
  id: name,
  name,
  type,
  version,
  members,
  description: "test",
});

/** Felix's static sets that the worked example's mangle rules refer to. */
const workedExample: Ruleset = {
  ...workedExampleRuleset,
  sets: [
    // Members moved into the documentation ranges: only those are ever loaded into a namespace.
    ...workedExampleRuleset.sets.map((s) => ({
      ...s,
      members: s.members.map((m) => m.replace(/^192\.168\.0\./, "192.0.2.")),
    })),
    set("cali40dscp-src-net", "hash:net", 4),
    set("cali40network-ip-pools", "hash:net", 4),
    set("cali40this-host", "hash:net", 4),
  ],
};

const applies = <T>(c: FragmentCase<T>, v: IpVersion, table: TableName): boolean =>
  (c.versions ?? [4, 6]).includes(v) && (c.table ?? "filter") === table;

/** Every case of the fragment table as a rule in `cali-cases` of its table, plus hook rules. */
const casesRuleset = (v: IpVersion): Ruleset => {
  const accept: Action = { kind: "accept" };
  const rule = (matches: readonly Match[], action: Action): Rule => ({
    kind: "rule",
    matches,
    action,
    comments: [],
  });
  const table = (name: TableName): Table => {
    const chains: Chain[] = [
      {
        kind: "chain",
        name: "cali-cases",
        rules: [
          ...MATCH_CASES.filter((c) => applies(c, v, name)).map((c) =>
            rule([...(c.prefix ?? []), c.ir], accept),
          ),
          ...ACTION_CASES.filter((c) => applies(c, v, name)).map((c) => rule(c.prefix ?? [], c.ir)),
        ],
      },
      ...(name === "filter" ? [{ kind: "chain" as const, name: "cali-target", rules: [] }] : []),
    ];
    const hooks =
      name === "filter"
        ? [
            {
              kind: "hook" as const,
              name: "INPUT" as const,
              inserted: [
                rule([], { kind: "jump", target: "cali-target" }),
                rule([], { kind: "jump", target: "cali-cases" }),
              ],
              appended: [rule([], { kind: "setMark", value: 0x10000, mask: 0x10000 })],
            },
          ]
        : [];
    return { kind: "table", name, chains, hooks };
  };
  return {
    kind: "ruleset",
    version: v,
    tables: (["raw", "nat", "filter"] as const).map(table),
    sets: [
      set(CASE_SETS[v].net, "hash:net", v, v === 4 ? ["198.51.100.0/24"] : ["2001:db8::/32"]),
      set(CASE_SETS[v].ipPort, "hash:ip,port", v, v === 4 ? ["198.51.100.1,tcp:80"] : ["2001:db8::1,tcp:80"]),
    ],
    warnings: [],
  };
};

const roundTrip = (t: ExecutionContext, ruleset: Ruleset, backend: "nft" | "legacy"): Promise<void> =>
  loadAndCompare(t, {
    version: ruleset.version,
    backend,
    iptablesText: renderIptables(ruleset),
    ipsetText: renderIpsets(ruleset),
    restoreArgs: ["--noflush"],
  });

for (const backend of ["nft", "legacy"] as const) {
  test(`kernel round trip: worked example, IPv4, iptables-${backend}`, (t) =>
    roundTrip(t, workedExample, backend));
  for (const v of [4, 6] as const) {
    test(`kernel round trip: fragment cases, IPv${v}, ${v === 4 ? "iptables" : "ip6tables"}-${backend}`, (t) =>
      roundTrip(t, casesRuleset(v), backend));
  }
}
