// The tracer's address reader and the flow space's address printer take shortcuts past ipaddr.js (they
// run twice per packet traced); both must read and print exactly as ipaddr.js does.

import test from "ava";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { addrText } from "../../src/safety/flowspace/ranges.js";
import { parseAddr, parseAddrByIpaddr } from "../../src/trace/addr.js";

const part = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map(String),
  fc.integer({ min: 256, max: 9999 }).map(String),
  fc.constantFrom("", "00", "01", "007", "0x1", "1a", " 1", "-1", "+1", "1e2", "٣"),
);
const v4ish = fc
  .array(part, { minLength: 1, maxLength: 6 })
  .chain((ps) => fc.constantFrom(ps.join("."), `${ps.join(".")}.`, `.${ps.join(".")}`, ps.join("..")));
const hex = fc.integer({ min: 0, max: 0xffff }).map((x) => x.toString(16));
const v6ish = fc.oneof(
  fc
    .array(fc.oneof(hex, fc.constant("0"), fc.constant("")), { minLength: 2, maxLength: 9 })
    .map((ps) => ps.join(":")),
  fc.tuple(hex, fc.integer({ min: 0, max: 255 })).map(([h, x]) => `::ffff:${h}:192.0.2.${x}`),
  fc.tuple(hex, fc.integer({ min: 0, max: 300 })).map(([h, x]) => `::${h}:198.51.100.${x}`),
  fc.tuple(hex, fc.constantFrom("eth0", "1", "")).map(([h, z]) => `fe80::${h}%${z}`),
  fc.constantFrom(
    "::",
    "::1",
    ":::",
    "1::2::3",
    "2001:db8::",
    "2001:DB8::A",
    "::ffff:203.0.113.7",
    "1:2:3:4:5:6:7:8:9",
  ),
);

test("parseAddr reads every text as ipaddr.js does, or refuses it as ipaddr.js does", (t) => {
  fc.assert(
    fc.property(fc.oneof(v4ish, v6ish, fc.string({ maxLength: 12 })), (text) => {
      t.deepEqual(parseAddr(text), parseAddrByIpaddr(text), JSON.stringify(text));
    }),
    { numRuns: 5000 },
  );
  t.deepEqual(parseAddr("192.0.2.10"), { v: 4, n: 0xc000020an });
  t.is(parseAddr("192.0.2.010"), undefined);
  t.is(parseAddr("192.0.2.256"), undefined);
  t.deepEqual(parseAddr("2001:db8::10"), { v: 6, n: 0x20010db8000000000000000000000010n });
});

test("addrText prints an address as ipaddr.js does", (t) => {
  // IPv6 parts with long zero runs, which compression is about.
  const v6 = fc
    .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    })
    .map((ps) => ps.reduce((n, p) => (n << 16n) | BigInt(p), 0n));
  fc.assert(
    fc.property(v6, (n) => {
      const bytes = Array.from({ length: 16 }, (_, i) => Number((n >> BigInt(120 - 8 * i)) & 0xffn));
      t.is(addrText(6, n), ipaddr.fromByteArray(bytes).toString());
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (x) => {
      const bytes = [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255];
      t.is(addrText(4, BigInt(x)), ipaddr.fromByteArray(bytes).toString());
    }),
  );
});
