// Flow-space building blocks: ranges and CIDRs, the interface universe, match classification over boxes,
// and the compact descriptions of merged regions.

import test from "ava";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { match } from "../../src/rules/build.js";
import type { IpSet, Match, Origin, Rule, Ruleset } from "../../src/rules/ir.js";
import { trace } from "../../src/trace/index.js";
import { classify } from "../../src/safety/flowspace/classify.js";
import {
  addrSpace,
  addrText,
  analyzeRuleset,
  complement,
  explore,
  refine,
  type FinalBox,
  ifaceUniverse,
  normalize,
  range,
  rangeToCidrs,
  cidrCount,
  rootBoxes,
  intersect,
  regionHolds,
  relation,
  representative,
  subtract,
  type Box,
  type Range,
  type PacketPoint,
} from "../../src/safety/flowspace/index.js";
import { cidrRange, ipPortClasses, setRanges } from "../../src/safety/flowspace/sets.js";
import { mergeBoxes } from "../../src/safety/flowspace/merge.js";
import { rangesHash } from "../../src/safety/flowspace/ranges.js";
import { compareNode } from "../../src/safety/node-flows.js";
import { changedLines } from "../../src/safety/report.js";
import { loadCluster } from "../../src/resources/index.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { policyOrigin } from "../trace/rulesets.js";

test("ranges: intersect and subtract unions, normalize, complement, and exact CIDR covers", (t) => {
  t.deepEqual(intersect([range(0, 10), range(20, 30)], [range(5, 22), range(30, 40)]), [
    range(5, 10),
    range(20, 22),
    range(30, 30),
  ]);
  t.deepEqual(subtract([range(0, 10), range(20, 30)], [range(3, 4), range(10, 20), range(25, 25)]), [
    range(0, 2),
    range(5, 9),
    range(21, 24),
    range(26, 30),
  ]);
  t.deepEqual(subtract([range(0, 10)], [range(0, 10)]), []);
  t.deepEqual(normalize([range(5, 6), range(0, 2), range(3, 4)]), [range(0, 6)]);
  t.deepEqual(complement([range(22, 22)], range(0, 65535)), [range(0, 21), range(23, 65535)]);
  const r = cidrRange("192.0.2.0/24", 4)!;
  t.deepEqual(rangeToCidrs(4, { lo: r.lo + 1n, hi: r.hi }), [
    "192.0.2.1/32",
    "192.0.2.2/31",
    "192.0.2.4/30",
    "192.0.2.8/29",
    "192.0.2.16/28",
    "192.0.2.32/27",
    "192.0.2.64/26",
    "192.0.2.128/25",
  ]);
  t.deepEqual(rangeToCidrs(6, cidrRange("2001:db8::/32", 6)!), ["2001:db8::/32"]);
  t.deepEqual(rangeToCidrs(4, addrSpace(4)), ["0.0.0.0/0"]);
});

const rule = (matches: Match[], kind: "accept" | "drop"): Rule => ({
  kind: "rule",
  matches,
  action: { kind },
  comments: [],
});

/** An IPv4 ruleset of these rules in filter INPUT, with these sets and the chain's policy. */
const inputRuleset = (inserted: Rule[], sets: IpSet[] = [], policy?: "ACCEPT" | "DROP"): Ruleset => ({
  kind: "ruleset",
  version: 4,
  sets,
  warnings: [],
  tables: [
    {
      kind: "table",
      name: "filter",
      chains: [],
      hooks: [
        { kind: "hook", name: "INPUT", ...(policy === undefined ? {} : { policy }), inserted, appended: [] },
      ],
    },
  ],
});

const withIfaces = (names: string[]): Ruleset =>
  inputRuleset(names.map((n) => rule([match.inIface(n)], "accept")));

test("the interface universe: one representative per class of names the rules can tell apart", (t) => {
  const u = ifaceUniverse([withIfaces(["eth0", "eth+", "cali+", "cali1+"])], ["ens3"]);
  t.deepEqual(u.names, ["cali1sim0", "calisim0", "eth0", "ethsim0", "ens3", "other-if0"].sort());
  t.is(u.classOf("eth0"), "eth0");
  t.is(u.classOf("eth7"), "ethsim0");
  t.is(u.classOf("cali12ab"), "cali1sim0");
  t.is(u.classOf("cali9"), "calisim0");
  t.is(u.classOf("bond0"), "other-if0");
  t.is(u.classOf(""), "");
  t.is(u.label("ethsim0"), "other eth+ interfaces");
  t.is(u.label(u.other), "other interfaces");
});

const box = (over: Partial<Box>): Box => ({ ...rootBoxes(4, ["eth0", "eth1"], ["ingress"])[0]!, ...over });
const ctx = (b: Box) => ({ box: b, hook: "INPUT" as const, mark: 0, ct: 1, sets: new Map() });

test("ranges: CIDR covers are exact and maximal, addresses print as ipaddr.js prints them (property)", (t) => {
  const bigintIn = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
  for (const v of [4, 6] as const) {
    const bits = v === 4 ? 32 : 128;
    // Ranges near block edges as well as anywhere.
    const edgy = fc
      .tuple(fc.integer({ min: 0, max: bits }), fc.integer({ min: -3, max: 3 }))
      .map(([k, d]) => {
        const x = (1n << BigInt(k)) + BigInt(d);
        return x < 0n ? 0n : x >= 1n << BigInt(bits) ? (1n << BigInt(bits)) - 1n : x;
      });
    const value = fc.oneof(bigintIn(bits), edgy);
    fc.assert(
      fc.property(value, value, (a, b) => {
        const r = a <= b ? { lo: a, hi: b } : { lo: b, hi: a };
        const cidrs = rangeToCidrs(v, r);
        let next = r.lo;
        for (const c of cidrs) {
          const block = cidrRange(c, v)!;
          t.is(block.lo, next, c);
          // Maximal: the block twice as large, aligned, would leave the range or lose its alignment.
          const size = block.hi - block.lo + 1n;
          t.true(
            block.lo % (2n * size) !== 0n || block.lo + 2n * size - 1n > r.hi || size === 1n << BigInt(bits),
            c,
          );
          next = block.hi + 1n;
        }
        t.is(next, r.hi + 1n);
        t.is(cidrCount(r), cidrs.length, "the count without the list");
        const text = addrText(v, r.lo);
        const bytes = Array.from({ length: bits / 8 }, (_, i) =>
          Number((r.lo >> BigInt(bits - 8 - 8 * i)) & 255n),
        );
        t.is(text, ipaddr.fromByteArray(bytes).toString());
      }),
    );
  }
});

// Unions over 0..size-1 for the property tests: as bitmaps (any union), or a few short runs.
const bitsToRanges = (bits: readonly boolean[]): Range[] =>
  normalize(bits.flatMap((b, i) => (b ? [range(i, i)] : [])));
const valuesOf = (rs: readonly Range[]): number[] =>
  rs.flatMap((r) => Array.from({ length: Number(r.hi - r.lo) + 1 }, (_, i) => Number(r.lo) + i));
const bitmap = (size: number) => fc.array(fc.boolean(), { minLength: size, maxLength: size });
const fewRuns = (size: number, span: number, least: number, most: number) =>
  fc
    .array(fc.tuple(fc.nat(size - 1), fc.nat(span)), { minLength: least, maxLength: most })
    .map((rs) => normalize(rs.map(([lo, n]) => range(lo, Math.min(size - 1, lo + n)))));

test("ranges: intersect, subtract and relation agree with sets of values (property)", (t) => {
  // Unions over 0..40 as bitmaps, turned into normalized ranges.
  const union = bitmap(41);
  fc.assert(
    fc.property(union, union, (a, b) => {
      const [x, y] = [bitsToRanges(a), bitsToRanges(b)];
      const both = intersect(x, y);
      const only = subtract(x, y);
      t.deepEqual(
        valuesOf(both),
        a.flatMap((v, i) => (v && b[i] ? [i] : [])),
      );
      t.deepEqual(
        valuesOf(only),
        a.flatMap((v, i) => (v && !b[i] ? [i] : [])),
      );
      const where = relation(x, y);
      if (x.length > 0) t.is(where, both.length === 0 ? "outside" : only.length === 0 ? "inside" : "across");
      // Normalized: what normalize makes of them.
      t.deepEqual(both, normalize(both));
      t.deepEqual(only, normalize(only));
    }),
  );
});

test("ranges: relation agrees with sets of values when one union has many more ranges than the other (property)", (t) => {
  // Each way of weighing (a sweep, a search per range of either union) is picked by the lengths.
  const values = (rs: readonly Range[]) => new Set(valuesOf(rs));
  fc.assert(
    fc.property(bitmap(400), fewRuns(400, 30, 1, 3), fc.boolean(), (bits, small, swap) => {
      const big = bitsToRanges(bits);
      fc.pre(big.length > 0);
      const [a, b] = swap ? [small, big] : [big, small];
      const va = values(a);
      const vb = values(b);
      const inB = [...va].filter((v) => vb.has(v)).length;
      t.is(relation(a, b), inB === 0 ? "outside" : inB === va.size ? "inside" : "across");
    }),
    { numRuns: 500 },
  );
  // A box's union inside, outside and across one range.
  const box = [range(10, 12), range(20, 22), range(30, 32), range(40, 42)];
  t.is(relation(box, [range(0, 100)]), "inside");
  t.is(relation(box, [range(13, 19)]), "outside");
  t.is(relation(box, [range(20, 32)]), "across");
  t.is(relation(box, [range(10, 22), range(30, 42)]), "inside");
  t.is(relation(box, [range(11, 50)]), "across");
});

test("ranges: intersect and subtract agree with sets of values when one union has many more ranges than the other, and keep whole ranges (property)", (t) => {
  // partition skips through either union by galloping where the other has nothing to cut it with.
  fc.assert(
    fc.property(bitmap(600), fewRuns(600, 40, 0, 4), fc.boolean(), (bits, small, swap) => {
      const big = bitsToRanges(bits);
      const [a, b] = swap ? [small, big] : [big, small];
      const inB = new Set(valuesOf(b));
      const both = intersect(a, b);
      const only = subtract(a, b);
      t.deepEqual(
        valuesOf(both),
        valuesOf(a).filter((v) => inB.has(v)),
      );
      t.deepEqual(
        valuesOf(only),
        valuesOf(a).filter((v) => !inB.has(v)),
      );
      t.deepEqual(both, normalize(both));
      t.deepEqual(only, normalize(only));
      // A range of `a` that comes out whole is `a`'s own object (or, inside, one of `b` with its values).
      const own = new Set<Range>([...a, ...b]);
      for (const r of [...both, ...only]) {
        const whole = a.find((x) => x.lo === r.lo && x.hi === r.hi);
        if (whole !== undefined) t.true(own.has(r), `${r.lo}-${r.hi} is a copy`);
      }
    }),
    { numRuns: 500 },
  );
});

test("ranges: intersect and subtract keep a range that comes out whole (the same object) and change no input", (t) => {
  const a = [range(0, 10), range(20, 30), range(40, 40), range(50, 60)];
  const b = [range(5, 22), range(40, 40), range(45, 70)];
  const [a0, b0] = [structuredClone(a), structuredClone(b)];
  const both = intersect(a, b);
  t.deepEqual(both, [range(5, 10), range(20, 22), range(40, 40), range(50, 60)]);
  // Whole in the result: a's 40-40 (or b's, the same values) and a's 50-60; cut ones are new.
  t.true(both[2] === a[2] || both[2] === b[1]);
  t.is(both[3], a[3]);
  const only = subtract(a, b);
  t.deepEqual(only, [range(0, 4), range(23, 30)]);
  t.not(only[0], a[0]);
  const rest = subtract(a, [range(15, 15)]);
  t.deepEqual(rest, a);
  rest.forEach((r, i) => t.is(r, a[i]!));
  t.deepEqual([a, b], [a0, b0]);
});

test("ipPortClasses.byPorts: the addresses paired with all of a union of ports and with none of it, for any union, however it is held (property)", (t) => {
  // An ip,port set of 12 addresses, each paired with a few TCP ports from 1..12 (and one UDP pair).
  const member = fc.tuple(fc.nat(11), fc.integer({ min: 1, max: 12 }));
  const ports = fewRuns(13, 4, 1, 3).filter((rs) => rs.every((r) => r.lo >= 1n));
  fc.assert(
    fc.property(fc.array(member, { minLength: 1, maxLength: 30 }), ports, ports, (pairs, first, second) => {
      const addr = (i: number) => `198.51.100.${i + 1}`;
      const set: IpSet = {
        kind: "set",
        id: "n:test",
        name: "cali40n:test",
        type: "hash:ip,port",
        version: 4,
        members: [...pairs.map(([i, p]) => `${addr(i)},tcp:${p}`), `${addr(0)},udp:7`],
        description: "test",
      };
      const classes = ipPortClasses(setRanges(set), 6n);
      const space = addrSpace(4);
      const holds = (rs: readonly Range[], x: bigint) => rs.some((r) => r.lo <= x && x <= r.hi);
      // Each union asked for twice, the second time in an array of its own: the same answer.
      for (const union of [first, second, structuredClone(first), structuredClone(second)]) {
        const answer = classes.byPorts(union);
        const wanted = valuesOf(union);
        for (let i = 0; i < 12; i++) {
          const paired = new Set(pairs.filter(([k]) => k === i).map(([, p]) => p));
          const ip = BigInt(0xc6336401 + i);
          t.is(
            holds(answer.all, ip),
            wanted.every((p) => paired.has(p)) && paired.size > 0,
            `${addr(i)}: all`,
          );
          t.is(holds(answer.none, ip), !wanted.some((p) => paired.has(p)), `${addr(i)}: none`);
        }
        // An address the set does not hold is paired with none.
        t.true(holds(answer.none, space.lo));
      }
      t.is(classes.byPorts(structuredClone(first)), classes.byPorts(first));
    }),
    { numRuns: 300 },
  );
});

test("mergeBoxes: regions merge when their other dimensions hold the same values, whichever objects hold them; lists that only hash alike stay apart", (t) => {
  const [ingress] = rootBoxes(6, ["eth0"], ["ingress"]);
  const allow = {
    verdict: "accept",
    decidedBy: { kind: "policy", name: "default.allow-web", detail: "allowed by policy" },
  } as const;
  const host = (hi: bigint, low: bigint) => [range((hi << 96n) | low, (hi << 96n) | low)];
  // Two address lists of the same hosts in other /32s: the same low bits, so the same hash.
  const here = host(0x20010db8n, 0x10n);
  const there = host(0x20010db9n, 0x10n);
  t.is(rangesHash(here), rangesHash(there));
  t.notDeepEqual(here, there);
  const box = (src: Range[], port: number): FinalBox => ({
    box: { ...ingress!, proto: [range(6, 6)], src, dport: [range(port, port)] },
    outcomes: [allow],
  });
  // Ports 80 and 81 from copies of one list merge into 80-81; from `there`, port 82 stays apart.
  const regions = mergeBoxes([
    box(structuredClone(here), 80),
    box(structuredClone(here), 81),
    box(there, 82),
  ]);
  t.deepEqual(
    regions.map((r) => [r.ranges.src, r.ranges.dport]),
    [
      [here, [range(80, 81)]],
      [there, [range(82, 82)]],
    ],
  );
});

test("representative: a box's lowest corner, with ports only for port protocols and ICMP fields only for the family's ICMP", (t) => {
  const [ingress, egress, forward] = rootBoxes(4, ["eth0", "eth1"]);
  const v6 = rootBoxes(6, ["eth0"], ["ingress"])[0]!;
  const cases: [string, Box, string][] = [
    [
      "tcp, delivered locally",
      {
        ...ingress!,
        proto: [range(6, 17)],
        src: [range(0xc0000205, 0xc0000209)],
        sport: [range(1024, 2000)],
      },
      '{"in":"eth0","src":"192.0.2.5","dst":"0.0.0.0","proto":6,"sport":1024,"dport":0,"state":"new"}',
    ],
    [
      "ICMP, locally generated",
      { ...egress!, proto: [range(1, 1)], icmpType: [range(8, 8)], icmpCode: [range(0, 0)] },
      '{"out":"eth0","src":"0.0.0.0","dst":"0.0.0.0","proto":1,"icmpType":8,"icmpCode":0,"state":"new"}',
    ],
    [
      "GRE, forwarded: neither ports nor ICMP fields",
      { ...forward!, proto: [range(47, 47)], dst: [range(0xcb007100, 0xcb0071ff)] },
      '{"in":"eth0","out":"eth0","src":"0.0.0.0","dst":"203.0.113.0","proto":47,"state":"new"}',
    ],
    [
      "ICMPv6 on IPv6; protocol 1 would be none of its business",
      { ...v6, proto: [range(58, 58)], src: [range(0x20010db8n << 96n, (0x20010db8n << 96n) + 9n)] },
      '{"in":"eth0","src":"2001:db8::","dst":"::","proto":58,"icmpType":0,"icmpCode":0,"state":"new"}',
    ],
    [
      "protocol 1 on IPv6",
      { ...v6, proto: [range(1, 1)] },
      '{"in":"eth0","src":"::","dst":"::","proto":1,"state":"new"}',
    ],
  ];
  // The text pins the fields present and their order (a report's JSON prints packets as they are).
  for (const [name, b, want] of cases) t.is(JSON.stringify(representative(b)), want, name);
});

test("classify: uniform inside or outside a match, split in two (inside, outside) across it", (t) => {
  const tcp = box({ proto: [range(6, 6)] });
  const ssh = match.dstPorts([{ from: 22, to: 22 }]);
  const split = classify(ssh, ctx(tcp));
  t.is(split.kind, "split");
  t.deepEqual(split.kind === "split" ? split.parts().map((p) => p.dport) : [], [
    [range(22, 22)],
    [range(0, 21), range(23, 65535)],
  ]);
  t.deepEqual(classify(ssh, ctx({ ...tcp, dport: [range(22, 22)] })), { kind: "uniform", value: true });
  t.deepEqual(classify(ssh, ctx({ ...tcp, dport: [range(0, 21), range(23, 65535)] })), {
    kind: "uniform",
    value: false,
  });
  // No port header: never matches, even negated (as xt_multiport).
  t.deepEqual(classify(match.dstPorts([{ from: 22, to: 22 }], true), ctx(box({ proto: [range(47, 47)] }))), {
    kind: "uniform",
    value: false,
  });
  // Mixed protocols are split into the port protocols and the rest first.
  const mixed = classify(ssh, ctx(box({})));
  t.deepEqual(mixed.kind === "split" ? mixed.parts().map((p) => p.proto) : [], [
    [range(6, 6), range(17, 17), range(132, 132), range(136, 136)],
    [range(0, 5), range(7, 16), range(18, 131), range(133, 135), range(137, 255)],
  ]);
  // -o is invisible in INPUT: "" for every packet.
  t.deepEqual(classify(match.outIface("eth0"), ctx(box({}))), { kind: "uniform", value: false });
  const byIface = classify(match.inIface("eth0"), ctx(box({})));
  t.true(
    byIface.kind === "split" &&
      byIface
        .parts()
        .map((p) => p.in.join())
        .join("|") === "eth0|eth1",
  );
});

test("node-3 of the example cluster, 3.13 → 3.29: every changed flow, described compactly", async (t) => {
  const { cluster } = await loadCluster(["fixtures/example-cluster"]);
  const c = compareNode(
    "node-3",
    { cluster, calicoVersion: { major: 3, minor: 13 } },
    { cluster, calicoVersion: { major: 3, minor: 29 } },
  );
  if (!c.ok) return t.fail(c.error);
  const lines = changedLines(c.value, "").filter((l) => !l.startsWith(" "));
  t.true(
    lines.includes(
      "IPv4 ingress on other interfaces, tcp dst ports except 22,179,2379-2380,5473,6443,6666-6667, from anywhere except 192.0.2.10/32, 192.0.2.20/32, 203.0.113.66/32: allow → drop",
    ),
    lines.join("\n"),
  );
  t.true(
    lines.includes(
      "IPv4 ingress on other interfaces, udp dst ports except 68, from 203.0.113.66/32: allow → drop",
    ),
    lines.join("\n"),
  );
  t.is(lines.length, 9);
});

test("explore refines across rulesets depth first: the boxes of one ruleset at a time, in the same order; keep drops the others as found", async (t) => {
  const { cluster } = await loadCluster(["fixtures/example-cluster"]);
  const [before, after] = [13, 29].map((minor) =>
    buildRuleset(resolveNode(cluster, { node: "node-3", calicoVersion: { major: 3, minor } }), {
      version: 4,
    }),
  );
  const u = ifaceUniverse([before!, after!], ["eth0"]);
  const roots = rootBoxes(4, u.names);
  const both = explore([before!, after!], roots);
  const first = explore([before!], roots);
  if (!both.ok || !first.ok) return t.fail();
  const second = refine([after!], first.boxes);
  if (!second.ok) return t.fail();
  t.true(both.boxes.length > first.boxes.length); // the second ruleset splits some boxes further
  t.deepEqual(both.boxes, second.boxes);
  t.is(both.finalBoxes, second.boxes.length);
  t.is(both.traces, first.traces + second.traces);
  const differ = (f: FinalBox) => f.outcomes[0]!.verdict !== f.outcomes[1]!.verdict;
  const kept = explore([before!, after!], roots, { keep: differ });
  if (!kept.ok) return t.fail();
  t.true(kept.boxes.length > 0 && kept.boxes.length < both.boxes.length);
  t.deepEqual(kept.boxes, both.boxes.filter(differ));
  t.is(kept.finalBoxes, both.finalBoxes);
  t.is(kept.traces, both.traces);
});

test("a rule the next ruleset shares is weighed again when its set has other members there", (t) => {
  // The same rule objects and set name in both rulesets, as in a diff after an endpoint was relabelled:
  // a box uniform in the first (192.0.2.1 and .2 both in the set) is split by the second.
  const set = (members: string[]): IpSet => ({
    kind: "set",
    id: "s",
    name: "cali40s",
    type: "hash:net",
    version: 4,
    members,
    description: "",
  });
  const rules = [rule([match.set("cali40s", ["src"])], "drop")];
  const before = inputRuleset(rules, [set(["192.0.2.1/32", "192.0.2.2/32"])], "ACCEPT");
  const after = inputRuleset(rules, [set(["192.0.2.1/32", "192.0.2.3/32"])], "ACCEPT");
  const low = cidrRange("192.0.2.0/29", 4)!;
  const root: Box = { ...rootBoxes(4, ["eth0"], ["ingress"])[0]!, proto: [range(6, 6)], src: [low] };
  const e = explore([before, after], [root]);
  if (!e.ok) return t.fail(e.error);
  for (let x = 0; x < 8; x++) {
    const src = low.lo + BigInt(x);
    const f = e.boxes.find((b) => b.box.src.some((r) => r.lo <= src && src <= r.hi))!;
    const packet = {
      in: "eth0",
      src: `192.0.2.${x}`,
      dst: "192.0.2.10",
      proto: 6,
      sport: 1,
      dport: 2,
      state: "new",
    } as const;
    t.deepEqual(
      f.outcomes.map((o) => o.verdict),
      [trace(before, packet).verdict, trace(after, packet).verdict],
      `192.0.2.${x}`,
    );
  }
});

test("set matches split a box in two, whatever the members; regions agree with the tracer on every packet", (t) => {
  const ipPort: IpSet = {
    kind: "set",
    id: "named",
    name: "cali40named",
    type: "hash:ip,port",
    version: 4,
    // .1 and .4 share their ports (one class), .2 and .3 differ; udp and tcp members of the same address.
    members: [
      "192.0.2.1,tcp:22",
      "192.0.2.1,tcp:80",
      "192.0.2.2,tcp:22",
      "192.0.2.3,udp:53",
      "192.0.2.3,tcp:53",
      "192.0.2.4,tcp:80",
      "192.0.2.4,tcp:22",
    ],
    description: "",
  };
  const nets: IpSet = {
    kind: "set",
    id: "nets",
    name: "cali40nets",
    type: "hash:net",
    version: 4,
    members: ["192.0.2.4/31", "192.0.2.0/32", "192.0.2.5/32", "198.51.100.0/24"],
    description: "",
  };
  const rs = inputRuleset(
    [
      rule([match.set("cali40nets", ["src"])], "drop"),
      rule([match.set("cali40named", ["dst", "dst"])], "accept"),
      rule([match.set("cali40nets", ["dst"], true), match.dstPorts([{ from: 60, to: 70 }])], "accept"),
    ],
    [ipPort, nets],
    "DROP",
  );
  const u = ifaceUniverse([rs], ["eth0"]);
  const low = cidrRange("192.0.2.0/29", 4)!;
  const root: Box = {
    ...rootBoxes(4, ["eth0"], ["ingress"])[0]!,
    proto: [range(1, 1), range(6, 6), range(17, 17)],
    src: [low],
    dst: [low],
    sport: [range(1000, 1000)],
    dport: [range(20, 85)],
  };
  const a = analyzeRuleset(rs, u, { roots: [root] });
  if (!a.ok) return t.fail(a.error);
  // Cut at every member's edges, the 8 × 8 addresses alone would make dozens of boxes per protocol.
  t.log(`${a.value.boxes.length} boxes`);
  t.true(a.value.boxes.length <= 24, `${a.value.boxes.length} boxes`);
  let checked = 0;
  for (const proto of [1, 6, 17])
    for (let s = 0; s < 8; s++)
      for (let d = 0; d < 8; d++)
        for (let dport = 20; dport <= 85; dport++) {
          const ported = proto !== 1;
          const packet = {
            in: "eth0",
            src: `192.0.2.${s}`,
            dst: `192.0.2.${d}`,
            proto,
            ...(ported ? { sport: 1000, dport } : {}),
            state: "new",
          } as const;
          const want = trace(rs, packet).verdict;
          const point: PacketPoint = {
            v: 4,
            values: {
              proto: BigInt(proto),
              src: low.lo + BigInt(s),
              dst: low.lo + BigInt(d),
              // Not in an ICMP packet, but inside the root's ranges either way.
              sport: 1000n,
              dport: BigInt(dport),
            },
            in: "eth0",
            out: "",
          };
          const holding = a.value.regions.filter((r) => regionHolds(r, point));
          if (holding.length !== 1 || holding[0]!.outcomes[0]!.verdict !== want)
            return t.fail(`${JSON.stringify(packet)}: tracer ${want}, regions ${holding.length}`);
          checked++;
        }
  t.is(checked, 3 * 8 * 8 * 66);
});

test("a policy's Log rule does not split a box (neutral: it changes neither the walk nor the outcome); regions agree with the tracer", (t) => {
  const policy = policyOrigin("web", 0);
  const endpoint: Origin = { kind: "endpoint", endpoint: "web", interface: "eth0", role: "policy-jump" };
  const logRule = (dport: number, origin: Origin): Rule => ({
    kind: "rule",
    matches: [match.dstPorts([{ from: dport, to: dport }])],
    action: { kind: "log", prefix: "calico-packet", level: 5 },
    comments: [],
    origin,
  });
  const rest = [
    rule([match.dstPorts([{ from: 80, to: 80 }])], "drop"),
    rule([match.dstPorts([{ from: 20, to: 30 }]), match.srcNet("192.0.2.0/25")], "accept"),
  ];
  const root: Box = {
    ...rootBoxes(4, ["eth0"], ["ingress"])[0]!,
    proto: [range(6, 6)],
    src: [cidrRange("192.0.2.0/24", 4)!],
    sport: [range(1000, 1000)],
    dport: [range(1, 500)],
  };
  const analyse = (rs: Ruleset) => {
    const a = analyzeRuleset(rs, ifaceUniverse([rs], ["eth0"]), { roots: [root] });
    if (!a.ok) throw new Error(a.error);
    return a.value;
  };
  const plain = analyse(inputRuleset(rest, [], "DROP"));
  const logged = inputRuleset([logRule(20, policy), logRule(443, policy), ...rest], [], "DROP");
  // The box of ports 20-30 is cut from the root by the last rule: its packet (port 20) is logged, the
  // root's (port 1) is not, and its walk is resumed from the root's across that Log rule.
  // The same boxes as without the Log rules; an endpoint chain's Log rule is weighed (the explanation
  // reads that chain's matched rules): it splits the box in two, its port and the rest.
  t.is(analyse(logged).boxes.length, plain.boxes.length);
  t.is(
    analyse(inputRuleset([logRule(443, endpoint), ...rest], [], "DROP")).boxes.length,
    plain.boxes.length + 1,
  );
  const a = analyse(logged);
  let checked = 0;
  for (const s of [0, 1, 127, 128, 255])
    for (const dport of [1, 19, 20, 21, 22, 23, 30, 31, 79, 80, 81, 442, 443, 444, 500]) {
      const packet = {
        in: "eth0",
        src: `192.0.2.${s}`,
        dst: "198.51.100.1",
        proto: 6,
        sport: 1000,
        dport,
        state: "new",
      } as const;
      const want = trace(logged, packet);
      const point: PacketPoint = {
        v: 4,
        values: {
          proto: 6n,
          src: cidrRange("192.0.2.0/24", 4)!.lo + BigInt(s),
          sport: 1000n,
          dport: BigInt(dport),
        },
        in: "eth0",
        out: "",
      };
      const holding = a.regions.filter((r) => regionHolds(r, point));
      t.is(holding.length, 1, JSON.stringify(packet));
      const o = holding[0]!.outcomes[0]!;
      t.deepEqual(
        [o.verdict, o.decidedBy.kind, o.decidedBy.ruleIndex, o.at?.ruleIndex],
        [
          want.verdict,
          want.decidedBy.kind,
          want.decidedBy.ruleIndex,
          want.decidedBy.step === undefined
            ? undefined
            : (want.path[want.decidedBy.step] as { ruleIndex?: number }).ruleIndex,
        ],
        JSON.stringify(packet),
      );
      checked++;
    }
  t.is(checked, 75);
});

test("a named-port set cuts a box once for all the addresses paired with all of its ports (or none), not one group at a time", (t) => {
  // Each of 20 endpoints has its own port; the even ones also have 2000 (a named port they share).
  const members = Array.from({ length: 20 }, (_, i) => [
    `192.0.2.${i},tcp:${1000 + i}`,
    ...(i % 2 === 0 ? [`192.0.2.${i},tcp:2000`] : []),
  ]).flat();
  const set: IpSet = {
    kind: "set",
    id: "named",
    name: "cali40named",
    type: "hash:ip,port",
    version: 4,
    members,
    description: "",
  };
  const rs = inputRuleset([rule([match.set("cali40named", ["dst", "dst"])], "accept")], [set], "DROP");
  const u = ifaceUniverse([rs], ["eth0"]);
  const dst = cidrRange("192.0.2.0/27", 4)!;
  const root = (dport: readonly Range[]): Box => ({
    ...rootBoxes(4, ["eth0"], ["ingress"])[0]!,
    proto: [range(6, 6)],
    src: [cidrRange("198.51.100.1/32", 4)!],
    dst: [dst],
    sport: [range(1000, 1000)],
    dport,
  });
  const boxes = (dport: readonly Range[]) => {
    const a = analyzeRuleset(rs, u, { roots: [root(dport)] });
    if (!a.ok) throw new Error(a.error);
    return a.value;
  };
  // Port 2000: the even addresses, and the rest; port 1005: 192.0.2.5 and the rest.
  t.is(boxes([range(2000, 2000)]).boxes.length, 2);
  t.is(boxes([range(1005, 1005)]).boxes.length, 2);
  // Every packet of a box of all their ports lies in the one region the tracer's verdict says.
  const a = boxes([range(999, 1020), range(2000, 2000)]);
  let checked = 0;
  for (let d = 0; d < 32; d++)
    for (const dport of [...Array.from({ length: 22 }, (_, i) => 999 + i), 2000]) {
      const packet = {
        in: "eth0",
        src: "198.51.100.1",
        dst: `192.0.2.${d}`,
        proto: 6,
        sport: 1000,
        dport,
        state: "new",
      } as const;
      const point: PacketPoint = {
        v: 4,
        values: {
          proto: 6n,
          src: cidrRange("198.51.100.1/32", 4)!.lo,
          dst: dst.lo + BigInt(d),
          sport: 1000n,
          dport: BigInt(dport),
        },
        in: "eth0",
        out: "",
      };
      const holding = a.regions.filter((r) => regionHolds(r, point));
      t.is(holding.length, 1);
      t.is(holding[0]!.outcomes[0]!.verdict, trace(rs, packet).verdict, JSON.stringify(packet));
      checked++;
    }
  t.is(checked, 32 * 23);
});
