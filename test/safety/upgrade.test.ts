// Calico's v3.14 host endpoint upgrade guide, end to end on fixtures/upgrade ("*" endpoints that relied on
// the old default allow): 3.13 allows, 3.29 drops, the migration is written, and with it applied (labels
// edited into the files, allow-all-upgrade loaded) 3.29 allows again and no flow changes.

import test from "ava";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { resolveNode } from "../../src/calc/resolve.js";
import { loadCluster } from "../../src/resources/index.js";
import type { Cluster, GlobalNetworkPolicy } from "../../src/resources/model.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { regionHolds } from "../../src/safety/flowspace/index.js";
import { labelFileText } from "../../src/safety/label/edit.js";
import { applyLabelPatches, parseLabelPatch } from "../../src/safety/upgrade/apply.js";
import { affectedStar, upgradeByNode, upgradeCheck, upgradeFrame } from "../../src/safety/upgrade/check.js";
import {
  upgradeHeadLines,
  upgradeJson,
  upgradeJsonWriter,
  upgradeNodeLines,
  upgradeResultLines,
  upgradeText,
} from "../../src/safety/upgrade/format.js";
import type { StarEndpoint } from "../../src/safety/upgrade/star-endpoints.js";
import {
  migrationFiles,
  migrationPolicy,
  POLICY_FILE,
  UPGRADE_LABEL,
} from "../../src/safety/upgrade/migration.js";
import { trace, type Packet } from "../../src/trace/index.js";
import { gnp, hep, ruleOf, tier, cluster as clusterOf } from "../helpers/model.js";

const FIXTURE = "fixtures/upgrade";
const V13 = { major: 3, minor: 13 };
const V29 = { major: 3, minor: 29 };

// A web request to node-a from the internet, on whatever interface it arrives (the "*" endpoint's).
const web: Packet = {
  in: "ens3",
  src: "203.0.113.5",
  dst: "192.0.2.11",
  proto: 6,
  sport: 40000,
  dport: 8080,
  state: "new",
};

const load = async (...paths: string[]): Promise<Cluster> => {
  const { cluster, issues } = await loadCluster(paths);
  if (issues.some((i) => i.severity === "error")) throw new Error(issues.map((i) => i.message).join("\n"));
  return cluster;
};

const verdict = (c: Cluster, node: string, v: { major: number; minor: number }, p: Packet) =>
  trace(buildRuleset(resolveNode(c, { node, calicoVersion: v }), { version: 4 }), p);

test('before the upgrade (3.13) the "*" endpoint allows; after it (3.29) it drops', async (t) => {
  const c = await load(FIXTURE);
  t.is(verdict(c, "node-a", V13, web).verdict, "accept");
  const after = verdict(c, "node-a", V29, web);
  t.is(after.verdict, "drop");
  t.is(after.decidedBy.kind, "default-drop");
  t.is(after.decidedBy.endpoint, "node-a-all");
});

test("upgrade-check: the changed flows of each node, failsafe ports unaffected", async (t) => {
  const c = await load(FIXTURE);
  const r = upgradeCheck(c, { from: V13, to: V29 });
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(
    r.value.stars.map((s) => [s.name, s.takesNormalPolicy]),
    [
      ["node-a-all", true],
      ["node-b-all", true],
    ],
  );
  t.deepEqual(
    r.value.affected.map((s) => s.name),
    ["node-a-all", "node-b-all"],
  );
  const byNode = new Map(r.value.nodes.map((n) => [n.node, n]));
  t.true(byNode.get("node-a")!.drops);
  t.is(byNode.get("node-c")!.changedRegions, 0);
  const a = byNode.get("node-a")!.comparison;
  const changed = a.families.flatMap((f) => f.changed);
  const point = (dport: number, src: bigint) => ({
    v: 4 as const,
    values: { proto: 6n, src, dst: 0xc000020bn, sport: 40000n, dport: BigInt(dport) },
    in: a.universe.other,
    out: "",
  });
  const internet = 0xcb007105n; // 203.0.113.5
  // 8080 from the internet: allow → drop; SSH (a failsafe port) is not in any changed region.
  t.true(changed.some((x) => regionHolds(x, point(8080, internet)) && x.outcomes[1]!.verdict === "drop"));
  t.false(changed.some((x) => regionHolds(x, point(22, internet))));
  const kept = a.families.flatMap((f) => f.failsafeOnly);
  t.true(kept.some((x) => regionHolds(x, point(22, internet))));
  // Pre-DNAT policy applies in both versions: NodePorts from outside the LAN were and stay dropped.
  t.false(changed.some((x) => regionHolds(x, point(30080, internet))));
});

test('upgrade-check of some nodes lists only their "*" endpoints and counts the others', async (t) => {
  const c = await load(FIXTURE);
  const r = upgradeCheck(c, { from: V13, to: V29, nodes: ["node-a"] });
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(
    r.value.stars.map((s) => s.name),
    ["node-a-all"],
  );
  t.is(r.value.starsElsewhere, 1);
  t.deepEqual(
    r.value.nodes.map((n) => n.node),
    ["node-a"],
  );
  t.deepEqual(
    r.value.affected.map((s) => s.name),
    ["node-a-all"],
  );
  // node-c has no "*" endpoint: nothing is listed for it, and node-a's and node-b's are elsewhere.
  const c2 = upgradeCheck(c, { from: V13, to: V29, nodes: ["node-c"] });
  if (!c2.ok) return t.fail(c2.error);
  t.deepEqual(c2.value.stars, []);
  t.is(c2.value.starsElsewhere, 2);
  // Every node checked: every "*" endpoint is listed, none elsewhere.
  const all = upgradeCheck(c, { from: V13, to: V29 });
  if (!all.ok) return t.fail(all.error);
  t.is(all.value.starsElsewhere, 0);
  t.is(all.value.stars.length, 2);
});

test("upgrade-check node by node: the parts of its reports, written as each node is checked, are the whole reports", async (t) => {
  const c = await load(FIXTURE);
  // Every node (some with flows dropped), one node, and none: each part of the frame, nodes and result.
  for (const nodes of [undefined, ["node-b"], ["node-c"], []]) {
    const opts = { from: V13, to: V29, ...(nodes === undefined ? {} : { nodes }) };
    const whole = upgradeCheck(c, opts);
    if (!whole.ok) return t.fail(whole.error);
    const frame = upgradeFrame(c, opts);
    const json = upgradeJsonWriter(frame);
    let jsonText = json.start();
    const lines = [...upgradeHeadLines(frame)];
    const affected: StarEndpoint[] = [];
    const dropping: string[] = [];
    const checked: string[] = [];
    for (const r of upgradeByNode(c, opts, frame)) {
      if (!r.ok) return t.fail(r.error);
      checked.push(r.value.node);
      const star = affectedStar(r.value);
      if (star !== undefined) affected.push(star);
      if (r.value.drops) dropping.push(r.value.node);
      jsonText += json.next(r.value);
      lines.push(...upgradeNodeLines(r.value));
    }
    jsonText += json.end(affected);
    lines.push(...upgradeResultLines(dropping));
    const label = JSON.stringify(nodes);
    t.deepEqual(
      checked,
      whole.value.nodes.map((n) => n.node),
      label,
    );
    t.deepEqual(affected, whole.value.affected, label);
    t.is(jsonText, JSON.stringify(upgradeJson(whole.value), null, 2), label);
    t.is(lines.join("\n"), upgradeText(whole.value), label);
  }
});

test("upgrade-check: onNode is told of each node before it is checked, then once when all are; onTrace of each packet traced", async (t) => {
  const c = await load(FIXTURE);
  const calls: [number, number, string?][] = [];
  let traced = 0;
  const r = upgradeCheck(c, {
    from: V13,
    to: V29,
    nodes: ["node-b", "node-c"],
    onNode: (...a) => calls.push(a),
    onTrace: () => void traced++,
  });
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(calls, [
    [0, 2, "node-b"],
    [1, 2, "node-c"],
    [2, 2],
  ]);
  // Every trace the comparisons count, the failsafe counterfactual's included.
  const reported = r.value.nodes.flatMap((n) => n.comparison.families).reduce((k, f) => k + f.traces, 0);
  t.true(reported > 0);
  t.is(traced, reported);
});

test("the migration: label patches, a calicoctl label script and allow-all-upgrade (Log + Allow, first)", async (t) => {
  const c = await load(FIXTURE);
  const r = upgradeCheck(c, { from: V13, to: V29 });
  if (!r.ok) return t.fail(r.error);
  const files = new Map(migrationFiles(c, r.value).map((f) => [f.path, f.content]));
  t.deepEqual([...files.keys()].sort(), [
    "README.md",
    POLICY_FILE,
    "label-hostendpoints.sh",
    "label-patches/node-a-all.yaml",
    "label-patches/node-b-all.yaml",
  ]);
  const policy = parse(files.get(POLICY_FILE)!) as {
    metadata: { name: string };
    spec: Record<string, unknown>;
  };
  t.is(policy.metadata.name, "allow-all-upgrade");
  t.like(policy.spec, {
    order: 0,
    selector: `has(${UPGRADE_LABEL})`,
    types: ["Ingress", "Egress"],
    ingress: [{ action: "Log" }, { action: "Allow" }],
    egress: [{ action: "Log" }, { action: "Allow" }],
  });
  t.regex(
    files.get("label-hostendpoints.sh")!,
    /^calicoctl label hostendpoint node-a-all host-endpoint-upgrade=$/m,
  );
  t.deepEqual(parse(files.get("label-patches/node-b-all.yaml")!), {
    metadata: { name: "node-b-all", labels: { [UPGRADE_LABEL]: "" } },
  });
});

test("with the migration applied to the files, 3.29 allows again and no flow changes", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "calisim-upgrade-"));
  try {
    const src = await load(FIXTURE);
    const r = upgradeCheck(src, { from: V13, to: V29 });
    if (!r.ok) return t.fail(r.error);
    await cp(FIXTURE, join(dir, "cluster"), { recursive: true });
    for (const f of migrationFiles(src, r.value))
      if (f.path === POLICY_FILE) await writeFile(join(dir, f.path), f.content);
    // The runbook's label step, done on the files with `calisim label`'s editor.
    for (const ep of r.value.affected) {
      const file = join(dir, "cluster", relative(resolve(FIXTURE), resolve(ep.source.file)));
      const e = labelFileText(file, await readFile(file, "utf8"), {
        kind: "HostEndpoint",
        name: ep.name,
        label: { key: UPGRADE_LABEL, value: "" },
        overwrite: false,
      });
      if (!e.ok) return t.fail(e.error);
      t.is(e.value.change, "added");
      await writeFile(file, e.value.text);
    }
    const migrated = await load(join(dir, "cluster"), join(dir, POLICY_FILE));
    const again = upgradeCheck(migrated, { from: V13, to: V29 });
    if (!again.ok) return t.fail(again.error);
    t.deepEqual(
      again.value.nodes.map((n) => [n.node, n.changedRegions]),
      [
        ["node-a", 0],
        ["node-b", 0],
        ["node-c", 0],
      ],
    );
    const after = verdict(migrated, "node-a", V29, web);
    t.is(after.verdict, "accept");
    t.is(after.decidedBy.name, "allow-all-upgrade");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("--apply-migration's in-memory label patches give the same result", async (t) => {
  const c = await load(FIXTURE);
  const r = upgradeCheck(c, { from: V13, to: V29 });
  if (!r.ok) return t.fail(r.error);
  const files = migrationFiles(c, r.value);
  const patches = files
    .filter((f) => f.path.startsWith("label-patches/"))
    .map((f) => parseLabelPatch(f.path, f.content));
  const dir = await mkdtemp(join(tmpdir(), "calisim-upgrade-"));
  try {
    await writeFile(join(dir, POLICY_FILE), files.find((f) => f.path === POLICY_FILE)!.content);
    const withPolicy = await load(FIXTURE, join(dir, POLICY_FILE));
    const ok = patches.flatMap((p) => (p.ok ? [p.value] : []));
    t.is(ok.length, patches.length);
    const applied = applyLabelPatches(withPolicy, ok);
    if (!applied.ok) return t.fail(applied.error);
    const again = upgradeCheck(applied.value, { from: V13, to: V29 });
    t.true(again.ok && again.value.nodes.every((n) => n.changedRegions === 0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the policy goes first in the earliest tier that has policy for the endpoints", (t) => {
  const c = clusterOf(
    hep("h-all", { node: "h", interfaceName: "*" }, { role: "x" }),
    tier("security", 100),
    gnp("security.block", {
      tier: "security",
      order: 0,
      selector: "all()",
      ingress: [ruleOf({ action: "Deny", source: { nets: ["203.0.113.66/32"] } })],
    }),
    gnp("later", {
      order: 5,
      selector: "has(role)",
      applyOnForward: true,
      ingress: [ruleOf({ action: "Allow" })],
    }),
  );
  const r = upgradeCheck(c, { from: V13, to: V29 });
  if (!r.ok) return t.fail(r.error);
  const p = migrationPolicy(c, r.value.affected);
  t.like(p, { name: "security.allow-all-upgrade", tier: "security", order: -1, applyOnForward: true });
  // Applied: nothing changes (the blocklist deny did not apply under 3.13 either).
  const migrated = clusterOf(
    ...c.hostEndpoints.map((e) => ({
      ...e,
      metadata: { ...e.metadata, labels: { ...e.metadata.labels, [UPGRADE_LABEL]: "" } },
    })),
    ...c.tiers,
    ...c.policies.filter((x): x is GlobalNetworkPolicy => x.kind === "GlobalNetworkPolicy"),
    gnp(p.name, {
      tier: p.tier,
      order: p.order,
      selector: `has(${UPGRADE_LABEL})`,
      applyOnForward: p.applyOnForward,
      types: ["Ingress", "Egress"],
      ingress: [ruleOf({ action: "Log" }), ruleOf({ action: "Allow" })],
      egress: [ruleOf({ action: "Log" }), ruleOf({ action: "Allow" })],
    }),
  );
  const again = upgradeCheck(migrated, { from: V13, to: V29 });
  t.true(again.ok && again.value.nodes.every((n) => n.changedRegions === 0));
});
