// Runs probes on a built topology: one agent per client namespace, each running its probes in parallel
// with a short timeout. Every probe gets its own client source port, chosen here, so the tracer can be
// given the very packet the kernel saw and no two probes of a batch share a conntrack tuple.

import { AGENT_PY } from "./agent-script.js";
import type { Outcome } from "./expect.js";
import type { Probe } from "./matrix.js";
import { inNetns } from "./netns.js";
import { runOrThrow, type Runner } from "./runner.js";
import type { Topology } from "./topology.js";

export interface ProbeRun {
  readonly probe: Probe;
  /** The client's source port (TCP, UDP, SCTP). */
  readonly sport?: number;
  readonly outcome: Outcome;
  readonly ms: number;
}

export interface ProbeOptions {
  /** Seconds to wait for an answer (default 0.6). */
  readonly timeout?: number;
  /** Probes in flight per client namespace (default 96). */
  readonly parallel?: number;
  readonly python?: string;
}

// Clients bind ports from the kernel's default ephemeral range (net.ipv4.ip_local_port_range 32768-60999).
const PORT_LOW = 32768;
const PORT_HIGH = 60999;

/** Source ports for a batch: consecutive from a random start, so repeated batches use fresh tuples. */
export const assignPorts = (probes: readonly Probe[], random = Math.random): (number | undefined)[] => {
  const needed = probes.filter((p) => p.proto !== "icmp").length;
  let next = PORT_LOW + Math.floor(random() * Math.max(1, PORT_HIGH - PORT_LOW - needed));
  return probes.map((p) => (p.proto === "icmp" ? undefined : next++));
};

const namespaceOf = (topo: Topology, from: string): string => {
  if (from === "host") return topo.host;
  const ns = topo.far.get(from);
  if (ns === undefined) throw new Error(`bug: probe from unknown link ${from}`);
  return ns;
};

export const runProbes = async (
  run: Runner,
  topo: Topology,
  probes: readonly Probe[],
  opts: ProbeOptions = {},
): Promise<ProbeRun[]> => {
  const ports = assignPorts(probes);
  const groups = new Map<string, number[]>();
  probes.forEach((p, i) => groups.set(p.from, [...(groups.get(p.from) ?? []), i]));
  const results = new Array<ProbeRun | undefined>(probes.length);
  await Promise.all(
    [...groups].map(async ([from, idx]) => {
      const request = {
        timeout: opts.timeout ?? 0.6,
        parallel: opts.parallel ?? 96,
        probes: idx.map((i) => {
          const p = probes[i]!;
          return {
            id: i,
            proto: p.proto,
            src: p.src,
            dst: p.dst,
            ...(p.dport === undefined ? {} : { dport: p.dport }),
            ...(ports[i] === undefined ? {} : { sport: ports[i] }),
          };
        }),
      };
      const ns = namespaceOf(topo, from);
      const [f, a] = inNetns(ns, opts.python ?? "python3", ["-c", AGENT_PY, "probe"]);
      const r = await runOrThrow(run, f, a, { input: JSON.stringify(request), what: `probe agent in ${ns}` });
      for (const line of r.stdout.split("\n")) {
        if (line.trim() === "") continue;
        const o = JSON.parse(line) as { id: number; outcome: Outcome; ms: number };
        const sport = ports[o.id];
        results[o.id] = {
          probe: probes[o.id]!,
          ...(sport === undefined ? {} : { sport }),
          outcome: o.outcome,
          ms: o.ms,
        };
      }
    }),
  );
  return results.map((r, i) => r ?? { probe: probes[i]!, outcome: "error: the agent gave no result", ms: 0 });
};
