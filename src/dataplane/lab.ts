// A lab: a built topology with listeners, into which rulesets are loaded one backend at a time and
// probed. Loading first empties the host namespace (reset.ts), then applies the rulesets (apply.ts) and
// the NodePort DNAT (nodeport.ts); probing runs batches (probe.ts), optionally one probe at a time with
// rule counters read around it (counters.ts).

import { renderNft } from "../render/nftables/index.js";
import type { Ruleset } from "../rules/ir.js";
import { applyRulesets, type Backend } from "./apply.js";
import { movedRules, originsById, readCounters, type MovedRule } from "./counters.js";
import type { Probe } from "./matrix.js";
import { installNodePort } from "./nodeport.js";
import type { TopologyPlan } from "./plan.js";
import { runProbes, type ProbeOptions, type ProbeRun } from "./probe.js";
import { resetFirewall } from "./reset.js";
import type { Runner, Spawner } from "./runner.js";
import { buildTopology, kernelHasSctp, startListeners, type ListenPorts, type Topology } from "./topology.js";

export interface LabDeps {
  readonly run: Runner;
  readonly spawn: Spawner;
  readonly python: string;
}

export interface Lab {
  readonly topology: Topology;
  readonly sctp: boolean;
  /** Empties the host namespace and loads the rulesets (and the NodePort DNAT) with `backend`. */
  load(backend: Backend, rulesets: readonly Ruleset[]): Promise<void>;
  probe(probes: readonly Probe[], opts?: ProbeOptions): Promise<ProbeRun[]>;
  /** One probe alone, with the kernel rules whose counters it moved. */
  probeCounted(probe: Probe, opts?: ProbeOptions): Promise<ProbeRun & { readonly moved: MovedRule[] }>;
  close(): Promise<void>;
}

export interface LabOptions {
  /** Ports listeners answer on (SCTP ones are dropped when the kernel has no SCTP). */
  readonly listen: ListenPorts;
  readonly nodePortTarget: Readonly<Record<"tcp" | "udp", number>>;
}

export const openLab = async (deps: LabDeps, plan: TopologyPlan, opts: LabOptions): Promise<Lab> => {
  const topology = await buildTopology(deps, plan);
  let loaded: { backend: Backend; rulesets: readonly Ruleset[] } | undefined;
  let sctp: boolean;
  try {
    sctp = await kernelHasSctp(deps, topology.host);
    await startListeners(deps, topology, { ...opts.listen, sctp: sctp ? opts.listen.sctp : [] });
  } catch (e) {
    await topology.teardown();
    throw e;
  }
  const { run } = deps;
  const probeOpts = (o: ProbeOptions = {}): ProbeOptions => ({ python: deps.python, ...o });
  return {
    topology,
    sctp,
    load: async (backend, rulesets) => {
      loaded = undefined;
      await resetFirewall(run, topology.host);
      await applyRulesets(run, { netns: topology.host, backend, rulesets, renderNft: (rs) => renderNft(rs) });
      await installNodePort(run, topology.host, backend, plan, opts.nodePortTarget);
      loaded = { backend, rulesets };
    },
    probe: (probes, o) => runProbes(run, topology, probes, probeOpts(o)),
    probeCounted: async (probe, o) => {
      if (loaded === undefined) throw new Error("bug: probeCounted before load");
      const before = await readCounters(run, topology.host, loaded.backend);
      const [r] = await runProbes(run, topology, [probe], probeOpts(o));
      const after = await readCounters(run, topology.host, loaded.backend);
      return { ...r!, moved: movedRules(before, after, originsById(loaded.rulesets, loaded.backend)) };
    },
    close: () => topology.teardown(),
  };
};
