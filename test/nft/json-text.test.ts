// Two ways to nft JSON text: formatNftJson(renderNftJson(…)), the document stringified command by command, and
// renderNftJsonText (render/nftables/render.ts), which writes each chain's `add rule` commands from its statements'
// cached JSON without making the document. Both must be exactly what JSON.stringify gives for the document's
// commands: on every golden case, on generated nodes (a gateway and typical nodes, both IP versions), whose
// rules share match and action objects (rules/build.ts) and hence statements, and with rules that have no comment.

import test from "ava";
import { resolveNode } from "../../src/calc/resolve.js";
import { generateClusterModel } from "../../src/gen/index.js";
import { formatNftJson, renderNftJson, renderNftJsonText } from "../../src/render/nftables/index.js";
import type { NftDocument } from "../../src/render/nftables/index.js";
import type { Ruleset } from "../../src/rules/ir.js";
import { action, match, rule } from "../../src/rules/build.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { nftGoldens } from "./helpers.js";

/** The document as formatNftJson lays it out, each command stringified whole. */
const stringified = (doc: NftDocument): string =>
  `{"nftables": [\n${doc.nftables.map((c) => JSON.stringify(c)).join(",\n")}\n]}\n`;

const ruleCommands = (doc: NftDocument): number =>
  doc.nftables.filter((c) => "add" in c && "rule" in c.add).length;

const check = (
  t: { is: (a: unknown, b: unknown, m?: string) => void },
  rs: Ruleset,
  name: string,
): number => {
  // The text first, so that its caches are cold.
  const text = renderNftJsonText(rs);
  const doc = renderNftJson(rs);
  t.is(text, stringified(doc), `${name}: renderNftJsonText`);
  t.is(formatNftJson(doc), stringified(doc), `${name}: formatNftJson`);
  // Again, from the cached texts and commands.
  t.is(renderNftJsonText(rs), stringified(doc), `${name}: renderNftJsonText, rendered again`);
  t.is(formatNftJson(renderNftJson(rs)), stringified(doc), `${name}: formatNftJson, rendered again`);
  return ruleCommands(doc);
};

test("nft JSON text equals JSON.stringify of each command: golden cases", async (t) => {
  let rules = 0;
  for (const g of await nftGoldens()) rules += check(t, g.ruleset, g.name);
  t.true(rules > 100, `${rules} rule commands`);
});

test("nft JSON text equals JSON.stringify of each command: generated gateway and typical nodes", (t) => {
  const { cluster, generated } = generateClusterModel({ seed: 5, nodes: 30, policies: 150, profiles: 8 });
  const nodes = [...generated.gatewayNodes, ...generated.nodeNames.slice(0, 6)];
  let rules = 0;
  for (const node of nodes) {
    const model = resolveNode(cluster, { node });
    for (const version of [4, 6] as const)
      rules += check(t, buildRuleset(model, { version }), `${node} v${version}`);
  }
  t.true(rules > 1000, `${rules} rule commands`);
});

test("nft JSON text equals JSON.stringify of each command: other software's rules in a base chain (no comment)", async (t) => {
  const g = (await nftGoldens()).find((x) => x.ruleset.tables.some((tb) => tb.hooks.length > 0));
  if (g === undefined) return t.fail("no golden case with hooks");
  const other = rule([match.protocol(17), match.dstPorts([{ from: 53, to: 53 }])], action.accept);
  const ruleset: Ruleset = {
    ...g.ruleset,
    tables: g.ruleset.tables.map((tb) => ({
      ...tb,
      hooks: tb.hooks.map((h) => ({
        ...h,
        others: [other, rule([], action.drop, { comments: ["theirs"] })],
      })),
    })),
  };
  const doc = renderNftJson(ruleset);
  const bare = doc.nftables.filter((c) => "add" in c && "rule" in c.add && c.add.rule.comment === undefined);
  t.true(bare.length > 0, "some rule commands have no comment");
  check(t, ruleset, `${g.name} with other software's rules`);
});
