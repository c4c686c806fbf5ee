// `calisim validate`: load and check resources; exit 1 on errors (warnings too with --strict).

import type { Argv } from "yargs";
import { loadOrFail, filesOption } from "./common.js";

export const validateCommand = {
  command: "validate",
  describe: "Check Calico resources the way Calico does, reporting every problem with file:line:col",
  builder: (y: Argv) =>
    y
      .option("f", filesOption())
      .option("strict", { type: "boolean", default: false, describe: "treat warnings as errors" })
      .example("$0 validate -f fixtures/example-cluster", "check the example cluster")
      .example("$0 validate -f policies.yaml -f hosts/ --strict", "fail on warnings too"),
  handler: async (argv: { f: string[]; strict: boolean }) => {
    const { cluster, issues } = await loadOrFail(argv.f, { strict: argv.strict });
    const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
    process.stderr.write(
      `ok: ${count(cluster.hostEndpoints.length, "host endpoint")}, ${count(cluster.policies.length, "policy", "policies")}, ${count(cluster.profiles.length, "profile")}, ${count(cluster.tiers.length, "tier")}, ${count(cluster.networkSets.length, "network set")}; ${count(issues.length, "warning")}\n`,
    );
  },
};
