// One problem found in the user's input, as data. Wording is assembled by formatIssue only.

export type Severity = "error" | "warning";

export interface Issue {
  readonly severity: Severity;
  /** Stable machine-readable code, e.g. "invalid_value", "unknown_field", "selector_syntax". */
  readonly code: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  /** "Kind/name" of the resource, when known. */
  readonly resource?: string;
  /** Dotted field path inside the resource, e.g. "spec.ingress[0].action". */
  readonly path?: string;
  readonly message: string;
  /** What would have been accepted, e.g. "Allow | Deny | Log | Pass". */
  readonly accepted?: string;
}

/** `file:line:col kind/name field.path: message (accepted: ...)` */
export const formatIssue = (issue: Issue): string => {
  const where =
    issue.file === undefined
      ? ""
      : `${issue.file}${issue.line === undefined ? "" : `:${issue.line}${issue.col === undefined ? "" : `:${issue.col}`}`} `;
  const what = issue.resource === undefined ? "" : `${issue.resource} `;
  const field = issue.path === undefined ? "" : `${issue.path}: `;
  const accepted = issue.accepted === undefined ? "" : ` (accepted: ${issue.accepted})`;
  return `${issue.severity}: ${where}${what}${field}${issue.message}${accepted}`;
};

export const hasErrors = (issues: readonly Issue[]): boolean => issues.some((i) => i.severity === "error");
