// The package's entry point (package.json "exports" → dist/index.js, built from src/index.ts): everything a
// library user does with calisim, imported from there only. Deep imports are closed by the exports map, so
// what is not exported here cannot be used at all.

import test from "ava";
import {
  buildRuleset,
  clusterFiles,
  dumpToRuleset,
  formatNftJson,
  generateCluster,
  hasErrors,
  loadCluster,
  parseIpsetSave,
  parseIptablesSave,
  parseResources,
  renderIpsets,
  renderIptables,
  renderNftJson,
  rerenderPolicyChange,
  resolveNode,
  trace,
  traceVerdicts,
  type Packet,
  type Policy,
} from "../src/index.js";

const NODE = "node-1";
const tcpIn = (src: string, dport: number): Packet => ({
  in: "eth0",
  src,
  dst: "192.0.2.10",
  proto: 6,
  sport: 40000,
  dport,
  state: "new",
});
// The example cluster's verdicts on node-1's eth0 (README "Why was my packet dropped?").
const PACKETS = [
  { packet: tcpIn("203.0.113.5", 8080), verdict: "drop", kind: "default-drop" },
  { packet: tcpIn("203.0.113.5", 443), verdict: "accept", kind: "policy", name: "allow-web" },
  { packet: tcpIn("203.0.113.66", 443), verdict: "drop", kind: "policy", name: "security.blocklist" },
] as const;

const loaded = async () => {
  const { cluster, issues } = await loadCluster(["fixtures/example-cluster"]);
  if (hasErrors(issues)) throw new Error("the example cluster has errors");
  const model = resolveNode(cluster, { node: NODE });
  return { cluster, model, ruleset: buildRuleset(model, { version: 4 }) };
};

test("load, resolve, build and render: iptables, ipsets and nft JSON", async (t) => {
  const { ruleset } = await loaded();
  t.regex(renderIptables(ruleset), /^-A cali-fh-eth0 /m);
  t.regex(renderIpsets(ruleset), /^create cali40s:/m);
  const nft = JSON.parse(formatNftJson(renderNftJson(ruleset))) as { nftables: unknown[] };
  t.true(nft.nftables.length > 10);
});

test("trace one packet, and verdicts in a batch, agree with the example's documented verdicts", async (t) => {
  const { ruleset } = await loaded();
  for (const { packet, verdict, ...decided } of PACKETS)
    t.like(trace(ruleset, packet), { verdict, decidedBy: decided }, `${packet.src} → ${packet.dport}`);
  t.deepEqual(
    traceVerdicts(
      ruleset,
      PACKETS.map((p) => p.packet),
    ),
    PACKETS.map((p) => p.verdict),
  );
});

test("a node's dumps (iptables-save, ipset save) trace as its resources do", async (t) => {
  const { ruleset } = await loaded();
  const dump = parseIptablesSave(renderIptables(ruleset));
  const sets = parseIpsetSave(renderIpsets(ruleset));
  if (!dump.ok || !sets.ok) return t.fail("the rendering does not parse back");
  const fromDump = dumpToRuleset(dump.value, sets.value, { version: 4 });
  for (const { packet, verdict } of PACKETS) t.is(trace(fromDump, packet).verdict, verdict);
});

test("one policy edited the natural way (a spread of the loaded one): re-rendered with its delta", async (t) => {
  const { model, ruleset } = await loaded();
  const web = model.cluster.policies.find((p) => p.metadata.name === "allow-web")!;
  const [first, ...rest] = web.spec.ingress;
  // allow-web stops allowing 443 (it keeps the named port http).
  const edited: Policy = {
    ...web,
    spec: {
      ...web.spec,
      ingress: [
        { ...first!, destination: { ...first!.destination, ports: first!.destination.ports.slice(0, 1) } },
        ...rest,
      ],
    },
  };
  t.is(edited.positions["spec.ingress.0.action"]?.file, web.source.file);
  const next = rerenderPolicyChange({ model, ruleset }, edited);
  t.true(next.fast);
  t.deepEqual(next.ruleset, buildRuleset(resolveNode(next.cluster, { node: NODE }), { version: 4 }));
  t.regex(next.delta.iptables, /^:cali-pi-\S*allow-web - -$/m);
  t.is(trace(next.ruleset, tcpIn("203.0.113.5", 443)).verdict, "drop");
});

test("a generated cluster loads like files from disk", (t) => {
  const files = clusterFiles(generateCluster({ seed: 2, nodes: 4, policies: 12, profiles: 2 }));
  const { cluster, issues } = parseResources(files);
  t.false(hasErrors(issues));
  t.is(cluster.hostEndpoints.length, 12);
});
