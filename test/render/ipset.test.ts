// IP sets → `ipset restore` text (Felix's create line), loaded into a throwaway namespace.

import test from "ava";
import fc from "fast-check";
import { renderIpsetLines, renderIpsets } from "../../src/render/ipset/index.js";
import { parseIpsetSave } from "../../src/dump/index.js";
import type { Ruleset } from "../../src/rules/ir.js";
import { inNetns, requireRoot, withNetns } from "../helpers/netns.js";
import { workedExampleRuleset } from "./worked-example-ir.js";

const v6: Ruleset = {
  kind: "ruleset",
  version: 6,
  tables: [],
  warnings: [],
  sets: [
    {
      kind: "set",
      id: "s:abc",
      name: "cali60s:abc",
      type: "hash:net",
      version: 6,
      members: ["2001:db8::1", "2001:db8:1::/48"],
      description: "v6",
    },
  ],
};

test("ipset text: Felix create options, sets and members sorted", (t) => {
  t.is(
    renderIpsets(workedExampleRuleset),
    [
      "create cali40n:bjzl4ZbIS1uQZ-m8QAkhulm hash:ip,port family inet maxelem 1048576",
      "add cali40n:bjzl4ZbIS1uQZ-m8QAkhulm 192.168.0.1,tcp:1234",
      "add cali40n:bjzl4ZbIS1uQZ-m8QAkhulm 192.168.0.2,tcp:1234",
      "create cali40n:lxtGhQjjYldqBMrkdGoKALa hash:ip,port family inet maxelem 1048576",
      "add cali40n:lxtGhQjjYldqBMrkdGoKALa 192.168.0.1,udp:5432",
      "add cali40n:lxtGhQjjYldqBMrkdGoKALa 192.168.0.2,udp:5432",
      "create cali40s:lJVGDaqTNzSq4oOWKtH8pYj hash:net family inet maxelem 1048576",
      "",
    ].join("\n"),
  );
  t.is(
    renderIpsets(v6, { maxElem: 1000 }),
    "create cali60s:abc hash:net family inet6 maxelem 1000\nadd cali60s:abc 2001:db8:1::/48\nadd cali60s:abc 2001:db8::1\n",
  );
  t.is(renderIpsets({ ...v6, sets: [] }), "");
});

test("a set's text: its create line, then its members once each in code-unit order, whatever order and repeats they come in", (t) => {
  // renderIpsets and renderIpsetLines (deltas, apply) both give exactly these lines.
  const member = fc.oneof(
    fc.constantFrom("192.0.2.1", "192.0.2.10", "198.51.100.0/24", "2001:db8::1", "2001:db8::1,tcp:80"),
    fc.string({ unit: fc.constantFrom("1", "9", ".", ":", ",", "/", "a") }),
  );
  fc.assert(
    fc.property(
      fc.array(member, { maxLength: 30 }),
      fc.option(fc.integer({ min: 1, max: 1 << 20 })),
      (members, max) => {
        const set = { ...v6.sets[0]!, members };
        const opts = max === null ? {} : { maxElem: max };
        const lines = [
          `create cali60s:abc hash:net family inet6 maxelem ${max ?? 1048576}`,
          ...[...new Set(members)].sort().map((m) => `add cali60s:abc ${m}`),
        ];
        t.deepEqual(renderIpsetLines(set, opts), lines);
        t.is(renderIpsets({ ...v6, sets: [set] }, opts), `${lines.join("\n")}\n`);
      },
    ),
  );
});

test("ipset text loads with `ipset restore` and reads back the same sets", async (t) => {
  if (!(await requireRoot(t, ["ipset"]))) return;
  await withNetns(t, async (ns) => {
    await inNetns(ns, "ipset", ["restore"], renderIpsets(workedExampleRuleset) + renderIpsets(v6));
    const saved = parseIpsetSave(String((await inNetns(ns, "ipset", ["save"])).stdout));
    if (!saved.ok) return t.fail(JSON.stringify(saved.error));
    const got = saved.value.map((s) => [
      s.name,
      s.type,
      s.family,
      s.options["maxelem"],
      [...s.members].sort(),
    ]);
    const want = [...workedExampleRuleset.sets, ...v6.sets].map((s) => [
      s.name,
      s.type,
      s.version === 4 ? "inet" : "inet6",
      "1048576",
      [...s.members].sort(),
    ]);
    t.deepEqual(got.sort(), want.sort());
  });
});

test("ipsets are per network namespace: a sibling namespace does not see them", async (t) => {
  // The initial namespace is never touched by these tests, so isolation is shown with a second namespace:
  // a set made in one namespace is absent from another (and so from the host's).
  if (!(await requireRoot(t, ["ipset"]))) return;
  await withNetns(t, async (a) =>
    withNetns(t, async (b) => {
      await inNetns(a, "ipset", ["restore"], renderIpsets(workedExampleRuleset));
      t.true(
        String((await inNetns(a, "ipset", ["list", "-n"])).stdout).includes(
          "cali40s:lJVGDaqTNzSq4oOWKtH8pYj",
        ),
      );
      t.is(String((await inNetns(b, "ipset", ["list", "-n"])).stdout).trim(), "");
    }),
  );
});
