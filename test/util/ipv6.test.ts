// The IPv6 shortcut of loading (src/util/ipv6.ts) against ipaddr.js: what it accepts ipaddr.js accepts,
// with the same parts, RFC 5952 text and networks.

import test from "ava";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { ipv6Parts, ipv6PartsInto, maskIpv6, rfc5952 } from "../../src/util/ipv6.js";

// Parts with long zero runs (what compression is about), written with random case, leading zeros and
// a `::` over a random run of zeros (or none).
const parts = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});
const written = parts.chain((ps) =>
  fc
    .tuple(fc.array(fc.tuple(fc.boolean(), fc.nat(3)), { minLength: 8, maxLength: 8 }), fc.nat(8), fc.nat(8))
    .map(([style, a, b]) => {
      const cells = ps.map((p, i) => {
        const [upper, pad] = style[i]!;
        const hex = p.toString(16).padStart(Math.min(4, p.toString(16).length + pad), "0");
        return upper ? hex.toUpperCase() : hex;
      });
      const [from, to] = [Math.min(a, b), Math.max(a, b)];
      const zeros = to > from && ps.slice(from, to).every((p) => p === 0);
      const text = zeros
        ? `${cells.slice(0, from).join(":")}::${cells.slice(to).join(":")}`
        : cells.join(":");
      return { parts: ps, text };
    }),
);

test("plain IPv6 text reads as ipaddr.js reads it, and prints as its RFC 5952 form", (t) => {
  fc.assert(
    fc.property(written, ({ parts: ps, text }) => {
      const ours = ipv6Parts(text);
      t.deepEqual(ours, ps, text);
      t.deepEqual(ours, ipaddr.IPv6.parse(text).parts, text);
      t.is(rfc5952(ps), ipaddr.IPv6.parse(text).toRFC5952String(), text);
    }),
    { numRuns: 5000 },
  );
});

test("what the shortcut accepts ipaddr.js accepts the same way (random hex-and-colon text)", (t) => {
  const alphabet = fc.constantFrom(..."0123456789abcdefABCDEF::::".split(""));
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: alphabet, maxLength: 42 }), fc.ipV6()), (text) => {
      const ours = ipv6Parts(text);
      if (ours === undefined) return;
      t.true(ipaddr.IPv6.isValid(text), text);
      t.deepEqual(ours, ipaddr.IPv6.parse(text).parts, text);
    }),
    { numRuns: 20000 },
  );
});

test("ipv6PartsInto, reusing one array, reads every text as ipv6Parts does", (t) => {
  // One array for all of them, as overlap removal uses it: what an earlier address left must not show.
  const scratch = [0, 0, 0, 0, 0, 0, 0, 0];
  const alphabet = fc.constantFrom(..."0123456789abcdefABCDEF::::".split(""));
  const texts = fc.oneof(
    written.map((w) => w.text),
    fc.string({ unit: alphabet, maxLength: 42 }),
    fc.constantFrom("::", "::1", "1::", "ffff::ffff"),
  );
  fc.assert(
    fc.property(fc.array(texts, { minLength: 1, maxLength: 6 }), (list) => {
      scratch.fill(0xffff);
      for (const text of list) {
        const fresh = ipv6Parts(text);
        t.is(ipv6PartsInto(text, scratch), fresh !== undefined, text);
        if (fresh !== undefined) t.deepEqual([...scratch], fresh, text);
      }
    }),
    { numRuns: 5000 },
  );
});

test("maskIpv6 gives ipaddr.js's network address", (t) => {
  fc.assert(
    fc.property(parts, fc.nat(128), (ps, prefix) => {
      const text = rfc5952(ps);
      t.is(
        rfc5952(maskIpv6(ps, prefix)),
        ipaddr.IPv6.networkAddressFromCIDR(`${text}/${prefix}`).toRFC5952String(),
      );
    }),
    { numRuns: 3000 },
  );
});

test("forms left to ipaddr.js", (t) => {
  for (const text of [
    "::ffff:192.0.2.1",
    "2001:db8::1%eth0",
    "2001:db8:::1",
    "1::2::3",
    "12345::",
    ":1::",
    "1:2:3:4:5:6:7:8:9",
    "",
  ])
    t.is(ipv6Parts(text), undefined, text);
  t.deepEqual(ipv6Parts("::"), [0, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(ipv6Parts("1:2:3:4:5:6:7::"), [1, 2, 3, 4, 5, 6, 7, 0]);
});
