// `calisim apply`: load a node's rendering into an existing network namespace (never the machine's own),
// with the real tools. Endpoints that have only expectedIPs bind to the namespace's interfaces (read with
// `ip -j addr`) unless --interfaces gives them. A failing tool's message and offending line are shown and
// nothing stays half-applied (src/dataplane/apply.ts).

import type { Argv } from "yargs";
import { resolveNode } from "../calc/resolve.js";
import { applyRulesets, BACKENDS, readNetnsInterfaces, type Backend } from "../dataplane/apply.js";
import { assertNotInitialNetns, NetnsError } from "../dataplane/netns.js";
import { execaRunner, SysError } from "../dataplane/runner.js";
import { renderNft } from "../render/nftables/index.js";
import { buildRuleset } from "../rules/node-ruleset.js";
import { CliError, loadOrFail, parseVersionOption, readInterfaces, requireNode, writeOut } from "./common.js";
import { nodeOptions, type NodeArgs } from "./node-options.js";

interface ApplyArgs extends NodeArgs {
  netns: string;
  backend: Backend;
}

const fail = (e: unknown): never => {
  if (e instanceof SysError || e instanceof NetnsError) throw new CliError(e.message);
  throw e;
};

export const applyCommand = {
  command: "apply",
  describe: "Load a node's rendering into an existing network namespace with the real tools",
  builder: (y: Argv) =>
    nodeOptions(y)
      .option("netns", {
        type: "string",
        demandOption: true,
        describe: "the network namespace to load into (ip netns list); never the machine's own",
      })
      .option("backend", {
        choices: BACKENDS,
        default: "iptables-nft" as Backend,
        describe: "iptables-restore flavour, or nftables (nft -f)",
      })
      .example("$0 apply -f fixtures/example-cluster --node node-1 --netns test1", "load node-1's rules")
      .example(
        "$0 apply -f resources/ --node node-2 --netns test2 --backend nft --calico-version 3.13",
        "an older Felix, nftables mode",
      ),
  handler: async (argv: ApplyArgs) => {
    const { cluster } = await loadOrFail(argv.f, { strict: argv.strict });
    requireNode(cluster, argv.node);
    const calicoVersion = parseVersionOption(argv["calico-version"]);
    const run = execaRunner;
    await assertNotInitialNetns(argv.netns).catch(fail);
    const interfaces =
      (await readInterfaces(argv.interfaces)) ?? (await readNetnsInterfaces(run, argv.netns).catch(fail));
    const model = resolveNode(cluster, {
      node: argv.node,
      interfaces,
      ...(calicoVersion === undefined ? {} : { calicoVersion }),
    });
    for (const w of model.warnings) process.stderr.write(`warning: ${w.message}\n`);
    for (const u of model.unbound)
      process.stderr.write(`note: host endpoint ${u.endpoint.metadata.name} governs nothing: ${u.why}\n`);
    const rulesets = [buildRuleset(model, { version: 4 }), buildRuleset(model, { version: 6 })];
    await applyRulesets(run, {
      netns: argv.netns,
      backend: argv.backend,
      rulesets,
      renderNft: (rs) => renderNft(rs),
    }).catch(fail);
    const rules = rulesets.reduce(
      (n, rs) => n + rs.tables.reduce((m, t) => m + t.chains.reduce((k, c) => k + c.rules.length, 0), 0),
      0,
    );
    const sets = rulesets.reduce((n, rs) => n + rs.sets.length, 0);
    const bound = [...model.endpoints, ...(model.star === undefined ? [] : [model.star])]
      .map((r) => `${r.binding.endpoint.metadata.name} → ${r.binding.iface}`)
      .join(", ");
    writeOut(
      `applied node ${argv.node} to namespace ${argv.netns} with ${argv.backend}: ${rules} rules, ${sets} IP sets (IPv4 and IPv6)${bound === "" ? "" : `; endpoints: ${bound}`}`,
    );
  },
};
