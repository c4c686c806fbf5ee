// The IR → nft case table, both ways: each IR match/action renders to Felix's text, our loadable text and the
// expected JSON statements; and the JSON (as emitted and as nft prints it back) parses to the same IR meaning.

import test from "ava";
import fc from "fast-check";
import type { ExecutionContext } from "ava";
import { ruleMeaning } from "../../src/dump/index.js";
import { readRule } from "../../src/dump/nft/index.js";
import {
  actionFragment,
  matchFragment,
  nftStatementSchema,
  transportOf,
} from "../../src/render/nftables/index.js";
import type { NftStatement } from "../../src/render/nftables/index.js";
import type { Action, IpVersion, Match, Rule } from "../../src/rules/ir.js";
import { ACTION_CASES, MATCH_CASES } from "./cases.js";

const rule = (matches: readonly Match[], action: Action = { kind: "accept" }): Rule => ({
  kind: "rule",
  matches,
  action,
  comments: [],
});

const parse = (t: ExecutionContext, expr: readonly NftStatement[]): Rule => {
  const warnings: string[] = [];
  const r = readRule(
    { expr },
    { layer: "filter", assume: true, warn: (w) => warnings.push(w), where: "case" },
  );
  t.deepEqual(warnings, [], "no warnings");
  return r.rule;
};

for (const c of MATCH_CASES) {
  const v: IpVersion = c.versions?.[0] ?? 4;
  test(`match renders: ${c.name}`, (t) => {
    const f = matchFragment(c.ir, { version: v, transport: transportOf([...(c.prefix ?? []), c.ir]) });
    t.is(f.felix, c.felix, "Felix's text (hashed)");
    t.is(f.text, c.text ?? c.felix, "loadable text");
    t.deepEqual(f.expr, c.json);
    for (const st of f.expr) t.true(nftStatementSchema.safeParse(st).success, "valid statement");
  });
  test(`match parses back: ${c.name}`, (t) => {
    const prefix = (c.prefix ?? []).flatMap((p) => matchFragment(p, { version: v }).expr);
    const want = ruleMeaning(rule([...(c.prefix ?? []), c.ir]));
    t.is(ruleMeaning(parse(t, [...prefix, ...c.json, { accept: null }])), want, "as emitted");
    if (c.readback !== undefined) {
      // nft drops a prefix protocol match it can infer; the parser restores it.
      t.is(ruleMeaning(parse(t, [...c.readback, { accept: null }])), want, "as nft prints it back");
    }
  });
}

for (const c of ACTION_CASES) {
  test(`action renders: ${c.name}`, (t) => {
    const f = actionFragment(c.ir, { layer: c.layer ?? "filter" });
    t.is(f.felix, c.felix);
    t.deepEqual(f.expr, c.json);
  });
  test(`action parses back: ${c.name}`, (t) => {
    for (const expr of [c.json, ...(c.readback === undefined ? [] : [c.readback])]) {
      const r = parse(t, [{ counter: { packets: 0, bytes: 0 } }, ...expr]);
      t.is(ruleMeaning(r), ruleMeaning(rule([], c.ir)));
    }
  });
}

test("a rule is `<matches> counter <action>`; no action means no counter; nothing at all is `continue`", async (t) => {
  const { ruleFragment } = await import("../../src/render/nftables/index.js");
  const ctx = { version: 4 as const, layer: "filter" as const };
  const iface: Match = { kind: "inIface", name: "eth0", negated: false };
  t.is(ruleFragment(rule([iface], { kind: "drop" }), ctx).felix, "iifname eth0 counter drop");
  t.is(ruleFragment(rule([iface], { kind: "none" }), ctx).felix, "iifname eth0");
  t.deepEqual(ruleFragment(rule([], { kind: "none" }), ctx).expr, [{ continue: null }]);
  t.is(ruleFragment(rule([], { kind: "none" }), ctx).felix, "continue");
});

test("Felix's comment: id, escaped comments, cut to 128", async (t) => {
  const { nftComment } = await import("../../src/render/nftables/index.js");
  t.is(nftComment("abcdefghijklmnop", []), "cali:abcdefghijklmnop;");
  t.is(nftComment("abcdefghijklmnop", ['a "quoted" (x)']), "cali:abcdefghijklmnop; a _quoted_ _x_");
  const long = nftComment("abcdefghijklmnop", ["x".repeat(200), "y".repeat(200)]) ?? "";
  // Each comment gets (128 - 22) / 2 = 53 characters, then the whole is cut to 128 (renderer.go:100-116).
  t.is(long, `cali:abcdefghijklmnop; ${"x".repeat(53)} ${"y".repeat(51)}`);
  t.is(nftComment(undefined, []), undefined);
});

test("Felix's comment: the same as renderer.go's steps written out (head, shares, join, cut), for any comments", async (t) => {
  const { nftComment } = await import("../../src/render/nftables/index.js");
  // renderer.go comment() step by step, as arrays: what nftComment computes without them.
  const reference = (hash: string | undefined, comments: readonly string[]): string | undefined => {
    const head = hash === undefined || hash === "" ? [] : [`cali:${hash};`];
    const share = comments.length === 0 ? 0 : Math.trunc((128 - head.join(" ").length) / comments.length);
    const all = [
      ...head,
      ...comments.map((c) => c.replace(/[^\w @%+=:,./-]/gu, "_").slice(0, Math.max(share, 0))),
    ].join(" ");
    const cut = all.slice(0, 128);
    return cut === "" ? undefined : cut;
  };
  const hash = fc.option(
    fc.oneof(fc.constant(""), fc.string({ maxLength: 20 }), fc.string({ maxLength: 200 })),
    {
      nil: undefined,
    },
  );
  const comment = fc.oneof(
    fc.constant(""),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "grapheme", maxLength: 150 }),
  );
  fc.assert(
    fc.property(hash, fc.array(comment, { maxLength: 8 }), (h, cs) => {
      t.is(nftComment(h, cs), reference(h, cs), JSON.stringify([h, cs]));
      // Again, with the escaped comments kept from the first call.
      t.is(nftComment(h, cs), reference(h, cs));
    }),
    { numRuns: 3000 },
  );
});

test("unknown IR matches and actions cannot be rendered", (t) => {
  t.throws(() => matchFragment({ kind: "unknown", text: "-m foo", assume: true }, { version: 4 }), {
    message: /unknown match/,
  });
  t.throws(() => actionFragment({ kind: "unknown", text: "--jump FOO" }, { layer: "filter" }), {
    message: /unknown action/,
  });
});
