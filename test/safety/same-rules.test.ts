// A box that comes to the next ruleset (the node's rules in the other version) goes on from its walk in the
// ruleset before, for as many steps as sameRulesSteps finds the packet meeting the same rules in both. The
// walk it gets must be exactly the one trace() makes in the new ruleset, whatever the two rulesets are.

import test from "ava";
import fc from "fast-check";
import { action, match, rule } from "../../src/rules/build.js";
import type { IpVersion, Rule, Ruleset } from "../../src/rules/ir.js";
import { prepareRuleset, sameRulesSteps } from "../../src/safety/flowspace/uniform.js";
import { trace, traceAlong, type Packet } from "../../src/trace/index.js";
import { CASES, rulesetFor, V4, V6 } from "../trace/cases.js";
import { packetArb } from "../trace/packet-arb.js";
import { chain, hook, ruleset, table } from "../trace/rulesets.js";

/**
 * One edit of one chain: a rule dropped, repeated, replaced by a Log rule, or a rule appended; for a kernel
 * chain also its policy flipped, or the whole hook dropped (on a user chain, those two append a rule).
 */
type Edit = {
  readonly at: number;
  readonly kind: "drop" | "repeat" | "log" | "append" | "policy" | "unhook";
  readonly rule: number;
};

const editRules = (rules: readonly Rule[], e: Edit): Rule[] => {
  const out = [...rules];
  const i = rules.length === 0 ? 0 : e.rule % rules.length;
  const extra = rule([match.dstPorts([{ from: 80, to: 80 }])], action.drop);
  if (e.kind === "append" || e.kind === "policy" || e.kind === "unhook" || rules.length === 0)
    out.push(extra);
  else if (e.kind === "drop") out.splice(i, 1);
  else if (e.kind === "repeat") out.splice(i, 0, rules[i]!);
  else out[i] = { ...rules[i]!, action: action.log("edited ") };
  return out;
};

/** The ruleset with its `e.at`-th chain (user chains and kernel chains of every table, in order) edited. */
const edited = (rs: Ruleset, e: Edit): Ruleset => {
  const count = rs.tables.reduce((n, t) => n + t.chains.length + t.hooks.length, 0);
  let k = e.at % count;
  return {
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      chains: t.chains.map((c) => (k-- === 0 ? { ...c, rules: editRules(c.rules, e) } : c)),
      hooks: t.hooks.flatMap((h) => {
        if (k-- !== 0) return [h];
        if (e.kind === "unhook") return [];
        if (e.kind === "policy") return [{ ...h, policy: h.policy === "DROP" ? "ACCEPT" : "DROP" }];
        return [{ ...h, inserted: editRules([...h.inserted, ...h.appended], e), appended: [] }];
      }),
    })),
  };
};

const editArb: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("drop", "repeat", "log", "append", "policy", "unhook"),
  rule: fc.nat(),
});

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  const a = v === 4 ? V4 : V6;
  const rulesets = CASES.map((c) => rulesetFor(c, a));

  test(`IPv${v}: a walk that goes on from the walk through another ruleset is trace()'s walk in this one`, (t) => {
    let resumed = 0;
    let whole = 0;
    fc.assert(
      fc.property(
        fc.nat(rulesets.length - 1),
        fc.oneof(
          fc.nat(rulesets.length - 1).map((j) => ({ other: j })),
          editArb.map((edit) => ({ edit })),
        ),
        packetArb(a),
        fc.constantFrom(0, 1, 3, 48),
        (i, change, packet: Packet, every) => {
          const p = rulesets[i]!;
          const q = "edit" in change ? edited(p, change.edit) : rulesets[change.other]!;
          const before = traceAlong(p, packet, undefined, every);
          const length = sameRulesSteps(prepareRuleset(p), before.result.path, prepareRuleset(q));
          if (length > 10) resumed++;
          if (length === before.result.path.length) whole++;
          t.deepEqual(
            traceAlong(q, packet, { walk: before, length }, every).result,
            trace(q, packet, { verbose: true }),
          );
          return true;
        },
      ),
      { numRuns: 1500 },
    );
    // The property means little unless walks often go on from another ruleset's, some of them whole.
    t.true(resumed > 300 && whole > 100, `${resumed} resumed, ${whole} whole`);
  });
}

test("sameRulesSteps stops where control would go elsewhere in the other ruleset", (t) => {
  const port = (n: number) => match.dstPorts([{ from: n, to: n }]);
  const build = (x: {
    readonly tail?: readonly Rule[];
    readonly target?: readonly Rule[];
    readonly last?: Rule;
  }) =>
    ruleset([
      table(
        "filter",
        [
          hook("INPUT", [rule([match.inIface("eth0")], action.jump("c")), rule([port(22)], action.accept)], {
            policy: "DROP",
          }),
        ],
        [
          chain("c", [
            rule([port(80)], action.jump("t")),
            x.last ?? rule([port(443)], action.return),
            ...(x.tail ?? []),
          ]),
          chain("t", [...(x.target ?? [])]),
        ],
      ),
    ]);
  const packet = (dport: number): Packet => ({
    in: "eth0",
    src: "198.51.100.1",
    dst: "192.0.2.1",
    proto: 6,
    sport: 1,
    dport,
    state: "new",
  });
  const steps = (p: Ruleset, q: Ruleset, dport: number) => {
    const path = trace(p, packet(dport), { verbose: true }).path;
    return [sameRulesSteps(prepareRuleset(p), path, prepareRuleset(q)), path.length];
  };
  const base = build({});
  // Conntrack, the hook, the jump to c, its two rules (the jump to the empty t, the RETURN for 443), INPUT's
  // ACCEPT for 22 (6 steps), or its policy for the others (7).
  t.deepEqual(steps(base, build({}), 80), [7, 7], "the same rules: the whole walk");
  t.deepEqual(
    steps(base, build({ tail: [rule([port(8080)], action.drop)] }), 443),
    [7, 7],
    "left c by its RETURN",
  );
  t.deepEqual(
    steps(base, build({ tail: [rule([port(8080)], action.drop)] }), 22),
    [4, 6],
    "off the end of c, longer in q",
  );
  t.deepEqual(
    steps(base, build({ target: [rule([port(1)], action.drop)] }), 80),
    [3, 7],
    "into t, empty only in p",
  );
  t.deepEqual(steps(base, build({ last: rule([port(443)], action.drop) }), 22), [4, 6], "another action");
  const logged = build({
    last: rule([port(443)], action.log("x"), { origin: { kind: "static", what: "a" } }),
  });
  const relogged = build({
    last: rule([port(443)], action.log("x"), { origin: { kind: "static", what: "b" } }),
  });
  t.deepEqual(steps(logged, relogged, 22), [4, 6], "another origin");
  // Conntrack, the hook, its policy: off the end of a kernel chain that is empty only in p.
  const input = (rules: Rule[]) => ruleset([table("filter", [hook("INPUT", rules, { policy: "DROP" })])]);
  t.deepEqual(
    steps(input([]), input([rule([port(1)], action.accept)]), 22),
    [2, 3],
    "a kernel chain empty only in p",
  );
  t.deepEqual(
    steps(
      logged,
      build({ last: rule([port(443)], action.log("x"), { origin: { kind: "static", what: "a" } }) }),
      22,
    ),
    [6, 6],
    "an equal origin",
  );
});
