// The seeded cluster generator: deterministic, valid, documentation addresses only.

import test from "ava";
import ipaddr from "ipaddr.js";
import { parseAllDocuments } from "yaml";
import { clusterFiles, generateCluster, generateClusterModel, type GenOptions } from "../../src/gen/index.js";
import { packetMix } from "../../src/gen/packets.js";
import { resolveNode } from "../../src/calc/resolve.js";

const SMALL: GenOptions = { seed: 7, nodes: 40, policies: 90, profiles: 8 };

test("same seed and options give the same YAML, byte for byte", (t) => {
  const a = clusterFiles(generateCluster(SMALL));
  const b = clusterFiles(generateCluster(SMALL));
  t.deepEqual(a, b);
  const c = clusterFiles(generateCluster({ ...SMALL, seed: 8 }));
  t.notDeepEqual(
    a.map((f) => f.text),
    c.map((f) => f.text),
  );
});

test("the YAML reads back as exactly the generated documents", (t) => {
  const gen = generateCluster(SMALL);
  const files = clusterFiles(gen);
  gen.files.forEach((f, i) => {
    const docs = parseAllDocuments(files[i]!.text);
    t.true(Array.isArray(docs));
    const values = (docs as { toJS: () => unknown; errors: unknown[] }[]).map((d) => {
      t.deepEqual(d.errors, []);
      return d.toJS();
    });
    t.deepEqual(values, JSON.parse(JSON.stringify(f.docs)), f.name);
  });
});

test("a generated cluster validates with no errors or warnings, and has what was asked for", (t) => {
  const { cluster, issues, generated } = generateClusterModel(SMALL);
  t.deepEqual(issues, []);
  t.is(cluster.hostEndpoints.length, 3 * SMALL.nodes);
  t.is(cluster.policies.length, SMALL.policies);
  // projectcalico-default-allow is built in and comes on top.
  t.is(cluster.profiles.length, SMALL.profiles + 1);
  t.is(cluster.nodes.length, SMALL.nodes);
  t.is(generated.counts.hostEndpoints, cluster.hostEndpoints.length);
  t.true(cluster.hostEndpoints.some((e) => e.spec.interfaceName === "*"));
  t.true(
    cluster.hostEndpoints.some((e) => e.spec.interfaceName === ""),
    "some endpoints bind by expectedIPs only",
  );
  t.true(cluster.policies.some((p) => p.spec.preDNAT));
  t.true(cluster.policies.some((p) => p.spec.doNotTrack));
  t.true(cluster.policies.some((p) => p.spec.applyOnForward && !p.spec.preDNAT && !p.spec.doNotTrack));
  t.true(
    cluster.policies.some((p) =>
      p.spec.ingress.some((r) => r.destination.ports.some((x) => x.kind === "named")),
    ),
  );
  t.true(new Set(cluster.policies.map((p) => p.spec.tier)).size >= 4);
});

test("only documentation addresses are used", (t) => {
  const allowed = [
    ipaddr.parseCIDR("192.0.2.0/24"),
    ipaddr.parseCIDR("198.51.100.0/24"),
    ipaddr.parseCIDR("203.0.113.0/24"),
    ipaddr.parseCIDR("2001:db8::/32"),
  ];
  const text = clusterFiles(generateCluster({ ...SMALL, nodes: 300 }))
    .map((f) => f.text)
    .join("\n");
  const v4 = text.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? [];
  // Candidate IPv6 literals (time-like tokens that are not addresses are skipped).
  const v6 = (text.match(/\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/g) ?? []).filter((a) =>
    ipaddr.IPv6.isValid(a),
  );
  t.true(v4.length > 0 && v6.length > 0);
  for (const a of [...v4, ...v6]) {
    const addr = ipaddr.parse(a);
    t.true(
      allowed.some(([net, len]) => addr.kind() === net.kind() && addr.match(net, len)),
      `${a} is outside the documentation ranges`,
    );
  }
});

test("packet mixes are deterministic and addressed to the node", (t) => {
  const { cluster, generated } = generateClusterModel(SMALL);
  const model = resolveNode(cluster, { node: generated.gatewayNodes[0]! });
  const a = packetMix(model, 4, 300, 3);
  t.deepEqual(a, packetMix(model, 4, 300, 3));
  t.true(a.every((p) => !p.src.includes(":") && !p.dst.includes(":")));
  t.true(packetMix(model, 6, 50).every((p) => p.src.includes(":")));
  t.true(a.some((p) => p.in !== undefined && p.out === undefined));
  t.true(a.some((p) => p.in === undefined));
  t.true(a.some((p) => p.in !== undefined && p.out !== undefined));
});
