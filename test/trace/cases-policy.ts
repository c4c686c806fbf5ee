// Trace cases: Tiers and policy actions, pre-DNAT and untracked policy, and IP sets (named ports, selectors).

import { cluster, gnp, hep, ruleOf, tier } from "../helpers/model.js";
import { allowAll, DEFAULT_ALLOW, denyAll, star, tcp, tcpIn, web, type TraceCase } from "./case-kit.js";

export const POLICY_CASES: readonly TraceCase[] = [
  // Tiers and policy actions.
  {
    name: "end of tier: a Log-only policy still drops, default-allow profile or not",
    cluster: () =>
      cluster(web({ profiles: [DEFAULT_ALLOW] }), gnp("log-only", { ingress: [ruleOf({ action: "Log" })] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "default-drop", name: "web", tier: "default" },
  },
  {
    name: "end of tier: a non-matching policy drops, default-allow profile or not",
    cluster: () => cluster(web({ profiles: [DEFAULT_ALLOW] }), gnp("https-only", { ingress: [tcp(443)] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "default-drop", name: "web", tier: "default" },
  },
  {
    name: "Pass goes to the next tier",
    cluster: () =>
      cluster(
        web(),
        tier("security", 100),
        gnp("pass-all", { tier: "security", ingress: [ruleOf({ action: "Pass" })] }),
        gnp("allow-80", { ingress: [tcp(80)] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "policy", name: "allow-80", ruleIndex: 0, tier: "default" },
  },
  {
    name: "Pass in the last tier reaches the profiles",
    cluster: () =>
      cluster(web({ profiles: [DEFAULT_ALLOW] }), gnp("pass-all", { ingress: [ruleOf({ action: "Pass" })] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "profile", name: DEFAULT_ALLOW },
  },
  {
    name: "tiers order: an earlier tier's deny wins",
    cluster: () =>
      cluster(
        web(),
        tier("first", 10),
        gnp("deny-80", { tier: "first", ingress: [tcp(80, { action: "Deny" })] }),
        gnp("allow-all", { ingress: [allowAll] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "policy", name: "deny-80", ruleIndex: 0, tier: "first" },
  },
  {
    name: "tiers order: a later tier is not reached after an allow",
    cluster: () =>
      cluster(
        web(),
        tier("late", 2_000_000),
        gnp("deny-80", { tier: "late", ingress: [tcp(80, { action: "Deny" })] }),
        gnp("allow-all", { ingress: [allowAll] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "policy", name: "allow-all", tier: "default" },
  },
  {
    name: "Deny",
    cluster: () =>
      cluster(
        web({ profiles: [DEFAULT_ALLOW] }),
        gnp("deny-80", { ingress: [tcp(80, { action: "Deny" }), allowAll] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "policy", name: "deny-80", ruleIndex: 0 },
  },
  {
    name: "Log is not terminal",
    cluster: () => cluster(web(), gnp("log-then-allow", { ingress: [ruleOf({ action: "Log" }), tcp(80)] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "policy", name: "log-then-allow", ruleIndex: 1 },
  },
  {
    name: "ICMP echo allowed by type",
    cluster: (a) =>
      cluster(
        web(),
        gnp("ping", { ingress: [ruleOf({ protocol: a.icmpName, icmp: { type: a.icmpEcho } })] }),
      ),
    packet: (a) => ({
      in: "eth0",
      src: a.remote,
      dst: a.host,
      proto: a.icmpProto,
      icmpType: a.icmpEcho,
      icmpCode: 0,
      state: "new",
    }),
    expect: { verdict: "accept", kind: "policy", name: "ping", ruleIndex: 0 },
  },
  // Pre-DNAT.
  {
    name: "pre-DNAT deny sees the port before DNAT",
    cluster: () =>
      cluster(
        web({ profiles: [DEFAULT_ALLOW] }),
        gnp("block-nodeport", {
          preDNAT: true,
          applyOnForward: true,
          ingress: [tcp(30080, { action: "Deny" })],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 30080, { dnatTo: { ip: a.backend, port: 8080 } }),
    expect: { verdict: "drop", kind: "pre-dnat", name: "block-nodeport", ruleIndex: 0 },
  },
  {
    name: "normal policy sees the port after DNAT (local delivery)",
    cluster: () =>
      cluster(web(), gnp("deny-nodeport-port", { ingress: [tcp(30080, { action: "Deny" }), allowAll] })),
    packet: (a) => tcpIn(a, "eth0", 30080, { dnatTo: { ip: a.host2, port: 8080 } }),
    expect: { verdict: "accept", kind: "policy", name: "deny-nodeport-port", ruleIndex: 1 },
  },
  {
    name: "pre-DNAT allow skips normal policy",
    cluster: () =>
      cluster(
        web(),
        gnp("allow-nodeport", { preDNAT: true, applyOnForward: true, ingress: [tcp(30080)] }),
        gnp("deny-all", { ingress: [denyAll] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 30080, { dnatTo: { ip: a.host2, port: 8080 } }),
    expect: { verdict: "accept", kind: "pre-dnat", name: "allow-nodeport", ruleIndex: 0 },
  },
  // Untracked.
  {
    name: "untracked allow: NOTRACK, then every table accepts on the mark",
    cluster: () =>
      cluster(
        web(),
        gnp("untracked-80", { doNotTrack: true, applyOnForward: true, ingress: [tcp(80)] }),
        gnp("deny-all", { ingress: [denyAll] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "untracked", name: "untracked-80", ruleIndex: 0 },
  },
  {
    name: "untracked deny",
    cluster: () =>
      cluster(
        web({ profiles: [DEFAULT_ALLOW] }),
        gnp("untracked-deny", {
          doNotTrack: true,
          applyOnForward: true,
          ingress: [tcp(80, { action: "Deny" })],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "untracked", name: "untracked-deny", ruleIndex: 0 },
  },
  {
    name: "untracked policy on a * endpoint is ignored",
    cluster: () =>
      cluster(star(), gnp("untracked-80", { doNotTrack: true, applyOnForward: true, ingress: [tcp(80)] })),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "default-drop", name: "all" },
    warning: /DoNotTrack policy is not supported/,
  },
  // IP sets.
  {
    name: "named port: the endpoint's expectedIPs x port",
    cluster: (a) =>
      cluster(
        web({ expectedIPs: [a.host], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
        gnp("allow-http", {
          ingress: [ruleOf({ protocol: "TCP", destination: { ports: [{ kind: "named", name: "http" }] } })],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 8080),
    expect: { verdict: "accept", kind: "policy", name: "allow-http", ruleIndex: 0 },
  },
  {
    name: "named port: another port is dropped",
    cluster: (a) =>
      cluster(
        web({ expectedIPs: [a.host], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
        gnp("allow-http", {
          ingress: [ruleOf({ protocol: "TCP", destination: { ports: [{ kind: "named", name: "http" }] } })],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 8081),
    expect: { verdict: "drop", kind: "default-drop", name: "web", tier: "default" },
  },
  {
    name: "named port: an address that is not an expectedIP is not in the set",
    cluster: (a) =>
      cluster(
        web({ expectedIPs: [a.host], ports: [{ name: "http", port: 8080, protocol: "TCP" }] }),
        gnp("allow-http", {
          ingress: [ruleOf({ protocol: "TCP", destination: { ports: [{ kind: "named", name: "http" }] } })],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 8080, { dst: a.host2 }),
    expect: { verdict: "drop", kind: "default-drop", name: "web" },
  },
  {
    name: "selector set: a HEP on another node with expectedIPs is a source",
    cluster: (a) =>
      cluster(
        web(),
        hep("client", { node: "node-2", interfaceName: "eth0", expectedIPs: [a.remote] }, { role: "client" }),
        gnp("allow-clients", {
          selector: 'role == "web"',
          ingress: [ruleOf({ source: { selector: 'role == "client"' } })],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "accept", kind: "policy", name: "allow-clients", ruleIndex: 0 },
  },
  {
    name: "selector set: the same HEP without expectedIPs is in no set",
    cluster: () =>
      cluster(
        web(),
        hep("client", { node: "node-2", interfaceName: "eth0" }, { role: "client" }),
        gnp("allow-clients", {
          selector: 'role == "web"',
          ingress: [ruleOf({ source: { selector: 'role == "client"' } })],
        }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80),
    expect: { verdict: "drop", kind: "default-drop", name: "web", tier: "default" },
  },
];
