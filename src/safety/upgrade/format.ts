// The upgrade-check report in words and as JSON.

import { regionText, verdictText } from "../flowspace/index.js";
import { changedLines, comparisonJson, orderRegions } from "../report.js";
import { jsonAt, jsonListParts } from "../../util/json-parts.js";
import type { NodeUpgrade, UpgradeFrame, UpgradeReport } from "./check.js";
import type { StarEndpoint } from "./star-endpoints.js";

const starLines = (s: StarEndpoint, to: string): string[] => {
  const by = s.selectedBy.map(
    (p) => `${p.name} (${p.effect}, tier ${p.tier}${p.order === undefined ? "" : `, order ${p.order}`})`,
  );
  return [
    `  ${s.node}/${s.name}  profiles: ${s.profiles.join(", ") || "none"}  (${s.source.file}:${s.source.line})`,
    s.takesNormalPolicy
      ? `      takes policy from ${to}: ${by.join(", ")}`
      : `      no policy other than pre-DNAT selects it${by.length === 0 ? "" : ` (${by.join(", ")})`}: from ${to} it ${s.profiles.length === 0 ? "drops everything but failsafe ports" : "gets its profiles"}`,
    ...(s.governs ? [] : [`      governs nothing: another "*" endpoint of ${s.node} has a smaller name`]),
  ];
};

/** A node's lines. */
export const upgradeNodeLines = (n: NodeUpgrade): string[] => {
  const c = n.comparison;
  const who = n.star === undefined ? "" : ` (${n.star.name})`;
  if (n.changedRegions === 0) return [`node ${n.node}${who}: no flow changes`];
  const kept = c.families.flatMap((f) => orderRegions(f.failsafeOnly, c.universe));
  return [
    `node ${n.node}${who}: ${n.changedRegions} changed flow region(s)`,
    ...changedLines(c, "  "),
    ...(kept.length === 0
      ? []
      : [
          "  unaffected only because of failsafe ports (policy alone would drop them after the upgrade):",
          ...kept.map((r) => `    ${regionText(r, c.universe)}: ${verdictText(r.outcomes[1]!)} (failsafe)`),
        ]),
  ];
};

/** The report's first lines: the versions and the "*" endpoints (of the nodes checked). */
export const upgradeHeadLines = (r: UpgradeFrame): string[] => [
  `Calico ${r.from} → ${r.to}: host endpoint upgrade check`,
  "",
  r.stars.length === 0
    ? `"*" host endpoints: none${r.starsElsewhere === 0 ? "" : " on the nodes checked"}`
    : `"*" host endpoints (interfaceName "*")${r.starsElsewhere === 0 ? "" : " of the nodes checked"}:`,
  ...r.stars.flatMap((s) => starLines(s, r.to)),
  ...(r.starsElsewhere === 0
    ? []
    : [`  (${r.starsElsewhere} more on nodes not checked: without --node every node is checked and listed)`]),
  "",
];

/** The report's last lines, given the nodes where flows would be dropped. */
export const upgradeResultLines = (dropping: readonly string[]): string[] => [
  "",
  dropping.length === 0
    ? "result: no flow would be dropped by the upgrade"
    : `result: flows would be dropped on ${dropping.join(", ")}; --write-migration DIR writes the upgrade runbook's labels and allow-all-upgrade policy`,
];

export const upgradeText = (r: UpgradeReport): string =>
  [
    ...upgradeHeadLines(r),
    ...r.nodes.flatMap(upgradeNodeLines),
    ...upgradeResultLines(r.nodes.filter((n) => n.drops).map((n) => n.node)),
  ].join("\n");

const frameJson = (r: UpgradeFrame) => ({
  from: r.from,
  to: r.to,
  starEndpoints: r.stars.map((s) => ({
    node: s.node,
    name: s.name,
    profiles: s.profiles,
    governs: s.governs,
    takesNormalPolicy: s.takesNormalPolicy,
    selectedBy: s.selectedBy,
    source: s.source,
  })),
  starEndpointsOnOtherNodes: r.starsElsewhere,
});

const nodeJson = (n: NodeUpgrade) => ({
  starEndpoint: n.star?.name ?? null,
  drops: n.drops,
  changedRegions: n.changedRegions,
  ...comparisonJson(n.comparison),
});

export const upgradeJson = (r: UpgradeReport) => ({
  ...frameJson(r),
  nodes: r.nodes.map(nodeJson),
  affected: r.affected.map((s) => s.name),
  drops: r.nodes.some((n) => n.drops),
});

/** A node's item of the JSON report's node list, as that list holds it (jsonAt depth 2). */
export const upgradeNodeItem = (n: NodeUpgrade): string => jsonAt(nodeJson(n), 2);

/**
 * JSON.stringify(upgradeJson(report), null, 2) written piece by piece (util/json-parts): `start` with what is
 * known before any node is checked, `next` for each node as it is (or `item`, given its upgradeNodeItem
 * and whether it drops, as a worker thread makes them), `end` with the "*" endpoints affected.
 */
export const upgradeJsonWriter = (
  frame: UpgradeFrame,
): {
  start: () => string;
  next: (n: NodeUpgrade) => string;
  item: (text: string, drops: boolean) => string;
  end: (affected: readonly StarEndpoint[]) => string;
} => {
  const list = jsonListParts(1);
  let drops = false;
  const item = (text: string, nodeDrops: boolean): string => {
    drops ||= nodeDrops;
    return list.item(text);
  };
  return {
    // The frame's object without its closing brace, then the nodes' list.
    start: () => `${jsonAt(frameJson(frame), 0).slice(0, -2)},\n  "nodes": `,
    next: (n) => item(upgradeNodeItem(n), n.drops),
    item,
    end: (affected) =>
      `${list.close()},\n  "affected": ${jsonAt(
        affected.map((s) => s.name),
        1,
      )},\n  "drops": ${drops}\n}`,
  };
};
