// The worked example of our Felix reference (§14): resources → IR → iptables-restore text must equal
// Felix's output byte for byte, including every cali:<hash> rule id.

import test from "ava";
import { readFileSync } from "node:fs";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { renderIptables } from "../../src/render/iptables/index.js";
import { workedExample } from "../helpers/model.js";

const golden = (table: string): string =>
  readFileSync(new URL(`../golden/worked-example/${table}.txt`, import.meta.url), "utf8");

const rendered = renderIptables(
  buildRuleset(resolveNode(workedExample(), { node: "myhost" }), { version: 4 }),
);

for (const table of ["filter", "mangle", "raw"] as const) {
  test(`worked example: ${table} table matches Felix byte for byte`, (t) => {
    const block = rendered.slice(rendered.indexOf(`*${table}\n`));
    t.is(block.slice(0, block.indexOf("COMMIT\n") + 7), golden(table));
  });
}

test("worked example: named-port sets hold expectedIPs x port", (t) => {
  const rs = buildRuleset(resolveNode(workedExample(), { node: "myhost" }), { version: 4 });
  const byName = Object.fromEntries(rs.sets.map((s) => [s.name, s]));
  t.deepEqual(byName["cali40n:bjzl4ZbIS1uQZ-m8QAkhulm"]?.members, [
    "192.168.0.1,tcp:1234",
    "192.168.0.2,tcp:1234",
  ]);
  t.deepEqual(byName["cali40n:lxtGhQjjYldqBMrkdGoKALa"]?.members, [
    "192.168.0.1,udp:5432",
    "192.168.0.2,udp:5432",
  ]);
  t.deepEqual(byName["cali40s:lJVGDaqTNzSq4oOWKtH8pYj"]?.members, []);
  t.is(byName["cali40s:lJVGDaqTNzSq4oOWKtH8pYj"]?.type, "hash:net");
});
