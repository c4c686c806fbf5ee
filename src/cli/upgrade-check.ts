// `calisim upgrade-check`: which flows a Calico upgrade across v3.14 changes on each node ("*" host
// endpoints take normal policy and drop by default from v3.14), and the runbook's migration files.
// Exit 0: nothing dropped; 3: flows would be dropped; 1: bad input.

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Argv } from "yargs";
import type { Cluster } from "../resources/model.js";
import { applyLabelPatches, parseLabelPatch, type LabelPatch } from "../safety/upgrade/apply.js";
import { partsByNode } from "../safety/by-node/index.js";
import { policedNodes } from "../safety/node-flows.js";
import { upgradeFrame } from "../safety/upgrade/check.js";
import { upgradeHeadLines, upgradeJsonWriter, upgradeResultLines } from "../safety/upgrade/format.js";
import type { StarEndpoint } from "../safety/upgrade/star-endpoints.js";
import { migrationFiles, PATCH_DIR, POLICY_FILE } from "../safety/upgrade/migration.js";
import { effectiveConfig } from "../calc/config.js";
import { parseCalicoVersion, type CalicoVersion } from "../calc/versions.js";
import {
  CliError,
  loadOrFail,
  parseJobs,
  requireNode,
  writeLines,
  writeOut,
  writePart,
  filesOption,
} from "./common.js";
import { BY_NODE_JOBS, byNodeRun } from "./by-node-run.js";

interface UpgradeArgs {
  f: string[];
  from: string;
  to: string;
  node?: string[];
  o: string;
  "write-migration"?: string;
  "apply-migration"?: string;
  strict: boolean;
  jobs?: number;
}

const version = (opt: string, text: string): CalicoVersion => {
  const v = parseCalicoVersion(text);
  if (v === undefined)
    throw new CliError(`--${opt} ${JSON.stringify(text)} is not a Calico version (X.Y, e.g. 3.13)`, 2);
  return v;
};

const readPatches = async (dir: string): Promise<LabelPatch[]> => {
  const patchDir = join(dir, PATCH_DIR);
  let names: string[];
  try {
    names = (await readdir(patchDir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (e) {
    // A migration with no affected endpoint has no label patches.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new CliError(`--apply-migration ${dir}: cannot read ${patchDir}: ${(e as Error).message}`);
  }
  const out: LabelPatch[] = [];
  for (const n of names) {
    const file = join(patchDir, n);
    const p = parseLabelPatch(file, await readFile(file, "utf8"));
    if (!p.ok) throw new CliError(p.error);
    out.push(p.value);
  }
  return out;
};

const withPatches = (cluster: Cluster, patches: readonly LabelPatch[] | undefined): Cluster => {
  if (patches === undefined) return cluster;
  const applied = applyLabelPatches(cluster, patches);
  if (!applied.ok) throw new CliError(applied.error);
  return applied.value;
};

const writeMigration = async (
  dir: string,
  files: readonly { path: string; content: string }[],
): Promise<void> => {
  for (const f of files) {
    const path = join(dir, f.path);
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.content, { mode: f.path.endsWith(".sh") ? 0o755 : 0o644 });
    } catch (e) {
      throw new CliError(`--write-migration ${dir}: cannot write ${path}: ${(e as Error).message}`);
    }
  }
  process.stderr.write(`wrote ${files.length} migration files to ${dir} (see ${join(dir, "README.md")})\n`);
};

export const upgradeCheckCommand = {
  command: "upgrade-check",
  describe: 'Which flows a Calico upgrade changes ("*" host endpoints drop by default from v3.14)',
  builder: (y: Argv) =>
    y
      .option("f", filesOption())
      .option("from", { type: "string", default: "3.13", describe: "the Calico version running now (X.Y)" })
      .option("to", { type: "string", default: "3.29", describe: "the Calico version to upgrade to (X.Y)" })
      .option("node", {
        type: "string",
        array: true,
        describe: "nodes to check (default: every node with a host endpoint)",
      })
      .option("o", { alias: "output", choices: ["text", "json"], default: "text" })
      .option("write-migration", {
        type: "string",
        describe: "write the runbook's label patches, label script and allow-all-upgrade policy to DIR",
      })
      .option("apply-migration", {
        type: "string",
        describe: "check as if a migration DIR (from --write-migration) had been applied",
      })
      .option("strict", { type: "boolean", default: false, describe: "treat input warnings as errors" })
      .option("jobs", BY_NODE_JOBS)
      .epilog(
        "Exit status: 0 no flow is dropped by the upgrade, 3 flows would be dropped, 1 bad input, 2 bad usage.",
      )
      .example("$0 upgrade-check -f cluster/ --from 3.13 --to 3.29", "what would the upgrade drop?")
      .example("$0 upgrade-check -f cluster/ --write-migration migration/", "write the runbook's files")
      .example("$0 upgrade-check -f cluster/ --apply-migration migration/", "check again with them applied"),
  handler: async (argv: UpgradeArgs) => {
    const jobs = parseJobs(argv.jobs);
    const from = version("from", argv.from);
    const to = version("to", argv.to);
    const dir = argv["apply-migration"];
    const paths = dir === undefined ? argv.f : [...argv.f, join(dir, POLICY_FILE)];
    const { cluster: loaded, files } = await loadOrFail(paths, { strict: argv.strict });
    const patches = dir === undefined ? undefined : await readPatches(dir);
    const cluster = withPatches(loaded, patches);
    for (const n of argv.node ?? []) requireNode(cluster, n);
    const nodes = argv.node ?? policedNodes(cluster);
    const frame = upgradeFrame(cluster, { from, to, nodes });
    // Each node's part is written as soon as it and those before it are checked, and its comparison
    // dropped: a whole cluster's would not fit in memory, nor its JSON in one string.
    const json = upgradeJsonWriter(frame);
    const governing = new Map(frame.stars.filter((s) => s.governs).map((s) => [s.node, s]));
    const affected: StarEndpoint[] = [];
    const dropping: string[] = [];
    if (argv.o === "json") writePart(json.start());
    else writeLines(upgradeHeadLines(frame));
    const r = await partsByNode(
      { kind: "upgrade-check", from, to, json: argv.o === "json" },
      { cluster },
      { files, ...(patches === undefined ? {} : { patches }) },
      nodes,
      {
        ...byNodeRun("upgrade-check", jobs),
        onPart: (node, part) => {
          // The runbook labels the "*" endpoint governing each node where flows change (affectedStar).
          const star = part.changed ? governing.get(node) : undefined;
          if (star !== undefined) affected.push(star);
          if (part.drops) dropping.push(node);
          if (argv.o === "json") writePart(json.item(part.out[0]!, part.drops));
          else writeLines(part.out);
        },
      },
    );
    if (!r.ok) throw new CliError(r.error);
    if (argv.o === "json") writeOut(json.end(affected));
    else writeLines(upgradeResultLines(dropping));
    if (argv["write-migration"] !== undefined) {
      const logPrefix = effectiveConfig(cluster, affected[0]?.node ?? "").logPrefix;
      const report = { from: frame.from, to: frame.to, affected };
      await writeMigration(argv["write-migration"], migrationFiles(cluster, report, logPrefix));
    }
    if (dropping.length > 0) process.exitCode = 3;
  },
};
