// Hand-built rulesets and ruleset edits for tracer tests.

import { action, match, rule } from "../../src/rules/build.js";
import type {
  Chain,
  HookChain,
  IpSet,
  IpVersion,
  Origin,
  Rule,
  Ruleset,
  Table,
  TableName,
} from "../../src/rules/ir.js";

export const chain = (name: string, rules: Rule[]): Chain => ({ kind: "chain", name, rules });

/** The provenance of a rule of global policy `name` (tier default, ingress), rule `ruleIndex` if given. */
export const policyOrigin = (name: string, ruleIndex?: number): Origin => ({
  kind: "policy",
  policyKind: "GlobalNetworkPolicy",
  name,
  tier: "default",
  direction: "ingress",
  ...(ruleIndex === undefined ? {} : { ruleIndex }),
});

export const hook = (name: HookChain["name"], rules: Rule[], more: Partial<HookChain> = {}): HookChain => ({
  kind: "hook",
  name,
  inserted: rules,
  appended: [],
  ...more,
});

export const table = (name: TableName, hooks: HookChain[], chains: Chain[] = []): Table => ({
  kind: "table",
  name,
  hooks,
  chains,
});

export const ruleset = (tables: Table[], sets: IpSet[] = [], version: IpVersion = 4): Ruleset => ({
  kind: "ruleset",
  version,
  tables,
  sets,
  warnings: [],
});

/**
 * Adds a workload on `iface` whose egress policy allows everything, as Felix would render a workload endpoint
 * with an allow-all profile: `cali-from-wl-dispatch` sends `-i <iface>` to `cali-fw-<iface>`, which sets the
 * accept mark and returns (calisim models no workload endpoints, so its dispatch chain only drops).
 */
export const withWorkload =
  (iface: string) =>
  (rs: Ruleset): Ruleset => ({
    ...rs,
    tables: rs.tables.map((t) =>
      t.name !== "filter"
        ? t
        : {
            ...t,
            chains: [
              ...t.chains.map((c) =>
                c.name === "cali-from-wl-dispatch"
                  ? {
                      ...c,
                      rules: [rule([match.inIface(iface)], action.goto(`cali-fw-${iface}`)), ...c.rules],
                    }
                  : c,
              ),
              chain(`cali-fw-${iface}`, [rule([], action.setMark(0x10000)), rule([], action.return)]),
            ],
          },
    ),
  });
