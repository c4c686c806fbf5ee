// Turns findings (data, relative to a resource) into Issues with file, line, column and wording.

import type { Issue } from "../util/issue.js";
import type { SourcePos } from "./model.js";
import type { Finding } from "./findings.js";
import { describe } from "./messages.js";
import { displayPath, type Path } from "./paths.js";
import { docWithin, positionOf, type SourceDoc } from "./yaml-source.js";

/** Where a resource sits: its document and the path of its root inside that document. */
export interface ResourceSite {
  readonly doc: SourceDoc;
  readonly prefix: Path;
  /** "Kind/name" (or "Kind/namespace/name"), when known. */
  readonly label?: string;
}

export const issueAt = (finding: Finding, pos: SourcePos | undefined, label?: string): Issue => {
  const words = describe(finding.detail);
  return {
    severity: finding.severity,
    code: finding.detail.code,
    ...(pos === undefined ? {} : { file: pos.file, line: pos.line, col: pos.col }),
    ...(label === undefined ? {} : { resource: label }),
    ...(finding.path.length === 0 ? {} : { path: displayPath(finding.path) }),
    message: words.message,
    ...(words.accepted === undefined ? {} : { accepted: words.accepted }),
  };
};

// A resource's issues are placed by its own nodes (docWithin): inside a List, reading the whole file
// for them took seconds for a large one. Every path a finding names is inside its resource.
export const issueIn = (site: ResourceSite, finding: Finding): Issue =>
  issueAt(
    finding,
    positionOf(
      docWithin(site.doc, site.prefix),
      [...site.prefix, ...finding.path],
      finding.at,
      finding.offset,
    ),
    site.label,
  );

/** A finding about a whole file (no document position). */
export const fileIssue = (file: string, finding: Finding): Issue => ({
  ...issueAt(finding, undefined),
  file,
});
