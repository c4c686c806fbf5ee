// Unit tests (no kernel): the topology plan, the probe ports and the probe matrix derived from resources,
// and the packets handed to the tracer for a probe and its answer.

import test from "ava";
import { isDocumentation, representative } from "../../src/dataplane/addresses.js";
import { replyPacket, requestPacket } from "../../src/dataplane/expect.js";
import { deriveMatrix } from "../../src/dataplane/matrix.js";
import { planInterfaces, planTopology } from "../../src/dataplane/plan.js";
import { listenPorts, probePorts } from "../../src/dataplane/ports.js";
import { assignPorts } from "../../src/dataplane/probe.js";
import { farBatch, hostBatch } from "../../src/dataplane/topology.js";
import { loadCluster } from "../../src/resources/index.js";
import { cluster, felixConfig, gnp, hep, ruleOf } from "../helpers/model.js";

const example = async () => (await loadCluster(["fixtures/example-cluster"])).cluster;

test("plan: one link per endpoint interface, expectedIPs on the host side, an unpoliced extra interface", async (t) => {
  const plan = planTopology(await example(), { node: "node-1" });
  t.deepEqual(
    plan.links.map((l) => l.name),
    ["eth0", "eth1", "eth8", "cali0000000001"],
  );
  t.deepEqual(plan.links[0]!.hostAddrs, ["192.0.2.10", "2001:db8::10"]);
  t.deepEqual(plan.links[1]!.hostAddrs.slice(0, 1), ["198.51.100.10"]);
  t.is(plan.links[3]!.kind, "workload");
  t.deepEqual(plan.links[3]!.hostAddrs, []);
  const all = plan.links.flatMap((l) => [...l.hostAddrs, ...l.farAddrs]);
  t.true(all.every(isDocumentation), all.join(" "));
  t.is(new Set(all).size, all.length, "no address twice");
});

test("plan: extra addresses are other nodes' expectedIPs and members of mentioned nets, never local ones", async (t) => {
  const plan = planTopology(await example(), { node: "node-1" });
  const extra = plan.extra.map((x) => x.addr);
  t.true(extra.includes("192.0.2.20"), "node-2's expectedIP (selector role == k8s-worker)");
  t.true(extra.includes("203.0.113.66"), "the blocklist network set");
  t.false(extra.includes("192.0.2.10"), "a host address is not a peer address");
  t.true(extra.every(isDocumentation));
  t.true(plan.extra.every((x) => plan.links.some((l) => l.name === x.home && l.kind === "host")));
});

test("plan: a `*` endpoint gets two interfaces of its own; interfaces feed resolveNode", (t) => {
  const plan = planTopology(cluster(hep("all", { interfaceName: "*", expectedIPs: ["192.0.2.30"] })), {
    node: "node-1",
  });
  t.deepEqual(
    plan.links.map((l) => l.name),
    ["eth8", "eth9", "cali0000000001"],
  );
  t.true(plan.links[0]!.hostAddrs.includes("192.0.2.30"));
  t.deepEqual(planInterfaces(plan)[2], { name: "cali0000000001", addresses: [] });
});

test("plan: non-documentation expectedIPs are not configured, with a note", (t) => {
  const plan = planTopology(cluster(hep("e", { interfaceName: "eth0", expectedIPs: ["10.0.0.1"] })), {
    node: "node-1",
  });
  t.true(plan.links[0]!.hostAddrs.every(isDocumentation));
  t.regex(plan.notes.join("\n"), /10\.0\.0\.1 is not a documentation address/);
});

test("representative: inside the net, documentation only", (t) => {
  t.is(representative("198.51.100.0/24"), "198.51.100.1");
  t.is(representative("203.0.113.66/32"), "203.0.113.66");
  t.is(representative("2001:db8:feed::/48"), "2001:db8:feed::1");
  t.is(representative("10.0.0.0/8"), undefined);
  t.is(representative("0.0.0.0/0"), undefined);
});

test("ports: rule ports per protocol (range ends, named ports), failsafe ports, a closed port no rule mentions", async (t) => {
  const p = probePorts(await example(), "node-1");
  t.deepEqual(p.rule.tcp, [22, 23, 80, 443, 2222, 30000, 32767]);
  t.true(p.rule.tcp.includes(80), "named port http → 80");
  t.true(p.rule.tcp.includes(30000) && p.rule.tcp.includes(32767), "both ends of 30000:32767");
  t.deepEqual(p.rule.udp, [2049]);
  t.true(p.failsafe.tcp.includes(22) && p.failsafe.udp.includes(68));
  t.is(p.closed, 9);
  t.false(listenPorts(p).tcp.includes(p.closed));
  const custom = probePorts(
    cluster(felixConfig("default", { failsafeInboundHostPorts: [{ protocol: "tcp", port: 9 }] })),
    "node-1",
  );
  t.not(custom.closed, 9, "a failsafe port is not closed");
});

test("matrix: every direction, failsafe ports only where failsafe chains are on the path", async (t) => {
  const c = await example();
  const plan = planTopology(c, { node: "node-1" });
  const ports = probePorts(c, "node-1");
  const m = deriveMatrix(plan, { ports, sctp: false, nodePortTarget: { tcp: 22, udp: 68 } });
  const kinds = new Set(m.map((p) => p.kind));
  for (const k of [
    "in",
    "out",
    "forward",
    "nodeport",
    "to-workload",
    "from-workload",
    "host-to-workload",
    "workload-to-host",
  ])
    t.true(kinds.has(k as never), k);
  t.is(new Set(m.map((p) => p.id)).size, m.length, "ids are unique");
  t.true(
    m.some((p) => p.kind === "in" && p.dport === 6443),
    "failsafe port probed on the host",
  );
  t.false(
    m.some((p) => p.kind === "forward" && p.dport === 6443),
    "but not forwarded",
  );
  t.true(
    m.some((p) => p.kind === "in" && p.proto === "icmp" && p.src.includes(":")),
    "ICMPv6 too",
  );
  t.true(
    m.every((p) => p.proto !== "sctp"),
    "no SCTP without kernel support",
  );
  const np = m.filter((p) => p.kind === "nodeport");
  t.true(np.every((p) => p.dport === plan.nodePort && p.dnatTo !== undefined && p.listened));
  t.true(m.filter((p) => p.dport === ports.closed).every((p) => !p.listened));
  t.true(
    m.filter((p) => p.kind === "in" && p.src === "192.0.2.20").length > 0,
    "selectors through expectedIPs: node-2's address probes node-1",
  );
});

test("matrix: the NodePort is none of the ports probed directly", (t) => {
  const c = cluster(
    hep("e", { interfaceName: "eth0" }),
    gnp("p", {
      ingress: [
        ruleOf({ protocol: "TCP", destination: { ports: [{ kind: "range", from: 30080, to: 30080 }] } }),
      ],
    }),
  );
  const ports = probePorts(c, "node-1");
  const plan = planTopology(c, { node: "node-1", avoidPorts: ports.rule.tcp });
  t.not(plan.nodePort, 30080);
});

test("packets: a DNAT'd request and its answer from the workload", (t) => {
  const probe = {
    id: "x",
    kind: "nodeport" as const,
    from: "eth0",
    proto: "tcp" as const,
    src: "198.51.100.200",
    dst: "192.0.2.10",
    dport: 30080,
    in: "eth0",
    out: "cali0000000001",
    dnatTo: { ip: "203.0.113.200", port: 80 },
    listened: true,
  };
  t.deepEqual(requestPacket(probe, 40000), {
    in: "eth0",
    out: "cali0000000001",
    src: "198.51.100.200",
    dst: "192.0.2.10",
    state: "new",
    proto: 6,
    sport: 40000,
    dport: 30080,
    dnatTo: { ip: "203.0.113.200", port: 80 },
  });
  t.deepEqual(replyPacket(probe, 40000, false), {
    in: "cali0000000001",
    out: "eth0",
    src: "203.0.113.200",
    dst: "198.51.100.200",
    proto: 6,
    sport: 80,
    dport: 40000,
    state: "established",
  });
});

test("packets: answers to untracked requests have no flow (INVALID, or NEW for UDP); a closed UDP port answers ICMP", (t) => {
  const base = {
    id: "x",
    kind: "in" as const,
    from: "eth1",
    src: "198.51.100.1",
    dst: "192.0.2.11",
    in: "eth1",
    listened: true,
  };
  t.is(replyPacket({ ...base, proto: "tcp", dport: 2049 }, 40000, true).state, "invalid");
  t.is(replyPacket({ ...base, proto: "udp", dport: 2049 }, 40000, true).state, "new");
  t.is(replyPacket({ ...base, proto: "icmp" }, undefined, true).state, "invalid");
  const closed = replyPacket({ ...base, proto: "udp", dport: 9, listened: false }, 40000, false);
  t.like(closed, { proto: 1, icmpType: 3, icmpCode: 3, state: "related", out: "eth1" });
  t.like(replyPacket({ ...base, src: "2001:db8::1", dst: "2001:db8::11", proto: "icmp" }, undefined, false), {
    proto: 58,
    icmpType: 129,
  });
});

test("source ports: one per TCP/UDP probe, consecutive, in the ephemeral range", (t) => {
  const probes = [{ proto: "tcp" }, { proto: "icmp" }, { proto: "udp" }] as never[];
  const ports = assignPorts(probes, () => 0.5);
  t.is(ports[1], undefined);
  t.is(ports[2], ports[0]! + 1);
  t.true(ports[0]! >= 32768 && ports[2]! <= 60999);
});

test("ip batches: veths into the far namespaces, permanent neighbours, policy routing for extra addresses", async (t) => {
  const plan = planTopology(await example(), { node: "node-1" });
  const far = new Map(plan.links.map((l) => [l.name, `calisim-${l.name}`]));
  const { lines, rules6 } = hostBatch(plan, far);
  t.true(
    lines.some((l) =>
      /^link add eth0 address 02:ca:11:\S+ type veth peer name eth0 address \S+ netns calisim-eth0$/.test(l),
    ),
  );
  t.true(lines.some((l) => /^neigh add 198\.51\.100\.\d+ lladdr \S+ dev eth0 nud permanent$/.test(l)));
  t.true(lines.includes("rule add from 192.0.2.10 table 100 priority 100"));
  t.true(rules6.includes("rule add from 2001:db8::10 table 100 priority 100"));
  const peer = farBatch(plan, plan.links[0]!);
  t.true(peer.lines.includes("rule del pref 0"), "answers from the peer's own address leave via the host");
  t.true(peer.lines.some((l) => l.startsWith("addr add 203.0.113.66/32")));
  const wl = farBatch(plan, plan.links[3]!);
  t.false(
    wl.lines.some((l) => l.includes("203.0.113.66")),
    "the workload holds no extra addresses",
  );
});
