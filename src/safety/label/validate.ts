// Label keys and values as Calico validates them (Kubernetes IsQualifiedName / IsValidLabelValue), and
// the `KEY=VALUE` / `KEY-` argument syntax of `calisim label` (kubectl's; calicoctl's `KEY=VALUE`).

import { labelValueProblems, qualifiedNameProblems } from "../../resources/checks/names.js";
import type { Result } from "../flowspace/index.js";

export const labelKeyProblems = (key: string): readonly string[] => qualifiedNameProblems(key);
export { labelValueProblems };

/** A label to set (value, possibly "") or to remove (value undefined). */
export interface LabelArg {
  readonly key: string;
  readonly value?: string;
}

export const parseLabelArg = (arg: string): Result<LabelArg> => {
  const eq = arg.indexOf("=");
  if (eq < 0 && arg.endsWith("-") && arg.length > 1) {
    const key = arg.slice(0, -1);
    const problems = labelKeyProblems(key);
    return problems.length > 0
      ? { ok: false, error: `label key ${JSON.stringify(key)}: ${problems.join("; ")}` }
      : { ok: true, value: { key } };
  }
  if (eq < 0)
    return {
      ok: false,
      error: `${JSON.stringify(arg)} is not KEY=VALUE (KEY= for an empty value, KEY- to remove the label)`,
    };
  const key = arg.slice(0, eq);
  const value = arg.slice(eq + 1);
  const problems = [
    ...labelKeyProblems(key).map((p) => `label key ${JSON.stringify(key)}: ${p}`),
    ...labelValueProblems(value).map((p) => `label value ${JSON.stringify(value)}: ${p}`),
  ];
  return problems.length > 0
    ? { ok: false, error: problems.join("; ") }
    : { ok: true, value: { key, value } };
};
