// `calisim conformance --containers`: the conformance check with one Docker container per Calico node,
// so probes really cross between nodes. src/containers loads testcontainers, a development
// dependency, so it is imported only when asked for.

import type { Cluster } from "../resources/model.js";
import type { CalicoVersion } from "../calc/versions.js";
import { CliError, writeOut } from "./common.js";

export interface ContainerConformanceArgs {
  readonly cluster: Cluster;
  readonly probes: readonly string[];
  readonly nodes: readonly string[];
  readonly calicoVersion?: CalicoVersion;
  readonly backend: string;
  readonly output: "text" | "json";
}

export const runContainerConformance = async (a: ContainerConformanceArgs): Promise<void> => {
  const c = await import("../containers/index.js");
  if (a.probes.length === 0)
    throw new CliError("--containers needs at least one --probe FROM->TO:PORT[/4|/6][=accept|drop]", 2);
  const probes = a.probes.map((p) => {
    const parsed = c.parseProbe(p);
    if ("error" in parsed) throw new CliError(`--probe: ${parsed.error}`, 2);
    return parsed;
  });
  const nodes = a.nodes.map((n) => {
    const parsed = c.parseNodeSpec(n);
    if ("error" in parsed) throw new CliError(`--container-node: ${parsed.error}`, 2);
    return parsed;
  });
  if (a.backend !== "iptables-nft" && a.backend !== "iptables-legacy")
    throw new CliError(
      `--containers supports --backend iptables-nft or iptables-legacy (got ${a.backend})`,
      2,
    );
  let report;
  try {
    report = await c.runConformanceInContainers({
      cluster: a.cluster,
      probes,
      ...(nodes.length === 0 ? {} : { nodes }),
      ...(a.calicoVersion === undefined ? {} : { calicoVersion: a.calicoVersion }),
      backend: a.backend,
      log: (line: string) => process.stderr.write(`${line}\n`),
    });
  } catch (e) {
    if (e instanceof c.ContainersUnavailableError) throw new CliError(e.message, 2);
    throw e;
  }
  if (a.output === "json")
    writeOut(
      JSON.stringify(
        {
          results: report.outcomes.map((o) => ({
            backend: a.backend,
            probe: `${o.probe.from}->${o.probe.to}:${o.probe.dport}`,
            expected: o.predicted,
            observed: o.kernel,
            problems: o.problems,
          })),
          mismatches: report.outcomes.filter((o) => !o.ok).length,
        },
        null,
        2,
      ),
    );
  else writeOut(c.formatConformance(report));
  if (!report.ok) process.exitCode = 1;
};
