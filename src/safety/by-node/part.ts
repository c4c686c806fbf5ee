// One node's part of a report that goes node by node (preflight, upgrade-check, diff): its text, ready to
// write, and the few facts the report's end needs. The calling thread and worker threads make parts with
// this one function, so a report does not depend on which thread checked which node.

import type { CalicoVersion } from "../../calc/versions.js";
import type { Cluster } from "../../resources/model.js";
import { diffDrops, diffNode } from "../diff/index.js";
import { diffNodeItem, diffNodeLines } from "../diff/format.js";
import type { Result } from "../flowspace/index.js";
import { preflightNode } from "../preflight/check.js";
import type { CriticalFlow } from "../preflight/critical.js";
import { checkItems, preflightLines, tallyOf } from "../preflight/format.js";
import { governingStar, upgradeNode } from "../upgrade/check.js";
import { upgradeNodeItem, upgradeNodeLines } from "../upgrade/format.js";

/** Which report, with its options: plain data, so that it can be sent to a worker thread. */
export type NodeTask =
  | {
      readonly kind: "preflight";
      readonly flows: readonly CriticalFlow[];
      readonly calicoVersion?: CalicoVersion;
      readonly verbose: boolean;
      readonly json: boolean;
    }
  | {
      readonly kind: "upgrade-check";
      readonly from: CalicoVersion;
      readonly to: CalicoVersion;
      readonly json: boolean;
    }
  | {
      readonly kind: "diff";
      readonly rules: boolean;
      readonly flows: boolean;
      readonly calicoVersion?: CalicoVersion;
      readonly json: boolean;
    };

/** The resources a task reads: `against` is preflight's proposed change (optional) and diff's other side. */
export interface TaskClusters {
  readonly cluster: Cluster;
  readonly against?: Cluster;
}

export interface NodePart {
  /** The report's lines for the node (text), or its items of the report's JSON list (JSON). */
  readonly out: readonly string[];
  /** preflight: checks made, and how many fail. */
  readonly checks: number;
  readonly failed: number;
  /** upgrade-check, diff: some flow goes from allow to drop. */
  readonly drops: boolean;
  /** upgrade-check: some flow changes verdict. */
  readonly changed: boolean;
}

const part = (out: readonly string[], facts: Partial<Omit<NodePart, "out">>): NodePart => ({
  out,
  checks: 0,
  failed: 0,
  drops: false,
  changed: false,
  ...facts,
});

/** `node`'s part of `task`'s report; `onTrace` is called for each packet the analysis traces. */
export const nodePart = (
  task: NodeTask,
  clusters: TaskClusters,
  node: string,
  onTrace?: () => void,
): Result<NodePart> => {
  const traced = onTrace === undefined ? {} : { onTrace };
  switch (task.kind) {
    case "preflight": {
      const r = preflightNode(clusters.cluster, node, {
        flows: task.flows,
        ...(clusters.against === undefined ? {} : { against: clusters.against }),
        ...(task.calicoVersion === undefined ? {} : { calicoVersion: task.calicoVersion }),
        ...traced,
      });
      if (!r.ok) return r;
      const out = task.json ? checkItems(r.value) : preflightLines(r.value, task.verbose);
      return { ok: true, value: part(out, tallyOf(r.value)) };
    }
    case "upgrade-check": {
      const opts = { from: task.from, to: task.to, ...traced };
      const r = upgradeNode(clusters.cluster, node, opts, governingStar(clusters.cluster, node));
      if (!r.ok) return r;
      const out = task.json ? [upgradeNodeItem(r.value)] : upgradeNodeLines(r.value);
      return { ok: true, value: part(out, { drops: r.value.drops, changed: r.value.changedRegions > 0 }) };
    }
    case "diff": {
      if (clusters.against === undefined) throw new Error("diff needs both sides' resources");
      const side = (cluster: Cluster) => ({
        cluster,
        ...(task.calicoVersion === undefined ? {} : { calicoVersion: task.calicoVersion }),
      });
      const r = diffNode(node, side(clusters.cluster), side(clusters.against), {
        rules: task.rules,
        flows: task.flows,
        ...traced,
      });
      if (!r.ok) return r;
      const out = task.json ? [diffNodeItem(r.value)] : diffNodeLines(r.value);
      return { ok: true, value: part(out, { drops: diffDrops(r.value) }) };
    }
  }
};
