// Trace cases: Named and `*` endpoints, failsafe ports, profiles, Calico versions and conntrack.

import { cluster, felixConfig, gnp, profile } from "../helpers/model.js";
import { DEFAULT_ALLOW, denyAll, out, star, tcp, tcpIn, web, type TraceCase } from "./case-kit.js";

export const ENDPOINTS_CASES: readonly TraceCase[] = [
  // Named vs `*` endpoints.
  {
    name: "named endpoint: default drop on its interface",
    cluster: () => cluster(web()),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "default-drop", name: "web" },
  },
  {
    name: "named endpoint: another interface is not policed",
    cluster: () => cluster(web()),
    packet: (a) => tcpIn(a, "eth1", 80),
    expect: { verdict: "accept", kind: "no-endpoint" },
  },
  {
    name: "named endpoint: egress default drop",
    cluster: () => cluster(web()),
    packet: (a) => out(a, "eth0", 6, 443),
    expect: { verdict: "drop", kind: "default-drop", name: "web" },
  },
  {
    name: "* endpoint: default drop on eth0",
    cluster: () => cluster(star()),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "default-drop", name: "all" },
  },
  {
    name: "* endpoint: default drop on any other interface, both directions",
    cluster: () => cluster(star()),
    packet: (a) => out(a, "bond7", 17, 5000),
    expect: { verdict: "drop", kind: "default-drop", name: "all" },
  },
  // Failsafe ports.
  {
    name: "failsafe inbound tcp 22",
    cluster: () => cluster(web()),
    packet: (a) => tcpIn(a, "eth0", 22),
    expect: { verdict: "accept", kind: "failsafe", name: "tcp:22" },
  },
  {
    name: "failsafe outbound udp 53",
    cluster: () => cluster(star()),
    packet: (a) => out(a, "eth0", 17, 53),
    expect: { verdict: "accept", kind: "failsafe", name: "udp:53" },
  },
  {
    name: "failsafeInboundHostPorts: [] removes tcp 22",
    cluster: () => cluster(web(), felixConfig("default", { failsafeInboundHostPorts: [] })),
    packet: (a) => tcpIn(a, "eth0", 22),
    expect: { verdict: "drop", kind: "default-drop", name: "web" },
  },
  {
    name: "failsafe override: node.node-1 replaces the default list",
    cluster: () =>
      cluster(
        web(),
        felixConfig("default", { failsafeInboundHostPorts: [] }),
        felixConfig("node.node-1", { failsafeInboundHostPorts: [{ protocol: "tcp", port: 2222 }] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 2222),
    expect: { verdict: "accept", kind: "failsafe", name: "tcp:2222" },
  },
  {
    name: "failsafe with net: an allowed source",
    cluster: (a) =>
      cluster(
        web(),
        felixConfig("default", {
          failsafeInboundHostPorts: [{ protocol: "tcp", port: 22, net: a.remoteNet }],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 22),
    expect: { verdict: "accept", kind: "failsafe" },
  },
  {
    name: "failsafe with net: another source is policed",
    cluster: (a) =>
      cluster(
        web(),
        felixConfig("default", {
          failsafeInboundHostPorts: [{ protocol: "tcp", port: 22, net: a.remoteNet }],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 22, { src: a.other }),
    expect: { verdict: "drop", kind: "default-drop", name: "web" },
  },
  // Profiles.
  {
    name: "profile allows",
    cluster: () =>
      cluster(web({ profiles: ["web-profile"] }), profile("web-profile", { ingress: [tcp(80)] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "profile", name: "web-profile", ruleIndex: 0 },
  },
  {
    name: "profile does not match: no-profile drop",
    cluster: () =>
      cluster(web({ profiles: ["web-profile"] }), profile("web-profile", { ingress: [tcp(80)] })),
    packet: (a) => tcpIn(a, "eth0", 81),
    expect: { verdict: "drop", kind: "default-drop", name: "web" },
  },
  {
    name: "a missing profile is deny-all",
    cluster: () => cluster(web({ profiles: ["nobody-declared-me"] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "profile", name: "nobody-declared-me" },
    warning: /not declared/,
  },
  {
    name: "projectcalico-default-allow turns the default drop into allow",
    cluster: () => cluster(web({ profiles: [DEFAULT_ALLOW] })),
    packet: (a) => tcpIn(a, "eth0", 81),
    expect: { verdict: "accept", kind: "profile", name: DEFAULT_ALLOW },
  },
  // Calico versions.
  {
    name: "3.13: a * endpoint allows everything",
    calicoVersion: { major: 3, minor: 13 },
    cluster: () => cluster(star(), gnp("deny-all", { ingress: [denyAll] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "no-endpoint" },
    warning: /before Calico v3.14/,
  },
  {
    name: "3.13: ... but pre-DNAT policy applies",
    calicoVersion: { major: 3, minor: 13 },
    cluster: () =>
      cluster(
        star(),
        gnp("block", { preDNAT: true, applyOnForward: true, ingress: [tcp(80, { action: "Deny" })] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "pre-dnat", name: "block", ruleIndex: 0 },
  },
  {
    name: "3.14: a * endpoint drops by default",
    calicoVersion: { major: 3, minor: 14 },
    cluster: () => cluster(star()),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "default-drop", name: "all" },
  },
  // Conntrack.
  {
    name: "established inbound is accepted before policy",
    cluster: () => cluster(web(), gnp("deny-all", { ingress: [denyAll] })),
    packet: (a) => tcpIn(a, "eth0", 80, { state: "established" }),
    expect: { verdict: "accept", kind: "conntrack", name: "web" },
  },
  {
    name: "established outbound is accepted before policy",
    cluster: () => cluster(web()),
    packet: (a) => out(a, "eth0", 6, 443, { state: "established" }),
    expect: { verdict: "accept", kind: "conntrack", name: "web" },
  },
  {
    name: "invalid is dropped before failsafe",
    cluster: () => cluster(web()),
    packet: (a) => tcpIn(a, "eth0", 22, { state: "invalid" }),
    expect: { verdict: "drop", kind: "conntrack", name: "web" },
  },
];
