// Random small clusters for the differential test, on a fixed topology: endpoints on eth0/eth1, `*` or
// expectedIPs-only, a remote endpoint for selectors, policies with random rules, orders, tiers and kinds
// (normal, applyOnForward, preDNAT, doNotTrack), profiles and Felix settings. They are printed as the
// Calico YAML a user would write, so a failure's shrunk counterexample can be replayed with the CLI.

import fc from "fast-check";
import { stringify } from "yaml";
import type { TopologyPlan } from "../../src/dataplane/plan.js";

/** The fixed lab: three host links, a workload, extra peer addresses for nets and selectors. */
export const DIFF_PLAN: TopologyPlan = {
  links: [0, 1, 2]
    .map((i) => ({
      name: `eth${i}`,
      kind: "host" as const,
      hostAddrs: [`192.0.2.${10 + i}`, `2001:db8::${10 + i}`],
      farAddrs: [`198.51.100.${200 + i}`, `2001:db8:ca11:2::${i + 1}`],
      hostMac: `02:ca:11:00:0${i}:01`,
      farMac: `02:ca:11:00:0${i}:02`,
    }))
    .concat([
      {
        name: "cali0000000001",
        kind: "workload" as never,
        hostAddrs: [],
        farAddrs: ["203.0.113.200", "2001:db8:ca11:3::1"],
        hostMac: "02:ca:11:00:03:01",
        farMac: "02:ca:11:00:03:02",
      },
    ]),
  extra: [
    { addr: "203.0.113.5", home: "eth0" },
    { addr: "198.51.100.20", home: "eth1" },
    { addr: "203.0.113.6", home: "eth2" },
    { addr: "2001:db8:feed::1", home: "eth0" },
  ],
  gateway: { v4: "192.0.2.254", v6: "2001:db8:ca11:ff::1" },
  nodePort: 30080,
  notes: [],
};

export const TCP_PORTS = [22, 80, 443, 8080] as const;
export const UDP_PORTS = [53, 68, 2049] as const;
const NETS4 = ["203.0.113.0/24", "203.0.113.5/32", "198.51.100.0/24", "198.51.100.20/32", "192.0.2.0/24"];
const NETS6 = ["2001:db8:feed::/48", "2001:db8:ca11:2::/64"];
const SELECTORS = ["all()", "role == 'a'", "role == 'b'", "has(role)", "!has(role)"];
const SOURCE_SELECTORS = ["role == 'a'", "role == 'b'", "kind == 'blocked'"];

type Json = Record<string, unknown>;

const portsArb = (proto: "TCP" | "UDP") =>
  fc.array(
    fc.oneof(
      fc.constantFrom<number | string>(...(proto === "TCP" ? TCP_PORTS : UDP_PORTS)),
      fc.constant<number | string>(proto === "TCP" ? "80:443" : "53:68"),
    ),
    { minLength: 1, maxLength: 2 },
  );

const ruleArb = (dir: "ingress" | "egress"): fc.Arbitrary<Json> =>
  fc
    .record(
      {
        action: fc.constantFrom("Allow", "Deny", "Pass", "Log"),
        proto: fc.constantFrom<"TCP" | "UDP" | "ICMP" | undefined>("TCP", "UDP", "ICMP", undefined),
        ports: fc.option(fc.boolean(), { nil: undefined }),
        // A rule's CIDRs are of one family (Calico validation).
        v6: fc.boolean(),
        net: fc.option(fc.nat(4), { nil: undefined }),
        notNet: fc.option(fc.nat(4), { nil: undefined }),
        selector: fc.option(fc.constantFrom(...SOURCE_SELECTORS), { nil: undefined }),
        icmpType: fc.option(fc.constantFrom(8, 128), { nil: undefined }),
        tcpPorts: portsArb("TCP"),
        udpPorts: portsArb("UDP"),
      },
      { requiredKeys: ["action", "proto", "tcpPorts", "udpPorts", "v6"] },
    )
    .map((r) => {
      const peer = dir === "ingress" ? "source" : "destination";
      const icmpType = r.proto === "ICMP" && r.icmpType === 8;
      const nets = r.v6 && !icmpType ? NETS6 : NETS4;
      const entity: Json = {
        ...(r.net === undefined ? {} : { nets: [nets[r.net % nets.length]] }),
        ...(r.notNet === undefined ? {} : { notNets: [nets[r.notNet % nets.length]] }),
        ...(r.selector === undefined ? {} : { selector: r.selector }),
      };
      const ports =
        r.ports === true && (r.proto === "TCP" || r.proto === "UDP")
          ? { ports: r.proto === "TCP" ? r.tcpPorts : r.udpPorts }
          : {};
      return {
        action: r.action,
        ...(r.proto === undefined ? {} : { protocol: r.proto }),
        // A type match only for IPv4 (`ipVersion: 4`): with both families the IPv6 rendering of an ICMP type
        // match is refused by ip6tables (`-p icmp -m icmp6`), a render bug reported separately.
        ...(icmpType ? { icmp: { type: 8 }, ipVersion: 4 } : {}),
        ...(Object.keys(entity).length === 0 ? {} : { [peer]: entity }),
        ...(Object.keys(ports).length === 0
          ? {}
          : { destination: { ...(peer === "destination" ? entity : {}), ...ports } }),
      };
    });

const policyArb: fc.Arbitrary<(i: number) => Json> = fc
  .record({
    kind: fc.constantFrom("normal", "normal", "aof", "preDNAT", "doNotTrack"),
    tier: fc.constantFrom("default", "default", "t1", "t2"),
    order: fc.option(fc.constantFrom(10, 20, 30), { nil: undefined }),
    selector: fc.constantFrom(...SELECTORS),
    ingress: fc.array(ruleArb("ingress"), { maxLength: 3 }),
    egress: fc.array(ruleArb("egress"), { maxLength: 2 }),
  })
  .map((p) => (i: number) => {
    // Calico: preDNAT and doNotTrack need applyOnForward; preDNAT is ingress only.
    const egress = p.kind === "preDNAT" ? [] : p.egress;
    const types = [
      ...(p.ingress.length > 0 || egress.length === 0 ? ["Ingress"] : []),
      ...(egress.length > 0 ? ["Egress"] : []),
    ];
    return {
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkPolicy",
      metadata: { name: p.tier === "default" ? `p${i}` : `${p.tier}.p${i}` },
      spec: {
        ...(p.tier === "default" ? {} : { tier: p.tier }),
        ...(p.order === undefined ? {} : { order: p.order }),
        selector: p.selector,
        types,
        ...(p.kind === "normal" ? {} : { applyOnForward: true }),
        ...(p.kind === "preDNAT" ? { preDNAT: true } : {}),
        ...(p.kind === "doNotTrack" ? { doNotTrack: true } : {}),
        ...(p.ingress.length > 0 ? { ingress: p.ingress } : {}),
        ...(egress.length > 0 ? { egress } : {}),
      },
    };
  });

const hepArb: fc.Arbitrary<(i: number) => Json> = fc
  .record({
    iface: fc.constantFrom("eth0", "eth1", "*", ""),
    role: fc.constantFrom<string | undefined>("a", "b", undefined),
    ips: fc.boolean(),
    profile: fc.constantFrom<string | undefined>("projectcalico-default-allow", "p1", undefined),
  })
  .map((h) => (i: number) => ({
    apiVersion: "projectcalico.org/v3",
    kind: "HostEndpoint",
    metadata: { name: `hep${i}`, ...(h.role === undefined ? {} : { labels: { role: h.role } }) },
    spec: {
      node: "node-1",
      ...(h.iface === "" ? {} : { interfaceName: h.iface }),
      // An expectedIPs-only endpoint binds eth1 (192.0.2.11); a named one lists its own addresses.
      ...(h.iface === ""
        ? { expectedIPs: ["192.0.2.11"] }
        : h.ips && h.iface !== "*"
          ? { expectedIPs: [`192.0.2.1${h.iface.slice(3)}`] }
          : {}),
      ...(h.profile === undefined ? {} : { profiles: [h.profile] }),
    },
  }));

export const clusterArb: fc.Arbitrary<Json[]> = fc
  .record({
    heps: fc.array(hepArb, { minLength: 1, maxLength: 3 }),
    policies: fc.array(policyArb, { maxLength: 4 }),
    remoteRole: fc.constantFrom("a", "b"),
    t1: fc.record({ order: fc.constantFrom(5, 50), defaultAction: fc.constantFrom("Deny", "Pass") }),
    p1: fc.record({
      ingress: fc.array(ruleArb("ingress"), { maxLength: 2 }),
      egress: fc.array(ruleArb("egress"), { maxLength: 1 }),
    }),
    failsafe: fc.constantFrom("default", "custom", "none"),
    e2h: fc.constantFrom("Drop", "Accept", "Return"),
  })
  .map((g) => [
    ...g.heps.map((h, i) => h(i)),
    {
      apiVersion: "projectcalico.org/v3",
      kind: "HostEndpoint",
      metadata: { name: "remote", labels: { role: g.remoteRole } },
      spec: { node: "node-2", expectedIPs: ["198.51.100.20", "2001:db8:feed::1"] },
    },
    {
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkSet",
      metadata: { name: "blocked", labels: { kind: "blocked" } },
      spec: { nets: ["203.0.113.5/32"] },
    },
    { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "t1" }, spec: g.t1 },
    { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "t2" }, spec: { order: 20 } },
    { apiVersion: "projectcalico.org/v3", kind: "Profile", metadata: { name: "p1" }, spec: g.p1 },
    {
      apiVersion: "projectcalico.org/v3",
      kind: "FelixConfiguration",
      metadata: { name: "default" },
      spec: {
        defaultEndpointToHostAction: g.e2h,
        ...(g.failsafe === "custom"
          ? {
              failsafeInboundHostPorts: [{ protocol: "TCP", port: 80 }],
              failsafeOutboundHostPorts: [{ protocol: "UDP", port: 2049 }],
            }
          : g.failsafe === "none"
            ? { failsafeInboundHostPorts: [], failsafeOutboundHostPorts: [] }
            : {}),
      },
    },
    ...g.policies.map((p, i) => p(i)),
  ]);

export const toYaml = (docs: readonly Json[]): string => docs.map((d) => stringify(d)).join("---\n");
