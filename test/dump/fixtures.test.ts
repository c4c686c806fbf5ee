// Real captured iptables-save -c output (test/fixtures/dumps/README.md): nft and legacy variants parse, carry
// their counters and Felix ids, and normalise to the same rules.

import { readFileSync } from "node:fs";
import test from "ava";
import { dumpToRuleset, parseIptablesSave, ruleMeaning } from "../../src/dump/index.js";
import type { Dump } from "../../src/dump/index.js";
import { renderIptables } from "../../src/render/iptables/index.js";
import { workedExampleRuleset } from "../render/worked-example-ir.js";

const load = (name: string): Dump => {
  const text = readFileSync(new URL(`../fixtures/dumps/${name}`, import.meta.url), "utf8");
  const r = parseIptablesSave(text);
  if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.error)}`);
  return r.value;
};

const nft = load("iptables-nft-save-c.txt");
const legacy = load("iptables-legacy-save-c.txt");
const v6 = load("ip6tables-legacy-save-c.txt");

/** "table/chain" → [id, meaning] per rule, tables and chains sorted (the variants order tables differently). */
const byChain = (d: Dump): [string, string[]][] =>
  d.tables
    .flatMap((t) =>
      t.chains.map(
        (c) =>
          [`${t.name}/${c.name}`, c.rules.map((r) => `${r.id ?? "-"} ${ruleMeaning(r.rule)}`)] as [
            string,
            string[],
          ],
      ),
    )
    .sort(([a], [b]) => (a < b ? -1 : 1));

test("nft and legacy dumps of the same rules normalise to the same chains and rules", (t) => {
  t.deepEqual(byChain(nft), byChain(legacy));
  t.deepEqual(
    nft.tables.map((x) => x.name),
    ["mangle", "raw", "filter", "nat"],
  );
  t.deepEqual(
    legacy.tables.map((x) => x.name),
    ["filter", "nat", "mangle", "raw"],
  );
});

test("counters: rules carry [packets, bytes]; legacy counts kernel-chain policies, nft prints 0", (t) => {
  const chain = (d: Dump, name: string) =>
    d.tables.find((x) => x.name === "filter")?.chains.find((c) => c.name === name);
  t.deepEqual(chain(nft, "INPUT")?.rules[0]?.counters, [18, 840]);
  t.deepEqual(chain(legacy, "INPUT")?.rules[0]?.counters, [18, 840]);
  // OUTPUT's packets fall through to the policy.
  t.deepEqual(chain(nft, "OUTPUT")?.counters, [0, 0]);
  t.deepEqual(chain(legacy, "OUTPUT")?.counters, [18, 840]);
  t.is(chain(legacy, "OUTPUT")?.policy, "ACCEPT");
});

test("every worked-example rule is found in the dump by its Felix id, with the same meaning", (t) => {
  const ours = parseIptablesSave(renderIptables(workedExampleRuleset));
  if (!ours.ok) return t.fail();
  for (const dump of [nft, legacy]) {
    const ids = new Map(
      dump.tables.flatMap((x) => x.chains.flatMap((c) => c.rules.map((r) => [`${x.name} ${r.id}`, r]))),
    );
    for (const table of ours.value.tables) {
      for (const chain of table.chains) {
        for (const r of chain.rules) {
          const found = ids.get(`${table.name} ${r.id}`);
          t.is(
            found === undefined ? undefined : ruleMeaning(found.rule),
            ruleMeaning(r.rule),
            `${table.name} ${chain.name} ${r.id}`,
          );
        }
      }
    }
  }
});

test("unknowns in the dumps are warned about, and nothing else", (t) => {
  const strip = (d: Dump) => d.warnings.map((w) => w.replace(/^line \d+: /, "")).sort();
  t.deepEqual(strip(nft), [
    "unknown match: -m ttl --ttl-eq 5 (assumed to match)",
    "unknown target: --jump TRACE",
  ]);
  t.deepEqual(strip(legacy), strip(nft));
  t.deepEqual(strip(v6), ["unknown target: --jump TRACE"]);
});

test("an ip6tables dump converts to an IPv6 ruleset", (t) => {
  const rs = dumpToRuleset(v6);
  t.is(rs.version, 6);
  t.true(rs.tables.some((x) => x.chains.some((c) => c.name === "cali-cases" && c.rules.length > 10)));
});
