// Test helpers: parse inline YAML, and strip provenance so clusters from different forms compare.

import { parseResources } from "../../src/resources/index.js";
import { formatIssue } from "../../src/util/issue.js";

export const parse = (text: string, path = "test.yaml") => {
  const result = parseResources([{ path, text }]);
  return { ...result, lines: result.issues.map(formatIssue) };
};

/** The value without `source`, `positions` and rule `pos` fields. */
export const withoutProvenance = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutProvenance);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== "source" && k !== "positions" && k !== "pos")
      .map(([k, v]) => [k, withoutProvenance(v)]),
  );
};
