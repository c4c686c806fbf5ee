// Scenario (d): Calico's v3.14 host endpoint upgrade runbook, node by node. Two nodes with user-made "*"
// endpoints and no profile: allowed under 3.13 semantics, dropped once a node runs 3.14, allowed again
// with the runbook's allow-all-upgrade policy and host-endpoint-upgrade labels, whichever version each
// node runs.

import test from "ava";
import { ContainerCluster } from "../../src/containers/index.js";
import type { CalicoVersion } from "../../src/calc/versions.js";
import type { Cluster } from "../../src/resources/model.js";
import { docker, loadFixture, probe, requireDocker } from "./helpers.js";

const V3_13: CalicoVersion = { major: 3, minor: 13 };
const V3_14: CalicoVersion = { major: 3, minor: 14 };

let cc: ContainerCluster | undefined;
let before: Cluster;
let runbook: Cluster;

test.before(async () => {
  before = await loadFixture("upgrade-3-14/before");
  runbook = await loadFixture("upgrade-3-14/after-runbook");
  if (!(await docker()).ok) return;
  cc = await ContainerCluster.start({ nodes: ["node-a", "node-b"], cluster: before });
});

test.after.always(async () => {
  await cc?.stop();
});

test.serial("(d) 1. both nodes on 3.13: the * endpoints allow everything", async (t) => {
  if (!(await requireDocker(t))) return;
  await cc!.apply(before, { calicoVersion: V3_13 });
  await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "accept" });
  await probe(t, cc!, { from: "node-a", to: "node-b", dport: 8080, expect: "accept" });
});

test.serial(
  "(d) 2. node-a upgraded to 3.14 without the runbook: its * endpoint drops both ways",
  async (t) => {
    if (!(await requireDocker(t))) return;
    await cc!.apply(before, { nodes: ["node-a"], calicoVersion: V3_14 });
    const inbound = await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "drop" });
    t.is(inbound.ingress.decidedBy.kind, "default-drop");
    t.is(inbound.ingress.decidedBy.endpoint, "node-a-all");
    const outbound = await probe(t, cc!, { from: "node-a", to: "node-b", dport: 8080, expect: "drop" });
    t.is(outbound.egress.decidedBy.kind, "default-drop", "node-a's own * endpoint drops its new connections");
  },
);

test.serial("(d) 3. runbook applied, node-a on 3.14 and node-b on 3.13: allowed again", async (t) => {
  if (!(await requireDocker(t))) return;
  const r = await cc!.apply(runbook, { calicoVersion: { "node-a": V3_14, "node-b": V3_13 } });
  t.true(
    r.get("node-b")!.model.warnings.some((w) => w.code === "normal_policy_on_star_before_3_14"),
    "on 3.13 the upgrade policy has no effect on node-b, and calisim says so",
  );
  const inbound = await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "accept" });
  t.is(inbound.ingress.decidedBy.name, "allow-all-upgrade");
  const outbound = await probe(t, cc!, { from: "node-a", to: "node-b", dport: 8080, expect: "accept" });
  t.is(outbound.egress.decidedBy.name, "allow-all-upgrade");
});

test.serial("(d) 4. node-b upgraded to 3.14 too: still allowed, by allow-all-upgrade on both", async (t) => {
  if (!(await requireDocker(t))) return;
  await cc!.apply(runbook, { nodes: ["node-b"], calicoVersion: V3_14 });
  const inbound = await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "accept" });
  t.is(inbound.egress.decidedBy.name, "allow-all-upgrade");
  const outbound = await probe(t, cc!, { from: "node-a", to: "node-b", dport: 8080, expect: "accept" });
  t.is(outbound.ingress.decidedBy.name, "allow-all-upgrade");
});
