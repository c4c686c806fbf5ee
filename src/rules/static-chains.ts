// Felix's static chains that carry host-endpoint traffic, for its default feature set (no IPIP,
// VXLAN, WireGuard, kube-proxy IPVS or flow logs): felix/rules/static.go, our reference §1.2.
// Rule order is exact; the cited line ranges are in static.go at calico 87c15906.

import type { EffectiveConfig } from "../calc/config.js";
import type { FailsafePort } from "../resources/model.js";
import type { Action, Chain, HookChain, IpVersion, Rule } from "./ir.js";
import { action, match, rule } from "./build.js";
import { CHAIN } from "./names.js";

const chain = (name: string, rules: Rule[]): Chain => ({ kind: "chain", name, rules });
const PROTO = { tcp: 6, udp: 17, sctp: 132 } as const;
const ACCEPTED = "Host endpoint policy accepted packet.";
const isV6 = (net: string): boolean => net.includes(":");

export interface StaticContext {
  readonly version: IpVersion;
  readonly config: EffectiveConfig;
  readonly deny: Action;
}

/** Accept|pass|scratch0|scratch1: "clear all Calico bits" (the drop bit is not included, 1517-1522). */
const allBits = (c: EffectiveConfig): number =>
  c.marks.accept | c.marks.pass | c.marks.scratch0 | c.marks.scratch1;

const staticOrigin = (what: string) => ({ origin: { kind: "static", what } as const });

/** cali-failsafe-in / -out (475-607); in raw each also admits the other list's replies by source port. */
export const failsafeChain = (
  dir: "in" | "out",
  table: "raw" | "mangle" | "filter",
  ctx: StaticContext,
): Chain => {
  const { failsafeInbound, failsafeOutbound } = ctx.config;
  const entry = (
    p: FailsafePort,
    ports: "src" | "dst",
    netSide: "src" | "dst",
    list: "inbound" | "outbound",
  ) => {
    if (p.net !== undefined && isV6(p.net) !== (ctx.version === 6)) return [];
    const m = [
      match.protocol(PROTO[p.protocol], p.protocol),
      ports === "dst"
        ? match.dstPorts([{ from: p.port, to: p.port }])
        : match.srcPorts([{ from: p.port, to: p.port }]),
      ...(p.net === undefined ? [] : [netSide === "src" ? match.srcNet(p.net) : match.dstNet(p.net)]),
    ];
    const text = `${p.protocol}:${p.net === undefined ? "" : `${p.net}:`}${p.port}`;
    return [rule(m, action.accept, { origin: { kind: "failsafe", direction: list, entry: text } })];
  };
  const rules =
    dir === "in"
      ? [
          ...failsafeInbound.flatMap((p) => entry(p, "dst", "src", "inbound")),
          ...(table === "raw" ? failsafeOutbound.flatMap((p) => entry(p, "src", "src", "outbound")) : []),
        ]
      : [
          ...failsafeOutbound.flatMap((p) => entry(p, "dst", "dst", "outbound")),
          ...(table === "raw" ? failsafeInbound.flatMap((p) => entry(p, "src", "dst", "inbound")) : []),
        ];
  return chain(dir === "in" ? CHAIN.failsafeIn : CHAIN.failsafeOut, rules);
};

export const filterStaticChains = (ctx: StaticContext): Chain[] => {
  const c = ctx.config;
  const A = action.of(c.filterAllow);
  const { accept } = c.marks;
  const prefixes = c.workloadPrefixes;
  const icmp6 = ctx.version === 6 ? [130, 131, 132, 133, 135, 136] : [];
  return [
    chain(CHAIN.input, [
      ...prefixes.map((p) =>
        rule([match.inIface(`${p}+`)], action.goto(CHAIN.wlToHost), { origin: { kind: "workload-to-host" } }),
      ),
      rule([match.markSet(accept)], A, staticOrigin("accepted by untracked or pre-DNAT policy")),
      rule([], action.clearMark(allBits(c)), staticOrigin("clear Calico mark bits")),
      rule([], action.jump(CHAIN.fromHostEndpoint), staticOrigin("host endpoint ingress dispatch")),
      rule([match.markSet(accept)], A, {
        comments: [ACCEPTED],
        ...staticOrigin("host endpoint policy accepted"),
      }),
    ]),
    chain(CHAIN.output, [
      rule([match.markSet(accept)], A, staticOrigin("accepted by untracked policy")),
      ...prefixes.map((p) =>
        rule([match.outIface(`${p}+`)], action.return, { origin: { kind: "host-to-workload" } }),
      ),
      rule([], action.clearMark(allBits(c)), staticOrigin("clear Calico mark bits")),
      rule(
        [match.ctState(["DNAT"], true)],
        action.jump(CHAIN.toHostEndpoint),
        staticOrigin("host endpoint egress dispatch"),
      ),
      rule([match.markSet(accept)], A, {
        comments: [ACCEPTED],
        ...staticOrigin("host endpoint policy accepted"),
      }),
    ]),
    chain(CHAIN.forward, [
      // The accept bit survives: it carries a verdict from raw/mangle (static.go:609-692).
      rule([], action.clearMark(allBits(c) & ~accept), staticOrigin("clear Calico mark bits except accept")),
      rule(
        [match.markClear(accept)],
        action.jump(CHAIN.fromHepForward),
        staticOrigin("forward ingress dispatch"),
      ),
      ...prefixes.flatMap((p) => [
        rule(
          [match.inIface(`${p}+`)],
          action.jump(CHAIN.fromWlDispatch),
          staticOrigin("workload egress dispatch"),
        ),
        rule(
          [match.outIface(`${p}+`)],
          action.jump(CHAIN.toWlDispatch),
          staticOrigin("workload ingress dispatch"),
        ),
      ]),
      rule([], action.jump(CHAIN.toHepForward), staticOrigin("forward egress dispatch")),
      rule([], action.jump(CHAIN.cidrBlock), staticOrigin("service loop prevention")),
    ]),
    chain(CHAIN.wlToHost, [
      ...icmp6.map((t) =>
        rule([match.protocol(58), match.icmp(6, t)], A, { origin: { kind: "workload-to-host" } }),
      ),
      rule([], action.jump(CHAIN.fromWlDispatch), { origin: { kind: "workload-to-host" } }),
      rule([], action.of(c.defaultEndpointToHostAction), {
        comments: ["Configured DefaultEndpointToHostAction"],
        origin: { kind: "workload-to-host" },
      }),
    ]),
    chain(CHAIN.cidrBlock, []),
  ];
};

export const filterHooks = (ctx: StaticContext): HookChain[] => {
  const A = action.of(ctx.config.filterAllow);
  const { accept } = ctx.config.marks;
  const hook = (name: HookChain["name"], target: string): HookChain => ({
    kind: "hook",
    name,
    inserted: [rule([], action.jump(target), staticOrigin("Felix hook"))],
    appended: [],
  });
  return [
    hook("INPUT", CHAIN.input),
    {
      ...hook("FORWARD", CHAIN.forward),
      // static.go:696-714: accept what policy accepted, else mark as forwarded for mangle POSTROUTING.
      appended: [
        rule([match.markSet(accept)], A, {
          comments: ["Policy explicitly accepted packet."],
          ...staticOrigin("forwarded packet accepted by policy"),
        }),
        rule([], action.setMark(accept), staticOrigin("mark forwarded packet")),
      ],
    },
    hook("OUTPUT", CHAIN.output),
  ];
};

export const mangleStaticChains = (ctx: StaticContext): Chain[] => {
  const c = ctx.config;
  const M = action.of(c.mangleAllow);
  const { accept } = c.marks;
  const v = ctx.version;
  return [
    chain(CHAIN.prerouting, [
      rule([match.ctState(["RELATED", "ESTABLISHED"])], M, staticOrigin("established flow")),
      rule([match.markSet(accept)], M, staticOrigin("accepted by untracked policy")),
      rule([], action.jump(CHAIN.fromHostEndpoint), staticOrigin("pre-DNAT dispatch")),
      rule([match.markSet(accept)], M, { comments: [ACCEPTED], ...staticOrigin("pre-DNAT policy accepted") }),
    ]),
    chain(CHAIN.postrouting, [
      rule(
        [
          match.set(`cali${v}0dscp-src-net`, ["src"]),
          match.set(`cali${v}0network-ip-pools`, ["dst"], true),
          match.set(`cali${v}0this-host`, ["dst"], true),
        ],
        action.jump(CHAIN.egressDscp),
        { comments: ["set dscp for traffic leaving cluster."], ...staticOrigin("DSCP marking") },
      ),
      rule([match.markSet(accept)], action.return, staticOrigin("forwarded or already accepted")),
      rule([], action.clearMark(allBits(c)), staticOrigin("clear Calico mark bits")),
      rule(
        [match.ctState(["DNAT"])],
        action.jump(CHAIN.toHostEndpoint),
        staticOrigin("DNAT'd host egress dispatch"),
      ),
      rule([match.markSet(accept)], action.return, {
        comments: [ACCEPTED],
        ...staticOrigin("host endpoint policy accepted"),
      }),
    ]),
    chain(CHAIN.egressDscp, []),
  ];
};

export const rawStaticChains = (ctx: StaticContext): Chain[] => {
  const c = ctx.config;
  const { accept, scratch0 } = c.marks;
  return [
    chain(CHAIN.prerouting, [
      rule([], action.clearMark(allBits(c)), staticOrigin("clear Calico mark bits")),
      ...c.workloadPrefixes.map((p) =>
        rule([match.inIface(`${p}+`)], action.setMark(scratch0), staticOrigin("mark packet from workload")),
      ),
      rule([match.markSet(scratch0)], action.jump(CHAIN.rpfSkip), staticOrigin("RPF skip")),
      rule(
        [match.markSet(scratch0), { kind: "rpfilterFailed" }],
        ctx.deny,
        staticOrigin("workload RPF check"),
      ),
      rule(
        [match.markClear(scratch0)],
        action.jump(CHAIN.fromHostEndpoint),
        staticOrigin("untracked ingress dispatch"),
      ),
      rule([match.markSet(accept)], action.accept, staticOrigin("untracked policy accepted")),
    ]),
    chain(CHAIN.output, [
      rule([], action.clearMark(allBits(c)), staticOrigin("clear Calico mark bits")),
      rule([], action.jump(CHAIN.toHostEndpoint), staticOrigin("untracked egress dispatch")),
      rule([match.markSet(accept)], action.accept, staticOrigin("untracked policy accepted")),
    ]),
    chain(CHAIN.rpfSkip, []),
  ];
};

const hook = (name: HookChain["name"], target: string): HookChain => ({
  kind: "hook",
  name,
  inserted: [rule([], action.jump(target), staticOrigin("Felix hook"))],
  appended: [],
});

export const mangleHooks = (): HookChain[] => [
  hook("PREROUTING", CHAIN.prerouting),
  hook("POSTROUTING", CHAIN.postrouting),
];
export const rawHooks = (): HookChain[] => [
  hook("PREROUTING", CHAIN.prerouting),
  hook("OUTPUT", CHAIN.output),
];

/** The ipsets the static mangle DSCP rule references; Felix creates them (empty without DSCP config). */
export const staticSetNames = (v: IpVersion): string[] => [
  `cali${v}0dscp-src-net`,
  `cali${v}0network-ip-pools`,
  `cali${v}0this-host`,
];
