// Which policies apply to an endpoint and in what order, per kind and direction: named states, each
// also checked on shuffled input (resolution must not depend on input order).

import test from "ava";
import { resolveNode } from "../../src/calc/resolve.js";
import { parseCalicoVersion } from "../../src/calc/versions.js";
import type { Cluster } from "../../src/resources/model.js";
import { cluster, gnp, hep, profile, ruleOf, tier } from "../helpers/model.js";

const names = (groups: readonly { tier: string; policies: readonly { metadata: { name: string } }[] }[]) =>
  groups.map((g) => `${g.tier}: ${g.policies.map((p) => p.metadata.name).join(",")}`);

const shuffled = (c: Cluster): Cluster => ({
  ...c,
  policies: [...c.policies].reverse(),
  tiers: [...c.tiers].reverse(),
  hostEndpoints: [...c.hostEndpoints].reverse(),
});

const STATE = cluster(
  hep("e0", { interfaceName: "eth0" }, { role: "web" }),
  hep("all", { interfaceName: "*" }, { role: "web" }),
  tier("security", 100),
  tier("late"),
  gnp("sec", { tier: "security", selector: "all()", ingress: [ruleOf({ action: "Pass" })] }),
  gnp("b-100", { order: 100, selector: 'role == "web"', ingress: [ruleOf()] }),
  gnp("a-100", { order: 100, selector: 'role == "web"', ingress: [ruleOf()], egress: [ruleOf()] }),
  gnp("no-order", { selector: "has(role)", ingress: [ruleOf()] }),
  gnp("late-one", { tier: "late", selector: "all()", ingress: [ruleOf()] }),
  gnp("pre", { selector: "all()", preDNAT: true, applyOnForward: true, ingress: [ruleOf()] }),
  gnp("untracked", { selector: "all()", doNotTrack: true, applyOnForward: true, ingress: [ruleOf()] }),
  gnp("aof", { order: 1, selector: "all()", applyOnForward: true, egress: [ruleOf()] }),
  gnp("other", { selector: 'role == "db"', ingress: [ruleOf()] }),
  profile("p1", { labelsToApply: { role: "db" } }),
);

for (const [label, c] of [
  ["as given", STATE],
  ["shuffled", shuffled(STATE)],
] as const) {
  test(`policy order: tiers by order (missing last), policies by order then name (${label})`, (t) => {
    const m = resolveNode(c, { node: "node-1" });
    const e0 = m.endpoints.find((e) => e.binding.endpoint.metadata.name === "e0")!;
    t.deepEqual(names(e0.policies.normal.ingress), [
      "security: sec",
      "default: a-100,b-100,no-order",
      "late: late-one",
    ]);
    t.deepEqual(names(e0.policies.normal.egress), ["default: aof,a-100"]);
    t.deepEqual(names(e0.policies.forward.egress), ["default: aof"]);
    t.deepEqual(names(e0.policies.preDnat), ["default: pre"]);
    t.deepEqual(names(e0.policies.untracked.ingress), ["default: untracked"]);
    t.true(e0.policies.preDnat.every((g) => g.defaultAction === "Pass"));
  });
}

test("untracked policy on a * endpoint is ignored with a warning naming policy and endpoint", (t) => {
  const m = resolveNode(STATE, { node: "node-1" });
  t.deepEqual(names(m.star!.policies.untracked.ingress), []);
  t.true(
    m.warnings.some(
      (w) =>
        w.code === "untracked_on_star_endpoint" &&
        w.resource === "GlobalNetworkPolicy/untracked" &&
        w.endpoint === "all",
    ),
  );
});

test("before v3.14 a * endpoint takes only pre-DNAT policy", (t) => {
  const m = resolveNode(STATE, { node: "node-1", calicoVersion: parseCalicoVersion("3.13")! });
  t.deepEqual(names(m.star!.policies.normal.ingress), []);
  t.deepEqual(names(m.star!.policies.preDnat), ["default: pre"]);
  t.true(m.warnings.some((w) => w.code === "normal_policy_on_star_before_3_14"));
});

test("labels inherited from profiles select policies; the endpoint's own labels win", (t) => {
  const c = cluster(
    hep("e0", { interfaceName: "eth0", profiles: ["p1"] }, { tier: "x" }),
    profile("p1", { labelsToApply: { role: "db", tier: "y" } }),
    gnp("db", { selector: 'role == "db" && tier == "x"', ingress: [ruleOf()] }),
  );
  const m = resolveNode(c, { node: "node-1" });
  t.deepEqual(names(m.endpoints[0]!.policies.normal.ingress), ["default: db"]);
});

test("a missing profile is a warning (Felix renders it deny-all)", (t) => {
  const c = cluster(hep("e0", { interfaceName: "eth0", profiles: ["ghost"] }));
  t.true(resolveNode(c, { node: "node-1" }).warnings.some((w) => w.code === "missing_profile"));
});
