// The behaviour matrix on the real kernel, with every backend: each case's probes must do what the case
// states, and what the tracer predicts for the same packets through the same rulesets. A check with a
// known disagreement runs alone as `test.failing` on the backends it concerns (see cases.ts).

import test from "ava";
import type { ExecutionContext } from "ava";
import type { Backend } from "../../src/dataplane/apply.js";
import { observedVerdict } from "../../src/dataplane/expect.js";
import { CASES, type BehaviourCase, type Check } from "./cases.js";
import { describeCheck, findProbe, kernelReady, openLabFor, probeAndTrace, TEST_BACKENDS } from "./kit.js";

const isKnown = (k: Check, b: Backend): boolean => k.known?.backends.includes(b) ?? false;

const runChecks = async (
  t: ExecutionContext,
  c: BehaviourCase,
  pick: (k: Check, b: Backend) => boolean,
  withExtras: boolean,
): Promise<void> => {
  if (!(await kernelReady(t))) return;
  const opened = await openLabFor(c.cluster);
  t.teardown(() => opened.lab.close());
  try {
    const codes = opened.prepared.model.warnings.map((w) => w.code);
    if (withExtras)
      for (const w of c.warnings ?? []) t.true(codes.includes(w), `warning ${w} (have: ${codes.join(", ")})`);
    const problems: string[] = [];
    for (const backend of TEST_BACKENDS) {
      const checks = c.checks.filter((k) => pick(k, backend));
      if (checks.length === 0 && (!withExtras || c.counted === undefined)) continue;
      await opened.lab.load(backend, opened.prepared.rulesets);
      const checked = await probeAndTrace(
        opened.lab,
        opened.prepared.rulesets,
        checks.map((k) => findProbe(opened.matrix, k)),
      );
      checked.forEach((k, i) => {
        const want = checks[i]!;
        const kernel = observedVerdict(k.run.probe, k.run.outcome);
        if (!k.consistent) problems.push(`kernel ≠ tracer: ${describeCheck(backend, k)}`);
        if (k.expected.verdict !== want.expect)
          problems.push(`tracer ≠ stated ${want.expect} (${want.why}): ${describeCheck(backend, k)}`);
        if (kernel !== want.expect)
          problems.push(`kernel ≠ stated ${want.expect} (${want.why}): ${describeCheck(backend, k)}`);
      });
      if (withExtras && c.counted !== undefined) {
        const r = await opened.lab.probeCounted(findProbe(opened.matrix, c.counted.probe));
        if (!r.moved.some((m) => c.counted!.origin.test(m.origin ?? "")))
          problems.push(
            `${backend}: no kernel rule from ${String(c.counted.origin)} counted ${r.probe.id}; moved: ${r.moved.map((m) => `${m.table}/${m.chain}#${m.index} ${m.origin ?? "?"}`).join("; ")}`,
          );
      }
    }
    t.deepEqual(problems, [], `${c.name}\n${problems.join("\n")}`);
  } finally {
    await opened.lab.close();
  }
};

// Known disagreements need the kernel to show; without root they are not registered (a skipped
// `failing` test would count as unexpectedly passing), and the regular tests report the missing root.
const root = process.getuid?.() === 0;

for (const c of CASES) {
  test.serial(c.name, runChecks, c, (k: Check, b: Backend) => !isKnown(k, b), true);
  for (const k of c.checks.filter((x) => root && x.known !== undefined))
    test.serial.failing(
      `KNOWN (${k.known!.backends.join(", ")}): ${c.name}: ${k.kind} ${k.proto} ${k.dport ?? ""} expected ${k.expect}: ${k.known!.issue}`,
      runChecks,
      c,
      (x: Check, b: Backend) => x === k && isKnown(x, b),
      false,
    );
}
