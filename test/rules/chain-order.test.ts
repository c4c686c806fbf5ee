// Chains found by name (src/rules/chain-order.ts): by binary search in the lists buildRuleset and its
// rebuilds mark sorted, by a pass in any other, with the same answers; and the rulesets calisim builds (or
// rebuilds after an order edit) carry the mark, so the fast path is the one taken.

import test from "ava";
import { rerenderPolicyChange } from "../../src/calc/incremental.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { generateClusterModel } from "../../src/gen/index.js";
import {
  chainNamed,
  chainsNamed,
  isMarkedSortedByName,
  markSortedByName,
} from "../../src/rules/chain-order.js";
import type { Chain } from "../../src/rules/ir.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";

const chain = (name: string): Chain => ({ kind: "chain", name, rules: [] });
const NAMES = ["cali-FORWARD", "cali-fh-eth0", "cali-pi-_a", "cali-pi-_b", "cali-th-eth0", "cali-tw-x"];

const lists = (): [string, readonly Chain[]][] => [
  ["marked sorted", markSortedByName(NAMES.map(chain))],
  ["unmarked, in another order", [...NAMES].reverse().map(chain)],
];

for (const [what, list] of lists()) {
  test(`chainNamed, ${what}: each chain by its name, and none for a name not there`, (t) => {
    for (const n of NAMES) t.is(chainNamed(list, n)?.name, n);
    for (const n of ["", "cali-A", "cali-pi-_", "cali-pi-_c", "cali-zz"])
      t.is(chainNamed(list, n), undefined, n);
  });

  test(`chainsNamed, ${what}: the list's chains with those names, in the list's order`, (t) => {
    for (const names of [
      [],
      ["cali-tw-x", "cali-FORWARD"],
      ["cali-pi-_b", "nothere", "cali-fh-eth0"],
      NAMES,
    ]) {
      const set = new Set(names);
      t.deepEqual(
        chainsNamed(list, set),
        list.filter((c) => set.has(c.name)),
        names.join(","),
      );
    }
  });
}

test("a copy of a marked list is not marked (it could be changed)", (t) => {
  const list = markSortedByName(NAMES.map(chain));
  t.true(isMarkedSortedByName(list));
  t.false(isMarkedSortedByName([...list]));
  t.false(isMarkedSortedByName(structuredClone(list)));
});

test("buildRuleset's tables, and an order edit's rebuilt ones, are marked sorted by name", (t) => {
  const { cluster, generated } = generateClusterModel({ seed: 5, nodes: 12, policies: 40, profiles: 3 });
  const model = resolveNode(cluster, { node: generated.gatewayNodes[0]! });
  const ruleset = buildRuleset(model, { version: 4 });
  const pruned = ruleset.tables.filter((x) => x.name !== "nat");
  for (const table of pruned) {
    t.true(isMarkedSortedByName(table.chains), table.name);
    const names = table.chains.map((c) => c.name);
    t.deepEqual(names, [...names].sort(), `${table.name} is sorted`);
  }
  const policy = model.endpoints.flatMap((e) => e.policies.selectedBy)[3]!;
  const r = rerenderPolicyChange({ model, ruleset }, { ...policy, spec: { ...policy.spec, order: 0.5 } });
  t.true(r.changes.length > 0, "the edit moved the policy");
  for (const table of r.ruleset.tables.filter((x) => x.name !== "nat")) {
    t.true(isMarkedSortedByName(table.chains), `${table.name} after the edit`);
    const names = table.chains.map((c) => c.name);
    t.deepEqual(names, [...names].sort(), `${table.name} is sorted after the edit`);
  }
});
