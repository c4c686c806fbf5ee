// The pure half of loading: file texts in, cluster and issues out.

import type { Issue } from "../util/issue.js";
import type { Cluster } from "./model.js";
import { buildResource, type BuiltResource } from "./build.js";
import { assembleCluster } from "./cluster.js";
import { extractResources } from "./envelope.js";
import { issueAt } from "./issues.js";
import { readDocuments, type YamlReader } from "./yaml-source.js";

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

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

export const parseResources = (
  files: readonly SourceFile[],
  options: ParseOptions = {},
): { cluster: Cluster; issues: Issue[] } => {
  const issues: Issue[] = [];
  const built: BuiltResource[] = [];
  for (const file of files) {
    const read = readDocuments(file.path, file.text, options.reader);
    issues.push(...read.problems.map((p) => issueAt(p.finding, p.pos)));
    for (const doc of read.docs) {
      const extracted = extractResources(doc);
      issues.push(...extracted.issues);
      for (const raw of extracted.resources) {
        const b = buildResource(raw);
        issues.push(...b.issues);
        built.push(b);
      }
    }
  }
  const assembled = assembleCluster(built);
  return {
    cluster: assembled.cluster,
    issues: sortIssues(
      [...issues, ...assembled.issues],
      files.map((f) => f.path),
    ),
  };
};
