// fast-check generators for the flow-space property tests: small random clusters (named and "*" host
// endpoints, tiers, policies of every kind with nets, ports, selectors and ICMP) and packets biased
// towards the boundaries the rules draw. Documentation addresses only.

import fc from "fast-check";
import type { Cluster, GlobalNetworkPolicy, PolicyRule, PortSpec } from "../../src/resources/model.js";
import type { Packet } from "../../src/trace/index.js";
import { cluster, gnp, hep, ruleOf, tier } from "../helpers/model.js";

const NETS = [
  "192.0.2.0/24",
  "192.0.2.128/25",
  "198.51.100.0/24",
  "203.0.113.7/32",
  "2001:db8::/32",
  "2001:db8::10/128",
];
const SELECTORS = ['role == "a"', 'role == "b"', "has(role)", "all()"];
const PORTS: PortSpec[] = [
  { kind: "range", from: 22, to: 22 },
  { kind: "range", from: 53, to: 53 },
  { kind: "range", from: 80, to: 80 },
  { kind: "range", from: 443, to: 443 },
  { kind: "range", from: 1000, to: 2000 },
];

const subset = <T>(xs: readonly T[], max: number): fc.Arbitrary<T[]> =>
  fc.uniqueArray(fc.constantFrom(...xs), { maxLength: max });

/** Mostly empty: a rule with many constraints rarely matches anything a sample hits. */
const rarely = <T>(xs: readonly T[], max: number): fc.Arbitrary<T[]> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant([] as T[]) }, { weight: 1, arbitrary: subset(xs, max) });

const ruleArb: fc.Arbitrary<PolicyRule> = fc
  .record({
    action: fc.constantFrom("Allow", "Deny", "Log", "Pass", "Allow") as fc.Arbitrary<PolicyRule["action"]>,
    protocol: fc.constantFrom(undefined, "TCP", "UDP", "ICMP", "TCP"),
    ports: subset(PORTS, 2),
    notPorts: rarely(PORTS, 1),
    srcNets: rarely(NETS, 2),
    notSrcNets: rarely(NETS, 1),
    dstNets: rarely(NETS, 1),
    srcSelector: fc.option(fc.constantFrom('role == "a"', "has(role)", 'role == "b"'), {
      nil: undefined,
      freq: 2,
    }),
    icmpType: fc.option(fc.constantFrom(0, 8), { nil: undefined }),
  })
  .map((r) => {
    const ported = r.protocol === "TCP" || r.protocol === "UDP";
    return ruleOf({
      action: r.action,
      ...(r.protocol === undefined ? {} : { protocol: r.protocol }),
      ...(r.protocol === "ICMP" && r.icmpType !== undefined ? { icmp: { type: r.icmpType } } : {}),
      source: {
        nets: r.srcNets,
        notNets: r.notSrcNets,
        ...(r.srcSelector === undefined ? {} : { selector: r.srcSelector }),
      },
      destination: { nets: r.dstNets, ports: ported ? r.ports : [], notPorts: ported ? r.notPorts : [] },
    });
  });

const policyArb = (name: string): fc.Arbitrary<GlobalNetworkPolicy> =>
  fc
    .record({
      selector: fc.constantFrom(...SELECTORS),
      order: fc.constantFrom(undefined, 10, 100),
      tiered: fc.boolean(),
      kind: fc.constantFrom("normal", "normal", "forward", "preDNAT"),
      ingress: fc.array(ruleArb, { maxLength: 3 }),
      egress: fc.array(ruleArb, { maxLength: 2 }),
    })
    .map((p) =>
      gnp(p.tiered ? `t1.${name}` : name, {
        selector: p.selector,
        ...(p.order === undefined ? {} : { order: p.order }),
        ...(p.tiered ? { tier: "t1" } : {}),
        ingress: p.ingress,
        // Pre-DNAT policy has no egress rules (Calico rejects them).
        egress: p.kind === "preDNAT" ? [] : p.egress,
        preDNAT: p.kind === "preDNAT",
        applyOnForward: p.kind !== "normal",
      }),
    );

export interface RandomCluster {
  readonly base: Cluster;
  /**
   * base with a proposed change: one more policy, or the other node's endpoint relabelled or readdressed.
   * The last two change only the members of selector sets: the same set names, the same rules, other
   * addresses in them.
   */
  readonly changed: Cluster;
}

export const clusterArb: fc.Arbitrary<RandomCluster> = fc
  .record({
    named: fc.boolean(),
    star: fc.boolean(),
    eth1: fc.boolean(),
    namedRole: fc.constantFrom("a", "b"),
    starRole: fc.constantFrom("a", "b", undefined),
    starProfile: fc.boolean(),
    namedProfile: fc.boolean(),
    tierAction: fc.constantFrom("Deny", "Pass") as fc.Arbitrary<"Deny" | "Pass">,
    policies: fc
      .array(fc.nat(), { maxLength: 3 })
      .chain((ids) => fc.tuple(...ids.map((_, i) => policyArb(`p${i}`)))),
    extra: policyArb("extra"),
    change: fc.constantFrom("policy", "policy", "relabel", "readdress"),
  })
  .map((c) => {
    const eps = [
      ...(c.named
        ? [
            hep(
              "n1-eth0",
              {
                node: "n1",
                interfaceName: "eth0",
                expectedIPs: ["192.0.2.10", "2001:db8::10"],
                profiles: c.namedProfile ? ["projectcalico-default-allow"] : [],
              },
              { role: c.namedRole },
            ),
          ]
        : []),
      ...(c.eth1
        ? [
            hep(
              "n1-eth1",
              { node: "n1", interfaceName: "eth1", expectedIPs: ["198.51.100.10"] },
              { role: "b" },
            ),
          ]
        : []),
      ...(c.star || (!c.named && !c.eth1)
        ? [
            hep(
              "n1-all",
              {
                node: "n1",
                interfaceName: "*",
                expectedIPs: ["192.0.2.11"],
                profiles: c.starProfile ? ["projectcalico-default-allow"] : [],
              },
              c.starRole === undefined ? {} : { role: c.starRole },
            ),
          ]
        : []),
    ];
    // Another node's endpoint: only a member of selector sets.
    const other = (role: string, ips: string[]) =>
      hep("n2-eth0", { node: "n2", interfaceName: "eth0", expectedIPs: ips }, { role });
    const n2 = other("a", ["192.0.2.200", "203.0.113.7"]);
    const n2After =
      c.change === "relabel"
        ? other("b", ["192.0.2.200", "203.0.113.7"])
        : c.change === "readdress"
          ? other("a", ["192.0.2.201", "203.0.113.8", "2001:db8::200"])
          : n2;
    const base = cluster(...eps, n2, tier("t1", 50, c.tierAction), ...c.policies);
    const extra = c.change === "policy" ? [c.extra] : [];
    return { base, changed: cluster(...eps, n2After, tier("t1", 50, c.tierAction), ...c.policies, ...extra) };
  });

const V4 = [
  "192.0.2.0",
  "192.0.2.10",
  "192.0.2.11",
  "192.0.2.127",
  "192.0.2.128",
  "192.0.2.200",
  "192.0.2.255",
  "198.51.100.0",
  "198.51.100.10",
  "198.51.100.255",
  "203.0.113.6",
  "203.0.113.7",
  "203.0.113.8",
];
const V6 = ["2001:db8::", "2001:db8::10", "2001:db8::11", "2001:db8::ffff", "2001:db8:ffff::1"];
const IFACES = ["eth0", "eth1", "eth9", "cali1234", "tap0", "lo", "other-if0"];
const PORT_VALUES = [
  0, 1, 21, 22, 23, 52, 53, 54, 79, 80, 81, 179, 442, 443, 444, 999, 1000, 1500, 2000, 2001, 6443, 10250,
  65535,
];

const addrArb = (v: 4 | 6): fc.Arbitrary<string> =>
  v === 4
    ? fc.oneof(
        fc.constantFrom(...V4),
        fc.integer({ min: 0, max: 255 }).map((x) => `192.0.2.${x}`),
      )
    : fc.oneof(
        fc.constantFrom(...V6),
        fc.integer({ min: 0, max: 0xffff }).map((x) => `2001:db8::${x.toString(16)}`),
      );

export const packetArb = (v: 4 | 6): fc.Arbitrary<Packet> =>
  fc
    .record({
      dir: fc.constantFrom("in", "out", "fwd"),
      i: fc.constantFrom(...IFACES),
      o: fc.constantFrom(...IFACES),
      src: addrArb(v),
      dst: addrArb(v),
      proto: fc.constantFrom(6, 17, v === 4 ? 1 : 58, 132, 47, 0, 6, 17),
      sport: fc.oneof(fc.constantFrom(...PORT_VALUES), fc.integer({ min: 0, max: 65535 })),
      dport: fc.oneof(fc.constantFrom(...PORT_VALUES), fc.integer({ min: 0, max: 65535 })),
      icmpType: fc.constantFrom(0, 3, 8, 128, 255),
      icmpCode: fc.constantFrom(0, 1),
    })
    .map((p) => {
      const ported = [6, 17, 132, 136].includes(p.proto);
      const icmp = p.proto === (v === 4 ? 1 : 58);
      return {
        ...(p.dir !== "out" ? { in: p.i } : {}),
        ...(p.dir !== "in" ? { out: p.o } : {}),
        src: p.src,
        dst: p.dst,
        proto: p.proto,
        ...(ported ? { sport: p.sport, dport: p.dport } : {}),
        ...(icmp ? { icmpType: p.icmpType, icmpCode: p.icmpCode } : {}),
        state: "new" as const,
      };
    });
