// withoutOverlaps (prefix lookups, direct address parsing) against the plain pairwise check it replaced.

import test from "ava";
import ipaddr from "ipaddr.js";
import { withoutOverlaps } from "../../src/render/nftables/sets.js";

type Net = [ipaddr.IPv4 | ipaddr.IPv6, number];
const parseNet = (m: string): Net | undefined => {
  try {
    return m.includes("/")
      ? ipaddr.parseCIDR(m)
      : [ipaddr.parse(m), ipaddr.parse(m).kind() === "ipv4" ? 32 : 128];
  } catch {
    return undefined;
  }
};
const contains = ([o, ob]: Net, [i, ib]: Net): boolean =>
  ib >= ob &&
  ((o.kind() === "ipv4" && i.kind() === "ipv4" && (i as ipaddr.IPv4).match(o as ipaddr.IPv4, ob)) ||
    (o.kind() === "ipv6" && i.kind() === "ipv6" && (i as ipaddr.IPv6).match(o as ipaddr.IPv6, ob)));
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const pairwise = (members: readonly string[]): string[] => {
  const nets = [...new Set(members)]
    .map((m) => ({ m, net: parseNet(m) }))
    .sort((a, b) => (a.net?.[1] ?? 0) - (b.net?.[1] ?? 0) || cmp(a.m, b.m));
  const kept: { m: string; net: Net | undefined }[] = [];
  for (const n of nets)
    if (n.net === undefined || !kept.some((k) => k.net !== undefined && contains(k.net, n.net!)))
      kept.push(n);
  return kept.map((k) => k.m).sort(cmp);
};

test("withoutOverlaps: same as the pairwise check on odd spellings", (t) => {
  const odd = [
    "10.0.0.0/8",
    "10.1.2.3",
    "10.1.2.3/32",
    "010.1.2.3",
    "10.1.2.300",
    "1.2.3.4/33",
    "0.0.0.0/0",
    "192.168.1.0/24",
    "192.168.1.7",
    "2001:db8::/32",
    "2001:db8::1",
    "2001:DB8:0:0:0:0:0:1",
    "2001:db8::1/128",
    "::/0",
    "::1",
    "::ffff:1.2.3.4",
    "1:2:3:4:5:6:7::",
    "fe80::1%eth0",
    ":::",
    "2001:db8::/129",
    "not-an-address",
    "2001:db8:1::/48",
  ];
  t.deepEqual(withoutOverlaps(odd), pairwise(odd));
  t.deepEqual(
    withoutOverlaps(odd.filter((m) => !m.endsWith("/0"))),
    pairwise(odd.filter((m) => !m.endsWith("/0"))),
  );
});

test("withoutOverlaps: same as the pairwise check on random nets", (t) => {
  let seed = 7;
  const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let k = 0; k < 20; k++) {
    const members: string[] = [];
    for (let i = 0; i < 150; i++) {
      if (rnd(2) === 0)
        members.push(`10.${rnd(3)}.${rnd(4)}.${rnd(256)}${rnd(3) === 0 ? `/${8 + rnd(25)}` : ""}`);
      else
        members.push(
          `fd00:${rnd(3).toString(16)}::${rnd(65536).toString(16)}${rnd(3) === 0 ? `/${rnd(129)}` : ""}`,
        );
    }
    t.deepEqual(withoutOverlaps(members), pairwise(members));
    // Sorted and distinct, as computed sets arrive: read in place, not copied and sorted.
    const sorted = [...new Set(members)].sort();
    t.deepEqual(withoutOverlaps(sorted), pairwise(members));
  }
});

test("withoutOverlaps: same as the pairwise check on single addresses spelled several ways", (t) => {
  let seed = 11;
  const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const spell = (a: number, b: number): string =>
    [
      `10.0.${a}.${b}`,
      `10.0.${a}.${b}/32`,
      `fd00::${a.toString(16)}:${b.toString(16)}`,
      `FD00:0:0:0:0:0:${a.toString(16)}:${b.toString(16)}/128`,
      `fd00:0000::${a.toString(16).padStart(4, "0")}:${b.toString(16)}`,
      `not-an-address-${b}`,
    ][rnd(6)]!;
  for (let k = 0; k < 20; k++) {
    const members = Array.from({ length: 150 }, () => spell(rnd(3), rnd(20)));
    t.true(members.every((m) => !/\/(?!32$|128$)/.test(m)));
    t.deepEqual(withoutOverlaps(members), pairwise(members));
  }
});

test("withoutOverlaps: a prefix is looked up at one length only, never matched by a kept prefix of another", (t) => {
  // Each last member, cut to the first member's length, has the bits of the middle one: but the middle one is
  // longer than that and does not contain it, so all three are kept.
  const cases: readonly (readonly string[])[] = [
    ["192.0.2.0/24", "198.51.100.0/25", "198.51.100.192/26"],
    ["2001:db8:aaaa::/48", "2001:db8:1::/49", "2001:db8:1:8000::/50"],
  ];
  for (const members of cases) {
    t.deepEqual(withoutOverlaps(members), [...members].sort(cmp), members.join(" "));
    t.deepEqual(withoutOverlaps(members), pairwise(members));
  }
});
