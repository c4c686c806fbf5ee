// Batch verdicts (traceVerdicts) are exactly trace()'s verdicts: on a generated cluster's largest node, on
// every trace case with random packets, and on hand-built rulesets with NAT, goto, loops and odd matches.

import test from "ava";
import fc from "fast-check";
import { resolveNode } from "../../src/calc/resolve.js";
import { generateClusterModel } from "../../src/gen/index.js";
import { packetMix } from "../../src/gen/packets.js";
import { action, match, rule } from "../../src/rules/build.js";
import type { IpVersion, Ruleset } from "../../src/rules/ir.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { traceVerdicts } from "../../src/trace/compile.js";
import { trace, traceBatch, type Packet } from "../../src/trace/index.js";
import { packetArb } from "../trace/packet-arb.js";
import { CASES, rulesetFor, V4, V6 } from "../trace/cases.js";
import { chain, hook, ruleset, table } from "../trace/rulesets.js";

const generated = generateClusterModel({ seed: 3, nodes: 30, policies: 160, profiles: 6 });

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  test(`IPv${v}: traceVerdicts = traceBatch = trace() on a generated gateway node`, (t) => {
    const model = resolveNode(generated.cluster, { node: generated.generated.gatewayNodes[0]! });
    const rs = buildRuleset(model, { version: v });
    const packets = packetMix(model, v, 1500, 9);
    const verdicts = traceVerdicts(rs, packets);
    t.deepEqual(
      traceBatch(rs, packets).map((r) => r.verdict),
      verdicts,
    );
    // Naive: every packet on a fresh copy, so trace() compiles the ruleset again each time.
    const naive = packets.slice(0, 25).map((p) => trace(structuredClone(rs), p).verdict);
    t.deepEqual(naive, verdicts.slice(0, 25));
    t.true(new Set(verdicts).size === 2, "both verdicts occur");
    // Again, with the candidate lists now warm.
    t.deepEqual(traceVerdicts(rs, packets), verdicts);
  });
}

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  test(`IPv${v}: memoised walks on a generated gateway node: repeats, marks, ICMP codes and local addresses`, (t) => {
    const model = resolveNode(generated.cluster, { node: generated.generated.gatewayNodes[0]! });
    const rs = buildRuleset(model, { version: v });
    const base = packetMix(model, v, 400, 21);
    // Repeats hit memoised hook walks; the variants differ only in fields a memo key must tell apart.
    const packets = [
      ...base,
      ...base.map((p, i): Packet => ({ ...p, mark: [0, 0x10000, 0x20000, 0x80000, 0xffffffff][i % 5]! })),
      ...base.map((p, i): Packet =>
        "icmpType" in p ? { ...p, icmpCode: i % 3 } : { ...p, sport: (i * 7919) % 65536 },
      ),
      ...base,
    ];
    const local = [base[0]!.dst, base[1]!.src];
    for (const opts of [{}, { localAddresses: local }]) {
      const expected = traceBatch(rs, packets, opts).map((r) => r.verdict);
      t.deepEqual(traceVerdicts(rs, packets, opts), expected);
      t.deepEqual(traceVerdicts(rs, packets, opts), expected, "again, from the memo");
    }
  });
}

test("IPv4: interned ids starting over (more interface names than a memo key holds) keep verdicts exact", (t) => {
  const model = resolveNode(generated.cluster, { node: generated.generated.gatewayNodes[0]! });
  const rs = buildRuleset(model, { version: 4 });
  const base = packetMix(model, 4, 2000, 13);
  // The base packets; then as many on fresh interface names, past the 2^16 a memo key holds, so the ids
  // (and the memo tables) start over; then the base packets in reverse, so addresses and interfaces come
  // back in another order (with other ids) than the stale memo entries would assume.
  const fresh = Array.from({ length: 70_000 }, (_, i): Packet => {
    const p = base[i % base.length]!;
    return p.in !== undefined ? { ...p, in: `x${i}` } : { ...p, out: `x${i}` };
  });
  const packets = [...base, ...fresh, ...[...base].reverse()];
  const verdicts = traceVerdicts(rs, packets);
  t.true(new Set(fresh.map((p) => p.in ?? p.out)).size > 2 ** 16);
  const sample = packets.flatMap((p, i) => (i % 41 === 0 || i >= packets.length - base.length ? [i] : []));
  t.deepEqual(
    sample.map((i) => verdicts[i]),
    traceBatch(
      rs,
      sample.map((i) => packets[i]!),
    ).map((r) => r.verdict),
  );
});

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  const a = v === 4 ? V4 : V6;
  test(`IPv${v}: traceVerdicts = trace() on every trace case, random packets`, (t) => {
    const rulesets = CASES.filter((c) => c.families === undefined || c.families.includes(v)).map((c) =>
      rulesetFor(c, a),
    );
    fc.assert(
      fc.property(
        fc.nat(rulesets.length - 1),
        fc.array(packetArb(a), { minLength: 1, maxLength: 15 }),
        fc.boolean(),
        (k, packets, withLocal) => {
          const rs = rulesets[k]!;
          const opts = withLocal ? { localAddresses: [a.host, a.host2] } : {};
          t.deepEqual(
            traceVerdicts(rs, packets, opts),
            packets.map((p) => trace(rs, p, opts).verdict),
          );
          return true;
        },
      ),
      { numRuns: 400 },
    );
  });
}

test("hand-built rulesets: DNAT in nat, goto, RETURN from a kernel chain, loops, missing chains and sets", (t) => {
  const h = "192.0.2.10";
  const r = "203.0.113.5";
  const rulesets: Ruleset[] = [
    // kube-proxy style DNAT, then filter on the translated port.
    ruleset([
      table("nat", [
        hook("PREROUTING", [
          rule([match.protocol(6), match.dstPorts([{ from: 80, to: 80 }])], {
            kind: "dnat",
            to: `${h}:8080`,
          }),
        ]),
      ]),
      table("filter", [
        hook("INPUT", [
          rule([match.dstPorts([{ from: 8080, to: 8080 }])], action.accept),
          rule([], action.drop),
        ]),
      ]),
    ]),
    // goto then falling off the end returns to the kernel chain's caller level (the policy).
    ruleset([
      table(
        "filter",
        [
          hook("INPUT", [rule([match.inIface("eth+")], action.goto("a")), rule([], action.drop)], {
            policy: "ACCEPT",
          }),
        ],
        [
          chain("a", [rule([match.protocol(17)], action.drop), rule([], action.jump("b"))]),
          chain("b", [rule([match.ctState(["NEW"])], action.return)]),
        ],
      ),
    ]),
    // A loop: trace() gives up (drop); the fast walk must not pretend otherwise.
    ruleset([
      table(
        "filter",
        [hook("INPUT", [rule([], action.jump("x"))])],
        [chain("x", [rule([], action.jump("y"))]), chain("y", [rule([match.protocol(6)], action.jump("x"))])],
      ),
    ]),
    // Missing chain and set, LOG, marks, NOTRACK in raw, limit and unknown matches.
    ruleset([
      table("raw", [
        hook("PREROUTING", [rule([match.protocol(17)], action.notrack), rule([], action.jump("nowhere"))]),
      ]),
      table("mangle", [
        hook("PREROUTING", [rule([], action.log("x")), rule([match.protocol(6)], action.setMark(0x10000))]),
      ]),
      table("filter", [
        hook("INPUT", [
          rule([match.set("no-such-set", ["src"])], action.drop),
          rule([{ kind: "limit", rate: "1/sec" }], action.none),
          rule([{ kind: "unknown", text: "-m foo", assume: false }], action.drop),
          rule([match.ctState(["UNTRACKED"])], action.accept),
          rule([match.markSet(0x10000)], action.return),
          rule([], action.drop),
        ]),
      ]),
    ]),
  ];
  const packets: Packet[] = [];
  for (const proto of [6, 17, 1])
    for (const dport of [80, 8080, 22])
      for (const state of ["new", "established", "invalid"] as const)
        for (const [i, o] of [
          ["eth0", undefined],
          ["lo", undefined],
          [undefined, "eth0"],
          ["eth0", "eth1"],
        ] as const)
          packets.push({
            ...(i === undefined ? {} : { in: i }),
            ...(o === undefined ? {} : { out: o }),
            src: r,
            dst: h,
            proto,
            ...(proto === 1 ? { icmpType: 8, icmpCode: 0 } : { sport: 40000, dport }),
            state,
            ...(dport === 22 ? { dnatTo: { ip: h, port: 2222 } } : {}),
          });
  // Invalid packets and a family with no ruleset.
  packets.push({ in: "eth0", src: "nonsense", dst: h, proto: 6, state: "new" });
  packets.push({ in: "eth0", src: "2001:db8::1", dst: "2001:db8::2", proto: 6, dport: 1, state: "new" });
  packets.push({ src: r, dst: h, proto: 6, state: "new" });
  for (const rs of rulesets)
    t.deepEqual(
      traceVerdicts(rs, packets),
      packets.map((p) => trace(rs, p).verdict),
    );
});
