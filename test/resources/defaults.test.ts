// Defaulting and normalisation: what the loader fills in, and how values are canonicalised.

import test from "ava";
import { defaultAllowProfile, defaultTypes, DEFAULT_ALLOW_PROFILE } from "../../src/resources/index.js";
import { parse } from "./helpers.js";

const gnp = (spec: string, name = "p") =>
  `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

const typesOf = (spec: string) => {
  const { cluster, lines } = parse(gnp(spec));
  return { types: cluster.policies[0]?.spec.types, lines };
};

test("types default to [Ingress] with no rules", (t) => {
  t.deepEqual(typesOf("  selector: all()\n"), { types: ["Ingress"], lines: [] });
});

test("types default to [Ingress] with only ingress rules", (t) => {
  t.deepEqual(typesOf("  ingress:\n    - action: Allow\n").types, ["Ingress"]);
});

test("types default to [Egress] with only egress rules", (t) => {
  t.deepEqual(typesOf("  egress:\n    - action: Allow\n").types, ["Egress"]);
});

test("types default to both with both kinds of rule", (t) => {
  t.deepEqual(typesOf("  ingress:\n    - action: Deny\n  egress:\n    - action: Allow\n").types, [
    "Ingress",
    "Egress",
  ]);
});

test("explicit types are kept", (t) => {
  t.deepEqual(typesOf("  types: [Egress]\n  ingress:\n    - action: Allow\n").types, ["Egress"]);
});

test("defaultTypes matches the v3 API", (t) => {
  t.deepEqual(defaultTypes(0, 0), ["Ingress"]);
  t.deepEqual(defaultTypes(2, 0), ["Ingress"]);
  t.deepEqual(defaultTypes(0, 1), ["Egress"]);
  t.deepEqual(defaultTypes(1, 1), ["Ingress", "Egress"]);
});

test("policy tier defaults to default, selector to empty, flags to false", (t) => {
  const { cluster } = parse(gnp("  order: 5\n"));
  const spec = cluster.policies[0]?.spec;
  t.is(spec?.tier, "default");
  t.is(spec?.selector, "");
  t.false(spec?.preDNAT);
  t.false(spec?.doNotTrack);
  t.false(spec?.applyOnForward);
});

test("the built-in default-allow profile is always there", (t) => {
  const { cluster, lines } = parse("");
  t.deepEqual(lines, []);
  t.deepEqual(cluster.profiles, [defaultAllowProfile]);
  t.is(defaultAllowProfile.metadata.name, DEFAULT_ALLOW_PROFILE);
  t.true(defaultAllowProfile.builtin);
  t.is(defaultAllowProfile.source.file, "<builtin>");
  t.deepEqual(
    [...defaultAllowProfile.spec.ingress, ...defaultAllowProfile.spec.egress].map((r) => r.action),
    ["Allow", "Allow"],
  );
});

test("a user-declared projectcalico-default-allow replaces the built-in one", (t) => {
  const { cluster } = parse(
    "apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: projectcalico-default-allow\nspec:\n  ingress:\n    - action: Deny\n",
  );
  t.deepEqual(
    cluster.profiles.map((p) => [p.metadata.name, p.builtin, p.spec.ingress.map((r) => r.action)]),
    [["projectcalico-default-allow", false, ["Deny"]]],
  );
});

test("tier defaultAction defaults to Deny", (t) => {
  const { cluster } = parse("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: t\n");
  t.deepEqual(cluster.tiers[0]?.spec, { defaultAction: "Deny" });
});

const felix = (spec: string) =>
  parse(
    `apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n${spec}`,
  );

test("failsafe ports: absent, empty and listed stay distinct", (t) => {
  t.deepEqual(felix("  logPrefix: x\n").cluster.felixConfigurations[0]?.spec, { logPrefix: "x" });
  t.deepEqual(felix("  failsafeInboundHostPorts: []\n").cluster.felixConfigurations[0]?.spec, {
    failsafeInboundHostPorts: [],
  });
  t.deepEqual(
    felix(
      "  failsafeOutboundHostPorts:\n    - protocol: UDP\n      port: 53\n    - protocol: tcp\n      port: 443\n      net: 192.0.2.7/24\n",
    ).cluster.felixConfigurations[0]?.spec,
    {
      failsafeOutboundHostPorts: [
        { protocol: "udp", port: 53 },
        { protocol: "tcp", port: 443, net: "192.0.2.0/24" },
      ],
    },
  );
});

test("failsafe protocol defaults to tcp, with a warning", (t) => {
  const { cluster, lines } = felix("  failsafeInboundHostPorts:\n    - port: 22\n");
  t.deepEqual(cluster.felixConfigurations[0]?.spec.failsafeInboundHostPorts, [{ protocol: "tcp", port: 22 }]);
  t.is(lines.length, 1);
  t.true(
    lines[0]?.startsWith(
      "warning: test.yaml:7:7 FelixConfiguration/default spec.failsafeInboundHostPorts[0]: protocol omitted",
    ),
  );
});

test("Felix enum fields are case-insensitive and normalised; other fields are ignored", (t) => {
  const { cluster, lines } = felix(
    "  defaultEndpointToHostAction: RETURN\n  iptablesFilterDenyAction: reject\n  chainInsertMode: append\n  iptablesMarkMask: 0xff000000\n  bpfEnabled: true\n  disableConntrackInvalidCheck: true\n  interfacePrefix: cali,tap\n",
  );
  t.deepEqual(lines, []);
  t.deepEqual(cluster.felixConfigurations[0]?.spec, {
    defaultEndpointToHostAction: "Return",
    iptablesFilterDenyAction: "Reject",
    chainInsertMode: "Append",
    iptablesMarkMask: 0xff000000,
    disableConntrackInvalidCheck: true,
    interfacePrefix: "cali,tap",
  });
});

test("nets, expected IPs and ports are canonicalised", (t) => {
  const { cluster, lines } = parse(
    [
      gnp(
        '  ingress:\n    - action: Allow\n      protocol: "6"\n      source:\n        nets: [192.0.2.1]\n        ports: ["80", "1000:2000", http]\n    - action: Deny\n      destination:\n        notNets: [2001:DB8:0::/48]\n',
      ),
      "---\napiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata:\n  name: h\nspec:\n  node: n\n  expectedIPs: [2001:DB8::0:1, 192.0.2.9]\n  ports:\n    - {name: dns, port: 53, protocol: 17}\n",
    ].join("\n"),
  );
  t.deepEqual(lines, []);
  const rule = cluster.policies[0]?.spec.ingress[0];
  t.is(rule?.protocol, 6);
  t.deepEqual(rule?.source.nets, ["192.0.2.1/32"]);
  t.deepEqual(cluster.policies[0]?.spec.ingress[1]?.destination.notNets, ["2001:db8::/48"]);
  t.deepEqual(rule?.source.ports, [
    { kind: "range", from: 80, to: 80 },
    { kind: "range", from: 1000, to: 2000 },
    { kind: "named", name: "http" },
  ]);
  t.deepEqual(cluster.hostEndpoints[0]?.spec.expectedIPs, ["2001:db8::1", "192.0.2.9"]);
  t.deepEqual(cluster.hostEndpoints[0]?.spec.ports, [{ name: "dns", port: 53, protocol: "UDP" }]);
});

test("global network set nets are masked", (t) => {
  const { cluster, lines } = parse(
    "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: s\nspec:\n  nets: [203.0.113.5/24, 198.51.100.1]\n",
  );
  t.deepEqual(lines, []);
  t.deepEqual(cluster.networkSets[0]?.spec.nets, ["203.0.113.0/24", "198.51.100.1/32"]);
});

test("rule fields are kept: icmp, ipVersion, notProtocol, selectors, service accounts, annotations", (t) => {
  const { cluster, lines } = parse(
    gnp(
      '  ingress:\n    - action: Allow\n      protocol: ICMP\n      ipVersion: 4\n      icmp: {type: 8, code: 0}\n      notICMP: {type: 3}\n      metadata:\n        annotations: {why: ping}\n    - action: Deny\n      notProtocol: UDPLite\n      source:\n        notSelector: has(x)\n        namespaceSelector: global()\n        serviceAccounts: {names: [a], selector: b == "c"}\n',
    ),
  );
  t.deepEqual(lines, []);
  const [ping, deny] = cluster.policies[0]?.spec.ingress ?? [];
  t.deepEqual(
    {
      protocol: ping?.protocol,
      ipVersion: ping?.ipVersion,
      icmp: ping?.icmp,
      notICMP: ping?.notICMP,
      annotations: ping?.annotations,
    },
    {
      protocol: "ICMP",
      ipVersion: 4,
      icmp: { type: 8, code: 0 },
      notICMP: { type: 3 },
      annotations: { why: "ping" },
    },
  );
  t.is(deny?.notProtocol, "UDPLite");
  t.deepEqual(deny?.source, {
    nets: [],
    notNets: [],
    notSelector: "has(x)",
    namespaceSelector: "global()",
    ports: [],
    notPorts: [],
    serviceAccounts: { names: ["a"], selector: 'b == "c"' },
  });
});

test("NetworkPolicy: namespace defaults to default; GNP-only fields are unknown", (t) => {
  const { cluster, lines } = parse(
    "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n  selector: all()\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: np2\n  namespace: prod\nspec:\n  preDNAT: true\n",
  );
  t.deepEqual(
    cluster.policies.map((p) => [p.kind, p.metadata.namespace, p.metadata.name]),
    [["NetworkPolicy", "default", "np"]],
  );
  t.is(lines.length, 1);
  t.true(
    lines[0]?.startsWith(
      'error: test.yaml:14:3 NetworkPolicy/prod/np2 spec.preDNAT: unknown field "preDNAT"',
    ),
  );
});

test("null fields count as absent; empty and comment-only documents are skipped", (t) => {
  const { cluster, lines } = parse(
    "# nothing here\n---\n---\napiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata:\n  name: h\n  labels:\nspec:\n  node: n\n  interfaceName: eth0\n  profiles: null\n---\n",
  );
  t.deepEqual(lines, []);
  t.deepEqual(cluster.hostEndpoints[0]?.metadata.labels, {});
  t.deepEqual(cluster.hostEndpoints[0]?.spec.profiles, []);
});

test("CRD metadata: the stored name wins; without the annotation the CRD name is kept", (t) => {
  const crd = (name: string, annotation: string) =>
    `apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata:\n  name: ${name}\n${annotation}spec:\n  tier: default\n`;
  const { cluster, lines } = parse(
    [
      crd("default.a", ""),
      crd("default.b", "  annotations:\n    projectcalico.org/metadata: '{}'\n"),
      crd("default.c", `  annotations:\n    projectcalico.org/metadata: '{"name":"renamed"}'\n`),
    ].join("---\n"),
  );
  t.deepEqual(lines, []);
  t.deepEqual(
    cluster.policies.map((p) => p.metadata.name),
    ["default.a", "b", "renamed"],
  );
});

test("CRD metadata annotation that is not JSON is an error", (t) => {
  const { lines } = parse(
    "apiVersion: crd.projectcalico.org/v1\nkind: Tier\nmetadata:\n  name: t\n  annotations:\n    projectcalico.org/metadata: '{oops'\n",
  );
  t.is(lines.length, 1);
  t.regex(
    lines[0] ?? "",
    /^error: test\.yaml:6:33 Tier\/t metadata\.annotations\["projectcalico\.org\/metadata"\]: annotation "projectcalico\.org\/metadata" cannot be read: /,
  );
});

test("unknown kinds inside a List are warned about one by one", (t) => {
  const { lines } = parse(
    "apiVersion: projectcalico.org/v3\nkind: IPPoolList\nitems:\n  - metadata: {name: a}\n  - metadata: {name: b}\n",
  );
  t.deepEqual(lines, [
    'warning: test.yaml:4:5 IPPool/a kind: kind "IPPool" is not simulated by calisim; resource skipped (accepted: HostEndpoint | GlobalNetworkPolicy | NetworkPolicy | Profile | Tier | GlobalNetworkSet | FelixConfiguration | Node)',
    'warning: test.yaml:5:5 IPPool/b kind: kind "IPPool" is not simulated by calisim; resource skipped (accepted: HostEndpoint | GlobalNetworkPolicy | NetworkPolicy | Profile | Tier | GlobalNetworkSet | FelixConfiguration | Node)',
  ]);
});

test("objects of other APIs are skipped with a warning; a misspelt Calico API is an error", (t) => {
  const { lines } = parse(
    "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata: {name: prod}\n  - apiVersion: projectcalico.org/v1\n    kind: Tier\n    metadata: {name: t}\n",
  );
  t.deepEqual(lines, [
    'warning: test.yaml:4:17 Namespace/prod apiVersion: "v1" is not a Calico API; "Namespace" skipped',
    'error: test.yaml:7:17 Tier/t apiVersion: unknown apiVersion "projectcalico.org/v1" (accepted: projectcalico.org/v3 | crd.projectcalico.org/v1 | v1 (kind: List only))',
  ]);
});
