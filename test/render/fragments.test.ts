// IR → Felix fragment text, one shared case table (fragment-cases.ts) plus the rule-level layout rules.

import test from "ava";
import {
  actionFragment,
  escapeComment,
  matchFragment,
  renderIptables,
  ruleLine,
  splitPortList,
} from "../../src/render/iptables/index.js";
import type { Match, Rule, Ruleset } from "../../src/rules/ir.js";
import { ACTION_CASES, MATCH_CASES } from "./fragment-cases.js";

for (const c of MATCH_CASES) {
  test(`match: ${c.name}`, (t) => t.is(matchFragment(c.ir), c.text));
}
for (const c of ACTION_CASES) {
  test(`action: ${c.name}`, (t) => t.is(actionFragment(c.ir), c.text));
}

test("action: NFLOG uses --nflog-range when the size flag is unsupported", (t) => {
  t.is(
    actionFragment({ kind: "nflog", group: 1, prefix: "P", size: 0 }, { nflogSize: false }),
    "--jump NFLOG --nflog-group 1 --nflog-prefix P --nflog-range 80",
  );
});

test("match: a positive port list over 15 slots is a bug upstream (Felix splits it into match blocks)", (t) => {
  const ports = Array.from({ length: 16 }, (_, i) => ({ from: i + 1, to: i + 1 }));
  t.throws(() => matchFragment({ kind: "dstPorts", ports, negated: false }), { message: /^bug:/ });
});

test("splitPortList counts a range as two slots (policy.go SplitPortList)", (t) => {
  const ranges = Array.from({ length: 8 }, (_, i) => ({ from: i * 10, to: i * 10 + 5 }));
  t.deepEqual(
    splitPortList(ranges).map((s) => s.length),
    [7, 1],
  );
  t.deepEqual(splitPortList([]), []);
});

test("comments: characters outside [\\w @%+=:,./-] become _ and the text is cut to 256", (t) => {
  t.is(escapeComment('Policy "x" (ns/y)\tand ü'), "Policy _x_ _ns/y__and _");
  t.is(escapeComment("a".repeat(300)).length, 256);
  t.is(escapeComment("emoji 🙂"), "emoji _");
});

const r = (matches: Match[], comments: string[] = []): Rule => ({
  kind: "rule",
  matches,
  action: { kind: "accept" },
  comments,
});

test("rule line: hash comment, then comments, then matches in IR order, then action", (t) => {
  const rule = r(
    [
      { kind: "protocol", protocol: 6, name: "tcp", negated: false },
      { kind: "mark", value: 0x10000, mask: 0x10000, negated: false },
    ],
    ["first", "second"],
  );
  t.is(
    ruleLine("-A", "cali-x", "abcdefghijklmnop", rule),
    '-A cali-x -m comment --comment "cali:abcdefghijklmnop" -m comment --comment "first" -m comment --comment "second" -p tcp -m mark --mark 0x10000/0x10000 --jump ACCEPT',
  );
  t.is(ruleLine("-A", "cali-x", "HASH", rule).startsWith("-A cali-x HASH -m comment"), true);
});

test("render: inserted hook rules are written last-first, appends after all inserts (Felix table_test vectors)", (t) => {
  const drop = (c: string): Rule => ({ kind: "rule", matches: [], action: { kind: "drop" }, comments: [c] });
  const accept = (c: string): Rule => ({
    kind: "rule",
    matches: [],
    action: { kind: "accept" },
    comments: [c],
  });
  const ruleset: Ruleset = {
    kind: "ruleset",
    version: 4,
    sets: [],
    warnings: [],
    tables: [
      {
        kind: "table",
        name: "filter",
        chains: [],
        hooks: [
          {
            kind: "hook",
            name: "FORWARD",
            inserted: [drop("insert drop rule"), accept("insert accept rule")],
            appended: [drop("append drop rule"), accept("append accept rule")],
          },
        ],
      },
    ],
  };
  // felix/iptables/table_test.go "inserting and appending into a non-Calico chain".
  t.is(
    renderIptables(ruleset),
    [
      "*filter",
      '-I FORWARD -m comment --comment "cali:b-zvHycxSRrp53xL" -m comment --comment "insert accept rule" --jump ACCEPT',
      '-I FORWARD -m comment --comment "cali:sP8Ctm6vRqum19h-" -m comment --comment "insert drop rule" --jump DROP',
      '-A FORWARD -m comment --comment "cali:qNsBylRkftPwO3XF" -m comment --comment "append drop rule" --jump DROP',
      '-A FORWARD -m comment --comment "cali:IQ9H0Scq00rF0w4S" -m comment --comment "append accept rule" --jump ACCEPT',
      "COMMIT",
      "",
    ].join("\n"),
  );
});

test("render: ChainInsertMode=append writes the hook rules with -A, in order, same hashes", (t) => {
  const jump = (target: string): Rule => ({
    kind: "rule",
    matches: [],
    action: { kind: "jump", target },
    comments: [],
  });
  const ruleset: Ruleset = {
    kind: "ruleset",
    version: 4,
    sets: [],
    warnings: [],
    tables: [
      {
        kind: "table",
        name: "filter",
        chains: [],
        hooks: [
          { kind: "hook", name: "INPUT", inserted: [jump("cali-INPUT"), jump("cali-x")], appended: [] },
        ],
      },
    ],
  };
  const lines = renderIptables(ruleset, { chainInsertMode: "append" }).split("\n");
  t.is(lines[1], '-A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" --jump cali-INPUT');
  t.regex(lines[2] ?? "", /^-A INPUT .* --jump cali-x$/);
  const inserted = renderIptables(ruleset).split("\n");
  t.regex(inserted[1] ?? "", /^-I INPUT .* --jump cali-x$/);
  t.is(inserted[2], '-I INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" --jump cali-INPUT');
});

test("render: empty tables are left out, an empty ruleset renders as nothing", (t) => {
  const empty: Ruleset = {
    kind: "ruleset",
    version: 6,
    sets: [],
    warnings: [],
    tables: [
      {
        kind: "table",
        name: "nat",
        chains: [],
        hooks: [{ kind: "hook", name: "OUTPUT", inserted: [], appended: [] }],
      },
    ],
  };
  t.is(renderIptables(empty), "");
});

test("render: `tables` option picks tables; chains are declared and written in name order", (t) => {
  const chain = (name: string) => ({ kind: "chain" as const, name, rules: [r([])] });
  const ruleset: Ruleset = {
    kind: "ruleset",
    version: 4,
    sets: [],
    warnings: [],
    tables: [
      {
        kind: "table",
        name: "filter",
        hooks: [],
        chains: [chain("cali-b"), chain("cali-A"), chain("cali-a")],
      },
      { kind: "table", name: "raw", hooks: [], chains: [chain("cali-raw")] },
    ],
  };
  const text = renderIptables(ruleset, { tables: ["filter"] });
  t.deepEqual(
    text.split("\n").filter((l) => l.startsWith(":") || l.startsWith("*")),
    ["*filter", ":cali-A - -", ":cali-a - -", ":cali-b - -"],
  );
  t.true(renderIptables(ruleset).startsWith("*raw\n"));
});

test("render: an over-long chain name is a bug (Felix limit 28)", (t) => {
  const ruleset: Ruleset = {
    kind: "ruleset",
    version: 4,
    sets: [],
    warnings: [],
    tables: [
      {
        kind: "table",
        name: "filter",
        hooks: [],
        chains: [{ kind: "chain", name: "c".repeat(29), rules: [] }],
      },
    ],
  };
  t.throws(() => renderIptables(ruleset), { message: /^bug:/ });
});
