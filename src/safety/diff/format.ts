// The diff report in words and as JSON.

import { originText } from "../../trace/origin-text.js";
import { jsonAt, jsonListParts } from "../../util/json-parts.js";
import { changedLines, comparisonJson } from "../report.js";
import type { NodeDiff } from "./index.js";
import type { ChainDiff, RuleEdit, RulesDiff } from "./rules.js";

const editLine = (e: RuleEdit): string => {
  const sign = e.op === "added" ? "+" : e.op === "removed" ? "-" : "~";
  const where = e.op === "moved" ? `#${e.index} → #${e.to}` : `#${e.index}`;
  const from = e.rule.origin === undefined ? "" : `   (${originText(e.rule.origin)})`;
  return `      ${sign} ${where} ${e.text}${from}`;
};

const chainLines = (c: ChainDiff): string[] => {
  const head = `    ${c.table} ${c.name}`;
  if (c.status === "renamed") return [`${head}: renamed from ${c.oldName} (same ${c.size} rules)`];
  if (c.status !== "changed") return [`${head}: ${c.status} (${c.size} rules)`];
  return [`${head}: changed`, ...c.rules.map(editLine)];
};

const rulesLines = (r: RulesDiff): string[] => {
  if (r.chains.length === 0 && r.sets.length === 0) return [`  IPv${r.version} rules: no change`];
  return [
    `  IPv${r.version} rules:`,
    ...r.chains.flatMap(chainLines),
    ...r.sets.map(
      (s) =>
        `    set ${s.name}: ${s.status}${[...s.added.map((m) => ` +${m}`), ...s.removed.map((m) => ` -${m}`)].join("")}`,
    ),
  ];
};

/** A node's lines of the report. */
export const diffNodeLines = (d: NodeDiff): string[] => {
  const flows = d.flows === undefined ? [] : changedLines(d.flows, "    ");
  return [
    `node ${d.node}`,
    ...(d.rules ?? []).flatMap(rulesLines),
    ...(d.flows === undefined
      ? []
      : flows.length === 0
        ? ["  flows: no verdict changes"]
        : ["  flows whose verdict changes:", ...flows]),
  ];
};

export const diffText = (ds: readonly NodeDiff[]): string => ds.flatMap(diffNodeLines).join("\n");

const editJson = (e: RuleEdit) => ({
  op: e.op,
  index: e.index,
  ...(e.to === undefined ? {} : { to: e.to }),
  rule: e.text,
  ...(e.rule.origin === undefined ? {} : { origin: e.rule.origin }),
});

const nodeDiffJson = (d: NodeDiff) => ({
  node: d.node,
  ...(d.rules === undefined
    ? {}
    : {
        rules: d.rules.map((r) => ({
          ipVersion: r.version,
          chains: r.chains.map((c) => ({ ...c, rules: c.rules.map(editJson) })),
          sets: r.sets,
        })),
      }),
  ...(d.flows === undefined ? {} : { flows: comparisonJson(d.flows) }),
});

export const diffJson = (ds: readonly NodeDiff[]) => ds.map(nodeDiffJson);

/** A node's item of the JSON report's list, as that list holds it (jsonAt depth 1). */
export const diffNodeItem = (d: NodeDiff): string => jsonAt(nodeDiffJson(d), 1);

/**
 * JSON.stringify(diffJson(diffs), null, 2) written a node at a time, as each is compared (util/json-parts):
 * `next` takes a node's diff, `item` its diffNodeItem (as a worker thread makes it).
 */
export const diffJsonWriter = (): {
  next: (d: NodeDiff) => string;
  item: (text: string) => string;
  end: () => string;
} => {
  const list = jsonListParts(0);
  return { next: (d) => list.item(diffNodeItem(d)), item: list.item, end: list.close };
};
