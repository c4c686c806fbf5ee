// Kernel semantics of the walker on hand-built rulesets: jump/goto/RETURN, per-table ACCEPT, marks across
// tables, conntrack state, NOTRACK, DNAT, interfaces per hook, sets, and the notes it leaves.

import test from "ava";
import { action, match, rule } from "../../src/rules/build.js";
import type { IpSet, Match, Rule } from "../../src/rules/ir.js";
import {
  compileRuleset,
  trace,
  type Packet,
  type RuleStep,
  type TraceOptions,
} from "../../src/trace/index.js";
import { parseAddr } from "../../src/trace/addr.js";
import { chain, hook, ruleset, table } from "./rulesets.js";

const pkt = (more: Partial<Packet> = {}): Packet => ({
  in: "eth0",
  src: "198.51.100.7",
  dst: "192.0.2.10",
  proto: 6,
  sport: 40000,
  dport: 80,
  state: "new",
  ...more,
});

const rules = (steps: readonly unknown[]): string[] =>
  steps.flatMap((s) =>
    (s as RuleStep).kind === "rule" ? [`${(s as RuleStep).chain}#${(s as RuleStep).ruleIndex}`] : [],
  );

/** filter INPUT with the given rules and chains; everything else absent. */
const input = (inserted: Rule[], chains = [] as ReturnType<typeof chain>[], policy?: "ACCEPT" | "DROP") =>
  ruleset([table("filter", [hook("INPUT", inserted, policy === undefined ? {} : { policy })], chains)]);

test("goto leaves no return point: RETURN from the target returns to the caller's caller", (t) => {
  const rs = input(
    [rule([], action.jump("A")), rule([match.markSet(0x2)], action.drop)],
    [
      chain("A", [rule([], action.goto("B")), rule([], action.setMark(0x1))]),
      chain("B", [rule([], action.setMark(0x2)), rule([], action.return)]),
    ],
  );
  const r = trace(rs, pkt());
  t.is(r.verdict, "drop");
  t.deepEqual(rules(r.path), ["INPUT#0", "A#0", "B#0", "B#1", "INPUT#1"]);
  t.is(r.decidedBy.kind, "other-rule");
  t.is((r.path.at(-1) as RuleStep).markAfter, 0x2);
});

test("jump returns to the next rule of the caller; the end of a user chain is an implicit RETURN", (t) => {
  const rs = input(
    [rule([], action.jump("A")), rule([match.markSet(0x3)], action.drop)],
    [
      chain("A", [rule([], action.jump("B")), rule([], action.setMark(0x1))]),
      chain("B", [rule([], action.setMark(0x2))]),
    ],
  );
  const r = trace(rs, pkt());
  t.deepEqual(rules(r.path), ["INPUT#0", "A#0", "B#0", "A#1", "INPUT#1"]);
  t.is(r.verdict, "drop");
});

test("goto from the kernel chain: RETURN falls to the chain policy, skipping the kernel chain's other rules", (t) => {
  const body = [rule([], action.goto("B")), rule([], action.drop)];
  const B = chain("B", [rule([], action.return)]);
  const accepted = trace(input(body, [B]), pkt());
  t.is(accepted.verdict, "accept");
  t.is(accepted.decidedBy.kind, "no-endpoint");
  const dropped = trace(input(body, [B], "DROP"), pkt());
  t.is(dropped.verdict, "drop");
  t.is(dropped.decidedBy.kind, "chain-policy");
  t.is(dropped.decidedBy.name, "INPUT");
});

test("ACCEPT ends the table's hook only; the mark carries into the next table", (t) => {
  const rs = ruleset([
    table("mangle", [
      hook("INPUT", [rule([], action.setMark(0x4)), rule([], action.accept), rule([], action.drop)]),
    ]),
    table("filter", [hook("INPUT", [rule([match.markSet(0x4)], action.drop)])]),
  ]);
  const r = trace(rs, pkt());
  t.is(r.verdict, "drop");
  t.deepEqual(rules(r.path), ["INPUT#0", "INPUT#1", "INPUT#0"]);
});

test("hook chains run inserted, then other software's rules, then appended rules", (t) => {
  const rs = ruleset([
    table("filter", [
      hook("INPUT", [rule([], action.setMark(0x1))], {
        others: [rule([match.markSet(0x1)], action.setMark(0x3))],
        appended: [rule([match.markSet(0x3)], action.drop)],
      }),
    ]),
  ]);
  t.is(trace(rs, pkt()).verdict, "drop");
});

test("conntrack: INVALID before the lookup (raw), the packet's state after it", (t) => {
  const ct = (states: Match) => [
    rule([states], action.setMark(0x1)),
    rule([match.markSet(0x1)], action.accept),
  ];
  const rs = ruleset([
    table("raw", [hook("PREROUTING", ct(match.ctState(["INVALID"])))]),
    table("filter", [
      hook("INPUT", [rule([match.ctState(["ESTABLISHED"])], action.accept), rule([], action.drop)]),
    ]),
  ]);
  t.is(trace(rs, pkt({ state: "established" })).verdict, "accept");
  t.is(trace(rs, pkt({ state: "new" })).verdict, "drop");
});

test("NOTRACK makes the packet UNTRACKED for the rest of the path, and it is not NATed", (t) => {
  const rs = ruleset([
    table("raw", [hook("PREROUTING", [rule([], action.notrack)])]),
    table("filter", [hook("INPUT", [rule([match.ctState(["UNTRACKED"])], action.drop)])]),
  ]);
  const r = trace(rs, pkt({ dnatTo: { ip: "192.0.2.20" } }));
  t.is(r.verdict, "drop");
  t.true(r.warnings.some((w) => /dnatTo ignored/.test(w)));
});

test("dnatTo rewrites the destination and sets the DNAT status", (t) => {
  const rs = ruleset([
    table("filter", [
      hook("INPUT", [
        rule(
          [
            match.ctState(["DNAT"]),
            match.dstNet("192.0.2.20/32"),
            match.dstPorts([{ from: 8080, to: 8080 }]),
          ],
          action.drop,
        ),
      ]),
    ]),
  ]);
  t.is(trace(rs, pkt({ dnatTo: { ip: "192.0.2.20", port: 8080 } })).verdict, "drop");
  t.is(trace(rs, pkt({ state: "established", dnatTo: { ip: "192.0.2.20", port: 8080 } })).verdict, "drop");
  t.is(trace(rs, pkt()).verdict, "accept");
});

test("interfaces: -o never matches in PREROUTING/INPUT and -i never in OUTPUT/POSTROUTING; negations do", (t) => {
  const rs = ruleset([
    table("filter", [
      hook("INPUT", [
        rule([match.outIface("eth0")], action.drop),
        rule([match.outIface("eth0", true)], action.setMark(0x1)),
      ]),
      hook("OUTPUT", [rule([match.inIface("eth+")], action.drop)]),
    ]),
  ]);
  const r = trace(rs, pkt());
  t.is(r.verdict, "accept");
  t.deepEqual(rules(r.path), ["INPUT#1"]);
  t.is(
    trace(rs, pkt({ in: undefined, out: "eth1", src: "192.0.2.10", dst: "198.51.100.7" })).verdict,
    "accept",
  );
});

test("interfaces: a trailing + is a prefix wildcard", (t) => {
  const rs = input([rule([match.inIface("eth+")], action.drop)]);
  t.is(trace(rs, pkt({ in: "eth12" })).verdict, "drop");
  t.is(trace(rs, pkt({ in: "bond0" })).verdict, "accept");
});

test("ports only match packets that have them", (t) => {
  const rs = input([
    rule([match.dstPorts([{ from: 1, to: 65535 }], true)], action.drop),
    rule([match.dstPorts([{ from: 70, to: 90 }])], action.drop),
  ]);
  t.is(trace(rs, pkt({ proto: 1, sport: undefined, dport: undefined, icmpType: 8 })).verdict, "accept");
  t.is(trace(rs, pkt({ dport: 85 })).verdict, "drop");
  t.is(trace(rs, pkt({ dport: 91 })).verdict, "accept");
});

const netSet: IpSet = {
  kind: "set",
  id: "s:a",
  name: "cali40s:a",
  type: "hash:net",
  version: 4,
  members: ["198.51.100.0/25", "203.0.113.9"],
  description: "",
};
const portSet: IpSet = {
  ...netSet,
  id: "n:b",
  name: "cali40n:b",
  type: "hash:ip,port",
  members: ["192.0.2.10,tcp:8080"],
};

test("sets: hash:net by containment or equal address, hash:ip,port by ip + protocol + port of the given dirs", (t) => {
  const rs = ruleset(
    [
      table("filter", [
        hook("INPUT", [
          rule([match.set("cali40s:a", ["src"])], action.drop),
          rule([match.set("cali40n:b", ["dst", "dst"])], action.drop),
        ]),
      ]),
    ],
    [netSet, portSet],
  );
  t.is(trace(rs, pkt({ src: "198.51.100.100" })).verdict, "drop");
  t.is(trace(rs, pkt({ src: "198.51.100.200" })).verdict, "accept");
  t.is(trace(rs, pkt({ src: "203.0.113.9" })).verdict, "drop");
  t.is(trace(rs, pkt({ src: "203.0.113.10", dport: 8080 })).verdict, "drop");
  t.is(trace(rs, pkt({ src: "203.0.113.10", dport: 8080, proto: 17 })).verdict, "accept");
});

test("sets: IPv6 hash:net by equal address or containment, whatever bits the members differ in", (t) => {
  // Members that differ only in their high 64 bits, or only in their low ones, and a /64.
  const members = [
    ...Array.from({ length: 300 }, (_, n) => `2001:db8:1:${n.toString(16)}::10`),
    "2001:db8:2::1",
    "2001:db8:2::2",
    "2001:db8:3:4::/64",
  ];
  const set: IpSet = { ...netSet, id: "s:v6", name: "cali60s:v6", version: 6, members };
  const rs = ruleset(
    [table("filter", [hook("INPUT", [rule([match.set("cali60s:v6", ["src"])], action.drop)])])],
    [set],
    6,
  );
  const from = (src: string) => trace(rs, pkt({ src, dst: "2001:db8:ffff::1" })).verdict;
  for (const src of ["2001:db8:1::10", "2001:db8:1:12b::10", "2001:db8:2::2", "2001:db8:3:4::abcd"])
    t.is(from(src), "drop", src);
  for (const src of ["2001:db8:1:12c::10", "2001:db8:1:5::11", "2001:db8:2::3", "2001:db8:3:5::1"])
    t.is(from(src), "accept", src);
});

test("a set is compiled once, whichever ruleset looks it up (rulesets of a node share their sets)", (t) => {
  const inputOn = (m: Match) => [table("filter", [hook("INPUT", [rule([m], action.drop)])])];
  const a = compileRuleset(ruleset(inputOn(match.set("cali40s:a", ["src"])), [netSet, portSet]));
  const b = compileRuleset(ruleset(inputOn(match.set("cali40n:b", ["dst", "dst"])), [portSet, netSet]));
  t.is(a.sets.get("cali40s:a"), b.sets.get("cali40s:a"));
  t.is(a.sets.get("cali40n:b"), b.sets.get("cali40n:b"));
  // Another set object of the same name and members is another set: compiled on its own.
  const copy = compileRuleset(ruleset(inputOn(match.set("cali40s:a", ["src"])), [{ ...netSet }]));
  t.not(copy.sets.get("cali40s:a"), a.sets.get("cali40s:a"));
  t.true(copy.sets.get("cali40s:a")!.hasNet(parseAddr("203.0.113.9")!));
});

test("addrtype LOCAL uses localAddresses, or assumes locality from the path and says so", (t) => {
  const rs = input([rule([{ kind: "addrType", dir: "dst", type: "LOCAL", negated: false }], action.drop)]);
  t.is(trace(rs, pkt(), { localAddresses: ["192.0.2.99"] }).verdict, "accept");
  t.is(trace(rs, pkt(), { localAddresses: ["192.0.2.10"] }).verdict, "drop");
  const assumed = trace(rs, pkt());
  t.is(assumed.verdict, "drop");
  t.true(assumed.assumptions.some((a) => /addrtype/.test(a)));
});

test("unknown, limit and rpfilter matches leave warnings and assumptions", (t) => {
  const rs = input([
    rule([{ kind: "rpfilterFailed" }], action.drop),
    rule([{ kind: "limit", rate: "5/min" }], action.setMark(0x1)),
    rule([{ kind: "unknown", text: "-m frob --frob 1", assume: true }], action.drop),
  ]);
  const r = trace(rs, pkt());
  t.is(r.verdict, "drop");
  t.true(r.warnings.some((w) => w.includes("-m frob --frob 1") && w.includes("assumed to match")));
  t.true(r.assumptions.some((a) => /reverse-path/.test(a)));
  t.true(r.assumptions.some((a) => /rate limit/.test(a)));
});

test("the ruleset's warnings a trace carries: global ones and its endpoints' when policed, all when not; the walk's own notes first", (t) => {
  const ep = (endpoint: string, iface: string) =>
    ({ kind: "endpoint", endpoint, interface: iface, role: "conntrack" }) as const;
  const rs = {
    ...input(
      [
        rule([match.inIface("eth0")], action.jump("cali-fh-eth0")),
        rule([match.inIface("eth1")], action.jump("cali-fh-eth1")),
        rule([match.inIface("eth8")], action.jump("nope")),
      ],
      [
        chain("cali-fh-eth0", [rule([], action.accept, { origin: ep("ep-a", "eth0") })]),
        chain("cali-fh-eth1", [rule([], action.accept, { origin: ep("ep-b", "eth1") })]),
      ],
    ),
    warnings: [
      { code: "x", message: "about ep-b", endpoint: "ep-b" },
      { code: "x", message: "global" },
      { code: "x", message: "about ep-a", endpoint: "ep-a" },
      { code: "x", message: "global" },
    ],
  };
  const cases: [string, Partial<Packet>, TraceOptions, string[]][] = [
    ["policed by ep-a", { in: "eth0" }, {}, ["global", "about ep-a"]],
    ["policed by ep-b", { in: "eth1" }, {}, ["about ep-b", "global"]],
    ["no endpoint policed it: every one, once", { in: "eth9" }, {}, ["about ep-b", "global", "about ep-a"]],
    [
      "a local address warning first",
      { in: "eth9" },
      { localAddresses: ["nope"] },
      ['local address "nope" is not an IP address; ignored', "about ep-b", "global", "about ep-a"],
    ],
    [
      "a warning of the walk's own first",
      { in: "eth8" },
      {},
      [
        "filter INPUT rule 2 targets chain nope, which does not exist; ignored",
        "about ep-b",
        "global",
        "about ep-a",
      ],
    ],
  ];
  for (const [name, p, opts, want] of cases) {
    const r = trace(rs, pkt(p), opts);
    t.deepEqual(r.warnings, want, name);
    // A caller that changes one result's list (the shared one is frozen) changes no other's.
    try {
      (r.warnings as string[]).push("x");
    } catch {
      // frozen
    }
    t.deepEqual(trace(rs, pkt(p), opts).warnings, want, name);
  }
});

test("a jump to a missing chain is ignored with a warning; a loop aborts the trace", (t) => {
  const missing = trace(input([rule([], action.jump("nope"))]), pkt());
  t.is(missing.verdict, "accept");
  t.true(missing.warnings.some((w) => /nope/.test(w)));
  const loop = trace(input([rule([], action.jump("L"))], [chain("L", [rule([], action.jump("L"))])]), pkt());
  t.is(loop.verdict, "drop");
  t.regex(loop.decidedBy.detail, /loop/);
});

test("the packet's family picks the ruleset; bad packets are reported, not thrown", (t) => {
  const v4 = input([rule([], action.drop)]);
  const v6 = { ...input([]), version: 6 as const };
  t.is(trace([v4, v6], pkt()).verdict, "drop");
  t.is(trace([v4, v6], pkt({ src: "2001:db8::1", dst: "2001:db8::2" })).verdict, "accept");
  const bad = trace(v4, pkt({ src: "300.1.1.1" }));
  t.is(bad.decidedBy.kind, "invalid-packet");
  t.is(trace(v4, pkt({ in: undefined })).decidedBy.kind, "invalid-packet");
  t.is(trace(v4, pkt({ dst: "2001:db8::2" })).decidedBy.kind, "invalid-packet");
});

test("verbose also records the rules that did not match", (t) => {
  const rs = input([rule([match.inIface("eth9")], action.drop), rule([], action.setMark(0x1))]);
  const r = trace(rs, pkt(), { verbose: true });
  t.deepEqual(
    r.path.flatMap((s) => (s.kind === "rule" ? [s.matched] : [])),
    [false, true],
  );
});
