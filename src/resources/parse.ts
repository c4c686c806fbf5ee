// The pure half of loading: file texts in, cluster and issues out.

import type { Issue } from "../util/issue.js";
import type { Cluster } from "./model.js";
import { buildResource, type BuiltResource } from "./build.js";
import { assembleCluster } from "./cluster.js";
import { extractResources } from "./envelope.js";
import { issueAt } from "./issues.js";
import { readDocuments, type ReadResult, type YamlReader } from "./yaml-source.js";

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** How many characters the files' texts hold (what decides whether, and how many, threads pay). */
export const textChars = (files: readonly SourceFile[]): number =>
  files.reduce((n, f) => n + f.text.length, 0);

/** Issues in input order: by file (as given), then line, then column. */
export const sortIssues = (issues: readonly Issue[], files: readonly string[]): Issue[] => {
  const fileIndex = (i: Issue): number => (i.file === undefined ? -1 : files.indexOf(i.file));
  return [...issues].sort(
    (a, b) => fileIndex(a) - fileIndex(b) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0),
  );
};

export interface ParseOptions {
  /** Which YAML reader to use; both give the same result (test/resources/yaml-readers.test.ts). */
  readonly reader?: YamlReader;
}

/** What one file contributes: its resources, built and validated, and its issues. */
export interface FileResources {
  readonly built: readonly BuiltResource[];
  readonly issues: readonly Issue[];
}

/** Builds and validates the resources of one file's documents. */
export const buildFileResources = (read: ReadResult): FileResources => {
  const issues: Issue[] = read.problems.map((p) => issueAt(p.finding, p.pos));
  const built: BuiltResource[] = [];
  for (const doc of read.docs) {
    const extracted = extractResources(doc);
    issues.push(...extracted.issues);
    for (const raw of extracted.resources) {
      const b = buildResource(raw);
      issues.push(...b.issues);
      built.push(b);
    }
  }
  return { built, issues };
};

/** The cluster from every file's resources, given in file order (cluster order follows it). */
export const assembleFiles = (
  files: readonly SourceFile[],
  perFile: readonly FileResources[],
): { cluster: Cluster; issues: Issue[] } => {
  const assembled = assembleCluster(perFile.flatMap((f) => f.built));
  return {
    cluster: assembled.cluster,
    issues: sortIssues(
      [...perFile.flatMap((f) => f.issues), ...assembled.issues],
      files.map((f) => f.path),
    ),
  };
};

export const parseResources = (
  files: readonly SourceFile[],
  options: ParseOptions = {},
): { cluster: Cluster; issues: Issue[] } =>
  assembleFiles(
    files,
    files.map((file) => buildFileResources(readDocuments(file.path, file.text, options.reader))),
  );
