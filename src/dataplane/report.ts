// A conformance report as text (mismatches first, each with the tracer's explanation and the kernel rules
// the recheck hit, then the truth table: expected × observed per backend and probe kind) or as JSON.

import type { ConformanceReport, ConformanceResult } from "./conformance.js";
import { observedVerdict } from "./expect.js";
import type { ProbeKind } from "./matrix.js";

const KINDS: readonly ProbeKind[] = [
  "in",
  "out",
  "forward",
  "nodeport",
  "to-workload",
  "from-workload",
  "host-to-workload",
  "workload-to-host",
];

const observed = (r: ConformanceResult): string => `${observedVerdict(r.probe, r.outcome)} (${r.outcome})`;

/** Which packet the tracer says decided, and why. */
const why = (r: ConformanceResult): string => {
  const e = r.expected;
  const decisive = e.reply !== undefined && e.reply.verdict === "drop" ? e.reply : e.request;
  const which = decisive === e.request ? "request" : "answer";
  return `${which}: ${decisive.decidedBy.detail}`;
};

export const resultJson = (r: ConformanceResult) => ({
  backend: r.backend,
  probe: r.probe.id,
  kind: r.probe.kind,
  proto: r.probe.proto,
  src: r.probe.src,
  dst: r.probe.dst,
  ...(r.probe.dport === undefined ? {} : { dport: r.probe.dport }),
  ...(r.sport === undefined ? {} : { sport: r.sport }),
  ...(r.probe.dnatTo === undefined ? {} : { dnatTo: r.probe.dnatTo }),
  expected: r.expected.verdict,
  observed: observedVerdict(r.probe, r.outcome),
  outcome: r.outcome,
  ok: r.ok,
  decidedBy: {
    request: r.expected.request.decidedBy,
    ...(r.expected.reply ? { answer: r.expected.reply.decidedBy } : {}),
  },
  ...(r.recheck === undefined ? {} : { recheck: r.recheck }),
});

export const reportJson = (rep: ConformanceReport): string =>
  JSON.stringify(
    {
      results: rep.results.map(resultJson),
      mismatches: rep.mismatches,
      errors: rep.errors,
      notes: rep.notes,
    },
    null,
    2,
  );

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));

export const reportText = (rep: ConformanceReport, opts: { all?: boolean } = {}): string => {
  const out: string[] = [];
  for (const e of rep.errors) {
    // nft prints every rule of a failed batch; the first lines name the cause (-o json has it all).
    const lines = e.message.split("\n");
    const shown =
      lines.length > 12
        ? [...lines.slice(0, 12), `  … ${lines.length - 12} more lines (-o json has them)`]
        : lines;
    out.push(`LOAD FAILED ${e.backend}: ${shown.join("\n")}`, "");
  }
  const bad = rep.results.filter((r) => !r.ok);
  if (bad.length > 0) {
    out.push(`MISMATCHES (${bad.length}): tracer expected ≠ kernel observed`);
    for (const r of bad) {
      out.push(`  ${r.backend}  ${r.probe.id}${r.sport === undefined ? "" : ` (sport ${r.sport})`}`);
      out.push(`    expected ${r.expected.verdict}, observed ${observed(r)}`);
      out.push(`    tracer, ${why(r)}`);
      if (r.recheck !== undefined) {
        out.push(`    recheck alone: ${r.recheck.outcome}; kernel rules hit:`);
        for (const m of r.recheck.moved)
          out.push(
            `      IPv${m.version} ${m.table} ${m.chain} #${m.index}: ${m.packets} pkt${m.origin === undefined ? "" : `  ${m.origin}`}`,
          );
      }
    }
    out.push("");
  }
  out.push("TRUTH TABLE (probes: expected by the tracer → observed in the kernel)");
  const cols = ["accept→accept", "drop→drop", "accept→drop", "drop→accept", "error"];
  out.push(`  ${pad("backend", 16)}${pad("kind", 18)}${cols.map((c) => pad(c, 15)).join("")}`);
  const backends = [...new Set(rep.results.map((r) => r.backend))];
  for (const b of backends)
    for (const k of KINDS) {
      const rs = rep.results.filter((r) => r.backend === b && r.probe.kind === k);
      if (rs.length === 0) continue;
      const count = (exp: string, obs: string): number =>
        rs.filter((r) => r.expected.verdict === exp && observedVerdict(r.probe, r.outcome) === obs).length;
      const cells = [
        count("accept", "accept"),
        count("drop", "drop"),
        count("accept", "drop"),
        count("drop", "accept"),
        rs.filter((r) => observedVerdict(r.probe, r.outcome) === "error").length,
      ];
      out.push(`  ${pad(b, 16)}${pad(k, 18)}${cells.map((c) => pad(String(c), 15)).join("")}`);
    }
  if (opts.all === true) {
    out.push("", "ALL PROBES");
    for (const r of rep.results)
      out.push(
        `  ${r.ok ? "ok  " : "FAIL"} ${pad(r.backend, 16)}${pad(r.expected.verdict, 7)}${pad(observed(r), 20)}${r.probe.id}`,
      );
  }
  for (const n of rep.notes) out.push(`note: ${n}`);
  const total = rep.results.length;
  out.push(
    "",
    rep.mismatches === 0 && rep.errors.length === 0
      ? `OK: ${total} probes, the kernel did what the tracer predicted`
      : `FAILED: ${rep.mismatches} of ${total} probes differ${rep.errors.length === 0 ? "" : `, ${rep.errors.length} backend(s) failed to load`}`,
  );
  return out.join("\n") + "\n";
};
