// The built-in example cluster other stages reuse: it must load cleanly and keep its content.

import test from "ava";
import { loadCluster, type Cluster } from "../../src/resources/index.js";

const DIR = "fixtures/example-cluster";

let loaded: Promise<Awaited<ReturnType<typeof loadCluster>>> | undefined;
const example = () => (loaded ??= loadCluster([DIR]));
const cluster = async (): Promise<Cluster> => (await example()).cluster;

test("loads with no errors and no warnings", async (t) => {
  t.deepEqual((await example()).issues, []);
});

test("has the documented resources", async (t) => {
  const c = await cluster();
  const names = (list: readonly { metadata: { name: string } }[]) => list.map((r) => r.metadata.name);
  t.deepEqual(names(c.nodes), ["node-1", "node-2", "node-3"]);
  t.deepEqual(names(c.hostEndpoints), [
    "node-1-eth0",
    "node-1-eth1",
    "node-2-eth0",
    "node-2-auto",
    "node-3-all",
  ]);
  t.deepEqual(names(c.tiers), ["security"]);
  t.deepEqual(names(c.policies), [
    "security.blocklist",
    "allow-web",
    "node-to-node",
    "nodeport-guard",
    "storage-untracked",
    "bastion-untracked",
    "bastion-ssh",
    "forward-guard",
  ]);
  t.deepEqual(names(c.profiles), ["projectcalico-default-allow", "storage"]);
  t.deepEqual(names(c.networkSets), ["blocklist"]);
  t.deepEqual(names(c.felixConfigurations), ["default"]);
});

test("host endpoints", async (t) => {
  const c = await cluster();
  const hep = (name: string) => c.hostEndpoints.find((h) => h.metadata.name === name);
  t.deepEqual(hep("node-1-eth0")?.spec, {
    node: "node-1",
    interfaceName: "eth0",
    expectedIPs: ["192.0.2.10", "2001:db8::10"],
    profiles: [],
    ports: [
      { name: "http", port: 80, protocol: "TCP" },
      { name: "metrics", port: 9100, protocol: "TCP" },
    ],
  });
  t.deepEqual(hep("node-1-eth0")?.metadata.labels, { role: "k8s-worker", env: "prod" });
  t.deepEqual(hep("node-1-eth1")?.spec.profiles, ["projectcalico-default-allow", "storage"]);
  t.is(hep("node-2-eth0")?.spec.interfaceName, "");
  t.deepEqual(hep("node-2-auto")?.metadata.labels, {
    "projectcalico.org/created-by": "calico-kube-controllers",
    role: "auto",
  });
  t.is(hep("node-3-all")?.spec.interfaceName, "*");
});

test("policy tiers, orders, flags and defaulted types", async (t) => {
  const c = await cluster();
  t.deepEqual(
    c.policies.map((p) => ({
      name: p.metadata.name,
      tier: p.spec.tier,
      order: p.spec.order,
      types: p.spec.types,
      flags: [
        p.spec.preDNAT && "preDNAT",
        p.spec.doNotTrack && "doNotTrack",
        p.spec.applyOnForward && "applyOnForward",
      ].filter(Boolean),
    })),
    [
      { name: "security.blocklist", tier: "security", order: 10, types: ["Ingress", "Egress"], flags: [] },
      { name: "allow-web", tier: "default", order: 100, types: ["Ingress", "Egress"], flags: [] },
      { name: "node-to-node", tier: "default", order: 200, types: ["Ingress"], flags: [] },
      {
        name: "nodeport-guard",
        tier: "default",
        order: 50,
        types: ["Ingress"],
        flags: ["preDNAT", "applyOnForward"],
      },
      {
        name: "storage-untracked",
        tier: "default",
        order: 10,
        types: ["Ingress", "Egress"],
        flags: ["doNotTrack", "applyOnForward"],
      },
      {
        name: "bastion-untracked",
        tier: "default",
        order: undefined,
        types: ["Ingress"],
        flags: ["doNotTrack", "applyOnForward"],
      },
      { name: "bastion-ssh", tier: "default", order: 100, types: ["Ingress", "Egress"], flags: [] },
      { name: "forward-guard", tier: "default", order: 300, types: ["Ingress"], flags: ["applyOnForward"] },
    ],
  );
});

test("rules are normalised", async (t) => {
  const c = await cluster();
  const web = c.policies.find((p) => p.metadata.name === "allow-web");
  t.deepEqual(web?.spec.ingress[0]?.destination.ports, [
    { kind: "named", name: "http" },
    { kind: "range", from: 443, to: 443 },
  ]);
  const guard = c.policies.find((p) => p.metadata.name === "nodeport-guard");
  t.deepEqual(guard?.spec.ingress[0]?.destination.ports, [{ kind: "range", from: 30000, to: 32767 }]);
  t.deepEqual(guard?.spec.ingress[0]?.source.notNets, ["192.0.2.0/24"]);
});

test("tier, network set, Felix configuration and nodes", async (t) => {
  const c = await cluster();
  t.deepEqual(c.tiers[0]?.spec, { order: 100, defaultAction: "Deny" });
  t.deepEqual(c.networkSets[0]?.spec.nets, ["203.0.113.66/32"]);
  t.deepEqual(c.networkSets[0]?.metadata.labels, { blocklist: "true" });
  t.deepEqual(c.felixConfigurations[0]?.spec, {
    defaultEndpointToHostAction: "Accept",
    logPrefix: "calico-packet",
  });
  t.deepEqual(c.nodes[0]?.spec, {
    ipv4Address: "192.0.2.10",
    ipv6Address: "2001:db8::10",
    addresses: ["192.0.2.10"],
  });
  t.deepEqual(c.nodes[2]?.spec, { ipv4Address: "192.0.2.30", addresses: [] });
});
