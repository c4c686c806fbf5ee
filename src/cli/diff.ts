// `calisim diff`: two sets of resources, what changes on each node — the rules Felix programs (by chain,
// by meaning) and the exact flows whose verdict changes. Exit 0: no flow goes from allow to drop;
// 3: some does; 1: bad input.

import type { Argv } from "yargs";
import { partsByNode } from "../safety/by-node/index.js";
import { diffJsonWriter } from "../safety/diff/format.js";
import { policedNodes } from "../safety/node-flows.js";
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

interface DiffArgs {
  f: string[];
  against: string[];
  node?: string[];
  rules: boolean;
  flows: boolean;
  "calico-version"?: string;
  o: string;
  strict: boolean;
  jobs?: number;
}

export const diffCommand = {
  command: "diff",
  describe:
    "What changes on a node between two sets of resources: rules by chain, and the flows that change verdict",
  builder: (y: Argv) =>
    y
      .option("f", filesOption("the current resources: file or directory (repeatable)"))
      .option("against", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "the proposed resources: file or directory (repeatable)",
      })
      .option("node", {
        type: "string",
        array: true,
        describe: "nodes to compare (default: every node with a host endpoint)",
      })
      .option("rules", { type: "boolean", default: false, describe: "only the rule diff" })
      .option("flows", { type: "boolean", default: false, describe: "only the changed flows" })
      .option("calico-version", {
        type: "string",
        describe: "Calico release to model on both sides (X.Y; default 3.34)",
      })
      .option("o", { alias: "output", choices: ["text", "json"], default: "text" })
      .option("strict", { type: "boolean", default: false, describe: "treat input warnings as errors" })
      .option("jobs", BY_NODE_JOBS)
      .epilog("Exit status: 0 no flow goes from allow to drop, 3 some does, 1 bad input, 2 bad usage.")
      .example(
        "$0 diff -f cluster/ --against proposed/ --node node-1",
        "rules and flows that change on node-1",
      )
      .example("$0 diff -f cluster/ --against proposed/ --flows -o json", "only the changed flows, as JSON"),
  handler: async (argv: DiffArgs) => {
    const jobs = parseJobs(argv.jobs);
    const old = await loadOrFail(argv.f, { strict: argv.strict });
    const neu = await loadOrFail(argv.against, { strict: argv.strict });
    const nodes = argv.node ?? policedNodes(old.cluster, neu.cluster);
    for (const n of argv.node ?? []) {
      try {
        requireNode(old.cluster, n);
      } catch {
        requireNode(neu.cluster, n);
      }
    }
    const calicoVersion = parseVersionOption(argv["calico-version"]);
    // Neither flag: both parts.
    const both = argv.rules === argv.flows;
    // Each node's part is written as soon as it and those before it are compared, and its diff dropped: a
    // whole cluster's would not fit in memory, nor its JSON in one string.
    const json = diffJsonWriter();
    let drops = false;
    const r = await partsByNode(
      {
        kind: "diff",
        rules: both || argv.rules,
        flows: both || argv.flows,
        json: argv.o === "json",
        ...(calicoVersion === undefined ? {} : { calicoVersion }),
      },
      { cluster: old.cluster, against: neu.cluster },
      { files: old.files, against: neu.files },
      nodes,
      {
        ...byNodeRun("diff", jobs),
        onPart: (_, part) => {
          drops ||= part.drops;
          if (argv.o === "json") writePart(json.item(part.out[0]!));
          else writeLines(part.out);
        },
      },
    );
    if (!r.ok) throw new CliError(r.error);
    if (argv.o === "json") writeOut(json.end());
    if (drops) process.exitCode = 3;
  },
};
