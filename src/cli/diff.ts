// `calisim diff`: two sets of resources, what changes on each node — the rules Felix programs (by chain,
// by meaning) and the exact flows whose verdict changes. Exit 0: no flow goes from allow to drop;
// 3: some does; 1: bad input.

import type { Argv } from "yargs";
import { diffDrops, diffNode } from "../safety/diff/index.js";
import { diffJsonWriter, diffNodeLines } from "../safety/diff/format.js";
import { policedNodes } from "../safety/node-flows.js";
import {
  CliError,
  loadOrFail,
  parseVersionOption,
  requireNode,
  writeLines,
  writeOut,
  writePart,
  filesOption,
} from "./common.js";
import { nodeProgress } from "./progress.js";

interface DiffArgs {
  f: string[];
  against: string[];
  node?: string[];
  rules: boolean;
  flows: boolean;
  "calico-version"?: string;
  o: string;
  strict: boolean;
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
      .epilog("Exit status: 0 no flow goes from allow to drop, 3 some does, 1 bad input, 2 bad usage.")
      .example(
        "$0 diff -f cluster/ --against proposed/ --node node-1",
        "rules and flows that change on node-1",
      )
      .example("$0 diff -f cluster/ --against proposed/ --flows -o json", "only the changed flows, as JSON"),
  handler: async (argv: DiffArgs) => {
    const old = (await loadOrFail(argv.f, { strict: argv.strict })).cluster;
    const neu = (await loadOrFail(argv.against, { strict: argv.strict })).cluster;
    const nodes = argv.node ?? policedNodes(old, neu);
    for (const n of argv.node ?? []) {
      try {
        requireNode(old, n);
      } catch {
        requireNode(neu, n);
      }
    }
    const calicoVersion = parseVersionOption(argv["calico-version"]);
    const side = (cluster: typeof old) => ({
      cluster,
      ...(calicoVersion === undefined ? {} : { calicoVersion }),
    });
    // Neither flag: both parts.
    const both = argv.rules === argv.flows;
    // Each node's part is written as soon as it is compared, and its diff dropped: a whole cluster's would
    // not fit in memory, nor its JSON in one string.
    const json = diffJsonWriter();
    let drops = false;
    const progress = nodeProgress("diff");
    for (const [i, node] of nodes.entries()) {
      progress?.onNode(i, nodes.length, node);
      const d = diffNode(node, side(old), side(neu), {
        rules: both || argv.rules,
        flows: both || argv.flows,
        ...(progress === undefined ? {} : { onTrace: progress.onTrace }),
      });
      if (!d.ok) throw new CliError(d.error);
      drops ||= diffDrops(d.value);
      if (argv.o === "json") writePart(json.next(d.value));
      else writeLines(diffNodeLines(d.value));
    }
    progress?.onNode(nodes.length, nodes.length);
    if (argv.o === "json") writeOut(json.end());
    if (drops) process.exitCode = 3;
  },
};
