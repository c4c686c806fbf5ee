// `calisim conformance --containers` in one call: start a container per node, load each node's rendering,
// send the probes, compare kernel and tracer, remove everything.

import type { Cluster } from "../resources/model.js";
import type { CalicoVersion } from "../calc/versions.js";
import { formatCalicoVersion } from "../calc/versions.js";
import { canonicalIp } from "../calc/interfaces.js";
import {
  ContainerCluster,
  type NodeSpec,
  type ProbeOutcome,
  type ProbeSpec,
  type Verdict,
} from "./cluster.js";
import { dockerStatus } from "./docker.js";
import type { ContainerBackend } from "./firewall.js";

export interface ConformanceOptions {
  readonly cluster: Cluster;
  /** Default: every node named by a host endpoint or a probe. */
  readonly nodes?: readonly (NodeSpec | string)[];
  readonly probes: readonly ProbeSpec[];
  readonly calicoVersion?: CalicoVersion | Readonly<Record<string, CalicoVersion>>;
  readonly backend?: ContainerBackend;
  readonly image?: string;
  /** Progress lines (e.g. stderr). */
  readonly log?: (line: string) => void;
}

export interface ConformanceNodeReport {
  readonly node: string;
  readonly container: string;
  readonly addresses: readonly string[];
  readonly calicoVersion: string;
  readonly warnings: readonly string[];
}

export interface ConformanceReport {
  readonly nodes: readonly ConformanceNodeReport[];
  readonly outcomes: readonly ProbeOutcome[];
  /** Every probe conforms: kernel = tracer (= expectation when given), deciding rules counted. */
  readonly ok: boolean;
  readonly ms: number;
}

/** Thrown when Docker or the node image is missing; `message` says how to fix it. */
export class ContainersUnavailableError extends Error {
  constructor(reason: string) {
    super(`container conformance cannot run: ${reason}`);
    this.name = "ContainersUnavailableError";
  }
}

export const runConformanceInContainers = async (opts: ConformanceOptions): Promise<ConformanceReport> => {
  const t0 = Date.now();
  const log = opts.log ?? ((): void => {});
  const status = await dockerStatus(opts.image);
  if (!status.ok) throw new ContainersUnavailableError(status.reason);
  const nodes = opts.nodes ?? [
    ...new Set([
      ...opts.cluster.hostEndpoints.map((e) => e.spec.node),
      ...opts.probes.flatMap((p) => [p.from, p.to]),
    ]),
  ];
  log(`starting ${nodes.length} node container(s) from ${status.image} (Docker ${status.serverVersion})`);
  const cc = await ContainerCluster.start({
    nodes,
    cluster: opts.cluster,
    ...(opts.image === undefined ? {} : { image: opts.image }),
  });
  try {
    const rendered = await cc.apply(opts.cluster, {
      ...(opts.calicoVersion === undefined ? {} : { calicoVersion: opts.calicoVersion }),
      ...(opts.backend === undefined ? {} : { backend: opts.backend }),
    });
    const outcomes: ProbeOutcome[] = [];
    for (const p of opts.probes) {
      const o = await cc.probe(p);
      log(formatOutcome(o));
      outcomes.push(o);
    }
    return {
      nodes: [...cc.nodes.values()].map((n) => {
        const r = rendered.get(n.nodeName)!;
        return {
          node: n.nodeName,
          container: n.containerName,
          addresses: n.addresses,
          calicoVersion: formatCalicoVersion(r.calicoVersion),
          warnings: r.model.warnings.map((w) => w.message),
        };
      }),
      outcomes,
      ok: outcomes.every((o) => o.ok),
      ms: Date.now() - t0,
    };
  } finally {
    await cc.stop();
  }
};

/**
 * Parses a probe written `FROM->TO:PORT`, optionally followed by `/6` (IPv6) and `=accept` or `=drop`
 * (the expected verdict): `node-b->node-a:8080=accept`, `node-c->node-a:8080/6=drop`.
 */
export const parseProbe = (text: string): ProbeSpec | { error: string } => {
  const m = /^([^\s>]+)->([^\s:]+):(\d{1,5})(?:\/(4|6))?(?:=(accept|drop))?$/.exec(text.trim());
  if (m === null)
    return { error: `bad probe ${JSON.stringify(text)}: expected FROM->TO:PORT[/4|/6][=accept|drop]` };
  const dport = Number(m[3]);
  if (dport < 1 || dport > 65535) return { error: `bad probe ${JSON.stringify(text)}: port ${dport}` };
  return {
    from: m[1]!,
    to: m[2]!,
    dport,
    ...(m[4] === undefined ? {} : { ipVersion: Number(m[4]) as 4 | 6 }),
    ...(m[5] === undefined ? {} : { expect: m[5] as Verdict }),
  };
};

/**
 * Parses a node written `NAME` or `NAME=ADDR[,ADDR...]` (addresses for a node whose endpoints lack
 * expectedIPs): `node-b=192.0.2.12,2001:db8::12`.
 */
export const parseNodeSpec = (text: string): NodeSpec | { error: string } => {
  const [name, list] = text.trim().split("=", 2) as [string, string | undefined];
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name))
    return { error: `bad node ${JSON.stringify(text)}: expected NAME or NAME=ADDR[,ADDR...]` };
  if (list === undefined) return { name };
  const addresses = list.split(",").map((a) => a.trim());
  const bad = addresses.find((a) => canonicalIp(a) === undefined);
  if (bad !== undefined)
    return { error: `bad node ${JSON.stringify(text)}: ${JSON.stringify(bad)} is not an IP address` };
  return { name, addresses };
};

/** One line per probe: verdicts, who decided, and problems. */
export const formatOutcome = (o: ProbeOutcome): string => {
  const head = `${o.ok ? "ok  " : "FAIL"} ${o.probe.from} -> ${o.probe.to} ${o.src} -> ${o.dst} tcp/${o.probe.dport}: kernel ${o.kernel}, trace ${o.predicted}${o.probe.expect === undefined ? "" : `, expected ${o.probe.expect}`} (${o.ms} ms)`;
  const decided = o.egress.verdict === "drop" ? o.egress : o.ingress;
  const side = o.egress.verdict === "drop" ? `egress on ${o.probe.from}` : `ingress on ${o.probe.to}`;
  const lines = [head, `     decided by ${decided.decidedBy.kind} (${side}): ${decided.decidedBy.detail}`];
  for (const c of o.counters)
    lines.push(
      `     kernel counter ${c.node} ${c.table} ${c.chain} #${c.ruleIndex}: ${c.kernel?.packets ?? "no rule"} packet(s)`,
    );
  for (const p of o.problems) lines.push(`     problem: ${p}`);
  return lines.join("\n");
};

export const formatConformance = (r: ConformanceReport): string =>
  [
    ...r.nodes.map(
      (n) =>
        `node ${n.node} (container ${n.container}, Calico ${n.calicoVersion}): ${n.addresses.join(", ")}${n.warnings.map((w) => `\n  warning: ${w}`).join("")}`,
    ),
    ...r.outcomes.map(formatOutcome),
    `${r.outcomes.filter((o) => o.ok).length}/${r.outcomes.length} probes conform (${(r.ms / 1000).toFixed(1)} s)`,
  ].join("\n") + "\n";
