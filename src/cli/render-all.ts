// `calisim render-all`: every node's rendering on all cores — a size table per node, and with --out-dir
// each node's files, exactly what `calisim render` prints: iptables-restore (v4, v6) and ipset-restore
// text, and/or libnftables JSON (v4, v6).

import { mkdir } from "node:fs/promises";
import type { Argv } from "yargs";
import {
  NODE_FORMATS,
  nodesOf,
  renderEveryNode,
  type NodeFormat,
  type NodeSummary,
} from "../render/every-node/index.js";
import {
  CliError,
  filesOption,
  jobsOption,
  loadOrFail,
  parseJobs,
  parseVersionOption,
  requireNode,
  writeOut,
} from "./common.js";

interface RenderAllArgs {
  f: string[];
  node?: string[];
  "out-dir"?: string;
  format: NodeFormat[];
  jobs?: number;
  "worker-heap"?: number;
  "calico-version"?: string;
  o: string;
  strict: boolean;
}

const table = (rows: readonly NodeSummary[], formats: readonly NodeFormat[]): string => {
  const sizes: { head: string; size: (r: NodeSummary) => number | undefined }[] = [];
  if (formats.includes("iptables"))
    sizes.push(
      { head: "iptables bytes", size: (r) => r.chars.iptables },
      { head: "ipset bytes", size: (r) => r.chars.ipsets },
    );
  if (formats.includes("nft-json")) sizes.push({ head: "nft json bytes", size: (r) => r.chars.nft });
  const head = ["node", "v4 rules", "v6 rules", "chains", "sets", ...sizes.map((c) => c.head)];
  const cells = rows.map((r) => [
    r.node,
    String(r.rules.v4),
    String(r.rules.v6),
    String(r.chains),
    String(r.sets),
    ...sizes.map((c) => String(c.size(r))),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string =>
    c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ");
  return [line(head), ...cells.map(line)].join("\n");
};

export const renderAllCommand = {
  command: "render-all",
  describe:
    "Render every node (iptables and ipsets, or nft JSON) on all cores: sizes per node, and the files with --out-dir",
  builder: (y: Argv) =>
    y
      .option("f", filesOption())
      .option("node", {
        type: "string",
        array: true,
        describe: "only these nodes (default: every node with a host endpoint)",
      })
      .option("format", {
        type: "string",
        array: true,
        choices: NODE_FORMATS,
        default: ["iptables"],
        describe:
          "what to render: iptables (iptables-restore text with its ipsets) and/or nft-json (libnftables JSON, nft -j -f)",
      })
      .option("out-dir", {
        type: "string",
        describe:
          "write each node's files here (created if missing): <node>.iptables, <node>.ip6tables and <node>.ipsets; <node>.ip.nft.json and <node>.ip6.nft.json",
      })
      .option(
        "jobs",
        jobsOption(
          "threads rendering (default: the machine's cores, as many as the free memory holds); each extra one loads its own copy",
        ),
      )
      .option("worker-heap", {
        type: "number",
        describe:
          "render in --jobs worker threads only, each with this V8 old space in MB, to bound memory (slower: the main thread only collects)",
      })
      .option("calico-version", {
        type: "string",
        describe: "Calico release whose Felix to model (X.Y; default 3.34)",
      })
      .option("o", { alias: "output", choices: ["text", "json"], default: "text" })
      .option("strict", { type: "boolean", default: false, describe: "treat input warnings as errors" })
      .example("$0 render-all -f fixtures/example-cluster", "rules, chains and sets per node")
      .example("$0 render-all -f cluster/ --out-dir /tmp/rendered --jobs 4", "every node's files, 4 threads")
      .example(
        "$0 render-all -f cluster/ --format iptables nft-json --out-dir /tmp/rendered",
        "both backends' files for every node",
      )
      .example(
        "$0 render-all -f cluster/ --worker-heap 384",
        "bounded memory: each worker's heap capped, the main thread only collecting (slower)",
      ),
  handler: async (argv: RenderAllArgs) => {
    const jobs = parseJobs(argv.jobs);
    const heap = argv["worker-heap"];
    if (heap !== undefined && !(Number.isInteger(heap) && heap >= 64))
      throw new CliError(`--worker-heap ${heap}: expected a whole number of MB, 64 or more`, 2);
    const calicoVersion = parseVersionOption(argv["calico-version"]);
    const { cluster, files } = await loadOrFail(argv.f, { strict: argv.strict });
    for (const n of argv.node ?? []) requireNode(cluster, n);
    const nodes = argv.node ?? nodesOf(cluster);
    const outDir = argv["out-dir"];
    if (outDir !== undefined) await mkdir(outDir, { recursive: true });
    const summaries = await renderEveryNode(files, cluster, nodes, {
      formats: argv.format,
      ...(jobs === undefined ? {} : { jobs }),
      ...(heap === undefined ? {} : { workerHeapMb: heap, callerRenders: false }),
      ...(calicoVersion === undefined ? {} : { calicoVersion }),
      ...(outDir === undefined ? {} : { outDir }),
      // The result is complete either way; the warning says why it took longer (or used one thread).
      onWorkerFailed: (e) =>
        process.stderr.write(
          `warning: a rendering worker failed (${e.message}); its nodes were rendered on the main thread` +
            (heap === undefined ? "\n" : `; --worker-heap ${heap} may be too small for this cluster\n`),
        ),
    });
    for (const s of summaries) for (const w of s.warnings) process.stderr.write(`warning: ${s.node}: ${w}\n`);
    writeOut(argv.o === "json" ? JSON.stringify(summaries, null, 2) : table(summaries, argv.format));
  },
};
