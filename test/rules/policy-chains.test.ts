// A policy chain of one IP version is made from the other version's when no rule of it names an IP version,
// nets or ICMP (rules/policy-chains.ts). Built in either order, the rulesets must be the ones built without
// a twin: two copies of the same generated cluster (distinct objects, so nothing is shared between them),
// one built IPv6 first, the other IPv4 first.

import test from "ava";
import { resolveNode } from "../../src/calc/resolve.js";
import { generateClusterModel } from "../../src/gen/index.js";
import { renderIptables } from "../../src/render/iptables/index.js";
import type { Rule, Ruleset } from "../../src/rules/ir.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";

const OPTIONS = { seed: 33, nodes: 24, policies: 120, profiles: 6 };

const policyRules = (rs: Ruleset): Rule[] =>
  rs.tables.flatMap((t) =>
    t.chains.filter((c) => /^cali-p(i|o|ri|ro)-/.test(c.name)).flatMap((c) => c.rules),
  );

/** How many rule objects of `a`'s policy and profile chains are also in `b`'s. */
const shared = (a: Ruleset, b: Ruleset): number => {
  const mine = new Set(policyRules(a));
  return policyRules(b).filter((r) => mine.has(r)).length;
};

test("policy chains made from the other IP version's equal those built directly, in either order", (t) => {
  const v6First = generateClusterModel(OPTIONS);
  const v4First = generateClusterModel(OPTIONS);
  const nodes = [...v6First.generated.gatewayNodes.slice(0, 1), ...v6First.generated.nodeNames.slice(0, 8)];
  let derived = 0;
  let versionBound = 0;
  for (const node of nodes) {
    const a = resolveNode(v6First.cluster, { node });
    const a6 = buildRuleset(a, { version: 6 });
    const a4 = buildRuleset(a, { version: 4 });
    const b = resolveNode(v4First.cluster, { node });
    const b4 = buildRuleset(b, { version: 4 });
    const b6 = buildRuleset(b, { version: 6 });
    // a6 and b4 were built with no twin; a4 and b6 from them where they could be.
    t.deepEqual(a4, b4, node);
    t.deepEqual(a6, b6, node);
    t.is(renderIptables(a4), renderIptables(b4), node);
    t.is(renderIptables(a6), renderIptables(b6), node);
    derived += shared(a6, a4) + shared(b4, b6);
    versionBound += policyRules(b6).length - shared(b4, b6);
  }
  // Both paths ran: rules taken from the twin, and rules of chains built for their version (nets, ICMP, sets).
  t.true(derived > 100, `${derived} rules taken from the other version`);
  t.true(versionBound > 100, `${versionBound} rules made for IPv6`);
});
