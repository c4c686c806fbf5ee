// The exact analysis against brute force: on random small clusters, every sampled packet whose verdict
// differs between two rulesets lies in a reported changed region with the same before/after verdicts, no
// packet whose verdict is the same lies in one, and random packets drawn from inside each reported region
// really do change as reported. Also the one-ruleset partition: each packet lies in exactly one region,
// whose verdict and deciding rule kind are the tracer's.

import test from "ava";
import fc from "fast-check";
import type { NodeModel } from "../../src/calc/resolve.js";
import type { IpVersion, Ruleset } from "../../src/rules/ir.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import {
  addrText,
  analyzeRuleset,
  compareRulesets,
  icmpProto,
  isPortProto,
  pick,
  regionHolds,
  type IfaceUniverse,
  type PacketPoint,
  type Region,
} from "../../src/safety/flowspace/index.js";
import { modelOf, universeFor } from "../../src/safety/node-flows.js";
import { parseAddr } from "../../src/trace/addr.js";
import { traceBatch, type Packet } from "../../src/trace/index.js";
import { boundaryPackets } from "./boundary.js";
import { clusterArb, packetArb } from "./gen.js";

const RUNS = Number(process.env.FLOWSPACE_RUNS ?? 25);

const pointOf = (p: Packet, u: IfaceUniverse): PacketPoint => {
  const big = (x: number | undefined) => (x === undefined ? undefined : BigInt(x));
  const src = parseAddr(p.src)!;
  return {
    v: src.v,
    values: {
      proto: BigInt(p.proto),
      src: src.n,
      dst: parseAddr(p.dst)!.n,
      ...(p.sport === undefined ? {} : { sport: big(p.sport) }),
      ...(p.dport === undefined ? {} : { dport: big(p.dport) }),
      ...(p.icmpType === undefined ? {} : { icmpType: big(p.icmpType) }),
      ...(p.icmpCode === undefined ? {} : { icmpCode: big(p.icmpCode) }),
    },
    in: u.classOf(p.in ?? ""),
    out: u.classOf(p.out ?? ""),
  };
};

const mulberry = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** A concrete packet inside a region; interfaces: the representative, or a fresh name of its class. */
const packetIn = (r: Region, u: IfaceUniverse, rnd: () => number): Packet => {
  const value = (rs: Region["ranges"]["proto"]) => pick(rs[Math.floor(rnd() * rs.length)]!, rnd);
  const iface = (names: readonly string[]) => {
    const n = names[Math.floor(rnd() * names.length)]!;
    return n === u.other && rnd() < 0.5 && u.classOf("zz-if7") === n ? "zz-if7" : n;
  };
  const proto = value(r.ranges.proto);
  const i = iface(r.in);
  const o = iface(r.out);
  return {
    ...(i === "" ? {} : { in: i }),
    ...(o === "" ? {} : { out: o }),
    src: addrText(r.v, value(r.ranges.src)),
    dst: addrText(r.v, value(r.ranges.dst)),
    proto: Number(proto),
    ...(isPortProto(proto)
      ? { sport: Number(value(r.ranges.sport)), dport: Number(value(r.ranges.dport)) }
      : {}),
    ...(Number(proto) === icmpProto(r.v)
      ? { icmpType: Number(value(r.ranges.icmpType)), icmpCode: Number(value(r.ranges.icmpCode)) }
      : {}),
    state: "new",
  };
};

interface Pair {
  readonly before: Ruleset;
  readonly after: Ruleset;
  readonly u: IfaceUniverse;
}

const pairs = (models: readonly [NodeModel, NodeModel], v: IpVersion): Pair => {
  const before = buildRuleset(models[0], { version: v });
  const after = buildRuleset(models[1], { version: v });
  return { before, after, u: universeFor(models, [before, after]) };
};

const checkPair = (p: Pair, packets: readonly Packet[], rnd: () => number): string | undefined => {
  const c = compareRulesets(p.before, p.after, p.u);
  if (!c.ok) return c.error;
  const changed = c.value.changed;
  const tb = traceBatch(p.before, packets);
  const ta = traceBatch(p.after, packets);
  for (let i = 0; i < packets.length; i++) {
    const pt = pointOf(packets[i]!, p.u);
    const holding = changed.filter((r) => regionHolds(r, pt));
    const differs = tb[i]!.verdict !== ta[i]!.verdict;
    if (holding.length > 1)
      return `packet ${JSON.stringify(packets[i])} is in ${holding.length} changed regions`;
    if (differs && holding.length === 0)
      return `packet ${JSON.stringify(packets[i])} changes ${tb[i]!.verdict} → ${ta[i]!.verdict} but no region holds it`;
    if (!differs && holding.length > 0)
      return `packet ${JSON.stringify(packets[i])} does not change but is in a region`;
    const r = holding[0];
    if (
      r !== undefined &&
      (r.outcomes[0]!.verdict !== tb[i]!.verdict || r.outcomes[1]!.verdict !== ta[i]!.verdict)
    )
      return `packet ${JSON.stringify(packets[i])}: region says ${r.outcomes.map((o) => o.verdict).join(" → ")}`;
  }
  for (const r of changed.slice(0, 40)) {
    const inside = Array.from({ length: 3 }, () => packetIn(r, p.u, rnd));
    const b = traceBatch(p.before, inside);
    const a = traceBatch(p.after, inside);
    for (let i = 0; i < inside.length; i++)
      if (b[i]!.verdict !== r.outcomes[0]!.verdict || a[i]!.verdict !== r.outcomes[1]!.verdict)
        return `packet ${JSON.stringify(inside[i])} from a changed region traces ${b[i]!.verdict} → ${a[i]!.verdict}, region says ${r.outcomes.map((o) => o.verdict).join(" → ")}`;
  }
  // The whole partition of one ruleset.
  const all = analyzeRuleset(p.after, p.u);
  if (!all.ok) return all.error;
  for (let i = 0; i < packets.length; i++) {
    const holding = all.value.regions.filter((r) => regionHolds(r, pointOf(packets[i]!, p.u)));
    if (holding.length !== 1)
      return `packet ${JSON.stringify(packets[i])} is in ${holding.length} regions of the partition`;
    const o = holding[0]!.outcomes[0]!;
    if (o.verdict !== ta[i]!.verdict || o.decidedBy.kind !== ta[i]!.decidedBy.kind)
      return `packet ${JSON.stringify(packets[i])}: partition says ${o.verdict}/${o.decidedBy.kind}, tracer ${ta[i]!.verdict}/${ta[i]!.decidedBy.kind}`;
  }
  return undefined;
};

let lastProblem = "";

const property = fc.property(
  clusterArb,
  fc.array(packetArb(4), { minLength: 120, maxLength: 120 }),
  fc.array(packetArb(6), { minLength: 60, maxLength: 60 }),
  fc.integer(),
  (c, p4, p6, seed) => {
    const rnd = mulberry(seed);
    const v13 = { major: 3, minor: 13 };
    const v29 = { major: 3, minor: 29 };
    const upgrade = [
      modelOf("n1", { cluster: c.base, calicoVersion: v13 }),
      modelOf("n1", { cluster: c.base, calicoVersion: v29 }),
    ] as const;
    const change = [upgrade[1], modelOf("n1", { cluster: c.changed, calicoVersion: v29 })] as const;
    for (const models of [upgrade, change])
      for (const [v, packets] of [
        [4, p4],
        [6, p6],
      ] as const) {
        const p = pairs(models, v);
        const more = [
          ...boundaryPackets(p.before, p.u.names, rnd, 100),
          ...boundaryPackets(p.after, p.u.names, rnd, 100),
        ];
        let problem: string | undefined;
        try {
          problem = checkPair(p, [...packets, ...more], rnd);
        } catch (e) {
          problem = `threw: ${(e as Error).message}`;
        }
        if (problem !== undefined) {
          lastProblem = `${v === 4 ? "IPv4" : "IPv6"} ${models === upgrade ? "3.13 → 3.29" : "base → changed"}: ${problem}`;
          throw new Error(lastProblem);
        }
      }
  },
);

test("exact changed flows agree with brute-force tracing on random clusters", (t) => {
  // No shrinking by default (each step re-analyses whole clusters); FLOWSPACE_SHRINK=1 turns it on.
  try {
    fc.assert(property, {
      numRuns: RUNS,
      endOnFailure: process.env.FLOWSPACE_SHRINK !== "1",
      ...(process.env.FLOWSPACE_SEED === undefined ? {} : { seed: Number(process.env.FLOWSPACE_SEED) }),
    });
    t.pass();
  } catch (e) {
    const seed = /seed: (-?\d+)/.exec((e as Error).message)?.[1] ?? "?";
    t.fail(`${lastProblem}\n(reproduce with FLOWSPACE_SEED=${seed})`);
  }
});
