// parseIp / parseCidr take arithmetic shortcuts for IPv4 and mask IPv6 by hand; ipaddr.js is the
// oracle they must agree with on every input.

import test from "ava";
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { parseCidr, parseIp } from "../../src/resources/checks/net.js";

const oracleIp = (text: string): string | undefined => {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return `4 ${ipaddr.IPv4.parse(text).toString()}`;
  if (!text.includes(":") || text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? `4 ${v6.toIPv4Address().toString()}` : `6 ${v6.toRFC5952String()}`;
};

const oracleCidr = (text: string): string | undefined => {
  const [addr = "", prefixText, ...rest] = text.split("/");
  if (rest.length > 0 || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) return undefined;
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(addr);
  if (!v4 && (!addr.includes(":") || addr.includes("%") || !ipaddr.IPv6.isValid(addr))) return undefined;
  const bits = v4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return undefined;
  const show = (a: ipaddr.IPv4 | ipaddr.IPv6): string =>
    a instanceof ipaddr.IPv6 ? a.toRFC5952String() : a.toString();
  const a = v4 ? ipaddr.IPv4.parse(addr) : ipaddr.IPv6.parse(addr);
  const n = v4
    ? ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${prefix}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${addr}/${prefix}`);
  return `${v4 ? 4 : 6} ${show(a)}/${prefix} ${show(n)}/${prefix} ${show(a) === show(n)}`;
};

const ours = (text: string): [string | undefined, string | undefined] => {
  const ip = parseIp(text);
  const cidr = parseCidr(text);
  return [
    ip.ok ? `${ip.value.version} ${ip.value.text}` : undefined,
    cidr.ok
      ? `${cidr.value.version} ${cidr.value.text} ${cidr.value.network} ${cidr.value.masked}`
      : undefined,
  ];
};

const octet = fc.oneof(fc.nat(300).map(String), fc.constantFrom("00", "01", "007", "-1", "", "255", "256"));
const v4text = fc.tuple(octet, octet, octet, octet).map((p) => p.join("."));
const v6text = fc.oneof(
  fc.ipV6(),
  fc.ipV6().map((a) => a.toUpperCase()),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF::::".split("")), maxLength: 42 }),
  fc.constantFrom(
    "2001:db8::",
    "::",
    "::1",
    "::ffff:192.0.2.1",
    "2001:db8::1%eth0",
    "2001:db8:::1",
    "fe80::1:2:3",
  ),
);
const withPrefix = (addr: fc.Arbitrary<string>) =>
  fc
    .tuple(addr, fc.option(fc.oneof(fc.nat(140).map(String), fc.constantFrom("024", "x", "", "1/2"))))
    .map(([a, p]) => (p === null ? a : `${a}/${p}`));

test("parseIp and parseCidr agree with ipaddr.js", (t) => {
  fc.assert(
    fc.property(
      fc.oneof(withPrefix(v4text), withPrefix(v6text), withPrefix(fc.ipV4()), fc.string()),
      (text) => {
        t.deepEqual(ours(text), [oracleIp(text), oracleCidr(text)], text);
      },
    ),
    { numRuns: 5000 },
  );
});
