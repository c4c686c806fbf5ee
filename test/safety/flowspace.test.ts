// Flow-space building blocks: ranges and CIDRs, the interface universe, match classification over boxes,
// and the compact descriptions of merged regions.

import test from "ava";
import { match } from "../../src/rules/build.js";
import type { Ruleset } from "../../src/rules/ir.js";
import { classify } from "../../src/safety/flowspace/classify.js";
import {
  addrSpace,
  complement,
  ifaceUniverse,
  normalize,
  range,
  rangeToCidrs,
  rootBoxes,
  splitRange,
  type Box,
} from "../../src/safety/flowspace/index.js";
import { cidrRange } from "../../src/safety/flowspace/sets.js";
import { compareNode } from "../../src/safety/node-flows.js";
import { changedLines } from "../../src/safety/report.js";
import { loadCluster } from "../../src/resources/index.js";

test("ranges: split at cuts, normalize, complement, and exact CIDR covers", (t) => {
  t.deepEqual(splitRange(range(0, 10), [0n, 3n, 3n, 11n, 20n]), [range(0, 2), range(3, 10)]);
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

const withIfaces = (names: string[]): Ruleset => ({
  kind: "ruleset",
  version: 4,
  sets: [],
  warnings: [],
  tables: [
    {
      kind: "table",
      name: "filter",
      chains: [],
      hooks: [
        {
          kind: "hook",
          name: "INPUT",
          inserted: names.map((n) => ({
            kind: "rule",
            matches: [match.inIface(n)],
            action: { kind: "accept" },
            comments: [],
          })),
          appended: [],
        },
      ],
    },
  ],
});

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

test("classify: uniform inside or outside a match, split at its edges across it", (t) => {
  const tcp = box({ proto: range(6, 6) });
  const ssh = match.dstPorts([{ from: 22, to: 22 }]);
  const split = classify(ssh, ctx(tcp));
  t.is(split.kind, "split");
  t.deepEqual(split.kind === "split" ? split.parts.map((p) => p.dport) : [], [
    range(0, 21),
    range(22, 22),
    range(23, 65535),
  ]);
  t.deepEqual(classify(ssh, ctx({ ...tcp, dport: range(22, 22) })), { kind: "uniform", value: true });
  // No port header: never matches, even negated (as xt_multiport).
  t.deepEqual(classify(match.dstPorts([{ from: 22, to: 22 }], true), ctx(box({ proto: range(47, 47) }))), {
    kind: "uniform",
    value: false,
  });
  // Mixed protocols are split at the port protocols first.
  const mixed = classify(ssh, ctx(box({})));
  t.true(mixed.kind === "split" && mixed.parts.some((p) => p.proto.lo === 6n && p.proto.hi === 6n));
  // -o is invisible in INPUT: "" for every packet.
  t.deepEqual(classify(match.outIface("eth0"), ctx(box({}))), { kind: "uniform", value: false });
  const byIface = classify(match.inIface("eth0"), ctx(box({})));
  t.true(byIface.kind === "split" && byIface.parts.map((p) => p.in.join()).join("|") === "eth0|eth1");
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
