// Preflight: every critical flow through every host endpoint of every node, checked exactly (each flow is
// a box of the flow space, refined until uniform). A flow fails when it is dropped — for every peer, or
// for any part of an explicit peer CIDR — or, given the proposed resources, when the change cuts any part
// of it off. Each check also says when only a failsafe port keeps it open: the same rules without failsafe
// ports drop it. That catches the classic trap of a Log-only or narrow policy selecting an automatic "*"
// endpoint: the endpoint then has a tier, the tier's end drops, and projectcalico-default-allow is never reached.

import type { CalicoVersion } from "../../calc/versions.js";
import type { Cluster } from "../../resources/model.js";
import type { IpVersion, Ruleset } from "../../rules/ir.js";
import { buildRuleset } from "../../rules/node-ruleset.js";
import {
  addrSpace,
  explore,
  FULL_ICMP,
  FULL_PORT,
  mergeBoxes,
  range,
  refine,
  type Box,
  type ExploreOptions,
  type FinalBox,
  type IfaceUniverse,
  type Region,
  type Result,
} from "../flowspace/index.js";
import { cidrRange } from "../flowspace/sets.js";
import { isDrop } from "../report.js";
import { FAMILIES, modelOf, policedNodes, universeFor, withoutFailsafe } from "../node-flows.js";
import type { CriticalFlow } from "./critical.js";

export type FlowStatus = "ok" | "failsafe-only" | "partial" | "dropped" | "cut-off";

export interface FlowCheck {
  readonly node: string;
  readonly endpoint: string;
  /** The interface checked (a representative name for "*" endpoints and workloads) and what it stands for. */
  readonly iface: string;
  readonly ifaceLabel: string;
  readonly flow: CriticalFlow;
  readonly status: FlowStatus;
  readonly fail: boolean;
  /** Dropped parts (now, or after the change), parts cut off by the change, parts kept only by failsafe ports. */
  readonly dropped: readonly Region[];
  readonly cut: readonly Region[];
  readonly failsafeOnly: readonly Region[];
  /** The failsafe-only part is the whole flow. */
  readonly failsafeWhole: boolean;
  readonly universe: IfaceUniverse;
}

export interface PreflightOptions {
  readonly flows: readonly CriticalFlow[];
  readonly against?: Cluster;
  readonly calicoVersion?: CalicoVersion;
  readonly nodes?: readonly string[];
  /** Called before each node is checked and once when all are (for a progress line). */
  readonly onNode?: (done: number, total: number, node?: string) => void;
  /** Called after each packet the analysis traces (for a progress line). */
  readonly onTrace?: () => void;
}

interface Target {
  readonly endpoint: string;
  readonly iface: string;
}

const rootFor = (v: IpVersion, t: Target, f: CriticalFlow): Box | undefined => {
  const peer = f.peer === undefined ? addrSpace(v) : cidrRange(f.peer, v);
  if (peer === undefined) return undefined;
  const ports = f.ports === undefined ? FULL_PORT : range(f.ports.from, f.ports.to);
  const ingress = f.direction === "ingress";
  return {
    v,
    proto: [range(f.protocol, f.protocol)],
    src: [ingress ? peer : addrSpace(v)],
    dst: [ingress ? addrSpace(v) : peer],
    sport: [FULL_PORT],
    dport: [ports],
    icmpType: [FULL_ICMP],
    icmpCode: [FULL_ICMP],
    in: ingress ? [t.iface] : [""],
    out: ingress ? [""] : [t.iface],
  };
};

/** Boxes the failsafe ports accept, refined by the same rules without them; the others pass through. */
const withCounterfactual = (
  boxes: readonly FinalBox[],
  at: number,
  noFs: Ruleset,
  opts: ExploreOptions,
): Result<FinalBox[]> => {
  const fs = boxes.filter((b) => b.outcomes[at]!.decidedBy.kind === "failsafe");
  const r = refine([noFs], fs, opts);
  if (!r.ok) return r;
  const rest = boxes
    .filter((b) => b.outcomes[at]!.decidedBy.kind !== "failsafe")
    .map((b) => ({ ...b, outcomes: [...b.outcomes, b.outcomes[at]!] }));
  return { ok: true, value: [...rest, ...r.boxes] };
};

const judge = (
  boxes: readonly FinalBox[],
  against: boolean,
  peer: boolean,
): Pick<FlowCheck, "status" | "fail" | "dropped" | "cut" | "failsafeOnly" | "failsafeWhole"> => {
  const now = against ? 1 : 0; // the outcome that matters: after the change, or today
  const dropped = boxes.filter((b) => b.outcomes[now]!.verdict === "drop");
  const cut = against ? boxes.filter(isDrop) : [];
  const kept = boxes.filter(
    (b) => b.outcomes[now]!.decidedBy.kind === "failsafe" && b.outcomes[now + 1]!.verdict === "drop",
  );
  const all = dropped.length === boxes.length && boxes.length > 0;
  const status: FlowStatus =
    cut.length > 0
      ? "cut-off"
      : all
        ? "dropped"
        : dropped.length > 0
          ? "partial"
          : kept.length > 0
            ? "failsafe-only"
            : "ok";
  const fail = against ? cut.length > 0 : all || (peer && dropped.length > 0);
  return {
    status,
    fail,
    dropped: mergeBoxes(dropped, "verdict"),
    cut: mergeBoxes(cut, "verdict"),
    failsafeOnly: mergeBoxes(kept, "verdict"),
    failsafeWhole: kept.length === boxes.length,
  };
};

/** One node's checks (`opts.nodes` and `opts.onNode` are not used). */
export const preflightNode = (
  cluster: Cluster,
  node: string,
  opts: PreflightOptions,
): Result<FlowCheck[]> => {
  const side = (c: Cluster) => ({
    cluster: c,
    ...(opts.calicoVersion === undefined ? {} : { calicoVersion: opts.calicoVersion }),
  });
  const cur = modelOf(node, side(cluster));
  const next = opts.against === undefined ? undefined : modelOf(node, side(opts.against));
  const fams = FAMILIES.map((v) => {
    const after = next ?? cur;
    return {
      v,
      rulesets: [
        buildRuleset(cur, { version: v }),
        ...(next === undefined ? [] : [buildRuleset(next, { version: v })]),
      ],
      noFs: buildRuleset(withoutFailsafe(after), { version: v }),
    };
  });
  const models = next === undefined ? [cur] : [cur, next];
  const u = universeFor(
    models,
    fams.flatMap((f) => [...f.rulesets, f.noFs]),
  );
  const targets = new Map<string, Target>();
  for (const m of models) {
    for (const e of m.endpoints)
      targets.set(e.binding.iface, { endpoint: e.binding.endpoint.metadata.name, iface: e.binding.iface });
    if (m.star !== undefined)
      targets.set(u.other, { endpoint: m.star.binding.endpoint.metadata.name, iface: u.other });
  }
  const prefix = (next ?? cur).config.workloadPrefixes[0] ?? "cali";
  const workload: Target = { endpoint: "(local workloads)", iface: u.classOf(`${prefix}calisim-probe`) };
  const traced: ExploreOptions = opts.onTrace === undefined ? {} : { onTrace: opts.onTrace };
  const out: FlowCheck[] = [];
  for (const flow of opts.flows) {
    for (const t of flow.toWorkload === true ? (targets.size > 0 ? [workload] : []) : [...targets.values()]) {
      const boxes: FinalBox[] = [];
      for (const f of fams) {
        const root = rootFor(f.v, t, flow);
        if (root === undefined) continue;
        const e = explore(f.rulesets, [root], traced);
        if (!e.ok) return { ok: false, error: `node ${node}: ${e.error}` };
        const c = withCounterfactual(e.boxes, f.rulesets.length - 1, f.noFs, traced);
        if (!c.ok) return { ok: false, error: `node ${node}: ${c.error}` };
        // A flow through sets of thousands of members refines into hundreds of thousands of boxes: too
        // many to spread into push's arguments (the call stack overflows).
        for (const b of c.value) boxes.push(b);
      }
      const j = judge(boxes, next !== undefined, flow.peer !== undefined);
      const ifaceLabel = t === workload ? `local pod interfaces (${prefix}+)` : u.label(t.iface);
      out.push({ node, endpoint: t.endpoint, iface: t.iface, ifaceLabel, flow, ...j, universe: u });
    }
  }
  return { ok: true, value: out };
};

/**
 * preflight, one node at a time: each node's checks as soon as they are made, so that a caller can report
 * and drop them. A whole cluster's checks do not fit in memory at once (their regions can hold thousands
 * of address ranges: 15–20 MB a node on the bench cluster). Stops after the first error.
 */
export function* preflightByNode(
  cluster: Cluster,
  opts: PreflightOptions,
): Generator<Result<FlowCheck[]>, void, undefined> {
  const nodes = opts.nodes ?? policedNodes(cluster, ...(opts.against === undefined ? [] : [opts.against]));
  for (const [i, node] of nodes.entries()) {
    opts.onNode?.(i, nodes.length, node);
    const r = preflightNode(cluster, node, opts);
    yield r;
    if (!r.ok) return;
  }
  opts.onNode?.(nodes.length, nodes.length);
}

export const preflight = (cluster: Cluster, opts: PreflightOptions): Result<FlowCheck[]> => {
  const out: FlowCheck[] = [];
  for (const r of preflightByNode(cluster, opts)) {
    if (!r.ok) return r;
    for (const c of r.value) out.push(c);
  }
  return { ok: true, value: out };
};
