// iptables-save spellings → IR: every way iptables (legacy or nft) or a person may write a rule reads to the
// same IR; unknown modules and targets are kept with a warning.

import test from "ava";
import { parseIptablesSave, xmarkAction } from "../../src/dump/index.js";
import type { Dump, DumpRule } from "../../src/dump/index.js";
import type { Action, Match } from "../../src/rules/ir.js";

const wrap = (...rules: string[]): string =>
  ["*filter", ":INPUT ACCEPT [0:0]", ":cali-x - [0:0]", ":cali-y - [0:0]", ...rules, "COMMIT", ""].join("\n");

const parse = (text: string): Dump => {
  const r = parseIptablesSave(text);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

const rulesOf = (d: Dump, chain = "cali-x"): readonly DumpRule[] =>
  d.tables[0]?.chains.find((c) => c.name === chain)?.rules ?? [];

const one = (rule: string): { matches: readonly Match[]; action: Action; warnings: readonly string[] } => {
  const d = parse(wrap(`-A cali-x ${rule}`));
  const r = rulesOf(d)[0];
  if (r === undefined) throw new Error("no rule");
  return { matches: r.rule.matches, action: r.rule.action, warnings: d.warnings };
};

const tcp: Match = { kind: "protocol", protocol: 6, negated: false };
const udp: Match = { kind: "protocol", protocol: 17, negated: false };

/** The protocol name is kept as written (so a rule re-renders as written); spelling tests compare numbers. */
const withoutName = (m: Match): Match =>
  m.kind === "protocol" ? { kind: m.kind, protocol: m.protocol, negated: m.negated } : m;

/** [description, spellings that must all give `matches` (protocol names aside), matches]. */
const MATCH_SPELLINGS: readonly [string, readonly string[], readonly Match[]][] = [
  [
    "source address",
    ["-s 198.51.100.1", "--source 198.51.100.1/32", "--src 198.51.100.1/255.255.255.255"],
    [{ kind: "srcNet", cidr: "198.51.100.1/32", negated: false }],
  ],
  [
    "source network host bits cleared",
    ["-s 198.51.100.3/24"],
    [{ kind: "srcNet", cidr: "198.51.100.0/24", negated: false }],
  ],
  [
    "negated destination",
    ["! -d 198.51.100.0/24", "-d ! 198.51.100.0/24", "! --destination 198.51.100.0/24"],
    [{ kind: "dstNet", cidr: "198.51.100.0/24", negated: true }],
  ],
  ["IPv6 address", ["-s 2001:0db8::0001"], [{ kind: "srcNet", cidr: "2001:db8::1/128", negated: false }]],
  ["negated protocol", ["! -p tcp", "-p ! tcp", "! --protocol 6", "! -p TCP"], [{ ...tcp, negated: true }]],
  ["protocol 4", ["-p ipencap", "-p 4", "-p ipv4"], [{ kind: "protocol", protocol: 4, negated: false }]],
  ["protocol gre", ["-p gre", "-p 47"], [{ kind: "protocol", protocol: 47, negated: false }]],
  [
    "protocol ICMPv6",
    ["-p ipv6-icmp", "-p icmpv6", "-p 58"],
    [{ kind: "protocol", protocol: 58, negated: false }],
  ],
  ["any protocol is no match", ["-p all", "-p 0"], []],
  [
    "interfaces",
    ["-i eth0 -o cali+", "--in-interface eth0 --out-interface cali+"],
    [
      { kind: "inIface", name: "eth0", negated: false },
      { kind: "outIface", name: "cali+", negated: false },
    ],
  ],
  [
    "multiport",
    ["-p tcp -m multiport --dports 22,80:90", "-p tcp -m multiport --destination-ports 22,80:90"],
    [
      tcp,
      {
        kind: "dstPorts",
        ports: [
          { from: 22, to: 22 },
          { from: 80, to: 90 },
        ],
        negated: false,
      },
    ],
  ],
  [
    "source multiport negated",
    ["-p udp -m multiport ! --sports 53", "-p udp -m multiport ! --source-ports 53"],
    [udp, { kind: "srcPorts", ports: [{ from: 53, to: 53 }], negated: true }],
  ],
  [
    "single port, explicit or implicit module",
    [
      "-p tcp -m tcp --dport 22",
      "-p tcp --dport 22",
      "-p tcp --destination-port 22",
      "-p 6 -m tcp --dport 22",
    ],
    [tcp, { kind: "dstPorts", ports: [{ from: 22, to: 22 }], negated: false }],
  ],
  [
    "open port ranges",
    ["-p udp -m udp --sport 1024: --dport :1023"],
    [
      udp,
      { kind: "srcPorts", ports: [{ from: 1024, to: 65535 }], negated: false },
      { kind: "dstPorts", ports: [{ from: 0, to: 1023 }], negated: false },
    ],
  ],
  [
    "mark match spellings",
    ["-m mark --mark 0x0/0x20000", "-m mark --mark 0/0x20000", "-m mark --mark 0/131072"],
    [{ kind: "mark", value: 0, mask: 0x20000, negated: false }],
  ],
  [
    "mark without mask",
    ["-m mark --mark 0x1"],
    [{ kind: "mark", value: 1, mask: 0xffffffff, negated: false }],
  ],
  [
    "conntrack and state",
    ["-m conntrack --ctstate RELATED,ESTABLISHED", "-m state --state RELATED,ESTABLISHED"],
    [{ kind: "ctState", states: ["RELATED", "ESTABLISHED"], negated: false }],
  ],
  [
    "old-style negated ctstate",
    ["-m conntrack ! --ctstate DNAT", "-m conntrack --ctstate ! DNAT"],
    [{ kind: "ctState", states: ["DNAT"], negated: true }],
  ],
  [
    "icmp type by name and number",
    ["-p icmp -m icmp --icmp-type 8", "-p icmp -m icmp --icmp-type echo-request", "-p icmp --icmp-type ping"],
    [
      { kind: "protocol", protocol: 1, negated: false },
      { kind: "icmp", version: 4, type: 8, negated: false },
    ],
  ],
  [
    "icmp name with code",
    ["-p icmp -m icmp --icmp-type port-unreachable", "-p icmp -m icmp --icmp-type 3/3"],
    [
      { kind: "protocol", protocol: 1, negated: false },
      { kind: "icmp", version: 4, type: 3, code: 3, negated: false },
    ],
  ],
  [
    "icmpv6 names",
    ["-p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation", "-p icmpv6 --icmpv6-type 135"],
    [
      { kind: "protocol", protocol: 58, negated: false },
      { kind: "icmp", version: 6, type: 135, negated: false },
    ],
  ],
  [
    "set with two directions",
    ["-m set --match-set cali40n:x src,dst"],
    [{ kind: "set", set: "cali40n:x", dirs: ["src", "dst"], negated: false }],
  ],
  [
    "addrtype",
    ["-m addrtype --dst-type LOCAL"],
    [{ kind: "addrType", dir: "dst", type: "LOCAL", negated: false }],
  ],
  [
    "rpfilter in either order",
    ["-m rpfilter --invert --validmark", "-m rpfilter --validmark --invert"],
    [{ kind: "rpfilterFailed" }],
  ],
  ["limit", ["-m limit --limit 5/sec --limit-burst 7"], [{ kind: "limit", rate: "5/sec", burst: 7 }]],
];

for (const [name, spellings, matches] of MATCH_SPELLINGS) {
  for (const s of spellings) {
    test(`spelling: ${name}: ${s}`, (t) => {
      const got = one(s);
      t.deepEqual(got.matches.map(withoutName), matches);
      t.deepEqual(got.warnings, []);
    });
  }
}

const ACTION_SPELLINGS: readonly [string, readonly string[], Action][] = [
  ["accept", ["-j ACCEPT", "--jump ACCEPT"], { kind: "accept" }],
  ["jump to a chain", ["-j cali-y", "--jump cali-y"], { kind: "jump", target: "cali-y" }],
  ["goto", ["-g cali-y", "--goto cali-y"], { kind: "goto", target: "cali-y" }],
  [
    "clear mark",
    ["-j MARK --set-xmark 0x0/0x30000", "-j MARK --set-mark 0/0x30000", "-j MARK --and-mark 0xfffcffff"],
    { kind: "clearMark", mask: 0x30000 },
  ],
  [
    "set mark",
    [
      "-j MARK --set-xmark 0x10000/0x10000",
      "-j MARK --set-mark 0x10000/0x10000",
      "-j MARK --or-mark 0x10000",
    ],
    { kind: "setMark", value: 0x10000, mask: 0x10000 },
  ],
  ["set-mark v/m is xmark v/(m|v)", ["-j MARK --set-mark 0x1/0x2"], { kind: "setMark", value: 1, mask: 3 }],
  [
    "log",
    [
      '-j LOG --log-prefix "calico-packet: " --log-level 5',
      '-j LOG --log-prefix "calico-packet: " --log-level notice',
    ],
    { kind: "log", prefix: "calico-packet", level: 5 },
  ],
  ["log default level", ['-j LOG --log-prefix "x"'], { kind: "log", prefix: "x", level: 4 }],
  [
    "nflog",
    [
      '-j NFLOG --nflog-prefix "API0|default.p" --nflog-group 1 --nflog-size 80',
      "-j NFLOG --nflog-group 1 --nflog-prefix API0|default.p --nflog-range 80",
    ],
    { kind: "nflog", group: 1, prefix: "API0|default.p", size: 80 },
  ],
  ["notrack", ["-j NOTRACK", "-j CT --notrack"], { kind: "notrack" }],
  ["reject", ["-j REJECT", "-j REJECT --reject-with icmp-port-unreachable"], { kind: "reject" }],
  ["dnat", ["-j DNAT --to-destination 198.51.100.1:80"], { kind: "dnat", to: "198.51.100.1:80" }],
  ["masquerade", ["-j MASQUERADE"], { kind: "masquerade" }],
  ["no target", [""], { kind: "none" }],
];

for (const [name, spellings, action] of ACTION_SPELLINGS) {
  for (const s of spellings) {
    test(`target: ${name}: ${s || "(none)"}`, (t) => {
      const got = one(s);
      t.deepEqual(got.action, action);
      t.deepEqual(got.warnings, []);
    });
  }
}

test("protocol: a name is kept lower-cased as written, a number has no name", (t) => {
  t.deepEqual(one("-p TCP").matches, [{ kind: "protocol", protocol: 6, name: "tcp", negated: false }]);
  t.deepEqual(one("-p ipencap").matches, [
    { kind: "protocol", protocol: 4, name: "ipencap", negated: false },
  ]);
  t.deepEqual(one("! -p 4").matches, [{ kind: "protocol", protocol: 4, negated: true }]);
});

test("xmark: v ⊆ m is setMark, v = 0 is clearMark, anything else toggles bits (no IR form)", (t) => {
  t.deepEqual(xmarkAction(0x10000, 0x10000), { kind: "setMark", value: 0x10000, mask: 0x10000 });
  t.deepEqual(xmarkAction(0, 0xffffffff), { kind: "clearMark", mask: 0xffffffff });
  t.is(xmarkAction(0x1, 0x2), undefined);
});

/** [rule, expected unknown pieces, warning fragment]. */
const UNKNOWN: readonly [string, readonly Match[], Action, string][] = [
  [
    "-p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT",
    [
      tcp,
      { kind: "dstPorts", ports: [{ from: 22, to: 22 }], negated: false },
      { kind: "unknown", text: "-m tcp --tcp-flags FIN,SYN,RST,ACK SYN", assume: true },
    ],
    { kind: "accept" },
    "--tcp-flags",
  ],
  [
    "-m foo --bar 1 --baz -j DROP",
    [{ kind: "unknown", text: "-m foo --bar 1 --baz", assume: true }],
    { kind: "drop" },
    "-m foo",
  ],
  [
    "-m addrtype --dst-type UNICAST",
    [{ kind: "unknown", text: "-m addrtype --dst-type UNICAST", assume: true }],
    { kind: "none" },
    "UNICAST",
  ],
  ["-m rpfilter", [{ kind: "unknown", text: "-m rpfilter", assume: true }], { kind: "none" }, "rpfilter"],
  [
    "-m conntrack --ctstate NEW --ctstatus CONFIRMED",
    [
      { kind: "ctState", states: ["NEW"], negated: false },
      { kind: "unknown", text: "-m conntrack --ctstatus CONFIRMED", assume: true },
    ],
    { kind: "none" },
    "--ctstatus",
  ],
  ["-f -j ACCEPT", [{ kind: "unknown", text: "-f", assume: true }], { kind: "accept" }, "-f"],
  ["-j CONNMARK --save-mark", [], { kind: "unknown", text: "--jump CONNMARK --save-mark" }, "CONNMARK"],
  ["-j MARK --xor-mark 0x1", [], { kind: "unknown", text: "--jump MARK --xor-mark 0x1" }, "--xor-mark"],
  [
    "-j MARK --set-xmark 0x1/0x2",
    [],
    { kind: "unknown", text: "--jump MARK --set-xmark 0x1/0x2" },
    "--set-xmark",
  ],
  ["-j CT --zone 1", [], { kind: "unknown", text: "--jump CT --zone 1" }, "--zone"],
  ["-j cali-undeclared", [], { kind: "unknown", text: "--jump cali-undeclared" }, "cali-undeclared"],
];

for (const [rule, matches, action, warning] of UNKNOWN) {
  test(`unknown kept, never dropped: ${rule}`, (t) => {
    const got = one(rule);
    t.deepEqual(got.matches.map(withoutName), matches);
    t.deepEqual(got.action, action);
    t.is(got.warnings.length, 1);
    t.true(got.warnings[0]?.includes(warning), got.warnings[0]);
    t.true(got.warnings[0]?.startsWith("line 5: "));
  });
}

test("unknown matches can be assumed not to match", (t) => {
  const d = parseIptablesSave(wrap("-A cali-x -m foo -j DROP"), { assumeUnknown: false });
  t.true(d.ok);
  if (d.ok)
    t.deepEqual(rulesOf(d.value)[0]?.rule.matches, [{ kind: "unknown", text: "-m foo", assume: false }]);
});

test("ignored side details are warnings, not unknowns", (t) => {
  const reject = one("-j REJECT --reject-with tcp-reset");
  t.deepEqual(reject.action, { kind: "reject" });
  t.regex(reject.warnings[0] ?? "", /tcp-reset/);
  const masq = one("-j MASQUERADE --random-fully");
  t.deepEqual(masq.action, { kind: "masquerade" });
  t.regex(masq.warnings[0] ?? "", /--random-fully/);
});

test("comments: the first cali: id is kept apart, other comments in order, quotes unescaped", (t) => {
  const d = parse(
    wrap(
      '-A cali-x -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -m comment --comment "weird \\"quote\\" x" -m comment --comment cali:notanid -j ACCEPT',
    ),
  );
  const r = rulesOf(d)[0];
  t.is(r?.id, "Cz_u1IQiXIMmKD4c");
  t.deepEqual(r?.rule.comments, ['weird "quote" x', "cali:notanid"]);
});

test("matches keep their order; module options after base options still reach their module", (t) => {
  const got = one("-p tcp -m multiport --dports 22 -s 198.51.100.0/24 --sports 1:2 -m mark --mark 0x1/0x1");
  t.deepEqual(
    got.matches.map((m) => m.kind),
    ["protocol", "dstPorts", "srcPorts", "srcNet", "mark"],
  );
});
