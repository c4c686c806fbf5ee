// traceAlong() (flow-space analysis traces a split box's part from its parent's walk) must give exactly
// what a verbose trace() gives, whether it resumes the known walk from a checkpoint or walks it again,
// take over the known steps themselves, and refuse a known step that the packet does not take, unless
// which way it goes makes no difference (a neutral rule: a policy's Log rule).

import { isDeepStrictEqual } from "node:util";
import test from "ava";
import fc from "fast-check";
import { action, match, rule } from "../../src/rules/build.js";
import type { IpVersion, Origin, Ruleset } from "../../src/rules/ir.js";
import {
  neutralStep,
  trace,
  traceAlong,
  type Packet,
  type RuleStep,
  type Step,
} from "../../src/trace/index.js";
import { CASES, rulesetFor, V4, V6, type Fam } from "./cases.js";
import { packetArb } from "./packet-arb.js";
import { chain, hook, policyOrigin, ruleset, table } from "./rulesets.js";

/**
 * What a checkpoint must carry besides the chains: notes (a missing set, a rate limit), an endpoint chain
 * entered, and the explicit RETURN to the kernel chain that the policy's explanation names.
 */
const noted = (v: IpVersion): Ruleset => {
  const ports = (p: number) => match.dstPorts([{ from: p, to: p }]);
  return ruleset(
    [
      table(
        "filter",
        [
          hook(
            "INPUT",
            [
              rule([match.set(`cali${v}0missing`, ["src"])], action.none),
              rule([{ kind: "limit", rate: "5/second" }], action.log("limited ")),
              rule([match.inIface("eth0")], action.jump("cali-fh-eth0")),
              rule([ports(443)], action.drop),
            ],
            // What the endpoint chain returns, the policy lets through; the explanation names the
            // RETURN (and the rule that set the mark it tested).
            { policy: "ACCEPT" },
          ),
        ],
        [
          chain("cali-fh-eth0", [
            rule([ports(22)], action.setMark(0x10000)),
            rule([match.markSet(0x10000)], action.return),
            rule([ports(80)], action.drop),
            rule([ports(53)], action.return),
          ]),
        ],
      ),
    ],
    [],
    v,
  );
};

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
  // Every trace case's ruleset (Felix's chains for many kinds of endpoint and policy), and one for the
  // rest of what a checkpoint holds.
  const rulesets = [...CASES.map((c) => rulesetFor(c, a)), noted(v)];

  test(`IPv${v}: traceAlong a shared walk equals a verbose trace and takes over its steps`, (t) => {
    let longShared = 0;
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(rulesets.length - 1), fc.constant(rulesets.length - 1)),
        neighboursArb(a),
        fc.nat(),
        fc.constantFrom(0, 1, 2, 3, 5, 8, 48),
        (k, [p1, p2], cut, every) => {
          const rs = rulesets[k]!;
          const theirs = trace(rs, p1, { verbose: true });
          const mine = trace(rs, p2, { verbose: true });
          // Checkpoints change nothing in the walk that takes them.
          const known = traceAlong(rs, p1, undefined, every);
          t.deepEqual(known.result, theirs);
          const shared = sharedSteps(theirs.path, mine.path);
          if (shared > 10) longShared++;
          // Any length up to the shared steps will do.
          const length = shared === 0 ? 0 : cut % (shared + 1);
          const along = traceAlong(rs, p2, { walk: known, length }, every);
          t.deepEqual(along.result, mine);
          for (let i = 0; i < length; i++)
            if (theirs.path[i]!.kind === "rule")
              t.is(along.result.path[i], known.result.path[i], `step ${i} is taken over`);
          // And back, from the checkpoints of a walk that was itself resumed.
          t.deepEqual(traceAlong(rs, p1, { walk: along, length }, every).result, theirs);
          return true;
        },
      ),
      { numRuns: 600 },
    );
    // The property means little unless packets often share a long walk.
    t.true(longShared > 30, `only ${longShared} pairs shared more than 10 steps`);
  });

  test(`IPv${v}: every resume point of every pair of walks through the checkpoint ruleset gives trace()'s result`, (t) => {
    const rs = noted(v);
    const packets = [22, 53, 80, 443, 8080].flatMap((dport) =>
      [a.remote, a.other].map((src): Packet => ({
        in: "eth0",
        src,
        dst: a.host,
        proto: 6,
        sport: 1000,
        dport,
        state: "new",
      })),
    );
    let resumed = 0;
    for (const p1 of packets)
      for (const p2 of packets) {
        const mine = trace(rs, p2, { verbose: true });
        for (const every of [1, 2, 3]) {
          const known = traceAlong(rs, p1, undefined, every);
          const shared = sharedSteps(known.result.path, mine.path);
          for (let length = 0; length <= shared; length++) {
            t.deepEqual(traceAlong(rs, p2, { walk: known, length }, every).result, mine);
            resumed++;
          }
        }
      }
    t.true(resumed > 500, `${resumed}`);
  });

  test(`IPv${v}: traceAlong refuses a known walk whose rule the packet does not take the same way`, (t) => {
    let refused = 0;
    fc.assert(
      fc.property(fc.nat(rulesets.length - 1), neighboursArb(a), (k, [p1, p2]) => {
        const rs = rulesets[k]!;
        // No checkpoints: every known step is taken over, and checked.
        const walk = traceAlong(rs, p1, undefined, 0);
        const known = walk.result.path;
        const mine = trace(rs, p2, { verbose: true }).path;
        const shared = sharedSteps(known, mine);
        const first = known[shared];
        // The first step where the walks part, when it is a rule both walks evaluated (a few in a hundred
        // pairs: most neighbours walk alike) and not a neutral one (taken either way: the test below).
        if (first?.kind !== "rule" || mine[shared]?.kind !== "rule" || neutralStep(first)) return true;
        refused++;
        t.throws(() => traceAlong(rs, p2, { walk, length: shared + 1 }), {
          message: /^bug: the known walk/,
        });
        return true;
      }),
      { numRuns: 3000 },
    );
    t.true(refused > 30, `only ${refused} pairs parted at a rule`);
  });
}

/**
 * A policy's Log rule for port 22, a deny for 443, then allows for 80 and 22: packets to 22 and 80 part at
 * the Log rule, walk the deny alike and part for good at the allow for 80.
 */
const logged = (v: IpVersion, logOrigin: Origin): Ruleset => {
  const policy = (ruleIndex: number) => policyOrigin("web", ruleIndex);
  const port = (p: number) => match.dstPorts([{ from: p, to: p }]);
  return ruleset(
    [
      table(
        "filter",
        [hook("INPUT", [rule([match.inIface("eth0")], action.jump("cali-pi-web"))], { policy: "DROP" })],
        [
          chain("cali-pi-web", [
            rule([port(22)], action.log("calico-packet"), { origin: logOrigin }),
            rule([port(443)], action.drop, { origin: policy(1) }),
            rule([port(80)], action.accept, { origin: policy(2) }),
            rule([port(22)], action.accept, { origin: policy(3) }),
          ]),
        ],
      ),
    ],
    [],
    v,
  );
};

test("neutralStep: only rules that go on unchanged, outside the chains whose matched rules the explanation reads", (t) => {
  const step = (a: RuleStep["action"], origin?: Origin): RuleStep => ({
    kind: "rule",
    table: "filter",
    hook: "INPUT",
    chain: "c",
    ruleIndex: 0,
    rule: "",
    action: a,
    matched: true,
    markAfter: 0,
    depth: 1,
    ...(origin === undefined ? {} : { origin }),
  });
  const policy = policyOrigin("p");
  const endpoint: Origin = { kind: "endpoint", endpoint: "e", interface: "eth0", role: "policy-jump" };
  const rows: [RuleStep["action"], Origin | undefined, boolean][] = [
    ["log", policy, true],
    ["nflog", policy, true],
    ["none", undefined, true],
    ["log", { kind: "profile", name: "pr", direction: "ingress" }, true],
    ["log", { kind: "static", what: "x" }, true],
    ["log", endpoint, false],
    ["log", { kind: "dispatch", endpoint: "e" }, false],
    ["log", { kind: "workload-to-host" }, false],
    ["setMark", policy, false],
    ["clearMark", policy, false],
    ["notrack", policy, false],
    ["return", policy, false],
    ["jump", policy, false],
    ["accept", policy, false],
    ["unknown", policy, false],
  ];
  for (const [a, origin, neutral] of rows)
    t.is(neutralStep(step(a, origin)), neutral, `${a} from ${origin?.kind}`);
});

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  const a = v === 4 ? V4 : V6;
  const to = (dport: number): Packet => ({
    in: "eth0",
    src: a.remote,
    dst: a.host,
    proto: 6,
    sport: 1000,
    dport,
    state: "new",
  });
  const policyLog = policyOrigin("web", 0);

  test(`IPv${v}: traceAlong takes a known walk over past a neutral rule the packet takes the other way`, (t) => {
    const rs = logged(v, policyLog);
    for (const [p1, p2] of [
      [to(22), to(80)],
      [to(80), to(22)],
    ] as const)
      for (const every of [0, 1, 2]) {
        const known = traceAlong(rs, p1, undefined, every);
        const mine = trace(rs, p2, { verbose: true });
        // Conntrack, the hook, the jump; then the Log rule (step 3) and the deny (4), known up to the allow.
        t.is(sharedSteps(known.result.path, mine.path), 3);
        t.true(neutralStep(known.result.path[3] as RuleStep));
        const along = traceAlong(rs, p2, { walk: known, length: 5 }, every);
        // Resumed from a checkpoint after the Log rule, the walk copies the known packet's step there.
        const copied = along.result.path[3] === known.result.path[3];
        t.is(copied, every !== 0, `checkpoints every ${every}`);
        t.deepEqual(
          along.result,
          copied ? { ...mine, path: mine.path.with(3, known.result.path[3]!) } : mine,
        );
        t.is(along.result.path[4], known.result.path[4], "the step after it is taken over");
      }
  });

  test(`IPv${v}: traceAlong refuses a known walk that parts at a Log rule of an endpoint chain`, (t) => {
    const rs = logged(v, { kind: "endpoint", endpoint: "web", interface: "eth0", role: "policy-jump" });
    const known = traceAlong(rs, to(22), undefined, 0);
    t.throws(() => traceAlong(rs, to(80), { walk: known, length: 5 }, 0), {
      message: /^bug: the known walk/,
    });
  });
}
