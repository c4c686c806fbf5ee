// Writes a seeded, realistic cluster as Calico YAML: `npx tsx scripts/gen-cluster.ts --out DIR`.
//
//   --out DIR          directory to write (created; existing files of the same names are replaced)
//   --seed S           seed (number or string; default 1): same seed and sizes, same files
//   --nodes N          nodes (3 host endpoints each: eth0, eth1, `*`)      default 5000 (--quick: 100)
//   --policies N       global network policies                              default 2000 (--quick: 200)
//   --profiles N       profiles                                             default 200  (--quick: 20)
//   --network-sets N   global network sets                                  default policies / 50
//   --gateways N       gateway nodes (the largest rulesets)                 default 2
//   --quick            the small cluster `npm run bench -- --quick` uses
//   --validate         load the written files with loadCluster and report issues (exit 1 on errors)
//
// Library: src/gen (generateCluster, writeCluster, generateClusterModel).

import { parseArgs } from "node:util";
import { FULL_SCALE, generateCluster, QUICK_SCALE, writeCluster, type GenOptions } from "../src/gen/index.js";
import { loadCluster } from "../src/resources/load.js";
import { formatIssue } from "../src/util/issue.js";

const { values: args } = parseArgs({
  options: {
    out: { type: "string" },
    seed: { type: "string" },
    nodes: { type: "string" },
    policies: { type: "string" },
    profiles: { type: "string" },
    "network-sets": { type: "string" },
    gateways: { type: "string" },
    quick: { type: "boolean", default: false },
    validate: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const usage =
  "usage: tsx scripts/gen-cluster.ts --out DIR [--seed S] [--nodes N] [--policies N] [--profiles N] [--network-sets N] [--gateways N] [--quick] [--validate]";

const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`--${name} must be a non-negative integer, not ${JSON.stringify(v)}`);
  return n;
};

const main = async (): Promise<number> => {
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (args.out === undefined) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const base = args.quick ? QUICK_SCALE : FULL_SCALE;
  const seed = args.seed === undefined ? base.seed : /^\d+$/.test(args.seed) ? Number(args.seed) : args.seed;
  const nodes = int("nodes", args.nodes);
  const policies = int("policies", args.policies);
  const profiles = int("profiles", args.profiles);
  const networkSets = int("network-sets", args["network-sets"]);
  const gateways = int("gateways", args.gateways);
  const opts: GenOptions = {
    ...base,
    ...(seed === undefined ? {} : { seed }),
    ...(nodes === undefined ? {} : { nodes }),
    ...(policies === undefined ? {} : { policies }),
    ...(profiles === undefined ? {} : { profiles }),
    ...(networkSets === undefined ? {} : { networkSets }),
    ...(gateways === undefined ? {} : { gatewayNodes: gateways }),
  };
  const gen = generateCluster(opts);
  const files = await writeCluster(gen, args.out);
  const c = gen.counts;
  process.stdout.write(
    `wrote ${files.length} files to ${args.out}: ${c.nodes} nodes, ${c.hostEndpoints} host endpoints, ${c.policies} policies, ${c.profiles} profiles, ${c.tiers} tiers, ${c.networkSets} network sets (seed ${String(gen.options.seed)}; gateway nodes ${gen.gatewayNodes.join(", ")})\n`,
  );
  if (args.validate) {
    const { issues } = await loadCluster([args.out]);
    for (const i of issues) process.stderr.write(`${formatIssue(i)}\n`);
    const errors = issues.filter((i) => i.severity === "error").length;
    process.stdout.write(`validated: ${errors} errors, ${issues.length - errors} warnings\n`);
    return errors > 0 ? 1 : 0;
  }
  return 0;
};

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
