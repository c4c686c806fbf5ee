// Felix's canonical selector string (collectFragments in libcalico-go lib/selector/parser/ast.go).
// It must be byte-identical: Felix hashes it into ipset and chain names.

import type { Selector, ValueOp } from "./ast.js";

const VALUE_OP_TEXT: Readonly<Record<ValueOp, string>> = {
  eq: " == ",
  ne: " != ",
  contains: " contains ",
  startsWith: " starts with ",
  endsWith: " ends with ",
};

/**
 * Double quotes unless the value contains one. There are no escapes, so a value holding both
 * quote characters (which no parsed selector can have) prints unparseably, exactly as in Felix.
 */
const quote = (s: string): string => (s.includes('"') ? `'${s}'` : `"${s}"`);

/** Felix's canonical String() form of the parsed selector. */
export const printSelector = (sel: Selector): string => {
  switch (sel.kind) {
    case "all":
      return "all()";
    case "global":
      return "global()";
    case "has":
      return `has(${sel.label})`;
    case "eq":
    case "ne":
    case "contains":
    case "startsWith":
    case "endsWith":
      return `${sel.label}${VALUE_OP_TEXT[sel.kind]}${quote(sel.value)}`;
    case "in":
    case "notIn":
      return `${sel.label} ${sel.kind === "in" ? "in" : "not in"} {${sel.values.map(quote).join(", ")}}`;
    case "not":
      // No parentheses of its own: "!a == \"b\"" re-parses as !(a == "b") because ! binds a whole
      // operation, and && / || operands always print their own parentheses.
      return `!${printSelector(sel.operand)}`;
    case "and":
      return `(${sel.operands.map(printSelector).join(" && ")})`;
    case "or":
      return `(${sel.operands.map(printSelector).join(" || ")})`;
  }
};
