// The case table (cases.ts) run for every address family it applies to: resources → IR → trace, checking the
// verdict and what decided it.

import test, { type ExecutionContext } from "ava";
import type { IpVersion } from "../../src/rules/ir.js";
import { formatTrace, trace } from "../../src/trace/index.js";
import { CASES, rulesetFor, V4, V6, type Fam, type TraceCase } from "./cases.js";

const FAMS: Readonly<Record<IpVersion, Fam>> = { 4: V4, 6: V6 };

const check = (t: ExecutionContext, c: TraceCase, a: Fam): void => {
  const packet = c.packet(a);
  const r = trace(rulesetFor(c, a), packet);
  const got = {
    verdict: r.verdict,
    kind: r.decidedBy.kind,
    ...(c.expect.name === undefined ? {} : { name: r.decidedBy.name }),
    ...(c.expect.ruleIndex === undefined ? {} : { ruleIndex: r.decidedBy.ruleIndex }),
    ...(c.expect.tier === undefined ? {} : { tier: r.decidedBy.tier }),
  };
  t.deepEqual(got, c.expect, formatTrace(r, { color: false }, packet));
  if (c.warning !== undefined)
    t.true(
      r.warnings.some((w) => c.warning!.test(w)),
      `expected a warning matching ${c.warning}; got ${JSON.stringify(r.warnings)}`,
    );
  t.not(r.decidedBy.detail, "");
};

for (const c of CASES)
  for (const v of c.families ?? ([4, 6] as const)) {
    const title = `IPv${v}: ${c.name}`;
    if (c.knownBug === undefined) test(title, (t) => check(t, c, FAMS[v]));
    else test.failing(`${title} [known bug: ${c.knownBug}]`, (t) => check(t, c, FAMS[v]));
  }
