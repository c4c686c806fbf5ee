// One table of IR ↔ Felix fragment cases, reused by the renderer test (IR → text), the dump parser test (text → IR)
// and the kernel round-trip (each case loaded into a namespace and read back with iptables-save).
// Expected text follows felix/iptables/match_builder.go and actions.go at 87c15906f2.

import type { Action, IpVersion, Match, TableName } from "../../src/rules/ir.js";

export interface FragmentCase<T> {
  readonly name: string;
  readonly ir: T;
  /** Felix's fragment. */
  readonly text: string;
  /** What the parser reads back when it differs from `ir` (same meaning, other form). */
  readonly parsed?: readonly T[];
  /** IP versions the case applies to (default both). */
  readonly versions?: readonly IpVersion[];
  /** Table for the kernel round trip (default filter); false when it cannot be loaded on its own. */
  readonly table?: TableName | false;
  /** Matches the kernel needs before this one (e.g. `-p tcp` before a port match). */
  readonly prefix?: readonly Match[];
}

// Policies name their protocols (Felix writes `-p tcp`); the IR keeps the name.
const tcp: Match = { kind: "protocol", protocol: 6, name: "tcp", negated: false };
const udp: Match = { kind: "protocol", protocol: 17, name: "udp", negated: false };
const icmpProto: Match = { kind: "protocol", protocol: 1, name: "icmp", negated: false };
const icmp6Proto: Match = { kind: "protocol", protocol: 58, name: "icmpv6", negated: false };
const ports = (...p: [number, number?][]) => p.map(([from, to]) => ({ from, to: to ?? from }));
const manyPorts = Array.from({ length: 16 }, (_, i) => ({ from: 1000 + i, to: 1000 + i }));

/** Sets the set-match cases refer to (the kernel round trip creates them). */
export const CASE_SETS = {
  4: { net: "cali40s:lJVGDaqTNzSq4oOWKtH8pYj", ipPort: "cali40n:bjzl4ZbIS1uQZ-m8QAkhulm" },
  6: { net: "cali60s:lJVGDaqTNzSq4oOWKtH8pYj", ipPort: "cali60n:bjzl4ZbIS1uQZ-m8QAkhulm" },
} as const;

const setCases = (v: IpVersion): FragmentCase<Match>[] => [
  {
    name: `set src (v${v})`,
    ir: { kind: "set", set: CASE_SETS[v].net, dirs: ["src"], negated: false },
    text: `-m set --match-set ${CASE_SETS[v].net} src`,
    versions: [v],
  },
  {
    name: `negated named-port set dst,dst (v${v})`,
    ir: { kind: "set", set: CASE_SETS[v].ipPort, dirs: ["dst", "dst"], negated: true },
    text: `-m set ! --match-set ${CASE_SETS[v].ipPort} dst,dst`,
    versions: [v],
  },
];

export const MATCH_CASES: readonly FragmentCase<Match>[] = [
  { name: "protocol tcp by name", ir: tcp, text: "-p tcp" },
  { name: "negated protocol udp", ir: { ...udp, negated: true }, text: "! -p udp" },
  {
    name: "protocol IPIP by number (static rules: ProtocolNum)",
    ir: { kind: "protocol", protocol: 4, negated: false },
    text: "-p 4",
  },
  {
    name: "protocol UDP by number (VXLAN rules)",
    ir: { kind: "protocol", protocol: 17, negated: false },
    text: "-p 17",
  },
  {
    name: "negated protocol by number (policy notProtocol: 47)",
    ir: { kind: "protocol", protocol: 47, negated: true },
    text: "! -p 47",
  },
  {
    name: "protocol sctp",
    ir: { kind: "protocol", protocol: 132, name: "sctp", negated: false },
    text: "-p sctp",
  },
  {
    name: "protocol udplite",
    ir: { kind: "protocol", protocol: 136, name: "udplite", negated: false },
    text: "-p udplite",
  },
  { name: "protocol icmpv6 by name", ir: icmp6Proto, text: "-p icmpv6", versions: [6] },
  {
    name: "protocol 58 by number (cali-wl-to-host ICMPv6 rules)",
    ir: { kind: "protocol", protocol: 58, negated: false },
    text: "-p 58",
    versions: [6],
  },
  {
    name: "source net",
    ir: { kind: "srcNet", cidr: "198.51.100.0/24", negated: false },
    text: "--source 198.51.100.0/24",
    versions: [4],
  },
  {
    name: "negated destination host",
    ir: { kind: "dstNet", cidr: "203.0.113.1/32", negated: true },
    text: "! --destination 203.0.113.1/32",
    versions: [4],
  },
  {
    name: "IPv6 source net",
    ir: { kind: "srcNet", cidr: "2001:db8::/32", negated: false },
    text: "--source 2001:db8::/32",
    versions: [6],
  },
  {
    name: "multiport destination ports and range",
    ir: { kind: "dstPorts", ports: ports([22], [80, 90]), negated: false },
    text: "-m multiport --destination-ports 22,80:90",
    prefix: [tcp],
  },
  {
    name: "negated multiport source range",
    ir: { kind: "srcPorts", ports: ports([1, 2]), negated: true },
    text: "-m multiport ! --source-ports 1:2",
    prefix: [udp],
  },
  {
    name: "single --dport (raw VXLAN NOTRACK)",
    ir: { kind: "dstPorts", ports: ports([4789]), negated: false, form: "single" } as Match,
    text: "--dport 4789",
    parsed: [{ kind: "dstPorts", ports: ports([4789]), negated: false }],
    prefix: [udp],
  },
  {
    name: "negated ports over 15 slots split into ANDed multiport matches",
    ir: { kind: "dstPorts", ports: manyPorts, negated: true },
    text: `-m multiport ! --destination-ports ${manyPorts
      .slice(0, 15)
      .map((p) => p.from)
      .join(",")} -m multiport ! --destination-ports 1015`,
    parsed: [
      { kind: "dstPorts", ports: manyPorts.slice(0, 15), negated: true },
      { kind: "dstPorts", ports: manyPorts.slice(15), negated: true },
    ],
    prefix: [tcp],
  },
  ...setCases(4),
  ...setCases(6),
  {
    name: "in interface",
    ir: { kind: "inIface", name: "eth0", negated: false },
    text: "--in-interface eth0",
  },
  {
    name: "in interface wildcard",
    ir: { kind: "inIface", name: "cali+", negated: false },
    text: "--in-interface cali+",
  },
  {
    name: "negated out interface",
    ir: { kind: "outIface", name: "eth0", negated: true },
    text: "! --out-interface eth0",
  },
  {
    name: "mark bit set",
    ir: { kind: "mark", value: 0x10000, mask: 0x10000, negated: false },
    text: "-m mark --mark 0x10000/0x10000",
  },
  {
    name: "mark clear (MarkClear writes a literal 0)",
    ir: { kind: "mark", value: 0, mask: 0x20000, negated: false },
    text: "-m mark --mark 0/0x20000",
  },
  {
    name: "mark not clear",
    ir: { kind: "mark", value: 0, mask: 0xffe00000, negated: true },
    text: "-m mark ! --mark 0/0xffe00000",
  },
  {
    name: "negated masked mark",
    ir: { kind: "mark", value: 0x200000, mask: 0xffe00000, negated: true },
    text: "-m mark ! --mark 0x200000/0xffe00000",
  },
  {
    name: "conntrack related,established",
    ir: { kind: "ctState", states: ["RELATED", "ESTABLISHED"], negated: false },
    text: "-m conntrack --ctstate RELATED,ESTABLISHED",
  },
  {
    name: "conntrack not DNAT",
    ir: { kind: "ctState", states: ["DNAT"], negated: true },
    text: "-m conntrack ! --ctstate DNAT",
  },
  {
    name: "icmp type and code",
    ir: { kind: "icmp", version: 4, type: 8, code: 0, negated: false },
    text: "-m icmp --icmp-type 8/0",
    versions: [4],
    prefix: [icmpProto],
  },
  {
    name: "negated icmp type",
    ir: { kind: "icmp", version: 4, type: 3, negated: true },
    text: "-m icmp ! --icmp-type 3",
    versions: [4],
    prefix: [icmpProto],
  },
  {
    name: "icmpv6 type",
    ir: { kind: "icmp", version: 6, type: 128, negated: false },
    text: "-m icmp6 --icmpv6-type 128",
    versions: [6],
    prefix: [icmp6Proto],
  },
  {
    name: "icmpv6 type and code",
    ir: { kind: "icmp", version: 6, type: 1, code: 4, negated: false },
    text: "-m icmp6 --icmpv6-type 1/4",
    versions: [6],
    prefix: [icmp6Proto],
  },
  {
    name: "destination address type LOCAL",
    ir: { kind: "addrType", dir: "dst", type: "LOCAL", negated: false },
    text: "-m addrtype --dst-type LOCAL",
  },
  {
    name: "negated source address type",
    ir: { kind: "addrType", dir: "src", type: "LOCAL", negated: true },
    text: "-m addrtype ! --src-type LOCAL",
  },
  {
    name: "rpfilter failed",
    ir: { kind: "rpfilterFailed" },
    text: "-m rpfilter --invert --validmark",
    table: "raw",
  },
  {
    name: "limit with burst",
    ir: { kind: "limit", rate: "10/sec", burst: 3 },
    text: "-m limit --limit 10/sec --limit-burst 3",
  },
  { name: "limit without burst", ir: { kind: "limit", rate: "3/min" }, text: "-m limit --limit 3/min" },
  {
    name: "unknown match text is kept",
    ir: { kind: "unknown", text: "-m ttl --ttl-eq 5", assume: true },
    text: "-m ttl --ttl-eq 5",
    versions: [4],
  },
];

export const ACTION_CASES: readonly FragmentCase<Action>[] = [
  { name: "accept", ir: { kind: "accept" }, text: "--jump ACCEPT" },
  { name: "drop", ir: { kind: "drop" }, text: "--jump DROP" },
  { name: "reject", ir: { kind: "reject" }, text: "--jump REJECT" },
  { name: "return", ir: { kind: "return" }, text: "--jump RETURN" },
  { name: "jump", ir: { kind: "jump", target: "cali-target" }, text: "--jump cali-target" },
  { name: "goto", ir: { kind: "goto", target: "cali-target" }, text: "--goto cali-target" },
  {
    name: "set mark bit",
    ir: { kind: "setMark", value: 0x10000, mask: 0x10000 },
    text: "--jump MARK --set-mark 0x10000/0x10000",
  },
  {
    name: "set masked mark",
    ir: { kind: "setMark", value: 0x200000, mask: 0xffe00000 },
    text: "--jump MARK --set-mark 0x200000/0xffe00000",
  },
  {
    name: "set mark to zero prints 0x0 (SetMaskedMark)",
    ir: { kind: "setMark", value: 0, mask: 0x1b0000 },
    text: "--jump MARK --set-mark 0x0/0x1b0000",
    parsed: [{ kind: "clearMark", mask: 0x1b0000 }],
  },
  { name: "clear mark", ir: { kind: "clearMark", mask: 0x30000 }, text: "--jump MARK --set-mark 0/0x30000" },
  {
    name: "log",
    ir: { kind: "log", prefix: "calico-packet", level: 5 },
    text: '--jump LOG --log-prefix "calico-packet: " --log-level 5',
  },
  {
    name: "nflog with size",
    ir: { kind: "nflog", group: 1, prefix: "API0|default.allow-some", size: 80 },
    text: "--jump NFLOG --nflog-group 1 --nflog-prefix API0|default.allow-some --nflog-size 80",
  },
  {
    name: "nflog without size",
    ir: { kind: "nflog", group: 2, prefix: "DRI", size: -1 },
    text: "--jump NFLOG --nflog-group 2 --nflog-prefix DRI",
  },
  { name: "notrack", ir: { kind: "notrack" }, text: "--jump NOTRACK", table: "raw" },
  {
    name: "dnat",
    ir: { kind: "dnat", to: "198.51.100.1:8080" },
    text: "--jump DNAT --to-destination 198.51.100.1:8080",
    table: "nat",
    versions: [4],
    prefix: [tcp],
  },
  { name: "masquerade", ir: { kind: "masquerade" }, text: "--jump MASQUERADE", table: "nat" },
  { name: "no action", ir: { kind: "none" }, text: "" },
  {
    name: "unknown target text is kept",
    ir: { kind: "unknown", text: "--jump TRACE" },
    text: "--jump TRACE",
    table: "raw",
  },
];
