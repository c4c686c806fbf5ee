// Scenario (c): an all-interfaces ("*") endpoint on node-a and named endpoints on node-b and node-c, one
// policy selecting both kinds. Real handshakes between the three node containers, checked against the
// tracer; the "*" endpoint's expectedIPs feed a source selector's IP set on node-b.

import test from "ava";
import { ContainerCluster } from "../../src/containers/index.js";
import type { Cluster } from "../../src/resources/model.js";
import { docker, kernelSets, loadFixture, probe, requireDocker } from "./helpers.js";

let cc: ContainerCluster | undefined;
let cluster: Cluster;

test.before(async () => {
  cluster = await loadFixture("star-and-named");
  if (!(await docker()).ok) return;
  // Addresses from the endpoints' expectedIPs: node-a 192.0.2.11, node-b 192.0.2.12, node-c 203.0.113.13.
  cc = await ContainerCluster.start({ nodes: ["node-a", "node-b", "node-c"], cluster });
  await cc.apply(cluster);
});

test.after.always(async () => {
  await cc?.stop();
});

test.serial(
  '(c) policy "web" admits clients on the * endpoint and on the named endpoint alike',
  async (t) => {
    if (!(await requireDocker(t))) return;
    const toStar = await probe(t, cc!, { from: "node-c", to: "node-a", dport: 8080, expect: "accept" });
    t.is(toStar.ingress.decidedBy.name, "web");
    t.is(toStar.ingress.decidedBy.endpoint, "node-a-all");
    const toNamed = await probe(t, cc!, { from: "node-c", to: "node-b", dport: 8080, expect: "accept" });
    t.is(toNamed.ingress.decidedBy.name, "web");
    t.is(toNamed.ingress.decidedBy.endpoint, "node-b-eth0");
  },
);

test.serial("(c) the * endpoint drops what no policy allows, like a named one", async (t) => {
  if (!(await requireDocker(t))) return;
  const starDrop = await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "drop" });
  t.is(starDrop.ingress.decidedBy.kind, "default-drop");
  t.is(starDrop.ingress.decidedBy.endpoint, "node-a-all");
  t.is(starDrop.egress.decidedBy.name, "web", "node-b's named endpoint let it out (web's egress rule)");
  const namedDrop = await probe(t, cc!, { from: "node-c", to: "node-b", dport: 9090, expect: "drop" });
  t.is(namedDrop.ingress.decidedBy.kind, "default-drop");
  t.is(namedDrop.ingress.decidedBy.endpoint, "node-b-eth0");
});

test.serial("(c) a * endpoint's expectedIPs are matched by a source selector on another node", async (t) => {
  if (!(await requireDocker(t))) return;
  const gatewaySet = cc!
    .renderedFor("node-b")!
    .rulesets[4].sets.filter((s) => s.name.startsWith("cali40s:"))
    .map((s) => s.name);
  const sets = await kernelSets(cc!, "node-b");
  t.true(
    gatewaySet.some((n) => (sets.get(n) ?? []).includes("192.0.2.11")),
    "node-a's address is in a selector set on node-b",
  );
  const fromStar = await probe(t, cc!, { from: "node-a", to: "node-b", dport: 9090, expect: "accept" });
  t.is(fromStar.egress.decidedBy.endpoint, "node-a-all", "egress through the * endpoint (web's egress rule)");
  t.is(fromStar.ingress.decidedBy.name, "gateway-to-workers");
});
