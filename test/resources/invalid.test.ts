// Every validation rule, one fixture each: the exact formatted issues it produces.

import test from "ava";
import { readdir } from "node:fs/promises";
import { loadCluster } from "../../src/resources/index.js";
import { formatIssue } from "../../src/util/issue.js";

const DIR = "fixtures/invalid";

const CASES: readonly (readonly [string, readonly string[]])[] = [
  [
    "bad-action.yaml",
    [
      'error: fixtures/invalid/bad-action.yaml:9:15 GlobalNetworkPolicy/bad-action spec.ingress[0].action: invalid value "Accept" (accepted: Allow | Deny | Log | Pass)',
      'error: fixtures/invalid/bad-action.yaml:10:15 GlobalNetworkPolicy/bad-action spec.ingress[1].action: invalid value "allow"; did you mean "Allow"? (accepted: Allow | Deny | Log | Pass)',
    ],
  ],
  [
    "bad-api-version.yaml",
    [
      'error: fixtures/invalid/bad-api-version.yaml:2:13 GlobalNetworkSet/old apiVersion: unknown apiVersion "projectcalico.org/v2" (accepted: projectcalico.org/v3 | crd.projectcalico.org/v1 | v1 (kind: List only))',
      "error: fixtures/invalid/bad-api-version.yaml:7:1 GlobalNetworkSet/no-api-version apiVersion: required field is missing",
      "error: fixtures/invalid/bad-api-version.yaml:11:1 a resource document must be a mapping, got a list",
    ],
  ],
  [
    "bad-cidr.yaml",
    [
      'error: fixtures/invalid/bad-cidr.yaml:11:16 GlobalNetworkPolicy/bad-cidr spec.ingress[0].source.nets[0]: "192.0.2.300/24" is not a valid CIDR (accepted: an IP address or address/prefix, e.g. 192.0.2.0/24, 2001:db8::/32)',
      'error: fixtures/invalid/bad-cidr.yaml:11:32 GlobalNetworkPolicy/bad-cidr spec.ingress[0].source.nets[1]: "192.0.2.5/24" has host bits set (accepted: 192.0.2.0/24)',
      'error: fixtures/invalid/bad-cidr.yaml:11:46 GlobalNetworkPolicy/bad-cidr spec.ingress[0].source.nets[2]: "2001:db8::/129" is not a valid CIDR (accepted: an IP address or address/prefix, e.g. 192.0.2.0/24, 2001:db8::/32)',
    ],
  ],
  [
    "bad-endpoint-ports.yaml",
    [
      "error: fixtures/invalid/bad-endpoint-ports.yaml:10:7 HostEndpoint/bad-endpoint-ports spec.ports[0].name: required field is missing",
      'error: fixtures/invalid/bad-endpoint-ports.yaml:14:17 HostEndpoint/bad-endpoint-ports spec.ports[1].protocol: protocol "ICMP" does not support ports (accepted: TCP | UDP | SCTP)',
      "error: fixtures/invalid/bad-endpoint-ports.yaml:16:13 HostEndpoint/bad-endpoint-ports spec.ports[2].port: 0 is out of range (accepted: 1-65535)",
      'warning: fixtures/invalid/bad-endpoint-ports.yaml:21:13 HostEndpoint/bad-endpoint-ports spec.ports[4].name: port "http" (TCP) is already defined at ports[3]',
    ],
  ],
  [
    "bad-expected-ips.yaml",
    [
      'error: fixtures/invalid/bad-expected-ips.yaml:8:17 HostEndpoint/bad-expected-ips spec.expectedIPs[0]: "192.0.2.256" is not a valid IP address (accepted: an IPv4 or IPv6 address)',
      'error: fixtures/invalid/bad-expected-ips.yaml:8:30 HostEndpoint/bad-expected-ips spec.expectedIPs[1]: "192.0.2.0/24" is not a valid IP address (accepted: an IPv4 or IPv6 address)',
    ],
  ],
  [
    "bad-felix.yaml",
    [
      'error: fixtures/invalid/bad-felix.yaml:7:32 FelixConfiguration/default spec.defaultEndpointToHostAction: invalid value "Allow" (accepted: Drop | Return | Accept)',
      'warning: fixtures/invalid/bad-felix.yaml:10:7 FelixConfiguration/default spec.failsafeInboundHostPorts[0]: protocol omitted: the API documents "tcp" as the default (calisim uses it), but Felix renders the entry as ":<port>" and rejects it; write the protocol (accepted: TCP | UDP)',
      'error: fixtures/invalid/bad-felix.yaml:11:17 FelixConfiguration/default spec.failsafeInboundHostPorts[1].protocol: Felix\'s failsafe port parser only accepts tcp and udp (got "SCTP"); Felix would reject this configuration (accepted: TCP | UDP (any case))',
      'error: fixtures/invalid/bad-felix.yaml:15:12 FelixConfiguration/default spec.failsafeInboundHostPorts[2].net: "192.0.2.0/33" is not a valid CIDR (accepted: an IP address or address/prefix, e.g. 192.0.2.0/24, 2001:db8::/32)',
      "error: fixtures/invalid/bad-felix.yaml:16:21 FelixConfiguration/default spec.iptablesMarkMask: -1 is out of range (accepted: 0-4294967295)",
    ],
  ],
  [
    "bad-icmp.yaml",
    [
      "error: fixtures/invalid/bad-icmp.yaml:10:7 GlobalNetworkPolicy/bad-icmp spec.ingress[0].icmp: ICMP fields require protocol to be ICMP or ICMPv6 (accepted: protocol: ICMP | ICMPv6 | 1 | 58)",
      "error: fixtures/invalid/bad-icmp.yaml:15:15 GlobalNetworkPolicy/bad-icmp spec.ingress[1].icmp.code: ICMP code specified without an ICMP type",
      "error: fixtures/invalid/bad-icmp.yaml:19:15 GlobalNetworkPolicy/bad-icmp spec.ingress[2].notICMP.type: 255 is out of range (accepted: 0-254)",
    ],
  ],
  [
    "bad-interface.yaml",
    [
      'error: fixtures/invalid/bad-interface.yaml:8:18 HostEndpoint/bad-interface spec.interfaceName: invalid interface name "eth0-is-far-too-long" (accepted: "*" or 1-15 characters from a-z A-Z 0-9 _ . -)',
    ],
  ],
  [
    "bad-labels.yaml",
    [
      'error: fixtures/invalid/bad-labels.yaml:7:16 GlobalNetworkSet/bad-labels metadata.labels.blocklist: expected a string, got true (quote it: "true")',
      "error: fixtures/invalid/bad-labels.yaml:8:5 GlobalNetworkSet/bad-labels metadata.labels[\"bad key\"]: invalid label key \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
      'error: fixtures/invalid/bad-labels.yaml:9:5 GlobalNetworkSet/bad-labels metadata.labels["projectcalico.org/namespace"]: "projectcalico.org/namespace" is not a valid label name',
    ],
  ],
  [
    "bad-names.yaml",
    [
      "error: fixtures/invalid/bad-names.yaml:5:9 HostEndpoint/Node_1 metadata.name: name must consist of lower case alphanumeric characters, '-' or '.': \"Node_1\" (accepted: regex [a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)",
      "error: fixtures/invalid/bad-names.yaml:13:9 Tier/sec.tier metadata.name: tier name must consist of lower case alphanumeric characters or '-' (no '.'): \"sec.tier\" (accepted: regex [a-z0-9]([-a-z0-9]*[a-z0-9])?)",
      "error: fixtures/invalid/bad-names.yaml:18:9 GlobalNetworkPolicy/a.b.c metadata.name: GlobalNetworkPolicy name must consist of lower case alphanumeric characters or '-', with at most one '.': \"a.b.c\" (accepted: regex ([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?)",
    ],
  ],
  [
    "bad-networkset.yaml",
    [
      'error: fixtures/invalid/bad-networkset.yaml:7:26 GlobalNetworkSet/bad-networkset spec.nets[1]: "not-a-cidr" is not a valid CIDR (accepted: an IP address or address/prefix, e.g. 192.0.2.0/24, 2001:db8::/32)',
    ],
  ],
  [
    "bad-node.yaml",
    [
      "error: fixtures/invalid/bad-node.yaml:7:3 Node/bad-node spec.bgp: spec.bgp should not be empty",
      'error: fixtures/invalid/bad-node.yaml:15:18 Node/bad-node-2 spec.bgp.ipv4Address: "2001:db8::1/64" is not a valid CIDR (accepted: an IP address or address/prefix, e.g. 192.0.2.0/24, 2001:db8::/32)',
    ],
  ],
  [
    "bad-port.yaml",
    [
      'error: fixtures/invalid/bad-port.yaml:12:17 GlobalNetworkPolicy/bad-port spec.ingress[0].destination.ports[0]: invalid port 0 (accepted: 1-65535, "min:max", or a port name)',
      'error: fixtures/invalid/bad-port.yaml:12:20 GlobalNetworkPolicy/bad-port spec.ingress[0].destination.ports[1]: invalid port 70000 (accepted: 1-65535, "min:max", or a port name)',
      "error: fixtures/invalid/bad-port.yaml:12:27 GlobalNetworkPolicy/bad-port spec.ingress[0].destination.ports[2]: minimum port number (90) is greater than maximum port number (80) in port range",
      "error: fixtures/invalid/bad-port.yaml:12:36 GlobalNetworkPolicy/bad-port spec.ingress[0].destination.ports[3]: invalid port name \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-); must contain at least one letter (a-z) (accepted: 1-15 characters a-z, 0-9, '-'; at least one letter; no leading, trailing or double '-')",
      'error: fixtures/invalid/bad-port.yaml:12:42 GlobalNetworkPolicy/bad-port spec.ingress[0].destination.ports[4]: invalid port "a b" (accepted: 1-65535, "min:max", or a port name)',
    ],
  ],
  [
    "bad-protocol.yaml",
    [
      'error: fixtures/invalid/bad-protocol.yaml:10:17 GlobalNetworkPolicy/bad-protocol spec.ingress[0].protocol: invalid protocol "tcp"; did you mean "TCP"? (accepted: TCP | UDP | ICMP | ICMPv6 | SCTP | UDPLite | 1-255)',
      "error: fixtures/invalid/bad-protocol.yaml:12:17 GlobalNetworkPolicy/bad-protocol spec.ingress[1].protocol: invalid protocol 0 (accepted: TCP | UDP | ICMP | ICMPv6 | SCTP | UDPLite | 1-255)",
      'error: fixtures/invalid/bad-protocol.yaml:14:20 GlobalNetworkPolicy/bad-protocol spec.ingress[2].notProtocol: invalid protocol "256" (accepted: TCP | UDP | ICMP | ICMPv6 | SCTP | UDPLite | 1-255)',
    ],
  ],
  [
    "bad-selector.yaml",
    [
      'error: fixtures/invalid/bad-selector.yaml:7:29 GlobalNetworkPolicy/bad-selector spec.selector: invalid selector: unexpected end of input (accepted: label, "has(", "all()", "global()", "!", "(")',
      'error: fixtures/invalid/bad-selector.yaml:11:33 GlobalNetworkPolicy/bad-selector spec.ingress[0].source.selector: invalid selector: unexpected string \'b\' (accepted: ",", "}")',
    ],
  ],
  [
    "bad-types.yaml",
    [
      "error: fixtures/invalid/bad-types.yaml:8:20 GlobalNetworkPolicy/bad-types spec.types[1]: 'Ingress' type specified more than once",
      'error: fixtures/invalid/bad-types.yaml:16:11 GlobalNetworkPolicy/bad-types-2 spec.types[0]: invalid value "Forward" (accepted: Ingress | Egress)',
    ],
  ],
  [
    "builtin-tier.yaml",
    [
      "error: fixtures/invalid/builtin-tier.yaml:7:10 Tier/default spec.order: the 'default' tier must have order 1000000",
      "error: fixtures/invalid/builtin-tier.yaml:8:18 Tier/default spec.defaultAction: the 'default' tier must have default action 'Deny'",
    ],
  ],
  [
    "duplicate.yaml",
    [
      "error: fixtures/invalid/duplicate.yaml:12:9 GlobalNetworkSet/twice metadata.name: duplicate GlobalNetworkSet/twice; first defined at fixtures/invalid/duplicate.yaml:2:1",
    ],
  ],
  [
    "global-selector.yaml",
    [
      "error: fixtures/invalid/global-selector.yaml:7:13 GlobalNetworkPolicy/global-selector spec.selector: global() can only be used in an EntityRule namespaceSelector",
      "error: fixtures/invalid/global-selector.yaml:11:28 GlobalNetworkPolicy/global-selector spec.ingress[0].source.namespaceSelector: global() cannot be combined with other selectors",
    ],
  ],
  [
    "hep-missing-fields.yaml",
    [
      "error: fixtures/invalid/hep-missing-fields.yaml:8:1 HostEndpoint/hep-missing-fields spec.node: required field is missing",
      "error: fixtures/invalid/hep-missing-fields.yaml:8:1 HostEndpoint/hep-missing-fields spec: at least one of interfaceName or expectedIPs must be specified",
    ],
  ],
  [
    "icmp-ip-version.yaml",
    [
      "error: fixtures/invalid/icmp-ip-version.yaml:10:17 GlobalNetworkPolicy/icmp-ip-version spec.ingress[0].protocol: protocol ICMP requires ipVersion 4",
      "error: fixtures/invalid/icmp-ip-version.yaml:13:17 GlobalNetworkPolicy/icmp-ip-version spec.ingress[1].protocol: protocol ICMPv6 requires ipVersion 6",
    ],
  ],
  [
    "ip-version-mismatch.yaml",
    [
      "error: fixtures/invalid/ip-version-mismatch.yaml:12:9 GlobalNetworkPolicy/ip-version-mismatch spec.ingress[0].source.nets: rule IP version doesn't match CIDR version (ipVersion is 4)",
      "error: fixtures/invalid/ip-version-mismatch.yaml:17:9 GlobalNetworkPolicy/ip-version-mismatch spec.ingress[1].destination.nets: rule contains both IPv4 and IPv6 CIDRs",
    ],
  ],
  [
    "missing-apply-on-forward.yaml",
    [
      "error: fixtures/invalid/missing-apply-on-forward.yaml:6:1 GlobalNetworkPolicy/missing-apply-on-forward spec.applyOnForward: applyOnForward must be true if either preDNAT or doNotTrack is true",
    ],
  ],
  [
    "negated-catch-all.yaml",
    [
      'error: fixtures/invalid/negated-catch-all.yaml:11:19 GlobalNetworkPolicy/negated-catch-all spec.ingress[0].source.notNets[0]: catch-all CIDR "0.0.0.0/0" in negation creates logical contradiction (matches no traffic)',
    ],
  ],
  [
    "ports-with-icmp.yaml",
    [
      "error: fixtures/invalid/ports-with-icmp.yaml:12:9 GlobalNetworkPolicy/ports-with-icmp spec.ingress[0].source.notPorts: protocol ICMP has no ports: rules that specify ports must set protocol to TCP or UDP or SCTP (accepted: protocol: TCP | UDP | SCTP)",
      "error: fixtures/invalid/ports-with-icmp.yaml:14:9 GlobalNetworkPolicy/ports-with-icmp spec.ingress[0].destination.ports: protocol ICMP has no ports: rules that specify ports must set protocol to TCP or UDP or SCTP (accepted: protocol: TCP | UDP | SCTP)",
    ],
  ],
  [
    "ports-without-protocol.yaml",
    [
      "error: fixtures/invalid/ports-without-protocol.yaml:11:9 GlobalNetworkPolicy/ports-without-protocol spec.ingress[0].destination.ports: rules with numeric port or port range must set protocol to TCP or UDP or SCTP (accepted: protocol: TCP | UDP | SCTP)",
    ],
  ],
  [
    "prednat-donottrack.yaml",
    [
      "error: fixtures/invalid/prednat-donottrack.yaml:8:12 GlobalNetworkPolicy/prednat-donottrack spec.preDNAT: preDNAT and doNotTrack cannot both be true",
    ],
  ],
  [
    "prednat-egress.yaml",
    [
      "error: fixtures/invalid/prednat-egress.yaml:10:3 GlobalNetworkPolicy/prednat-egress spec.types: preDNAT policy cannot have 'Egress' type",
      "error: fixtures/invalid/prednat-egress.yaml:11:3 GlobalNetworkPolicy/prednat-egress spec.egress: preDNAT policy cannot have any egress rules",
    ],
  ],
  [
    "services.yaml",
    [
      "error: fixtures/invalid/services.yaml:11:9 GlobalNetworkPolicy/services spec.egress[0].destination.services: services matches (Kubernetes Service endpoints) are not supported by calisim",
    ],
  ],
  [
    "unknown-field.yaml",
    [
      'error: fixtures/invalid/unknown-field.yaml:6:3 GlobalNetworkPolicy/unknown-field metadata.lables: unknown field "lables"; did you mean "labels"? (accepted: name, namespace, labels, annotations, uid, resourceVersion, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds, generation, generateName, managedFields, selfLink, finalizers, ownerReferences)',
      'error: fixtures/invalid/unknown-field.yaml:9:3 GlobalNetworkPolicy/unknown-field spec.selectr: unknown field "selectr"; did you mean "selector"? (accepted: tier, order, selector, serviceAccountSelector, types, ingress, egress, performanceHints, namespaceSelector, doNotTrack, preDNAT, applyOnForward)',
      'error: fixtures/invalid/unknown-field.yaml:12:7 GlobalNetworkPolicy/unknown-field spec.ingress[0].destinaton: unknown field "destinaton"; did you mean "destination"? (accepted: action, ipVersion, protocol, notProtocol, icmp, notICMP, source, destination, http, metadata)',
    ],
  ],
  [
    "unknown-kind.yaml",
    [
      'warning: fixtures/invalid/unknown-kind.yaml:3:7 IPPool/pool kind: kind "IPPool" is not simulated by calisim; resource skipped (accepted: HostEndpoint | GlobalNetworkPolicy | NetworkPolicy | Profile | Tier | GlobalNetworkSet | FelixConfiguration | Node)',
    ],
  ],
  [
    "unknown-profile.yaml",
    [
      'warning: fixtures/invalid/unknown-profile.yaml:9:43 HostEndpoint/unknown-profile spec.profiles[1]: profile "no-such-profile" does not exist; Felix renders a missing profile as deny-all in both directions',
    ],
  ],
  [
    "unknown-tier.yaml",
    [
      'error: fixtures/invalid/unknown-tier.yaml:7:9 GlobalNetworkPolicy/unknown-tier spec.tier: tier "no-such-tier" does not exist (accepted: "default" or the name of a Tier resource)',
    ],
  ],
  [
    "yaml-syntax.yaml",
    ["error: fixtures/invalid/yaml-syntax.yaml:6:3 YAML syntax error: Map keys must be unique"],
  ],
];

for (const [file, expected] of CASES) {
  test(`invalid/${file}`, async (t) => {
    const { issues } = await loadCluster([`${DIR}/${file}`]);
    t.deepEqual(issues.map(formatIssue), expected);
  });
}

test("every fixture in fixtures/invalid has a case", async (t) => {
  const files = (await readdir(DIR)).filter((f) => f.endsWith(".yaml")).sort();
  t.deepEqual(files, CASES.map(([f]) => f).sort());
});

test("invalid resources are left out of the cluster", async (t) => {
  const { cluster } = await loadCluster([
    `${DIR}/bad-action.yaml`,
    `${DIR}/duplicate.yaml`,
    `${DIR}/unknown-tier.yaml`,
  ]);
  t.deepEqual(cluster.policies, []);
  t.deepEqual(
    cluster.networkSets.map((n) => [n.metadata.name, n.spec.nets]),
    [["twice", ["192.0.2.0/24"]]],
  );
});

test("warnings do not keep a resource out", async (t) => {
  const { cluster } = await loadCluster([`${DIR}/unknown-profile.yaml`]);
  t.deepEqual(cluster.hostEndpoints[0]?.spec.profiles, ["projectcalico-default-allow", "no-such-profile"]);
});
