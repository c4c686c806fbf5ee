// `calisim conformance`: build the node in throwaway namespaces, load calisim's rendering with each backend,
// probe every endpoint in every direction, and compare the kernel with the tracer. Exit 1 on any mismatch.

import type { Argv } from "yargs";
import { BACKENDS, type Backend } from "../dataplane/apply.js";
import { prepareConformance, runConformance } from "../dataplane/conformance.js";
import { reportJson, reportText } from "../dataplane/report.js";
import { execaRunner } from "../dataplane/runner.js";
import { findPython, hasTool, missingTools } from "../dataplane/tools.js";
import { CliError, loadOrFail, parseVersionOption, requireNode, writeOut, filesOption } from "./common.js";
import { runContainerConformance } from "./conformance-containers.js";
import { ttyProgress } from "./progress.js";

interface ConformanceArgs {
  f: string[];
  node: string;
  "calico-version"?: string;
  backend: Backend | "all";
  o: "text" | "json";
  timeout: number;
  all: boolean;
  strict: boolean;
  containers: boolean;
  probe: string[];
  "container-node": string[];
}

/** `all`: every backend whose tools are installed (nft mode only where `nft` exists). */
const pickBackends = (choice: Backend | "all"): { backends: Backend[]; skipped: string[] } => {
  if (choice !== "all") {
    const missing = missingTools([choice]);
    if (missing.length > 0)
      throw new CliError(
        `--backend ${choice} needs ${missing.join(", ")} (scripts/setup-system.sh installs them)`,
      );
    return { backends: [choice], skipped: [] };
  }
  const backends = BACKENDS.filter((b) => missingTools([b]).length === 0);
  const skipped = BACKENDS.filter((b) => !backends.includes(b)).map(
    (b) => `${b} (missing ${missingTools([b]).join(", ")})`,
  );
  if (backends.length === 0) throw new CliError(`no backend can run here: ${skipped.join("; ")}`);
  return { backends, skipped };
};

export const conformanceCommand = {
  command: "conformance",
  describe: "Check calisim against the kernel: build the node in namespaces, probe it, compare with trace",
  builder: (y: Argv) =>
    y
      .option("f", filesOption())
      .option("node", { type: "string", describe: "the node to build and probe (namespaces)" })
      .option("containers", {
        type: "boolean",
        default: false,
        describe: "run in Docker containers, one per Calico node, with --probe FROM->TO:PORT",
      })
      .option("probe", {
        type: "string",
        array: true,
        default: [],
        describe: "with --containers: FROM->TO:PORT[/4|/6][=accept|drop] (repeatable)",
      })
      .option("container-node", {
        type: "string",
        array: true,
        default: [],
        describe: "with --containers: NAME[=ADDR,...] nodes to start (default: every node named)",
      })
      .check((a) => {
        if (a.containers !== true && a.node === undefined)
          throw new Error("--node is required (or --containers)");
        return true;
      })
      .option("calico-version", { type: "string", describe: "Calico release to model (X.Y; default 3.34)" })
      .option("backend", {
        choices: ["all", ...BACKENDS],
        default: "all",
        describe: "load with this backend (all: every one installed)",
      })
      .option("o", { alias: "output", choices: ["text", "json"], default: "text" })
      .option("timeout", { type: "number", default: 0.6, describe: "seconds a probe waits for an answer" })
      .option("all", { type: "boolean", default: false, describe: "list every probe, not only mismatches" })
      .option("strict", { type: "boolean", default: false, describe: "treat input warnings as errors" })
      .example("$0 conformance -f fixtures/example-cluster --node node-1", "every backend, text report")
      .example("$0 conformance -f resources/ --node n1 --backend nft -o json", "nftables only, JSON")
      .example(
        "$0 conformance --containers -f test/containers/fixtures/expected-ips --probe 'node-b->node-a:8080=accept' --backend iptables-nft",
        "two nodes in containers, real traffic between them",
      ),
  handler: async (argv: ConformanceArgs) => {
    if (argv.containers) {
      const { cluster } = await loadOrFail(argv.f, { strict: argv.strict });
      const calicoVersion = parseVersionOption(argv["calico-version"]);
      await runContainerConformance({
        cluster,
        probes: argv.probe,
        nodes: argv["container-node"],
        ...(calicoVersion === undefined ? {} : { calicoVersion }),
        backend: argv.backend === "all" ? "iptables-nft" : argv.backend,
        output: argv.o,
      });
      return;
    }
    if (process.getuid?.() !== 0) throw new CliError("conformance needs root: it creates network namespaces");
    const { cluster } = await loadOrFail(argv.f, { strict: argv.strict });
    requireNode(cluster, argv.node);
    const calicoVersion = parseVersionOption(argv["calico-version"]);
    const { backends, skipped } = pickBackends(argv.backend);
    const missing = [
      ...missingTools([]),
      ...(findPython() === "python3" && !hasTool("python3") ? ["python3"] : []),
    ];
    if (missing.length > 0)
      throw new CliError(`conformance needs ${missing.join(", ")} (scripts/setup-system.sh installs them)`);
    const prepared = prepareConformance(cluster, {
      node: argv.node,
      ...(calicoVersion === undefined ? {} : { calicoVersion }),
    });
    for (const w of prepared.model.warnings) process.stderr.write(`warning: ${w.message}\n`);
    for (const s of skipped) process.stderr.write(`note: backend ${s} skipped\n`);
    const tick = ttyProgress("conformance", "probes");
    const { execaSpawner } = await import("../dataplane/spawner.js");
    const report = await runConformance(
      { run: execaRunner, spawn: execaSpawner, python: findPython() },
      prepared,
      { backends, timeout: argv.timeout, ...(tick === undefined ? {} : { progress: tick }) },
    );
    writeOut(argv.o === "json" ? reportJson(report) : reportText(report, { all: argv.all }));
    if (report.mismatches > 0 || report.errors.length > 0) process.exitCode = 1;
  },
};
