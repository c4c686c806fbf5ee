// `calisim render`: the iptables-restore / ipset-restore text (or the IR as JSON) Felix would program.

import type { Argv } from "yargs";
import { renderIptables } from "../render/iptables/index.js";
import { renderIpsets } from "../render/ipset/index.js";
import { renderNft, renderNftJsonText } from "../render/nftables/index.js";
import type { IpVersion } from "../rules/ir.js";
import { writeOut } from "./common.js";
import { loadNode, nodeOptions, type NodeArgs } from "./node-options.js";

export const renderCommand = {
  command: "render",
  describe:
    "Render the iptables rules, ipsets or nftables ruleset Felix would program for a node's host endpoints",
  builder: (y: Argv) =>
    nodeOptions(y)
      .option("format", {
        choices: ["iptables", "ipset", "nft", "nft-json"],
        default: "iptables",
        describe:
          "iptables-restore text (all tables), ipset-restore text, nft text (nft -f) or libnftables JSON (nft -j -f)",
      })
      .option("ip-version", {
        choices: [4, 6],
        default: 4,
        type: "number",
        describe: "IPv4 (iptables) or IPv6 (ip6tables) rules",
      })
      .option("o", {
        alias: "output",
        choices: ["text", "json"],
        default: "text",
        describe: "text for the kernel tools, json for the rule IR with origins",
      })
      .example("$0 render -f fixtures/example-cluster --node node-1", "iptables-restore input for node-1")
      .example(
        "$0 render -f fixtures/example-cluster --node node-1 --format nft",
        "the same in Felix's nftables layout",
      )
      .example(
        "$0 render -f fixtures/example-cluster --node node-1 --format ipset | ipset restore",
        "load the sets (in a test namespace!)",
      )
      .example(
        "$0 render -f fixtures/example-cluster --node node-3 --calico-version 3.13",
        "the same node before the v3.14 change",
      ),
  handler: async (argv: NodeArgs & { format: string; "ip-version": number; o: string }) => {
    const { ruleset } = await loadNode(argv);
    const rs = ruleset(argv["ip-version"] as IpVersion);
    if (argv.o === "json") writeOut(JSON.stringify(rs, null, 2));
    else
      writeOut(
        argv.format === "ipset"
          ? renderIpsets(rs)
          : argv.format === "nft"
            ? renderNft(rs)
            : argv.format === "nft-json"
              ? renderNftJsonText(rs)
              : renderIptables(rs),
      );
  },
};
