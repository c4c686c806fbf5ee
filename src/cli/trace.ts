// `calisim trace`: walk a packet through a node's rendering (from resources) or a real dump, and say
// which policy rule, profile, failsafe port or default decided it.

import { readFile } from "node:fs/promises";
import type { Argv } from "yargs";
import { dumpToRuleset, parseIpsetSave, parseIptablesSave } from "../dump/index.js";
import { parseNftJson } from "../dump/nft/index.js";
import { annotateDump } from "../rules/annotate.js";
import type { IpVersion, Ruleset } from "../rules/ir.js";
import { formatTrace, trace } from "../trace/index.js";
import { CliError, writeOut, filesOption } from "./common.js";
import { loadNode, type NodeArgs } from "./node-options.js";
import { packetOptions, parsePacket, type PacketArgs } from "./packet-options.js";

interface TraceArgs extends PacketArgs, Partial<NodeArgs> {
  "iptables-save"?: string;
  ipsets?: string;
  "nft-json"?: string;
  o: string;
  verbose: boolean;
  strict: boolean;
}

const readText = async (opt: string, file: string): Promise<string> => {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new CliError(`--${opt} ${file}: cannot read: ${(e as Error).message}`);
  }
};

const parseErrors = (
  opt: string,
  file: string,
  errors: readonly { line: number; message: string; text?: string }[],
): CliError =>
  new CliError(
    errors
      .map((e) => `--${opt} ${file}:${e.line}: ${e.message}${e.text === undefined ? "" : `\n  ${e.text}`}`)
      .join("\n"),
  );

const dumpRuleset = async (argv: TraceArgs, version: IpVersion): Promise<Ruleset> => {
  const file = argv["iptables-save"]!;
  const parsed = parseIptablesSave(await readText("iptables-save", file));
  if (!parsed.ok) throw parseErrors("iptables-save", file, parsed.error);
  let sets: Parameters<typeof dumpToRuleset>[1] = [];
  if (argv.ipsets !== undefined) {
    const s = parseIpsetSave(await readText("ipsets", argv.ipsets));
    if (!s.ok) throw parseErrors("ipsets", argv.ipsets, s.error);
    sets = s.value;
  }
  return dumpToRuleset(parsed.value, sets, { version });
};

export const traceCommand = {
  command: "trace",
  describe: "Trace a packet through a node's rules and explain the verdict",
  builder: (y: Argv) =>
    packetOptions(y)
      .option("f", filesOption("resource file or directory (repeatable)", false))
      .option("node", { type: "string", describe: "the node to simulate (with -f)" })
      .option("calico-version", { type: "string", describe: "Calico release to model (X.Y; default 3.34)" })
      .option("interfaces", { type: "string", describe: 'the node\'s interfaces: JSON from "ip -j addr"' })
      .option("iptables-save", {
        type: "string",
        describe: "trace a real dump (iptables-save / ip6tables-save output) instead",
      })
      .option("ipsets", { type: "string", describe: "ipset save output for the dump's sets" })
      .option("nft-json", {
        type: "string",
        describe: 'trace a real nftables ruleset ("nft -j list ruleset" output) instead',
      })
      .option("o", { alias: "output", choices: ["text", "json"], default: "text" })
      .option("verbose", { type: "boolean", default: false, describe: "also list rules that did not match" })
      .option("strict", { type: "boolean", default: false, describe: "treat input warnings as errors" })
      .check((a) => {
        if (
          a["iptables-save"] === undefined &&
          a["nft-json"] === undefined &&
          (a.f === undefined || a.node === undefined)
        )
          throw new Error("give -f PATH... --node NODE, or --iptables-save DUMP, or --nft-json DUMP");
        return true;
      })
      .example(
        "$0 trace -f fixtures/example-cluster --node node-1 --in eth0 --src 203.0.113.5 --dst 192.0.2.10 --proto tcp --dport 8080",
        "why is this dropped?",
      )
      .example(
        "$0 trace --iptables-save node.dump --ipsets node.ipsets --in eth0 --src 198.51.100.7 --dst 192.0.2.10 --dport 22",
        "trace a real node's rules",
      ),
  handler: async (argv: TraceArgs) => {
    const packet = parsePacket(argv);
    const version: IpVersion = packet.src.includes(":") ? 6 : 4;
    let ruleset: Ruleset;
    const notes: string[] = [];
    if (argv["nft-json"] !== undefined) {
      const file = argv["nft-json"];
      const parsed = parseNftJson(await readText("nft-json", file), { family: version === 4 ? "ip" : "ip6" });
      if (!parsed.ok)
        throw new CliError(parsed.error.map((e) => `--nft-json ${file}: ${e.message}`).join("\n"));
      ruleset = parsed.value.ruleset;
      for (const w of parsed.value.warnings) process.stderr.write(`warning: ${w}\n`);
    } else if (argv["iptables-save"] !== undefined) {
      ruleset = await dumpRuleset(argv, version);
      if (argv.f !== undefined && argv.node !== undefined) {
        const { ruleset: rendered } = await loadNode(argv as TraceArgs & NodeArgs);
        const a = annotateDump(ruleset, rendered(version));
        ruleset = a.ruleset;
        notes.push(`mapped ${a.matched} of ${a.total} dump rules to resources by their cali: rule ids`);
      }
    } else {
      // A packet from or to a workload interface implies that workload exists on the node.
      const named = [packet.in, packet.out].filter((i): i is string => i !== undefined);
      const { ruleset: rendered } = await loadNode(argv as TraceArgs & NodeArgs, named);
      ruleset = rendered(version);
    }
    const result = trace(ruleset, packet, { verbose: argv.verbose });
    for (const n of notes) process.stderr.write(`note: ${n}\n`);
    if (argv.o === "json") writeOut(JSON.stringify(result, null, 2));
    else
      writeOut(
        formatTrace(result, { color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined }),
      );
  },
};
