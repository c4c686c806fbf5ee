// Label keys a selector mentions, so callers can index endpoints by the labels that matter.

import { compareCodePoints, type Selector } from "./ast.js";

const collect = (sel: Selector, into: Set<string>): void => {
  switch (sel.kind) {
    case "all":
    case "global":
      return;
    case "not":
      return collect(sel.operand, into);
    case "and":
    case "or":
      for (const op of sel.operands) collect(op, into);
      return;
    default:
      into.add(sel.label);
  }
};

/** Distinct label keys mentioned anywhere in `sel` (negated or not), sorted in code-point order. */
export const selectorLabelKeys = (sel: Selector): readonly string[] => {
  const keys = new Set<string>();
  collect(sel, keys);
  return Object.freeze([...keys].sort(compareCodePoints));
};
