// The lookup structures behind traceVerdicts() against brute force: IPv4 range sets against the hash:net
// sets trace() uses, and port classes against every port test they stand for.

import test from "ava";
import fc from "fast-check";
import { parseAddr } from "../../src/trace/addr.js";
import { inRangeSet, rangeSetOf } from "../../src/trace/range-set.js";
import { compileSet } from "../../src/trace/sets.js";
import { portClasses } from "../../src/trace/verdict-reads.js";

const v4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

/** Prefixes clustered in a few /16s, so members overlap, nest and touch. */
const cidrArb = fc
  .record({
    hi: fc.constantFrom(0x0a000000, 0xc0a80000, 0xffff0000, 0),
    lo: fc.nat(0xffff),
    len: fc.integer({ min: 0, max: 32 }),
  })
  .map(({ hi, lo, len }) => `${v4((hi | lo) >>> 0)}/${len}`);

const memberArb = fc.oneof(
  { weight: 8, arbitrary: cidrArb },
  { weight: 1, arbitrary: fc.constantFrom("10.0.0.1", "not-an-ip", "2001:db8::/64", "10.0.0.0/33") },
);

const addrArb = fc.oneof(
  fc
    .record({ hi: fc.constantFrom(0x0a000000, 0xc0a80000, 0xffff0000, 0), lo: fc.nat(0xffff) })
    .map(({ hi, lo }) => (hi | lo) >>> 0),
  fc.constantFrom(0, 0xffffffff, 0x0a000000, 0x0affffff),
  fc.nat(0xffffffff),
);

test("range sets hold exactly the addresses trace()'s hash:net sets hold", (t) => {
  fc.assert(
    fc.property(
      fc.array(memberArb, { maxLength: 12 }),
      fc.array(addrArb, { minLength: 1, maxLength: 20 }),
      (members, addrs) => {
        const set = compileSet({
          kind: "set",
          id: "s",
          name: "s",
          type: "hash:net",
          version: 4,
          members,
          description: "",
        });
        const ranges = rangeSetOf(members);
        for (const n of addrs)
          t.is(inRangeSet(ranges, n), set.hasNet(parseAddr(v4(n))!), `${v4(n)} in ${members.join(" ")}`);
        // The ranges are sorted, disjoint and not touching.
        for (let i = 1; i < ranges.lo.length; i++) t.true(ranges.lo[i]! > ranges.hi[i - 1]! + 1);
        return true;
      },
    ),
    { numRuns: 500 },
  );
});

test("port classes: ports of one class answer every range test alike", (t) => {
  const rangeArb = fc
    .tuple(fc.integer({ min: -3, max: 66000 }), fc.integer({ min: 0, max: 300 }))
    .map(([from, width]) => ({ from, to: from + width }));
  fc.assert(
    fc.property(
      fc.array(rangeArb, { maxLength: 8 }),
      fc.array(fc.nat(65535), { minLength: 2, maxLength: 30 }),
      (ranges, ports) => {
        const cuts = new Set<number>();
        for (const r of ranges) cuts.add(r.from).add(r.to + 1);
        const cls = portClasses(cuts);
        for (const a of ports)
          for (const b of ports)
            if (cls[a] === cls[b])
              for (const r of ranges)
                t.is(
                  a >= r.from && a <= r.to,
                  b >= r.from && b <= r.to,
                  `${a} and ${b} against ${r.from}-${r.to}`,
                );
        for (const p of ports) t.true(cls[p]! >= 0 && cls[p]! <= p);
        return true;
      },
    ),
    { numRuns: 300 },
  );
});
