// The lookup structures behind traceVerdicts() against brute force: IPv4 range sets against the hash:net
// sets trace() uses, port classes against every port test they stand for, and the generated memo lookups
// against the walks they stand for.

import test from "ava";
import fc from "fast-check";
import { parseAddr } from "../../src/trace/addr.js";
import { inRangeSet, rangeSetOf } from "../../src/trace/range-set.js";
import { compileSet } from "../../src/trace/sets.js";
import {
  createInterner,
  entryOfAddr,
  entryOfText,
  IFACE_ID_BITS,
  ifaceId,
  makeRoom,
} from "../../src/trace/verdict-intern.js";
import { createTable, grow, memoSource, packWords } from "../../src/trace/verdict-memo.js";
import { portClasses, portClassIds } from "../../src/trace/verdict-reads.js";

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

test("port class ids: dense, 0 for no port, and the same id exactly for ports of one class", (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -3, max: 66000 }), { maxLength: 10 }), (cutList) => {
      const cuts = new Set(cutList);
      const reps = portClasses(cuts);
      const ids = portClassIds(cuts);
      t.is(ids[0], 0);
      t.is(ids[1], 1);
      for (let p = 1; p < 65536; p++) {
        const step = ids[p + 1]! - ids[p]!;
        t.is(step, reps[p] === reps[p - 1] ? 0 : 1, `port ${p}`);
        if (step !== (reps[p] === reps[p - 1] ? 0 : 1)) return false;
      }
      return true;
    }),
    { numRuns: 40 },
  );
});

test("packed memo keys: widest first, word 0 never zero, every field within 32 bits", (t) => {
  const words = packWords([
    { expr: "s.m", bits: 32 },
    { expr: "s.ct", bits: 7 },
    { expr: "s.sid", bits: 20 },
    { expr: "s.p", bits: 8 },
    { expr: "(s.ls ? 1 : 0)", bits: 1 },
  ]);
  t.deepEqual(words, ["1 | (s.sid << 1) | (s.p << 21) | ((s.ls ? 1 : 0) << 29)", "s.m | 0", "s.ct | 0"]);
});

/** A generated memo function over a state of fields a (8 bits), b (20 bits) and m (32 bits). */
const memoOver = (run: (s: { a: number; b: number; m: number; ct: number }) => number) => {
  const fields = [
    { expr: "s.a", bits: 8 },
    { expr: "s.b", bits: 20 },
    { expr: "s.m", bits: 32 },
  ];
  const words = packWords(fields);
  const table = createTable(words.length);
  const src = memoSource("m", "run", "T", words, false);
  const fn = new Function("T", "grow", "run", `${src}\nreturn m;`)(table, grow, run) as (s: {
    a: number;
    b: number;
    m: number;
    ct: number;
  }) => number;
  return { fn, table };
};

test("generated memo lookups: outcomes replayed exactly, each key walked once, across table growth", (t) => {
  let walks = 0;
  // The outcome depends on every key field; the walk rewrites the mark and conntrack bits.
  const run = (s: { a: number; b: number; m: number; ct: number }): number => {
    walks++;
    const r = (s.a * 31 + s.b + (s.m >>> 3)) % 3;
    s.m = (s.m ^ (s.a << 8)) | 0;
    s.ct = (s.b & 63) | 1;
    return r;
  };
  const { fn, table } = memoOver(run);
  const keys: [number, number, number][] = [];
  for (let i = 0; i < 3000; i++) keys.push([i % 256, (i * 7919) % (1 << 20), i % 5 === 0 ? -1 - i : i << 20]);
  for (const round of [0, 1])
    for (const [a, b, m] of keys) {
      const want = { a, b, m, ct: 0 };
      const r = run(want);
      walks--;
      const got = { a, b, m, ct: 0 };
      t.is(fn(got), r);
      t.deepEqual(got, want, `round ${round}`);
    }
  t.is(walks, keys.length, "each distinct key walked once");
  t.true(table.bits > 10, "the table grew");
  t.is(table.size, keys.length);
});

test("interning: one id per address whatever its text, and ids start over in a new epoch", (t) => {
  const it = createInterner();
  const a = entryOfText(it, "2001:db8::1")!;
  t.is(entryOfText(it, "2001:0db8:0:0::1"), a);
  t.is(entryOfAddr(it, parseAddr("2001:db8::1")!), a);
  t.is(entryOfText(it, "10.0.0.1")!.n, 0x0a000001);
  t.is(entryOfText(it, "not-an-ip"), undefined);
  t.true(entryOfText(it, "127.0.0.2")!.loopback);
  t.not(entryOfText(it, "10.0.0.2")!.id, entryOfText(it, "10.0.0.1")!.id);
  makeRoom(it);
  t.is(it.epoch, 0, "room left: nothing starts over");
  for (let i = 0; i < 2 ** IFACE_ID_BITS; i++) ifaceId(it, `if${i}`);
  makeRoom(it);
  t.is(it.epoch, 1);
  t.is(ifaceId(it, ""), 0);
  t.is(ifaceId(it, "if70000"), 1);
  t.is(entryOfText(it, "10.0.0.9")!.id, 1);
});
