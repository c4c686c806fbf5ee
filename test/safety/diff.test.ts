// `calisim diff`: rules compared by meaning (chain order in the text, match order within a rule, protocol
// names and CIDR spelling do not matter; renamed chains are recognised), and the exact flows whose verdict
// changes, each with its deciding rule before and after.

import test from "ava";
import { resolveNode } from "../../src/calc/resolve.js";
import { loadCluster } from "../../src/resources/index.js";
import type { Cluster, GlobalNetworkPolicy, PortSpec } from "../../src/resources/model.js";
import { renderIptables } from "../../src/render/iptables/index.js";
import type { Match, Rule, Ruleset } from "../../src/rules/ir.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { diffDrops, diffNode, diffRulesets } from "../../src/safety/diff/index.js";
import { diffJson, diffJsonWriter, diffNodeLines, diffText } from "../../src/safety/diff/format.js";
import { compareRulesets, ifaceUniverse, regionText } from "../../src/safety/flowspace/index.js";
import { regionJson } from "../../src/safety/report.js";

const example = async (): Promise<Cluster> => (await loadCluster(["fixtures/example-cluster"])).cluster;
const rulesetOf = (c: Cluster, node: string, minor = 34): Ruleset =>
  buildRuleset(resolveNode(c, { node, calicoVersion: { major: 3, minor } }), { version: 4 });

/** The same rules written differently: chains in reverse order, matches reversed, numeric protocols, /32s. */
const rewritten = (rs: Ruleset): Ruleset => {
  const respell = (m: Match): Match =>
    m.kind === "protocol"
      ? { kind: "protocol", protocol: m.protocol, negated: m.negated }
      : (m.kind === "srcNet" || m.kind === "dstNet") && !m.cidr.includes("/")
        ? { ...m, cidr: `${m.cidr}/32` }
        : m;
  const rule = (r: Rule): Rule => ({ ...r, matches: [...r.matches].reverse().map(respell), comments: [] });
  return {
    ...rs,
    tables: [...rs.tables].reverse().map((t) => ({
      ...t,
      chains: [...t.chains].reverse().map((c) => ({ ...c, rules: c.rules.map(rule) })),
      hooks: t.hooks.map((h) => ({ ...h, inserted: h.inserted.map(rule), appended: h.appended.map(rule) })),
    })),
    sets: [...rs.sets].reverse().map((s) => ({ ...s, members: [...s.members].reverse() })),
  };
};

test("diff by meaning ignores chain order, match order and spelling in the text", async (t) => {
  const rs = rulesetOf(await example(), "node-1");
  const other = rewritten(rs);
  t.not(renderIptables(other), renderIptables(rs));
  const d = diffRulesets(rs, other);
  t.deepEqual(d.chains, []);
  t.deepEqual(d.sets, []);
  const c = compareRulesets(rs, other, ifaceUniverse([rs, other], ["eth0", "eth1"]));
  t.true(c.ok && c.value.changed.length === 0);
});

test("a rule that changed place is moved; a changed rule is removed + added; new chains are added", async (t) => {
  const rs = rulesetOf(await example(), "node-1");
  const filter = rs.tables.find((x) => x.name === "filter")!;
  const name = "cali-failsafe-in";
  const swapped = {
    ...rs,
    tables: rs.tables.map((x) =>
      x !== filter
        ? x
        : {
            ...x,
            chains: [
              ...x.chains.map((c) =>
                c.name === name ? { ...c, rules: [c.rules[1]!, c.rules[0]!, ...c.rules.slice(2, -1)] } : c,
              ),
              { kind: "chain" as const, name: "cali-new", rules: [] },
            ],
          },
    ),
  };
  const d = diffRulesets(rs, swapped);
  const failsafe = d.chains.find((c) => c.name === name)!;
  t.is(failsafe.status, "changed");
  t.deepEqual(
    failsafe.rules.map((e) => e.op),
    ["moved", "removed"],
  );
  t.true(d.chains.some((c) => c.name === "cali-new" && c.status === "added"));
});

test("policy chains renamed between Felix versions (3.31 → 3.32) are renamed, not removed and added", async (t) => {
  const c = await example();
  const d = diffRulesets(rulesetOf(c, "node-1", 31), rulesetOf(c, "node-1", 32));
  t.true(d.chains.length > 0);
  t.true(
    d.chains.every((x) => x.status === "renamed"),
    JSON.stringify(d.chains.map((x) => [x.status, x.name])),
  );
  t.true(
    d.chains.some((x) => x.oldName === "cali-pi-default/allow-web" && x.name === "cali-pi-gnp/allow-web"),
  );
});

test("diff: a changed port shows the changed rule and exactly the flows that change, with both deciding rules", async (t) => {
  const old = await example();
  const port443 = (p: PortSpec) => p.kind === "range" && p.from === 443;
  const neu: Cluster = {
    ...old,
    policies: old.policies.map((p) =>
      p.metadata.name !== "allow-web"
        ? p
        : ({
            ...p,
            spec: {
              ...p.spec,
              ingress: p.spec.ingress.map((r, i) =>
                i !== 0
                  ? r
                  : {
                      ...r,
                      destination: {
                        ...r.destination,
                        ports: r.destination.ports.map((x) =>
                          port443(x) ? { kind: "range", from: 8443, to: 8443 } : x,
                        ),
                      },
                    },
              ),
            },
          } as GlobalNetworkPolicy),
    ),
  };
  const d = diffNode("node-1", { cluster: old }, { cluster: neu }, { rules: true, flows: true });
  if (!d.ok) return t.fail(d.error);
  const v4 = d.value.rules![0]!;
  t.deepEqual(
    v4.chains.map((c) => [c.name, c.status, c.rules.map((e) => `${e.op} ${e.text}`)]),
    [
      [
        "cali-pi-gnp/allow-web",
        "changed",
        [
          "removed -p tcp -m multiport --dports 443 -j MARK --set-mark 0x80000/0x80000",
          "added -p tcp -m multiport --dports 8443 -j MARK --set-mark 0x80000/0x80000",
        ],
      ],
    ],
  );
  const f = d.value.flows!;
  const v4flows = f.families.find((x) => x.v === 4)!.changed;
  const texts = v4flows
    .map(
      (r) =>
        `${regionText(r, f.universe)}: ${r.outcomes.map((o) => `${o.verdict}/${o.decidedBy.kind}`).join(" → ")}`,
    )
    .sort();
  t.deepEqual(texts, [
    "IPv4 ingress on eth0, tcp dst ports 443, from anywhere except 192.0.2.10/32, 192.0.2.20/32, 203.0.113.66/32: accept/policy → drop/default-drop",
    "IPv4 ingress on eth0, tcp dst ports 8443, from anywhere except 192.0.2.10/32, 192.0.2.20/32, 203.0.113.66/32: drop/default-drop → accept/policy",
  ]);
  t.is(v4flows[0]!.outcomes.find((o) => o.decidedBy.kind === "policy")!.decidedBy.name, "allow-web");
  // JSON says "anywhere except" as the text does: the complement's 3 CIDRs, not the 30-odd of the rest.
  // Written node by node (as the CLI does), the reports are the whole ones: a node that changes and one
  // that does not, with both parts, and with none.
  const other = diffNode("node-2", { cluster: old }, { cluster: old }, { rules: true, flows: true });
  if (!other.ok) return t.fail(other.error);
  for (const ds of [[d.value, other.value], [other.value], []]) {
    const json = diffJsonWriter();
    t.is(ds.map(json.next).join("") + json.end(), JSON.stringify(diffJson(ds), null, 2));
    t.is(ds.flatMap(diffNodeLines).join("\n"), diffText(ds));
  }
  t.true(diffDrops(d.value), "443 goes from allow to drop");
  t.false(diffDrops(other.value), "nothing changes");
  t.deepEqual(
    v4flows
      .map((r) => regionJson(r, f.universe))
      .map((j) => [j.dstPorts, j.src, j.dst])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    [
      [["443"], { except: ["192.0.2.10/32", "192.0.2.20/32", "203.0.113.66/32"] }, "any"],
      [["8443"], { except: ["192.0.2.10/32", "192.0.2.20/32", "203.0.113.66/32"] }, "any"],
    ],
  );
});
