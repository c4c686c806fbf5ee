// The IR of the reference's worked example (felix-iptables-host-endpoints.md §14), built by hand from §14.3 and
// §14.4 so the renderer can be checked against Felix's text and hashes without depending on the lowering code.

import type { Action, Chain, HookChain, Match, Rule, Ruleset, Table } from "../../src/rules/ir.js";

// Felix default marks (§10).
const ACCEPT_BIT = 0x10000;
const PASS_BIT = 0x20000;
const DROP_BIT = 0x40000;
const SCRATCH0 = 0x80000;
const ALL_CALICO = 0x1b0000;

export const rule = (matches: readonly Match[], action: Action, ...comments: string[]): Rule => ({
  kind: "rule",
  matches,
  action,
  comments,
});
export const chain = (name: string, ...rules: Rule[]): Chain => ({ kind: "chain", name, rules });
const hook = (name: HookChain["name"], inserted: Rule[], appended: Rule[] = []): HookChain => ({
  kind: "hook",
  name,
  inserted,
  appended,
});

const accept: Action = { kind: "accept" };
const drop: Action = { kind: "drop" };
const ret: Action = { kind: "return" };
const none: Action = { kind: "none" };
const jump = (target: string): Action => ({ kind: "jump", target });
const goto = (target: string): Action => ({ kind: "goto", target });
const setMark = (bit: number): Action => ({ kind: "setMark", value: bit, mask: bit });
const clearMark = (mask: number): Action => ({ kind: "clearMark", mask });

const markSet = (bit: number): Match => ({ kind: "mark", value: bit, mask: bit, negated: false });
const markClear = (mask: number): Match => ({ kind: "mark", value: 0, mask, negated: false });
const ct = (...states: ("RELATED" | "ESTABLISHED" | "INVALID" | "DNAT")[]): Match => ({
  kind: "ctState",
  states,
  negated: false,
});
const notCt = (...states: "DNAT"[]): Match => ({ kind: "ctState", states, negated: true });
const iif = (name: string): Match => ({ kind: "inIface", name, negated: false });
const oif = (name: string): Match => ({ kind: "outIface", name, negated: false });
/** Policies and failsafes name their protocols, so Felix writes `-p tcp` / `-p udp`. */
const proto = (protocol: number): Match => ({
  kind: "protocol",
  protocol,
  name: protocol === 6 ? "tcp" : "udp",
  negated: false,
});
const dport = (port: number): Match => ({
  kind: "dstPorts",
  ports: [{ from: port, to: port }],
  negated: false,
});
const set = (name: string, dirs: ("src" | "dst")[], negated = false): Match => ({
  kind: "set",
  set: name,
  dirs,
  negated,
});

const TCP = 6;
const UDP = 17;
const FRONTEND = "cali40s:lJVGDaqTNzSq4oOWKtH8pYj";
const SOME_PORT = "cali40n:bjzl4ZbIS1uQZ-m8QAkhulm";
const ANOTHER_PORT = "cali40n:lxtGhQjjYldqBMrkdGoKALa";
const POLICY_IN = "cali-pi-gnp/allow-some-port";
const POLICY_OUT = "cali-po-gnp/allow-some-port";
const HEP_ACCEPTED = "Host endpoint policy accepted packet.";

const failsafe = (name: string, entries: readonly [number, number][]): Chain =>
  chain(name, ...entries.map(([p, port]) => rule([proto(p), dport(port)], accept)));

/** Default FailsafeInboundHostPorts / FailsafeOutboundHostPorts. */
export const failsafeIn = failsafe("cali-failsafe-in", [
  [TCP, 22],
  [UDP, 68],
  [TCP, 179],
  [TCP, 2379],
  [TCP, 2380],
  [TCP, 5473],
  [TCP, 6443],
  [TCP, 6666],
  [TCP, 6667],
]);
export const failsafeOut = failsafe("cali-failsafe-out", [
  [UDP, 53],
  [UDP, 67],
  [TCP, 179],
  [TCP, 2379],
  [TCP, 2380],
  [TCP, 5473],
  [TCP, 6443],
  [TCP, 6666],
  [TCP, 6667],
]);

export const policyIn = chain(
  POLICY_IN,
  rule(
    [proto(TCP), set(FRONTEND, ["src"]), set(SOME_PORT, ["dst", "dst"])],
    setMark(ACCEPT_BIT),
    "GlobalNetworkPolicy allow-some-port ingress",
  ),
  rule([markSet(ACCEPT_BIT)], ret),
  rule([proto(UDP), set(ANOTHER_PORT, ["dst", "dst"])], setMark(DROP_BIT)),
  rule([markSet(DROP_BIT)], drop),
);
export const policyOut = chain(
  POLICY_OUT,
  rule([], setMark(ACCEPT_BIT), "GlobalNetworkPolicy allow-some-port egress"),
);
const profile = (name: string, dir: "ingress" | "egress"): Chain =>
  chain(`cali-${dir === "ingress" ? "pri" : "pro"}-${name}`, rule([], none, `Profile ${name} ${dir}`));

/** Tier, profile and end-of-chain rules shared by the filter and mangle endpoint chains (E3-E9). */
const endpointPolicyRules = (failsafeChain: string, policyChain: string, profilePfx: string): Rule[] => [
  rule([], jump(failsafeChain)),
  rule([], clearMark(ACCEPT_BIT | PASS_BIT)),
  rule([], clearMark(PASS_BIT), "Start of tier default"),
  rule([markClear(PASS_BIT)], jump(policyChain)),
  rule([markSet(ACCEPT_BIT)], ret, "Return if policy accepted"),
  rule([markClear(PASS_BIT)], drop, "End of tier default. Drop if no policies passed packet"),
  rule([], jump(`${profilePfx}profile1`)),
  rule([markSet(ACCEPT_BIT)], ret, "Return if profile accepted"),
  rule([], jump(`${profilePfx}profile2`)),
  rule([markSet(ACCEPT_BIT)], ret, "Return if profile accepted"),
  rule([], drop, "Drop if no profiles matched"),
];
const conntrack = (allow: Action): Rule[] => [
  rule([ct("RELATED", "ESTABLISHED")], allow),
  rule([ct("INVALID")], drop),
];
const forwardDefaultAllow = (name: string): Chain =>
  chain(
    name,
    ...conntrack(accept),
    rule([], clearMark(ACCEPT_BIT | PASS_BIT)),
    rule([], setMark(ACCEPT_BIT), "Allow forwarded traffic by default"),
    rule([], ret, "Return for accepted forward traffic"),
  );
const unknownInterface = (name: string): Chain => chain(name, rule([], drop, "Unknown interface"));

const filterChains: Chain[] = [
  chain(
    "cali-FORWARD",
    rule([], clearMark(ALL_CALICO & ~ACCEPT_BIT)),
    rule([markClear(ACCEPT_BIT)], jump("cali-from-hep-forward")),
    rule([iif("cali+")], jump("cali-from-wl-dispatch")),
    rule([oif("cali+")], jump("cali-to-wl-dispatch")),
    rule([], jump("cali-to-hep-forward")),
    rule([], jump("cali-cidr-block")),
  ),
  chain(
    "cali-INPUT",
    rule([iif("cali+")], goto("cali-wl-to-host")),
    rule([markSet(ACCEPT_BIT)], accept),
    rule([], clearMark(ALL_CALICO)),
    rule([], jump("cali-from-host-endpoint")),
    rule([markSet(ACCEPT_BIT)], accept, HEP_ACCEPTED),
  ),
  chain(
    "cali-OUTPUT",
    rule([markSet(ACCEPT_BIT)], accept),
    rule([oif("cali+")], ret),
    rule([], clearMark(ALL_CALICO)),
    rule([notCt("DNAT")], jump("cali-to-host-endpoint")),
    rule([markSet(ACCEPT_BIT)], accept, HEP_ACCEPTED),
  ),
  chain("cali-cidr-block"),
  failsafeIn,
  failsafeOut,
  chain(
    "cali-fh-eth0",
    ...conntrack(accept),
    ...endpointPolicyRules("cali-failsafe-in", POLICY_IN, "cali-pri-"),
  ),
  forwardDefaultAllow("cali-fhfw-eth0"),
  chain("cali-from-hep-forward", rule([iif("eth0")], goto("cali-fhfw-eth0"))),
  chain("cali-from-host-endpoint", rule([iif("eth0")], goto("cali-fh-eth0"))),
  unknownInterface("cali-from-wl-dispatch"),
  policyIn,
  policyOut,
  profile("profile1", "ingress"),
  profile("profile2", "ingress"),
  profile("profile1", "egress"),
  profile("profile2", "egress"),
  chain(
    "cali-th-eth0",
    ...conntrack(accept),
    ...endpointPolicyRules("cali-failsafe-out", POLICY_OUT, "cali-pro-"),
  ),
  forwardDefaultAllow("cali-thfw-eth0"),
  chain("cali-to-hep-forward", rule([oif("eth0")], goto("cali-thfw-eth0"))),
  chain("cali-to-host-endpoint", rule([oif("eth0")], goto("cali-th-eth0"))),
  unknownInterface("cali-to-wl-dispatch"),
  chain(
    "cali-wl-to-host",
    rule([], jump("cali-from-wl-dispatch")),
    rule([], drop, "Configured DefaultEndpointToHostAction"),
  ),
];

/** filter (§14.3); chains deliberately not in name order, the renderer sorts them. */
export const workedExampleFilter: Table = {
  kind: "table",
  name: "filter",
  chains: [...filterChains].reverse(),
  hooks: [
    hook("INPUT", [rule([], jump("cali-INPUT"))]),
    hook(
      "FORWARD",
      [rule([], jump("cali-FORWARD"))],
      [
        rule([markSet(ACCEPT_BIT)], accept, "Policy explicitly accepted packet."),
        rule([], setMark(ACCEPT_BIT)),
      ],
    ),
    hook("OUTPUT", [rule([], jump("cali-OUTPUT"))]),
  ],
};

/** mangle (§14.4). */
export const workedExampleMangle: Table = {
  kind: "table",
  name: "mangle",
  chains: [
    chain(
      "cali-POSTROUTING",
      rule(
        [
          set("cali40dscp-src-net", ["src"]),
          set("cali40network-ip-pools", ["dst"], true),
          set("cali40this-host", ["dst"], true),
        ],
        jump("cali-egress-dscp"),
        "set dscp for traffic leaving cluster.",
      ),
      rule([markSet(ACCEPT_BIT)], ret),
      rule([], clearMark(ALL_CALICO)),
      rule([ct("DNAT")], jump("cali-to-host-endpoint")),
      rule([markSet(ACCEPT_BIT)], ret, HEP_ACCEPTED),
    ),
    chain(
      "cali-PREROUTING",
      rule([ct("RELATED", "ESTABLISHED")], accept),
      rule([markSet(ACCEPT_BIT)], accept),
      rule([], jump("cali-from-host-endpoint")),
      rule([markSet(ACCEPT_BIT)], accept, HEP_ACCEPTED),
    ),
    chain("cali-egress-dscp"),
    failsafeOut,
    chain("cali-from-host-endpoint"),
    policyOut,
    profile("profile1", "egress"),
    profile("profile2", "egress"),
    chain(
      "cali-th-eth0",
      rule([ct("RELATED", "ESTABLISHED")], setMark(ACCEPT_BIT)),
      rule([ct("RELATED", "ESTABLISHED")], ret),
      rule([ct("INVALID")], drop),
      ...endpointPolicyRules("cali-failsafe-out", POLICY_OUT, "cali-pro-"),
    ),
    chain("cali-to-host-endpoint", rule([oif("eth0")], goto("cali-th-eth0"))),
  ],
  hooks: [
    hook("PREROUTING", [rule([], jump("cali-PREROUTING"))]),
    hook("POSTROUTING", [rule([], jump("cali-POSTROUTING"))]),
  ],
};

/** raw (§14.4). */
export const workedExampleRaw: Table = {
  kind: "table",
  name: "raw",
  chains: [
    chain(
      "cali-OUTPUT",
      rule([], clearMark(ALL_CALICO)),
      rule([], jump("cali-to-host-endpoint")),
      rule([markSet(ACCEPT_BIT)], accept),
    ),
    chain(
      "cali-PREROUTING",
      rule([], clearMark(ALL_CALICO)),
      rule([iif("cali+")], setMark(SCRATCH0)),
      rule([markSet(SCRATCH0)], jump("cali-rpf-skip")),
      rule([markSet(SCRATCH0), { kind: "rpfilterFailed" }], drop),
      rule([markClear(SCRATCH0)], jump("cali-from-host-endpoint")),
      rule([markSet(ACCEPT_BIT)], accept),
    ),
    chain("cali-from-host-endpoint"),
    chain("cali-rpf-skip"),
    chain("cali-to-host-endpoint"),
  ],
  hooks: [
    hook("PREROUTING", [rule([], jump("cali-PREROUTING"))]),
    hook("OUTPUT", [rule([], jump("cali-OUTPUT"))]),
  ],
};

/** §14.2 IP sets, with the members the example derives (the frontend set is empty). */
export const workedExampleRuleset: Ruleset = {
  kind: "ruleset",
  version: 4,
  // In IR order filter first: the renderer writes raw, mangle, nat, filter regardless.
  tables: [workedExampleFilter, workedExampleMangle, workedExampleRaw],
  sets: [
    {
      kind: "set",
      id: "s:lJVGDaqTNzSq4oOWKtH8pYj3zM-u5a8vGYAr8Q",
      name: FRONTEND,
      type: "hash:net",
      version: 4,
      members: [],
      description: 'role == "frontend"',
    },
    {
      kind: "set",
      id: "n:bjzl4ZbIS1uQZ-m8QAkhulmON2qgldJl3b5Pmg",
      name: SOME_PORT,
      type: "hash:ip,port",
      version: 4,
      members: ["192.168.0.2,tcp:1234", "192.168.0.1,tcp:1234"],
      description: "all() tcp some-port",
    },
    {
      kind: "set",
      id: "n:lxtGhQjjYldqBMrkdGoKALa",
      name: ANOTHER_PORT,
      type: "hash:ip,port",
      version: 4,
      members: ["192.168.0.1,udp:5432", "192.168.0.2,udp:5432"],
      description: "all() udp another-port",
    },
  ],
  warnings: [],
};
