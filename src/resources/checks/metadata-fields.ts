// Labels and annotations (validateObjectMetaLabels, validateObjectMetaAnnotations).

import { error, type Finding } from "../findings.js";
import type { Path } from "../paths.js";
import { labelValueProblems, qualifiedNameProblems } from "./names.js";

const ANNOTATIONS_LIMIT = 256 * 1024;

export const checkLabels = (labels: Readonly<Record<string, string>>, path: Path): readonly Finding[] =>
  Object.entries(labels).flatMap(([key, value]) => {
    const out: Finding[] = [];
    const keyProblems = qualifiedNameProblems(key);
    if (keyProblems.length > 0) {
      out.push(
        error(
          [...path, key],
          { code: "invalid_label_key", key, reason: keyProblems.join("; ") },
          { at: "key" },
        ),
      );
    }
    const valueProblems = labelValueProblems(value);
    if (valueProblems.length > 0) {
      out.push(
        error([...path, key], { code: "invalid_label_value", value, reason: valueProblems.join("; ") }),
      );
    }
    return out;
  });

export const checkAnnotations = (
  annotations: Readonly<Record<string, string>>,
  path: Path,
): readonly Finding[] => {
  const out: Finding[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const problems = qualifiedNameProblems(key.toLowerCase());
    if (problems.length > 0) {
      out.push(
        error(
          [...path, key],
          { code: "invalid_annotation_key", key, reason: problems.join("; ") },
          { at: "key" },
        ),
      );
    }
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > ANNOTATIONS_LIMIT)
    out.push(error(path, { code: "annotations_too_large", excess: size - ANNOTATIONS_LIMIT }));
  return out;
};
