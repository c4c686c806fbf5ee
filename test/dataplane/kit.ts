// Shared helpers for the kernel tests: open a lab for a cluster, find probes in its matrix, and check
// the kernel against both the tracer and a case's stated expectation.

import type { ExecutionContext } from "ava";
import { BACKENDS, type Backend } from "../../src/dataplane/apply.js";
import { prepareConformance, type Prepared } from "../../src/dataplane/conformance.js";
import { expectProbes, observedVerdict, type Expectation } from "../../src/dataplane/expect.js";
import { openLab, type Lab } from "../../src/dataplane/lab.js";
import { deriveMatrix, type Probe, type ProbeKind, type ProbeProto } from "../../src/dataplane/matrix.js";
import { listenPorts } from "../../src/dataplane/ports.js";
import type { ProbeRun } from "../../src/dataplane/probe.js";
import { execaRunner } from "../../src/dataplane/runner.js";
import { execaSpawner } from "../../src/dataplane/spawner.js";
import { BACKEND_TOOLS, COMMON_TOOLS, findPython } from "../../src/dataplane/tools.js";
import type { Cluster } from "../../src/resources/model.js";
import type { Ruleset } from "../../src/rules/ir.js";
import { requireRoot } from "../helpers/netns.js";

export const labDeps = () => ({ run: execaRunner, spawn: execaSpawner, python: findPython() });

/** Backends to test: all three (nft mode needs the `nft` binary, which requireRoot checks). */
export const TEST_BACKENDS: readonly Backend[] = BACKENDS;

export const KERNEL_TOOLS = [
  ...COMMON_TOOLS,
  ...BACKENDS.flatMap((b) => BACKEND_TOOLS[b]),
  "python3",
  "iptables-legacy-restore",
];

/** Root, tools and namespaces available (a failure in CI, a logged skip elsewhere). */
export const kernelReady = (t: ExecutionContext): Promise<boolean> => requireRoot(t, KERNEL_TOOLS);

export interface OpenedLab {
  readonly lab: Lab;
  readonly prepared: Prepared;
  readonly matrix: readonly Probe[];
}

export const openLabFor = async (cluster: Cluster, node = "node-1"): Promise<OpenedLab> => {
  const prepared = prepareConformance(cluster, { node });
  const listen = listenPorts(prepared.ports, [prepared.nodePortTarget.tcp]);
  const lab = await openLab(labDeps(), prepared.plan, { listen, nodePortTarget: prepared.nodePortTarget });
  const matrix = deriveMatrix(prepared.plan, {
    ports: prepared.ports,
    sctp: lab.sctp,
    nodePortTarget: prepared.nodePortTarget,
  });
  return { lab, prepared, matrix };
};

export interface ProbeSpec {
  readonly kind: ProbeKind;
  readonly proto: ProbeProto;
  readonly dport?: number;
  /** The host interface the request arrives on (in, forward, nodeport…) or leaves by (out). */
  readonly via?: string;
  readonly out?: string;
  readonly src?: string;
  readonly dst?: string;
  readonly v6?: boolean;
}

export const findProbe = (matrix: readonly Probe[], spec: ProbeSpec): Probe => {
  const hit = matrix.find(
    (p) =>
      p.kind === spec.kind &&
      p.proto === spec.proto &&
      (spec.dport === undefined || p.dport === spec.dport) &&
      (spec.via === undefined || (p.kind === "out" ? p.out : p.in) === spec.via) &&
      (spec.out === undefined || p.out === spec.out) &&
      (spec.src === undefined || p.src === spec.src) &&
      (spec.dst === undefined || p.dst === spec.dst) &&
      (spec.v6 === undefined || p.src.includes(":") === spec.v6),
  );
  if (hit === undefined) throw new Error(`no probe in the matrix matches ${JSON.stringify(spec)}`);
  return hit;
};

export interface Checked {
  readonly run: ProbeRun;
  readonly expected: Expectation;
  readonly consistent: boolean;
}

/**
 * Runs probes and compares each with the tracer's expectation. A probe that timed out where the tracer
 * expects an answer is tried once more alone with a long timeout (a loaded machine answers late).
 */
export const probeAndTrace = async (
  lab: Lab,
  rulesets: readonly Ruleset[],
  probes: readonly Probe[],
): Promise<Checked[]> => {
  const runs = await lab.probe(probes);
  const first = expectProbes(rulesets, runs);
  const out: Checked[] = [];
  for (const [i, run] of runs.entries()) {
    const e = first[i]!;
    if (e.outcomes.includes(run.outcome) || run.outcome !== "timeout") {
      out.push({ run, expected: e, consistent: e.outcomes.includes(run.outcome) });
      continue;
    }
    const [again] = await lab.probe([run.probe], { timeout: 3 });
    const e2 = expectProbes(rulesets, [again!])[0]!;
    out.push({ run: again!, expected: e2, consistent: e2.outcomes.includes(again!.outcome) });
  }
  return out;
};

export const describeCheck = (backend: Backend, c: Checked): string =>
  `${backend}: ${c.run.probe.id}${c.run.sport === undefined ? "" : ` sport ${c.run.sport}`}: tracer ${c.expected.verdict} (${c.expected.request.decidedBy.detail}${c.expected.reply === undefined ? "" : `; answer: ${c.expected.reply.decidedBy.detail}`}), kernel ${observedVerdict(c.run.probe, c.run.outcome)} (${c.run.outcome})`;
