// One table of IR → nft cases: Felix's text (felix/nftables/match_builder.go, actions.go at 87c15906f2), the
// libnftables JSON we emit, and what `nft -j list` prints back when it differs (observed on nft 1.0.6). Reused by
// the unit tests (render and parse) and the kernel round trip (every case loaded into a namespace).

import type { Action, IpVersion, Match, TableName } from "../../src/rules/ir.js";
import type { NftStatement } from "../../src/render/nftables/index.js";

export interface NftCase<T> {
  readonly name: string;
  readonly ir: T;
  readonly felix: string;
  /** Loadable nft text, when it differs from Felix's. */
  readonly text?: string;
  readonly json: readonly NftStatement[];
  /** What nft prints back, when it differs from `json` (same meaning). */
  readonly readback?: readonly NftStatement[];
  readonly versions?: readonly IpVersion[];
  /** Matches the rule needs before this one to load (a port needs its protocol). */
  readonly prefix?: readonly Match[];
  /** Layer for the kernel round trip (default filter). */
  readonly layer?: TableName;
}

const m = (left: unknown, right: unknown, op = "=="): NftStatement =>
  ({ match: { op, left, right } }) as NftStatement;
const meta = (key: string) => ({ meta: { key } });
const payload = (protocol: string, field: string) => ({ payload: { protocol, field } });
const mark = { meta: { key: "mark" } } as const;
const tcp: Match = { kind: "protocol", protocol: 6, name: "tcp", negated: false };
const udpNum: Match = { kind: "protocol", protocol: 17, negated: false };

export const CASE_SETS = {
  4: { net: "cali40s:lJVGDaqTNzSq4oOWKtH8pYj", ipPort: "cali40n:bjzl4ZbIS1uQZ-m8QAkhulm" },
  6: { net: "cali60s:lJVGDaqTNzSq4oOWKtH8pYj", ipPort: "cali60n:bjzl4ZbIS1uQZ-m8QAkhulm" },
} as const;

const setCases = (v: IpVersion): NftCase<Match>[] => {
  const ip = v === 4 ? "ip" : "ip6";
  const net = CASE_SETS[v].net.replace(":", "-");
  const ipPort = CASE_SETS[v].ipPort.replace(":", "-");
  return [
    {
      name: `set src (v${v})`,
      ir: { kind: "set", set: CASE_SETS[v].net, dirs: ["src"], negated: false },
      felix: `${ip} saddr @${net}`,
      json: [m(payload(ip, "saddr"), `@${net}`)],
      versions: [v],
    },
    {
      name: `negated set dst (v${v})`,
      ir: { kind: "set", set: CASE_SETS[v].net, dirs: ["dst"], negated: true },
      felix: `${ip} daddr != @${net}`,
      json: [m(payload(ip, "daddr"), `@${net}`, "!=")],
      versions: [v],
    },
    {
      name: `named-port set dst,dst (v${v})`,
      ir: { kind: "set", set: CASE_SETS[v].ipPort, dirs: ["dst", "dst"], negated: false },
      felix: `${ip} daddr . meta l4proto . th dport @${ipPort}`,
      json: [m({ concat: [payload(ip, "daddr"), meta("l4proto"), payload("th", "dport")] }, `@${ipPort}`)],
      versions: [v],
    },
    {
      name: `negated named-port set src,src after tcp (v${v})`,
      ir: { kind: "set", set: CASE_SETS[v].ipPort, dirs: ["src", "src"], negated: true },
      felix: `${ip} saddr . meta l4proto . th sport != @${ipPort}`,
      json: [
        m({ concat: [payload(ip, "saddr"), meta("l4proto"), payload("th", "sport")] }, `@${ipPort}`, "!="),
      ],
      // With the protocol fixed by the rule, nft prints `tcp sport` in the concatenation and drops l4proto.
      readback: [
        m({ concat: [payload(ip, "saddr"), meta("l4proto"), payload("tcp", "sport")] }, `@${ipPort}`, "!="),
      ],
      prefix: [tcp],
      versions: [v],
    },
  ];
};

export const MATCH_CASES: readonly NftCase<Match>[] = [
  {
    name: "protocol by name",
    ir: tcp,
    felix: "meta l4proto tcp",
    json: [m(meta("l4proto"), "tcp")],
  },
  {
    name: "protocol by number (ProtocolNum)",
    ir: udpNum,
    felix: "meta l4proto 17",
    json: [m(meta("l4proto"), 17)],
    readback: [m(meta("l4proto"), "udp")],
  },
  {
    name: "negated protocol",
    ir: { kind: "protocol", protocol: 17, name: "udp", negated: true },
    felix: "meta l4proto != udp",
    json: [m(meta("l4proto"), "udp", "!=")],
  },
  {
    name: "icmpv6 by name",
    ir: { kind: "protocol", protocol: 58, name: "icmpv6", negated: false },
    felix: "meta l4proto icmpv6",
    json: [m(meta("l4proto"), "icmpv6")],
    readback: [m(meta("l4proto"), "ipv6-icmp")],
    versions: [6],
  },
  {
    name: "source prefix",
    ir: { kind: "srcNet", cidr: "198.51.100.0/24", negated: false },
    felix: "ip saddr 198.51.100.0/24",
    json: [m(payload("ip", "saddr"), { prefix: { addr: "198.51.100.0", len: 24 } })],
    versions: [4],
  },
  {
    name: "negated destination host",
    ir: { kind: "dstNet", cidr: "192.0.2.1/32", negated: true },
    felix: "ip daddr != 192.0.2.1/32",
    json: [m(payload("ip", "daddr"), "192.0.2.1", "!=")],
    versions: [4],
  },
  {
    name: "IPv6 source prefix",
    ir: { kind: "srcNet", cidr: "2001:db8::/32", negated: false },
    felix: "ip6 saddr 2001:db8::/32",
    json: [m(payload("ip6", "saddr"), { prefix: { addr: "2001:db8::", len: 32 } })],
    versions: [6],
  },
  {
    name: "one destination port (anonymous set)",
    ir: { kind: "dstPorts", ports: [{ from: 22, to: 22 }], negated: false },
    felix: "tcp dport { 22 }",
    json: [m(payload("tcp", "dport"), { set: [22] })],
    readback: [m(payload("tcp", "dport"), 22)],
    prefix: [tcp],
  },
  {
    name: "ports and a range",
    ir: {
      kind: "dstPorts",
      ports: [
        { from: 22, to: 22 },
        { from: 8000, to: 8080 },
      ],
      negated: false,
    },
    felix: "tcp dport { 22, 8000-8080 }",
    json: [m(payload("tcp", "dport"), { set: [22, { range: [8000, 8080] }] })],
    prefix: [tcp],
  },
  {
    name: "negated source ports after ProtocolNum",
    ir: { kind: "srcPorts", ports: [{ from: 1024, to: 65535 }], negated: true },
    felix: "udp sport != { 1024-65535 }",
    json: [m(payload("udp", "sport"), { set: [{ range: [1024, 65535] }] }, "!=")],
    readback: [m(payload("udp", "sport"), { range: [1024, 65535] }, "!=")],
    prefix: [udpNum],
  },
  {
    name: "interface wildcard",
    ir: { kind: "inIface", name: "cali+", negated: false },
    felix: "iifname cali*",
    text: 'iifname "cali*"',
    json: [m(meta("iifname"), "cali*")],
  },
  {
    name: "negated output interface",
    ir: { kind: "outIface", name: "eth0", negated: true },
    felix: "oifname != eth0",
    text: 'oifname != "eth0"',
    json: [m(meta("oifname"), "eth0", "!=")],
  },
  {
    name: "mark bit set (MarkSingleBitSet)",
    ir: { kind: "mark", value: 0x10000, mask: 0x10000, negated: false },
    felix: "meta mark & 0x10000 == 0x10000",
    json: [m({ "&": [mark, 0x10000] }, 0x10000)],
  },
  {
    name: "mark bit clear (MarkClear)",
    ir: { kind: "mark", value: 0, mask: 0x20000, negated: false },
    felix: "meta mark & 0x20000 == 0",
    json: [m({ "&": [mark, 0x20000] }, 0)],
  },
  {
    name: "contiguous mask not clear reads back as a prefix",
    ir: { kind: "mark", value: 0, mask: 0xfff00000, negated: true },
    felix: "meta mark & 0xfff00000 != 0",
    json: [m({ "&": [mark, 0xfff00000] }, 0, "!=")],
    readback: [m(mark, { prefix: { addr: 0, len: 12 } }, "!=")],
  },
  {
    name: "ct state established,related",
    ir: { kind: "ctState", states: ["RELATED", "ESTABLISHED"], negated: false },
    felix: "ct state related,established",
    json: [m({ ct: { key: "state" } }, ["related", "established"], "in")],
    readback: [m({ ct: { key: "state" } }, ["established", "related"], "in")],
  },
  {
    name: "ct state invalid",
    ir: { kind: "ctState", states: ["INVALID"], negated: false },
    felix: "ct state invalid",
    json: [m({ ct: { key: "state" } }, "invalid", "in")],
  },
  {
    name: "negated ct state pair (set lookup, not Felix's exact compare)",
    ir: { kind: "ctState", states: ["RELATED", "ESTABLISHED"], negated: true },
    felix: "ct state != related,established",
    text: "ct state != { related, established }",
    json: [m({ ct: { key: "state" } }, { set: ["related", "established"] }, "!=")],
    readback: [m({ ct: { key: "state" } }, { set: ["established", "related"] }, "!=")],
  },
  {
    name: "ct status dnat",
    ir: { kind: "ctState", states: ["DNAT"], negated: false },
    felix: "ct status dnat",
    json: [m({ ct: { key: "status" } }, "dnat", "in")],
  },
  {
    name: "ct status != dnat (NotConntrackStatus, exact compare)",
    ir: { kind: "ctState", states: ["DNAT"], negated: true },
    felix: "ct status != dnat",
    json: [m({ ct: { key: "status" } }, "dnat", "!=")],
  },
  {
    name: "ICMP type",
    ir: { kind: "icmp", version: 4, type: 8, negated: false },
    felix: "icmp type 8",
    json: [m(payload("icmp", "type"), 8)],
    readback: [m(payload("icmp", "type"), "echo-request")],
    prefix: [{ kind: "protocol", protocol: 1, name: "icmp", negated: false }],
    versions: [4],
  },
  {
    name: "ICMP type and code (two matches; Felix's text does not load)",
    ir: { kind: "icmp", version: 4, type: 3, code: 1, negated: false },
    felix: "icmp type 3 code 1",
    text: "icmp type 3 icmp code 1",
    json: [m(payload("icmp", "type"), 3), m(payload("icmp", "code"), 1)],
    readback: [
      m(payload("icmp", "type"), "destination-unreachable"),
      m(payload("icmp", "code"), "host-unreachable"),
    ],
    prefix: [{ kind: "protocol", protocol: 1, name: "icmp", negated: false }],
    versions: [4],
  },
  {
    name: "negated ICMPv6 type and code (one concatenation)",
    ir: { kind: "icmp", version: 6, type: 1, code: 4, negated: true },
    felix: "icmpv6 type != 1 code != 4",
    text: "icmpv6 type . icmpv6 code != { 1 . 4 }",
    json: [
      m(
        { concat: [payload("icmpv6", "type"), payload("icmpv6", "code")] },
        { set: [{ concat: [1, 4] }] },
        "!=",
      ),
    ],
    readback: [
      m(
        { concat: [payload("icmpv6", "type"), payload("icmpv6", "code")] },
        { set: [{ concat: ["destination-unreachable", "port-unreachable"] }] },
        "!=",
      ),
    ],
    prefix: [{ kind: "protocol", protocol: 58, name: "icmpv6", negated: false }],
    versions: [6],
  },
  {
    name: "destination address type local",
    ir: { kind: "addrType", dir: "dst", type: "LOCAL", negated: false },
    felix: "fib daddr type local",
    json: [m({ fib: { result: "type", flags: ["daddr"] } }, "local")],
  },
  {
    name: "RPF check failed",
    ir: { kind: "rpfilterFailed" },
    felix: "fib saddr . mark . iif oif 0",
    json: [m({ fib: { result: "oif", flags: ["saddr", "mark", "iif"] } }, 0)],
    readback: [m({ fib: { result: "oif", flags: ["saddr", "mark", "iif"] } }, "0")],
    layer: "raw",
  },
  {
    name: "rate limit",
    ir: { kind: "limit", rate: "10/minute", burst: 5 },
    felix: "limit rate 10/minute burst 5 packets",
    json: [{ limit: { rate: 10, per: "minute", burst: 5 } }],
  },
  ...setCases(4),
  ...setCases(6),
];

export const ACTION_CASES: readonly NftCase<Action>[] = [
  { name: "accept", ir: { kind: "accept" }, felix: "accept", json: [{ accept: null }] },
  { name: "drop", ir: { kind: "drop" }, felix: "drop", json: [{ drop: null }] },
  {
    name: "reject (nft fills in its default)",
    ir: { kind: "reject" },
    felix: "reject",
    json: [{ reject: null }],
    readback: [{ reject: { type: "icmp", expr: "port-unreachable" } }],
    versions: [4],
  },
  { name: "return", ir: { kind: "return" }, felix: "return", json: [{ return: null }] },
  {
    name: "jump is namespaced by the layer",
    ir: { kind: "jump", target: "cali-target" },
    felix: "jump filter-cali-target",
    json: [{ jump: { target: "filter-cali-target" } }],
  },
  {
    name: "goto is namespaced by the layer",
    ir: { kind: "goto", target: "cali-target" },
    felix: "goto filter-cali-target",
    json: [{ goto: { target: "filter-cali-target" } }],
  },
  {
    name: "set mark (SetMarkAction)",
    ir: { kind: "setMark", value: 0x10000, mask: 0x10000 },
    felix: "meta mark set mark or 0x10000",
    json: [{ mangle: { key: mark, value: { "|": [mark, 0x10000] } } }],
  },
  {
    name: "set masked mark (SetMaskedMarkAction)",
    ir: { kind: "setMark", value: 0x80000, mask: 0x180000 },
    felix: "meta mark set mark & 0xffe7ffff ^ 0x80000",
    json: [{ mangle: { key: mark, value: { "^": [{ "&": [mark, 0xffe7ffff] }, 0x80000] } } }],
    readback: [{ mangle: { key: mark, value: { "|": [{ "&": [mark, 0xffefffff] }, 0x80000] } } }],
  },
  {
    name: "clear mark (ClearMarkAction)",
    ir: { kind: "clearMark", mask: 0x1b0000 },
    felix: "meta mark set mark & 0xffe4ffff",
    json: [{ mangle: { key: mark, value: { "&": [mark, 0xffe4ffff] } } }],
  },
  {
    name: "log (always level info in nft mode)",
    ir: { kind: "log", prefix: "calico-packet", level: 6 },
    felix: 'log prefix "calico-packet: " level info',
    json: [{ log: { prefix: "calico-packet: ", level: "info" } }],
  },
  {
    name: "nflog",
    ir: { kind: "nflog", group: 1, prefix: "API0|gnp/allow", size: 80 },
    felix: 'log prefix "API0|gnp/allow" snaplen 80 group 1',
    json: [{ log: { prefix: "API0|gnp/allow", group: 1, snaplen: 80 } }],
  },
  { name: "notrack", ir: { kind: "notrack" }, felix: "notrack", json: [{ notrack: null }], layer: "raw" },
];
