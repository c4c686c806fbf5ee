// traceAlong() (flow-space analysis traces a split box's part from its parent's walk) must give exactly
// what a verbose trace() gives, take over the known steps themselves, and refuse a known walk that the
// packet does not take.

import { isDeepStrictEqual } from "node:util";
import test from "ava";
import fc from "fast-check";
import type { IpVersion } from "../../src/rules/ir.js";
import { trace, traceAlong, type Packet, type Step } from "../../src/trace/index.js";
import { CASES, rulesetFor, V4, V6, type Fam } from "./cases.js";
import { packetArb } from "./packet-arb.js";

const EXAMPLES = [
  "Pass goes to the next tier",
  "pre-DNAT deny sees the port before DNAT",
  "untracked allow: NOTRACK, then every table accepts on the mark",
  "named port: the endpoint's expectedIPs x port",
  "forward: an applyOnForward deny drops it",
  "failsafe with net: an allowed source",
];

/**
 * Two NEW packets on the host endpoint's interface that differ in one header field, as the parts of a
 * split box do: they often share a long walk and part at a rule.
 */
const neighboursArb = (a: Fam): fc.Arbitrary<readonly [Packet, Packet]> => {
  const base = packetArb(a).map((p): Packet => {
    const { dnatTo: _, mark: __, ...rest } = p;
    return { ...rest, ...(p.in === undefined ? { out: "eth0" } : { in: "eth0" }), state: "new" };
  });
  return fc
    .tuple(base, base, fc.constantFrom("src", "dst", "proto", "sport", "dport"))
    .map(([p, q, field]) => [p, { ...p, [field]: q[field] }] as const);
};

/** How many first steps two walks share. */
const sharedSteps = (a: readonly Step[], b: readonly Step[]): number => {
  let n = 0;
  while (n < a.length && n < b.length && isDeepStrictEqual(a[n], b[n])) n++;
  return n;
};

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  const a = v === 4 ? V4 : V6;
  const rulesets = EXAMPLES.map((name) => {
    const c = CASES.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no case named ${name}`);
    return rulesetFor(c, a);
  });

  test(`IPv${v}: traceAlong a shared walk equals a verbose trace and takes over its steps`, (t) => {
    let longShared = 0;
    fc.assert(
      fc.property(fc.nat(rulesets.length - 1), neighboursArb(a), fc.nat(), (k, [p1, p2], cut) => {
        const rs = rulesets[k]!;
        const known = trace(rs, p1, { verbose: true }).path;
        const mine = trace(rs, p2, { verbose: true });
        const shared = sharedSteps(known, mine.path);
        if (shared > 10) longShared++;
        // Any length up to the shared steps will do.
        const length = shared === 0 ? 0 : cut % (shared + 1);
        const along = traceAlong(rs, p2, { path: known, length });
        t.deepEqual(along, mine);
        for (let i = 0; i < length; i++)
          if (known[i]!.kind === "rule") t.is(along.path[i], known[i], `step ${i} is taken over`);
        return true;
      }),
      { numRuns: 300 },
    );
    // The property means little unless packets often share a long walk.
    t.true(longShared > 30, `only ${longShared} pairs shared more than 10 steps`);
  });

  test(`IPv${v}: traceAlong refuses a known walk whose rule the packet does not take the same way`, (t) => {
    let refused = 0;
    fc.assert(
      fc.property(fc.nat(rulesets.length - 1), neighboursArb(a), (k, [p1, p2]) => {
        const rs = rulesets[k]!;
        const known = trace(rs, p1, { verbose: true }).path;
        const mine = trace(rs, p2, { verbose: true }).path;
        const shared = sharedSteps(known, mine);
        const first = known[shared];
        // The first step where the walks part, when it is a rule both walks evaluated (a few in a hundred
        // pairs: most neighbours walk alike).
        if (first?.kind !== "rule" || mine[shared]?.kind !== "rule") return true;
        refused++;
        t.throws(() => traceAlong(rs, p2, { path: known, length: shared + 1 }), {
          message: /^bug: the known walk/,
        });
        return true;
      }),
      { numRuns: 3000 },
    );
    t.true(refused > 30, `only ${refused} pairs parted at a rule`);
  });
}
