// canonicalNet takes numeric paths for dotted quads and plain hex IPv6; ipaddr.js alone is the oracle for
// every input.

import test from "ava";
import fc from "fast-check";
import { canonicalNet } from "../../src/calc/cluster-index.js";
import { canonicalOracle } from "./canonical-oracle.js";

const octet = fc.oneof(fc.nat(300).map(String), fc.constantFrom("00", "010", "255", "256"));
const address = fc.oneof(
  fc.tuple(octet, octet, octet, octet).map((p) => p.join(".")),
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV6().map((a) => a.toUpperCase()),
  // Every part written with leading zeros, or cut short.
  fc
    .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
    .map((p) => p.map((x) => x.toString(16).padStart(4, "0")).join(":")),
  fc
    .array(fc.nat(0xffff), { minLength: 1, maxLength: 9 })
    .map((p) => `2001:db8::${p.map((x) => x.toString(16)).join(":")}`),
  fc.constantFrom(
    "10.1",
    "0x7f.1",
    "::ffff:192.0.2.1",
    "::",
    "::1",
    "1::",
    ":::",
    "2001:db8:::1",
    "fe80::1%eth0",
  ),
);
const len = fc.option(fc.oneof(fc.nat(140).map(String), fc.constantFrom("024", "007", "", "x", "-1")));

test("canonicalNet equals ipaddr.js's canonical network on any address or CIDR", (t) => {
  fc.assert(
    fc.property(address, len, (a, l) => {
      const text = l === null ? a : `${a}/${l}`;
      t.is(canonicalNet(text), canonicalOracle(text), text);
    }),
    { numRuns: 5000 },
  );
});
