// Shared CLI plumbing: load resources, print issues to stderr, decide exit codes. No domain logic.

import { readFile } from "node:fs/promises";
import { loadCluster, type SourceFile } from "../resources/index.js";
import type { Cluster } from "../resources/model.js";
import { formatIssue, hasErrors, type Issue } from "../util/issue.js";
import { parseIpAddrJson, type HostInterface } from "../calc/interfaces.js";
import { parseCalicoVersion, MODELLED_VERSIONS, type CalicoVersion } from "../calc/versions.js";

/** An error the CLI reports and exits on; `exitCode` 1 for bad input, 2 for bad usage. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const printIssues = (issues: readonly Issue[]): void => {
  for (const i of issues) process.stderr.write(`${formatIssue(i)}\n`);
};

export interface Loaded {
  readonly cluster: Cluster;
  readonly issues: readonly Issue[];
  /** The file texts read (render-all's workers rebuild the cluster from them). */
  readonly files: readonly SourceFile[];
}

/** Loads and validates; prints every issue; fails when there are errors (or warnings with strict). */
export const loadOrFail = async (
  paths: readonly string[],
  opts: { strict?: boolean } = {},
): Promise<Loaded> => {
  if (paths.length === 0) throw new CliError("no input: pass resource files or directories with -f PATH", 2);
  const { cluster, issues, files } = await loadCluster([...paths]);
  printIssues(issues);
  if (hasErrors(issues) || (opts.strict === true && issues.length > 0))
    throw new CliError(`${issues.filter((i) => i.severity === "error").length} error(s) in the input`);
  return { cluster, issues, files };
};

export const readInterfaces = async (file: string | undefined): Promise<HostInterface[] | undefined> => {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new CliError(`--interfaces ${file}: cannot read: ${(e as Error).message}`);
  }
  const parsed = parseIpAddrJson(text);
  if ("error" in parsed) throw new CliError(`--interfaces ${file}: ${parsed.error}`);
  return parsed.interfaces;
};

export const parseVersionOption = (text: string | undefined): CalicoVersion | undefined => {
  if (text === undefined) return undefined;
  const v = parseCalicoVersion(text);
  if (v === undefined)
    throw new CliError(
      `--calico-version ${JSON.stringify(text)} is not a version (accepted: X.Y such as ${MODELLED_VERSIONS.join(", ")})`,
      2,
    );
  return v;
};

export const requireNode = (cluster: Cluster, node: string): void => {
  const known = new Set([
    ...cluster.hostEndpoints.map((e) => e.spec.node),
    ...cluster.nodes.map((n) => n.metadata.name),
  ]);
  if (!known.has(node))
    throw new CliError(
      `--node ${JSON.stringify(node)}: no host endpoint or Node resource names this node (accepted: ${[...known].sort().join(", ") || "none found"})`,
    );
};

export const writeOut = (text: string): void => {
  process.stdout.write(text.endsWith("\n") || text === "" ? text : `${text}\n`);
};

/** A part of an output written in parts: as it is (writeOut ends the last one with a newline). */
export const writePart = (text: string): void => {
  if (text !== "") process.stdout.write(text);
};

/** Lines of a report written in parts, each ending with a newline: the parts make lines.join("\n") + "\n". */
export const writeLines = (lines: readonly string[]): void => {
  let text = "";
  for (const line of lines) text += `${line}\n`;
  writePart(text);
};

/** The `-f/--filename` option every command takes (repeatable files or directories). */
export const filesOption = (describe = "resource file or directory (repeatable)", demandOption = true) =>
  ({ alias: "filename", type: "string", array: true, demandOption, describe }) as const;

/** The `--jobs` option of commands that work node by node on all cores. */
export const jobsOption = (describe: string) => ({ type: "number", describe }) as const;

/** `--jobs` checked: undefined (the command's default) or a whole number of threads. */
export const parseJobs = (jobs: number | undefined): number | undefined => {
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1))
    throw new CliError(`--jobs ${jobs}: expected a whole number of threads, 1 or more`, 2);
  return jobs;
};
