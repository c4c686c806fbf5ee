// The label index and what is built on it give exactly what testing every selector against every
// endpoint gives: selector evaluation, policy selection and order, IP set members.

import test from "ava";
import fc from "fast-check";
import { canonicalOracle } from "../calc/canonical-oracle.js";
import { computeIpSets, ipSetFor } from "../../src/calc/ipsets.js";
import { withoutOverlaps } from "../../src/render/nftables/sets.js";
import { forEachBit, LabelIndex } from "../../src/calc/label-index.js";
import { endpointLabels, policiesForEndpoint } from "../../src/calc/policies.js";
import { convertRule, type SetRequest } from "../../src/calc/rule-convert.js";
import { namespaceClauseMatchesGlobal, selectorMatches } from "../../src/calc/selectors.js";
import { generateClusterModel } from "../../src/gen/index.js";
import type { Cluster, PortSpec } from "../../src/resources/model.js";
import type { IpSet, IpVersion } from "../../src/rules/ir.js";
import { matchesSelector } from "../../src/selector/index.js";
import { labelMap, selectorAst } from "../selector/arbitraries.js";
import { cluster as clusterOf, entity, gnp, hep, netset, ruleOf } from "../helpers/model.js";

test("LabelIndex.evaluate matches exactly the items matchesSelector accepts", (t) => {
  fc.assert(
    fc.property(fc.array(labelMap, { maxLength: 40 }), selectorAst, (maps, sel) => {
      const idx = new LabelIndex(maps);
      const got = new Set<number>();
      forEachBit(idx.evaluate(sel), (i) => void got.add(i));
      const want = new Set(maps.flatMap((m, i) => (matchesSelector(sel, m) ? [i] : [])));
      t.deepEqual(got, want);
      return true;
    }),
    { numRuns: 1500 },
  );
});

const { cluster } = generateClusterModel({ seed: 11, nodes: 60, policies: 150, profiles: 10 });

test("policies per endpoint from the index equal testing every policy (selection, tiers, order)", (t) => {
  for (const ep of cluster.hostEndpoints) {
    // A copy is not one of the cluster's endpoints, so it takes the direct path: every policy tested.
    const direct = policiesForEndpoint(cluster, structuredClone(ep));
    t.deepEqual(policiesForEndpoint(cluster, ep), direct, ep.metadata.name);
  }
});

// The membership rules of ipsets.ts, written out plainly: every endpoint and network set tested.
const canonical = canonicalOracle;

const naiveSets = (c: Cluster, requests: readonly SetRequest[], version: IpVersion): IpSet[] => {
  const unique = new Map<string, SetRequest>();
  for (const r of requests) if (!unique.has(r.id)) unique.set(r.id, r);
  const ofVersion = (list: readonly string[]): string[] =>
    list.flatMap((a) => {
      const x = canonical(a);
      return x !== undefined && x.includes(":") === (version === 6) ? [x] : [];
    });
  const saGiven = (sa: { names: readonly string[]; selector?: string } | undefined): boolean =>
    sa !== undefined && (sa.names.length > 0 || sa.selector !== undefined);
  return [...unique.values()]
    .map((req): IpSet => {
      const members = new Set<string>();
      const side = req.side;
      const matches = (labels: Record<string, string>): boolean =>
        req.kind === "selector" && req.negatedSide
          ? selectorMatches(req.side.notSelector, labels)
          : side === undefined ||
            (!saGiven(side.serviceAccounts) &&
              namespaceClauseMatchesGlobal(side.namespaceSelector) &&
              selectorMatches(side.selector, labels));
      for (const ep of c.hostEndpoints) {
        if (!matches(endpointLabels(ep, c.profiles))) continue;
        if (req.kind === "selector") for (const a of ofVersion(ep.spec.expectedIPs)) members.add(a);
        else
          for (const port of ep.spec.ports) {
            const proto = port.protocol.toLowerCase();
            if (port.name !== req.portName || (req.protocol !== "any" && req.protocol !== proto)) continue;
            for (const a of ofVersion(ep.spec.expectedIPs)) members.add(`${a},${proto}:${port.port}`);
          }
      }
      if (req.kind === "selector")
        for (const ns of c.networkSets)
          if (matches({ ...ns.metadata.labels })) for (const a of ofVersion(ns.spec.nets)) members.add(a);
      return ipSetFor(req, version, members);
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
};

/**
 * The sets without calc's `disjoint` mark, which the brute force does not make; each marked set is checked to
 * have no member inside another (withoutOverlaps keeps them all), which is what the mark promises.
 */
const unmarked = (t: { deepEqual: (a: unknown, b: unknown, m?: string) => void }, sets: readonly IpSet[]) =>
  sets.map(({ disjoint, ...set }) => {
    if (disjoint === true) t.deepEqual(withoutOverlaps(set.members), set.members, `${set.name} is disjoint`);
    return set;
  });

test("IP set members from the index equal testing every endpoint and network set", (t) => {
  const requests = [...cluster.policies, ...cluster.profiles].flatMap((p) =>
    [...p.spec.ingress, ...p.spec.egress].flatMap((r) => convertRule(r).sets),
  );
  t.true(requests.some((r) => r.kind === "namedPort"));
  t.true(requests.some((r) => r.kind === "selector" && r.negatedSide));
  for (const v of [4, 6] as const) {
    const got = computeIpSets(cluster, requests, v);
    t.deepEqual(unmarked(t, got), naiveSets(cluster, requests, v));
    t.true(got.some((s) => s.members.length > 10));
    t.true(got.some((s) => s.disjoint === true && s.members.length > 10));
    // Cached sets are shared, and a second call gives the same.
    t.deepEqual(computeIpSets(cluster, requests, v), got);
  }
});

// Members are read off the cluster's sorted addresses and merged with network-set nets: check that on small
// clusters where the same address comes from several endpoints, in several spellings, and from network sets.
test("IP set members equal the brute force when addresses repeat across endpoints and network sets", (t) => {
  const address = fc.constantFrom(
    "192.0.2.1",
    "192.0.2.10",
    "192.0.2.2",
    "198.51.100.7",
    "2001:db8::1",
    "2001:db8::10",
    "2001:db8::1:0",
    "2001:0db8:0:0::1",
    "2001:DB8::A",
    "::ffff:192.0.2.1",
  );
  const net = fc.oneof(
    address,
    fc.constantFrom("192.0.2.0/24", "192.0.2.1/32", "2001:db8::/64", "2001:db8::1/128"),
  );
  const labels = fc.record({ a: fc.constantFrom("x", "y"), b: fc.constant("x") }, { requiredKeys: [] });
  const port = fc.record({
    name: fc.constantFrom("http", "dns"),
    port: fc.constantFrom(53, 80, 8080),
    protocol: fc.constantFrom("TCP" as const, "UDP" as const),
  });
  const selector = fc.constantFrom("a == 'x'", "has(b)", "all()", "!has(a)", "a in {'x', 'y'}");
  const side = fc.record(
    {
      selector,
      notSelector: selector,
      ports: fc.subarray<PortSpec>([
        { kind: "named", name: "http" },
        { kind: "named", name: "dns" },
        { kind: "range", from: 443, to: 443 },
      ]),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(labels, fc.array(address, { maxLength: 4 }), fc.array(port, { maxLength: 3 })), {
        maxLength: 12,
      }),
      fc.array(fc.tuple(labels, fc.array(net, { maxLength: 4 })), { maxLength: 4 }),
      fc.array(fc.tuple(side, side), { minLength: 1, maxLength: 4 }),
      (endpoints, sets, sides) => {
        const c = clusterOf(
          ...endpoints.map(([l, ips, ports], i) => hep(`ep-${i}`, { expectedIPs: ips, ports }, l)),
          ...sets.map(([l, nets], i) => netset(`ns-${i}`, nets, l)),
          gnp("p", {
            ingress: sides.map(([src, dst]) =>
              ruleOf({ protocol: "TCP", source: entity(src), destination: entity(dst) }),
            ),
          }),
        );
        const requests = c.policies.flatMap((p) => p.spec.ingress.flatMap((r) => convertRule(r).sets));
        for (const v of [4, 6] as const)
          t.deepEqual(unmarked(t, computeIpSets(c, requests, v)), naiveSets(c, requests, v));
        return true;
      },
    ),
    { numRuns: 400 },
  );
});

test("a selector set is marked disjoint when its members are endpoint addresses alone and all are canonical hosts", (t) => {
  const sets = (...resources: Parameters<typeof clusterOf>) => {
    const c = clusterOf(
      ...resources,
      gnp("p", { ingress: [ruleOf({ protocol: "TCP", source: entity({ selector: "role == 'web'" }) })] }),
    );
    const requests = c.policies.flatMap((p) => p.spec.ingress.flatMap((r) => convertRule(r).sets));
    return [4, 6].map((v) => computeIpSets(c, requests, v as IpVersion)[0]!);
  };
  const web = { role: "web" };
  // Spelled any way, addresses are made canonical, so distinct members are distinct addresses.
  const plain = sets(
    hep("a", { expectedIPs: ["192.0.2.1", "2001:DB8::A"] }, web),
    hep("b", { expectedIPs: ["2001:db8:0::a"] }, web),
  );
  t.deepEqual(
    plain.map((s) => [s.members, s.disjoint]),
    [
      [["192.0.2.1"], true],
      [["2001:db8::a"], true],
    ],
  );
  // A network set's nets may hold an endpoint's address: not marked.
  const withNets = sets(hep("a", { expectedIPs: ["192.0.2.1"] }, web), netset("n", ["192.0.2.0/24"], web));
  t.is(withNets[0]!.disjoint, undefined);
  t.deepEqual(withNets[0]!.members, ["192.0.2.0/24", "192.0.2.1"]);
  // An IPv4-mapped address, which Go reads as IPv4, is not taken as a plain IPv6 host: the cluster's IPv6 sets
  // are not marked, even those without it.
  const mapped = sets(
    hep("a", { expectedIPs: ["2001:db8::1"] }, web),
    hep("b", { expectedIPs: ["::ffff:192.0.2.1"] }),
  );
  t.deepEqual(mapped[1]!.members, ["2001:db8::1"]);
  t.is(mapped[1]!.disjoint, undefined);
});

test("endpoint labels: profiles' labelsToApply first (first profile wins), own labels win, key order kept", (t) => {
  const profile = (name: string, labelsToApply: Record<string, string>) =>
    ({
      kind: "Profile",
      metadata: { name },
      spec: { labelsToApply },
    }) as unknown as Cluster["profiles"][number];
  const ep = (labels: Record<string, string>, profiles: string[]) =>
    ({ metadata: { labels }, spec: { profiles } }) as unknown as Cluster["hostEndpoints"][number];
  const profiles = [
    profile("a", { role: "a", constructor: "from-a", zone: "a" }),
    profile("b", { role: "b", tier: "b" }),
  ];
  const cases: [Record<string, string>, string[], [string, string][]][] = [
    [{ x: "1" }, [], [["x", "1"]]],
    [
      { zone: "own", x: "1" },
      ["a", "b"],
      [
        ["role", "a"],
        ["constructor", "from-a"],
        ["zone", "own"],
        ["tier", "b"],
        ["x", "1"],
      ],
    ],
    [
      {},
      ["b", "a", "missing"],
      [
        ["role", "b"],
        ["tier", "b"],
        ["constructor", "from-a"],
        ["zone", "a"],
      ],
    ],
  ];
  for (const [own, names, want] of cases) {
    const got = endpointLabels(ep(own, names), profiles);
    t.deepEqual(Object.entries(got), want);
    // What the spread form gave (the definition), key order included.
    const inherited: Record<string, string> = {};
    for (const n of names)
      for (const [k, v] of Object.entries(
        profiles.find((p) => p.metadata.name === n)?.spec.labelsToApply ?? {},
      ))
        if (!Object.hasOwn(inherited, k)) inherited[k] = v;
    t.deepEqual(Object.entries(got), Object.entries({ ...inherited, ...own }));
  }
});
