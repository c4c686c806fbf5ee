// Byte-for-byte check against the reference's worked example (§14.3 filter, §14.4 mangle and raw): every rule's
// text and `cali:` hash, with the IR built by hand in worked-example-ir.ts.

import { readFileSync } from "node:fs";
import test from "ava";
import { renderIptables } from "../../src/render/iptables/index.js";
import { workedExampleRuleset } from "./worked-example-ir.js";

const expected = (table: string): string =>
  readFileSync(new URL(`./fixtures/worked-example-${table}.txt`, import.meta.url), "utf8");

for (const table of ["filter", "mangle", "raw"] as const) {
  test(`worked example: ${table} table is Felix's text line for line`, (t) => {
    const want = expected(table).split("\n");
    const got = renderIptables(workedExampleRuleset, { tables: [table] }).split("\n");
    // Line by line first, so a failure names the rule whose text or hash differs.
    for (let i = 0; i < Math.max(want.length, got.length); i++) t.is(got[i], want[i], `line ${i + 1}`);
  });
}

test("worked example: whole output is raw, mangle, filter in that order", (t) => {
  t.is(renderIptables(workedExampleRuleset), expected("raw") + expected("mangle") + expected("filter"));
});

test("worked example: hook rules carry the hashes seen on real nodes", (t) => {
  const text = renderIptables(workedExampleRuleset);
  for (const line of [
    '-I INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" --jump cali-INPUT',
    '-I FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" --jump cali-FORWARD',
    '-I OUTPUT -m comment --comment "cali:tVnHkvAo15HuiPy0" --jump cali-OUTPUT',
    '-I PREROUTING -m comment --comment "cali:6gwbT8clXdHdC1b1" --jump cali-PREROUTING',
    '-I POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" --jump cali-POSTROUTING',
    '-A FORWARD -m comment --comment "cali:S93hcgKJrXEqnTfs" -m comment --comment "Policy explicitly accepted packet." -m mark --mark 0x10000/0x10000 --jump ACCEPT',
    '-A FORWARD -m comment --comment "cali:mp77cMpurHhyjLrM" --jump MARK --set-mark 0x10000/0x10000',
  ]) {
    t.true(text.split("\n").includes(line), line);
  }
});
