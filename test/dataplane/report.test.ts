// The conformance report (no kernel): mismatches first with the tracer's reason, the truth table,
// the JSON shape the CLI prints.

import test from "ava";
import type { ConformanceReport, ConformanceResult } from "../../src/dataplane/conformance.js";
import { expectProbes } from "../../src/dataplane/expect.js";
import type { Probe } from "../../src/dataplane/matrix.js";
import { reportJson, reportText } from "../../src/dataplane/report.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { cluster, hep } from "../helpers/model.js";

const rulesets = () => {
  const m = resolveNode(cluster(hep("e", { interfaceName: "eth0" })), {
    node: "node-1",
    interfaces: [{ name: "eth0", addresses: ["192.0.2.10"] }],
  });
  return [buildRuleset(m, { version: 4 })];
};

const probe = (dport: number): Probe => ({
  id: `in in eth0 tcp 198.51.100.200 -> 192.0.2.10:${dport}`,
  kind: "in",
  from: "eth0",
  proto: "tcp",
  src: "198.51.100.200",
  dst: "192.0.2.10",
  dport,
  in: "eth0",
  listened: true,
});

const report = (): ConformanceReport => {
  const runs = [
    { probe: probe(22), sport: 40000, outcome: "answered" as const },
    { probe: probe(80), sport: 40001, outcome: "answered" as const },
  ];
  const expected = expectProbes(rulesets(), runs);
  const results: ConformanceResult[] = runs.map((r, i) => ({
    backend: "iptables-nft",
    ...r,
    expected: expected[i]!,
    ok: expected[i]!.outcomes.includes(r.outcome),
    ...(i === 1 ? { recheck: { outcome: "answered" as const, moved: [] } } : {}),
  }));
  return { results, mismatches: results.filter((r) => !r.ok).length, errors: [], sctp: false, notes: [] };
};

test("text: mismatches first with the tracer's reason, then the truth table, then the verdict", (t) => {
  const text = reportText(report());
  t.regex(text, /^MISMATCHES \(1\)/);
  t.regex(
    text,
    /expected drop, observed accept \(answered\)\n {4}tracer, request: .*Drop if no profiles matched/,
  );
  t.regex(text, /TRUTH TABLE[\s\S]*iptables-nft\s+in\s+1\s+0\s+0\s+1\s+0/);
  t.regex(text, /FAILED: 1 of 2 probes differ\n$/);
});

test("json: results with backend, probe, expected, observed; the mismatch count", (t) => {
  const json = JSON.parse(reportJson(report())) as { results: Record<string, unknown>[]; mismatches: number };
  t.is(json.mismatches, 1);
  t.like(json.results[0], {
    backend: "iptables-nft",
    probe: probe(22).id,
    expected: "accept",
    observed: "accept",
    ok: true,
  });
  t.like(json.results[1], { expected: "drop", observed: "accept", ok: false, sport: 40001 });
});
