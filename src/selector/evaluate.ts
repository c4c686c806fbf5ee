// Evaluation following the Evaluate methods in libcalico-go lib/selector/parser/ast.go.

import type { Selector } from "./ast.js";

type Labels = Readonly<Record<string, string>>;

/**
 * Own properties only: a label map is data, and `labels["constructor"]` on a plain object would
 * otherwise find Object.prototype's function and treat an absent label as present.
 */
const lookup = (labels: Labels, key: string): string | undefined =>
  Object.hasOwn(labels, key) ? labels[key] : undefined;

/**
 * Does `sel` match an endpoint with these labels? Note Felix's choices for absent labels:
 * `k != "v"` and `k not in {...}` are true, every other comparison is false.
 */
export const matchesSelector = (sel: Selector, labels: Labels): boolean => {
  switch (sel.kind) {
    case "all":
    case "global":
      // GlobalNode.Evaluate is unconditionally true; "only non-namespaced" is implemented upstream
      // by rewriting a namespaceSelector's global() to !has(projectcalico.org/namespace).
      return true;
    case "has":
      return lookup(labels, sel.label) !== undefined;
    case "not":
      return !matchesSelector(sel.operand, labels);
    case "and":
      return sel.operands.every((op) => matchesSelector(op, labels));
    case "or":
      return sel.operands.some((op) => matchesSelector(op, labels));
  }
  const value = lookup(labels, sel.label);
  if (value === undefined) return sel.kind === "ne" || sel.kind === "notIn";
  switch (sel.kind) {
    case "eq":
      return value === sel.value;
    case "ne":
      return value !== sel.value;
    case "contains":
      return value.includes(sel.value);
    case "startsWith":
      return value.startsWith(sel.value);
    case "endsWith":
      return value.endsWith(sel.value);
    case "in":
      return sel.values.includes(value);
    case "notIn":
      return !sel.values.includes(value);
  }
};
