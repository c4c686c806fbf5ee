// Options shared by commands that work on one node's rendering (render, inspect, trace).

import type { Argv } from "yargs";
import { resolveNode, type NodeModel } from "../calc/resolve.js";
import { buildRuleset } from "../rules/node-ruleset.js";
import type { IpVersion, Ruleset } from "../rules/ir.js";
import { loadOrFail, parseVersionOption, readInterfaces, requireNode, filesOption } from "./common.js";

export interface NodeArgs {
  f: string[];
  node: string;
  "calico-version"?: string;
  interfaces?: string;
  strict: boolean;
}

export const nodeOptions = <T>(y: Argv<T>) =>
  y
    .option("f", filesOption())
    .option("node", {
      type: "string",
      demandOption: true,
      describe: "the node (HostEndpoint spec.node) to simulate",
    })
    .option("calico-version", {
      type: "string",
      describe: "Calico release whose Felix to model (X.Y; default 3.34)",
    })
    .option("interfaces", { type: "string", describe: 'the node\'s interfaces: JSON from "ip -j addr"' })
    .option("strict", { type: "boolean", default: false, describe: "treat input warnings as errors" });

export interface LoadedNode {
  readonly model: NodeModel;
  readonly ruleset: (v: IpVersion) => Ruleset;
}

export const loadNode = async (
  argv: NodeArgs,
  extraWorkloads: readonly string[] = [],
): Promise<LoadedNode> => {
  const { cluster } = await loadOrFail(argv.f, { strict: argv.strict });
  requireNode(cluster, argv.node);
  const interfaces = await readInterfaces(argv.interfaces);
  const calicoVersion = parseVersionOption(argv["calico-version"]);
  const model = resolveNode(cluster, {
    node: argv.node,
    ...(calicoVersion === undefined ? {} : { calicoVersion }),
    ...(interfaces === undefined ? {} : { interfaces }),
    extraWorkloads,
  });
  for (const note of model.notes) process.stderr.write(`note: ${note}\n`);
  for (const w of model.warnings) process.stderr.write(`warning: ${w.message}\n`);
  const cache = new Map<IpVersion, Ruleset>();
  return {
    model,
    ruleset: (v) => {
      const hit = cache.get(v) ?? buildRuleset(model, { version: v });
      cache.set(v, hit);
      return hit;
    },
  };
};
