// The preflight report in words and as JSON.

import { decidedText, regionText, type Region } from "../flowspace/index.js";
import { regionJson } from "../report.js";
import { jsonAt, jsonListParts } from "../../util/json-parts.js";
import type { FlowCheck } from "./check.js";
import type { CriticalFlow } from "./critical.js";

const PROTO: Readonly<Record<number, string>> = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  58: "icmpv6",
  132: "sctp",
  136: "udplite",
};

export const flowText = (f: CriticalFlow): string => {
  const ports =
    f.ports === undefined
      ? ""
      : f.ports.from === f.ports.to
        ? ` ${f.ports.from}`
        : ` ${f.ports.from}-${f.ports.to}`;
  const peer = f.peer === undefined ? "" : ` ${f.direction === "ingress" ? "from" : "to"} ${f.peer}`;
  const where = f.toWorkload === true ? " to local pods" : "";
  return `${f.direction} ${PROTO[f.protocol] ?? `proto ${f.protocol}`}${ports}${peer}${where}`;
};

const MARK: Readonly<Record<FlowCheck["status"], string>> = {
  ok: "ok  ",
  "failsafe-only": "warn",
  partial: "warn",
  dropped: "FAIL",
  "cut-off": "FAIL",
};

const first = (rs: readonly Region[], at: number): string => {
  const r = rs[0];
  return r === undefined ? "" : decidedText(r.outcomes[Math.min(at, r.outcomes.length - 1)]!);
};

const detail = (c: FlowCheck): string => {
  const u = c.universe;
  const kept = c.failsafeOnly[0];
  const n = kept?.outcomes.length ?? 0;
  const part = c.failsafeWhole
    ? "it"
    : `part of it (${c.failsafeOnly.map((r) => regionText(r, u)).join("; ")})`;
  const failsafe =
    kept === undefined
      ? ""
      : `; only a failsafe port keeps ${part} open (${first(c.failsafeOnly, n - 2)}); without failsafe ports: ${first(c.failsafeOnly, n - 1)}`;
  const now = c.dropped[0]?.outcomes.length === 3 ? 1 : 0;
  switch (c.status) {
    case "ok":
      return "allowed";
    case "failsafe-only":
      return `allowed${failsafe}`;
    case "dropped":
      return `dropped — ${first(c.dropped, now)}${failsafe}`;
    case "partial":
      return `partly dropped: ${c.dropped.map((r) => regionText(r, u)).join("; ")} — ${first(c.dropped, now)}${failsafe}`;
    case "cut-off":
      return `cut off by the change: ${c.cut.map((r) => regionText(r, u)).join("; ")} — now ${first(c.cut, 1)}, was ${first(c.cut, 0)}${failsafe}`;
  }
};

/** The report's lines for some checks (a node's, say): a heading per endpoint and interface, then its flows. */
export const preflightLines = (checks: readonly FlowCheck[], verbose: boolean): string[] => {
  const lines: string[] = [];
  const groups = new Map<string, FlowCheck[]>();
  for (const c of checks) {
    const key = `${c.node}\u0000${c.endpoint}\u0000${c.iface}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  for (const group of groups.values()) {
    const c0 = group[0]!;
    lines.push(`${c0.node} ${c0.endpoint} (${c0.ifaceLabel})`);
    const shown = group.filter((c) => verbose || c.status !== "ok");
    for (const c of shown)
      lines.push(`  ${MARK[c.status]} ${c.flow.name} (${flowText(c.flow)}): ${detail(c)}`);
    const hidden = group.length - shown.length;
    if (hidden > 0) lines.push(`  ok   ${hidden} more critical flow(s) allowed`);
  }
  return lines;
};

/** How many checks were made and how many failed: the report's last line, after an empty one. */
export interface PreflightTally {
  readonly checks: number;
  readonly failed: number;
}

export const tallyOf = (checks: readonly FlowCheck[]): PreflightTally => ({
  checks: checks.length,
  failed: checks.filter((c) => c.fail).length,
});

export const preflightSummaryLines = (t: PreflightTally): string[] => [
  "",
  t.failed === 0
    ? `result: all ${t.checks} critical flow checks pass`
    : `result: ${t.failed} of ${t.checks} critical flow checks fail`,
];

export const preflightText = (checks: readonly FlowCheck[], verbose: boolean): string =>
  [...preflightLines(checks, verbose), ...preflightSummaryLines(tallyOf(checks))].join("\n");

/** One check as the JSON report writes it. */
export const checkJson = (c: FlowCheck) => ({
  node: c.node,
  endpoint: c.endpoint,
  interface: c.ifaceLabel,
  flow: c.flow,
  status: c.status,
  fail: c.fail,
  text: detail(c),
  dropped: c.dropped.map((r) => regionJson(r, c.universe)),
  cut: c.cut.map((r) => regionJson(r, c.universe)),
  failsafeOnly: c.failsafeOnly.map((r) => regionJson(r, c.universe)),
});

/** The JSON report: every check, then whether all passed (last, so that it can be written as it is made). */
export const preflightJson = (checks: readonly FlowCheck[]) => ({
  checks: checks.map(checkJson),
  pass: !checks.some((c) => c.fail),
});

/** Each check's item of the JSON report's list, as that list holds it (jsonAt depth 2). */
export const checkItems = (checks: readonly FlowCheck[]): string[] =>
  checks.map((c) => jsonAt(checkJson(c), 2));

/**
 * JSON.stringify(preflightJson(checks), null, 2) written piece by piece, as the checks come (util/json-parts):
 * the bench cluster's would be about 1 GB. `next` takes a batch of checks (a node's) and gives their text;
 * `items` does the same for a batch already made into checkItems (by a worker thread), given whether all
 * of them pass; `end` gives the rest.
 */
export const preflightJsonWriter = (): {
  next: (checks: readonly FlowCheck[]) => string;
  items: (texts: readonly string[], pass: boolean) => string;
  end: () => string;
} => {
  let started = false;
  const head = (): string => (started ? "" : ((started = true), '{\n  "checks": '));
  const list = jsonListParts(1);
  let pass = true;
  const items = (texts: readonly string[], batchPasses: boolean): string => {
    pass &&= batchPasses;
    let text = head();
    for (const t of texts) text += list.item(t);
    return text;
  };
  return {
    next: (checks) => items(checkItems(checks), !checks.some((c) => c.fail)),
    items,
    end: () => `${head()}${list.close()},\n  "pass": ${pass}\n}`,
  };
};
