// Scenarios (a) and (b): a source selector on node-a matches node-b's host endpoint only through node-b's
// expectedIPs. Three node containers on one network; node-a's verdicts on real handshakes from node-b and
// node-c, in IPv4 and IPv6, with iptables-nft and iptables-legacy, checked against the tracer.

import test from "ava";
import { ContainerCluster } from "../../src/containers/index.js";
import type { Cluster } from "../../src/resources/model.js";
import { docker, kernelSets, loadFixture, probe, requireDocker } from "./helpers.js";

const A = { v4: "192.0.2.11", v6: "2001:db8::11" };
const B = { v4: "192.0.2.12", v6: "2001:db8::12" };
const C = { v4: "203.0.113.13", v6: "2001:db8::13" };

let cc: ContainerCluster | undefined;
let withIps: Cluster;
let withoutIps: Cluster;

test.before(async () => {
  withIps = await loadFixture("expected-ips");
  withoutIps = await loadFixture("no-expected-ips");
  if (!(await docker()).ok) return;
  // Addresses given explicitly: in (b) node-b has them although its endpoint does not list them.
  cc = await ContainerCluster.start({
    nodes: [
      { name: "node-a", addresses: [A.v4, A.v6] },
      { name: "node-b", addresses: [B.v4, B.v6] },
      { name: "node-c", addresses: [C.v4, C.v6] },
    ],
  });
});

test.after.always(async () => {
  await cc?.stop();
});

const selectorSet = (cluster: ContainerCluster, v: 4 | 6): string => {
  const set = cluster.renderedFor("node-a")!.rulesets[v].sets.find((s) => s.name.startsWith(`cali${v}0s:`));
  if (set === undefined) throw new Error("no selector IP set rendered on node-a");
  return set.name;
};

test.serial("(a) expectedIPs on node-b: node-a allows node-b, denies node-c (IPv4 and IPv6)", async (t) => {
  if (!(await requireDocker(t))) return;
  await cc!.apply(withIps);
  const sets = await kernelSets(cc!, "node-a");
  t.deepEqual(
    sets.get(selectorSet(cc!, 4)),
    [B.v4],
    "node-b's expectedIPs fill the selector's set on node-a",
  );
  t.deepEqual(sets.get(selectorSet(cc!, 6)), [B.v6]);

  const fromB = await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "accept" });
  t.is(fromB.ingress.decidedBy.kind, "policy");
  t.is(fromB.ingress.decidedBy.name, "allow-peers");
  const fromC = await probe(t, cc!, { from: "node-c", to: "node-a", dport: 8080, expect: "drop" });
  t.is(fromC.ingress.decidedBy.kind, "default-drop");
  t.is(fromC.ingress.decidedBy.endpoint, "node-a-eth0");
  t.is(fromC.egress.verdict, "accept", "node-c's own endpoint lets the packet out");

  await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, ipVersion: 6, expect: "accept" });
  await probe(t, cc!, { from: "node-c", to: "node-a", dport: 8080, ipVersion: 6, expect: "drop" });
});

test.serial("(a) the same verdicts with iptables-legacy", async (t) => {
  if (!(await requireDocker(t))) return;
  await cc!.apply(withIps, { backend: "iptables-legacy" });
  await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "accept" });
  await probe(t, cc!, { from: "node-c", to: "node-a", dport: 8080, expect: "drop" });
  await cc!.apply(withIps); // back to iptables-nft: the legacy tables are emptied first
  t.is((await cc!.node("node-a").run("iptables-legacy-save", [])).stdout.includes("cali-"), false);
});

test.serial(
  "(b) no expectedIPs on node-b: the selector matches no address, node-b is denied too",
  async (t) => {
    if (!(await requireDocker(t))) return;
    await cc!.apply(withoutIps);
    const sets = await kernelSets(cc!, "node-a");
    t.deepEqual(sets.get(selectorSet(cc!, 4)), [], "the selector's set on node-a is empty");
    t.deepEqual(sets.get(selectorSet(cc!, 6)), []);

    const fromB = await probe(t, cc!, { from: "node-b", to: "node-a", dport: 8080, expect: "drop" });
    t.is(fromB.ingress.decidedBy.kind, "default-drop");
    t.is(fromB.egress.verdict, "accept", "node-b's endpoint (bound by interfaceName) still lets it out");
    await probe(t, cc!, { from: "node-c", to: "node-a", dport: 8080, expect: "drop" });
  },
);
