// `calisim preflight`: are the flows a node cannot live without still open through every host endpoint —
// today, or (with --against) after a proposed change? Exit 0: all pass; 3: a critical flow is dropped
// (or cut off by the change); 1: bad input.

import { readFile } from "node:fs/promises";
import type { Argv } from "yargs";
import { partsByNode } from "../safety/by-node/index.js";
import { policedNodes } from "../safety/node-flows.js";
import { BUILTIN_CRITICAL, parseCriticalFile, type CriticalFlow } from "../safety/preflight/critical.js";
import {
  preflightJsonWriter,
  preflightSummaryLines,
  type PreflightTally,
} from "../safety/preflight/format.js";
import {
  CliError,
  loadOrFail,
  parseJobs,
  parseVersionOption,
  requireNode,
  writeLines,
  writeOut,
  writePart,
  filesOption,
} from "./common.js";
import { BY_NODE_JOBS, byNodeRun } from "./by-node-run.js";

interface PreflightArgs {
  f: string[];
  against?: string[];
  node?: string[];
  critical?: string;
  builtin: boolean;
  "calico-version"?: string;
  o: string;
  verbose: boolean;
  strict: boolean;
  jobs?: number;
}

const userFlows = async (file: string | undefined): Promise<CriticalFlow[]> => {
  if (file === undefined) return [];
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new CliError(`--critical ${file}: cannot read: ${(e as Error).message}`);
  }
  const r = parseCriticalFile(file, text);
  if (!r.ok) throw new CliError(r.error);
  return r.value;
};

export const preflightCommand = {
  command: "preflight",
  describe:
    "Check that critical flows (SSH, API server, kubelet, BGP, DNS, ...) stay open through every host endpoint",
  builder: (y: Argv) =>
    y
      .option("f", filesOption())
      .option("against", {
        type: "string",
        array: true,
        describe: "proposed resources: fail when the change cuts a flow off",
      })
      .option("node", {
        type: "string",
        array: true,
        describe: "nodes to check (default: every node with a host endpoint)",
      })
      .option("critical", {
        type: "string",
        describe: "YAML list of extra flows: {name, direction: ingress|egress, protocol, port, peer?}",
      })
      .option("builtin", {
        type: "boolean",
        default: true,
        describe: "check the built-in critical flows (--no-builtin: only --critical)",
      })
      .option("calico-version", { type: "string", describe: "Calico release to model (X.Y; default 3.34)" })
      .option("o", { alias: "output", choices: ["text", "json"], default: "text" })
      .option("verbose", { type: "boolean", default: false, describe: "also list the flows that pass" })
      .option("strict", { type: "boolean", default: false, describe: "treat input warnings as errors" })
      .option("jobs", BY_NODE_JOBS)
      .epilog(
        "Exit status: 0 every critical flow passes, 3 one is dropped (or cut off by the change), 1 bad input, 2 bad usage.",
      )
      .example(
        "$0 preflight -f cluster/",
        "are SSH, the API server, kubelet, BGP, DNS... open on every node?",
      )
      .example("$0 preflight -f cluster/ --against proposed/", "would the proposed change cut one off?")
      .example("$0 preflight -f cluster/ --critical flows.yaml", "add your own flows"),
  handler: async (argv: PreflightArgs) => {
    const jobs = parseJobs(argv.jobs);
    const flows = [...(argv.builtin ? BUILTIN_CRITICAL : []), ...(await userFlows(argv.critical))];
    if (flows.length === 0) throw new CliError("no flows to check: --no-builtin needs --critical FILE", 2);
    const { cluster, files } = await loadOrFail(argv.f, { strict: argv.strict });
    const proposed =
      argv.against === undefined ? undefined : await loadOrFail(argv.against, { strict: argv.strict });
    const against = proposed?.cluster;
    for (const n of argv.node ?? []) requireNode(cluster, n);
    const calicoVersion = parseVersionOption(argv["calico-version"]);
    const nodes = argv.node ?? policedNodes(cluster, ...(against === undefined ? [] : [against]));
    // Each node's part is written as soon as it and those before it are checked, and its checks dropped: a
    // whole cluster's would not fit in memory, nor its JSON in one string.
    const json = preflightJsonWriter();
    let tally: PreflightTally = { checks: 0, failed: 0 };
    const r = await partsByNode(
      {
        kind: "preflight",
        flows,
        verbose: argv.verbose,
        json: argv.o === "json",
        ...(calicoVersion === undefined ? {} : { calicoVersion }),
      },
      { cluster, ...(against === undefined ? {} : { against }) },
      { files, ...(proposed === undefined ? {} : { against: proposed.files }) },
      nodes,
      {
        ...byNodeRun("preflight", jobs),
        onPart: (_, part) => {
          tally = { checks: tally.checks + part.checks, failed: tally.failed + part.failed };
          if (argv.o === "json") writePart(json.items(part.out, part.failed === 0));
          else writeLines(part.out);
        },
      },
    );
    if (!r.ok) throw new CliError(r.error);
    if (argv.o === "json") writeOut(json.end());
    else writeLines(preflightSummaryLines(tally));
    if (tally.failed > 0) process.exitCode = 3;
  },
};
