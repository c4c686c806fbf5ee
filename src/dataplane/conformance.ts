// Kernel-verified conformance: build a node from its resources in throwaway namespaces, load calisim's
// rendering with each backend, run the probe matrix, and set what the kernel did beside what the tracer
// predicts for the same packets through the same rulesets. Mismatches are probed again alone with rule
// counters, so the report shows which kernel rules the packet really hit.
//
//   const prepared = prepareConformance(cluster, { node: "node-1" });
//   const report = await runConformance(deps, prepared, { backends: ["iptables-nft"] });

import { resolveNode, type NodeModel } from "../calc/resolve.js";
import type { CalicoVersion } from "../calc/versions.js";
import type { Cluster } from "../resources/model.js";
import type { Ruleset } from "../rules/ir.js";
import { buildRuleset } from "../rules/node-ruleset.js";
import type { Backend } from "./apply.js";
import type { MovedRule } from "./counters.js";
import { expectProbes, type Expectation, type Outcome } from "./expect.js";
import { openLab, type LabDeps } from "./lab.js";
import { deriveMatrix, type Probe } from "./matrix.js";
import { planInterfaces, planTopology, type TopologyPlan } from "./plan.js";
import { listenPorts, probePorts, type ProbePorts } from "./ports.js";

export interface Prepared {
  readonly plan: TopologyPlan;
  readonly model: NodeModel;
  readonly rulesets: readonly Ruleset[];
  readonly ports: ProbePorts;
  readonly nodePortTarget: Readonly<Record<"tcp" | "udp", number>>;
}

export interface PrepareOptions {
  readonly node: string;
  readonly calicoVersion?: CalicoVersion;
}

/** Everything that does not need the kernel: the plan, the node model built on it, rulesets, ports. */
export const prepareConformance = (cluster: Cluster, opts: PrepareOptions): Prepared => {
  const ports = probePorts(cluster, opts.node);
  const used = [...ports.rule.tcp, ...ports.rule.udp, ...ports.failsafe.tcp, ...ports.failsafe.udp];
  const plan = planTopology(cluster, { node: opts.node, avoidPorts: used });
  const model = resolveNode(cluster, {
    node: opts.node,
    interfaces: planInterfaces(plan),
    ...(opts.calicoVersion === undefined ? {} : { calicoVersion: opts.calicoVersion }),
  });
  const first = (k: "tcp" | "udp"): number => [...ports.rule[k], ...ports.failsafe[k]][0] ?? 8080;
  return {
    plan,
    model,
    rulesets: [buildRuleset(model, { version: 4 }), buildRuleset(model, { version: 6 })],
    ports,
    nodePortTarget: { tcp: first("tcp"), udp: first("udp") },
  };
};

export interface ConformanceResult {
  readonly backend: Backend;
  readonly probe: Probe;
  readonly sport?: number;
  readonly expected: Expectation;
  readonly outcome: Outcome;
  readonly ok: boolean;
  /** For mismatches: the same probe again, alone, with the kernel rules it hit. */
  readonly recheck?: { readonly outcome: Outcome; readonly moved: readonly MovedRule[] };
}

export interface ConformanceOptions {
  readonly backends: readonly Backend[];
  /** Seconds a probe waits for an answer (default 0.6). */
  readonly timeout?: number;
  /** Probes per batch (default 240): the unit of progress. */
  readonly chunk?: number;
  /** Recheck at most this many mismatches per backend with counters (default 25). */
  readonly recheck?: number;
  readonly progress?: (done: number, total: number, what: string) => void;
}

export interface ConformanceReport {
  readonly results: readonly ConformanceResult[];
  readonly mismatches: number;
  /** Backends whose rules could not be loaded (counted as failures). */
  readonly errors: readonly { readonly backend: Backend; readonly message: string }[];
  readonly sctp: boolean;
  readonly notes: readonly string[];
}

export const runConformance = async (
  deps: LabDeps,
  prepared: Prepared,
  opts: ConformanceOptions,
): Promise<ConformanceReport> => {
  const { plan, ports, rulesets } = prepared;
  const listen = listenPorts(ports, [prepared.nodePortTarget.tcp]);
  const lab = await openLab(deps, plan, { listen, nodePortTarget: prepared.nodePortTarget });
  const results: ConformanceResult[] = [];
  const errors: { backend: Backend; message: string }[] = [];
  try {
    const matrix = deriveMatrix(plan, { ports, sctp: lab.sctp, nodePortTarget: prepared.nodePortTarget });
    const chunk = opts.chunk ?? 240;
    const total = matrix.length * opts.backends.length;
    let done = 0;
    for (const backend of opts.backends) {
      opts.progress?.(done, total, `${backend}: loading`);
      try {
        await lab.load(backend, rulesets);
      } catch (e) {
        errors.push({ backend, message: (e as Error).message });
        done += matrix.length;
        continue;
      }
      const mine: ConformanceResult[] = [];
      for (let i = 0; i < matrix.length; i += chunk) {
        const runs = await lab.probe(matrix.slice(i, i + chunk), {
          ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
        });
        const expected = expectProbes(rulesets, runs);
        runs.forEach((r, k) => {
          const e = expected[k]!;
          mine.push({ backend, ...r, expected: e, ok: e.outcomes.includes(r.outcome) });
        });
        done += runs.length;
        opts.progress?.(done, total, backend);
      }
      // Mismatches are probed again alone, with counters and a longer timeout. An answer that only came
      // late (a loaded machine) counts when the recheck agrees with the tracer; nothing else is forgiven.
      let budget = opts.recheck ?? 25;
      for (const [k, r] of mine.entries()) {
        if (r.ok || budget-- <= 0) continue;
        const again = await lab.probeCounted(r.probe, { timeout: Math.max(3, 4 * (opts.timeout ?? 0.6)) });
        const late = r.outcome === "timeout" && r.expected.outcomes.includes(again.outcome);
        mine[k] = { ...r, ok: late, recheck: { outcome: again.outcome, moved: again.moved } };
      }
      results.push(...mine);
    }
  } finally {
    await lab.close();
  }
  return {
    results,
    mismatches: results.filter((r) => !r.ok).length,
    errors,
    sctp: lab.sctp,
    notes: [
      ...plan.notes,
      ...(lab.sctp || listen.sctp.length === 0 ? [] : ["the kernel has no SCTP: SCTP probes were skipped"]),
    ],
  };
};
