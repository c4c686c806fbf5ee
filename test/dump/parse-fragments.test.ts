// The parser reads Felix's own fragments (the renderer's case table) back to the same IR.

import test from "ava";
import { parseIptablesSave } from "../../src/dump/index.js";
import type { DumpRule } from "../../src/dump/index.js";
import { matchFragment } from "../../src/render/iptables/index.js";
import { ACTION_CASES, MATCH_CASES } from "../render/fragment-cases.js";

const parseOne = (line: string): DumpRule | string => {
  const text = ["*filter", ":cali-x - -", ":cali-target - -", line, "COMMIT", ""].join("\n");
  const dump = parseIptablesSave(text);
  if (!dump.ok) return JSON.stringify(dump.error);
  const rule = dump.value.tables[0]?.chains[0]?.rules[0];
  return rule ?? "no rule";
};

for (const c of MATCH_CASES) {
  test(`parse match: ${c.name}`, (t) => {
    const prefix = c.prefix ?? [];
    const got = parseOne(["-A cali-x", ...prefix.map(matchFragment), c.text].join(" "));
    if (typeof got === "string") return t.fail(got);
    t.deepEqual(got.rule.matches, [...prefix, ...(c.parsed ?? [c.ir])]);
    t.deepEqual(got.rule.action, { kind: "none" });
  });
}

for (const c of ACTION_CASES) {
  test(`parse action: ${c.name}`, (t) => {
    const got = parseOne(`-A cali-x ${c.text}`.trimEnd());
    if (typeof got === "string") return t.fail(got);
    t.deepEqual(got.rule.action, c.parsed?.[0] ?? c.ir);
    t.deepEqual(got.rule.matches, []);
  });
}
