// Selector AST: plain frozen data mirroring the node types of libcalico-go's
// lib/selector/parser/ast.go, so printing and evaluation can follow Felix node by node.

/** Operators that compare a label's value with one string. */
export type ValueOp = "eq" | "ne" | "contains" | "startsWith" | "endsWith";
/** Operators that compare a label's value with a set of strings. */
export type SetOp = "in" | "notIn";

export interface AllNode {
  readonly kind: "all";
}
/** `global()`: Felix evaluates it exactly like `all()` (ast.go GlobalNode.Evaluate returns true). */
export interface GlobalNode {
  readonly kind: "global";
}
export interface HasNode {
  readonly kind: "has";
  readonly label: string;
}
export interface ValueNode {
  readonly kind: ValueOp;
  readonly label: string;
  readonly value: string;
}
export interface SetNode {
  readonly kind: SetOp;
  readonly label: string;
  /** Sorted in code-point order (= Go's UTF-8 byte order) and de-duplicated, as Felix stores them. */
  readonly values: readonly string[];
}
export interface NotNode {
  readonly kind: "not";
  readonly operand: Selector;
}
/** The parser only builds && / || nodes for two or more operands; a lone operand stands alone. */
export type Operands = readonly [Selector, Selector, ...Selector[]];
export interface AndNode {
  readonly kind: "and";
  readonly operands: Operands;
}
export interface OrNode {
  readonly kind: "or";
  readonly operands: Operands;
}

export type Selector = AllNode | GlobalNode | HasNode | ValueNode | SetNode | NotNode | AndNode | OrNode;

export interface SelectorError {
  /** 0-based offset into the selector text (a JavaScript string index, i.e. UTF-16 code units). */
  readonly offset: number;
  readonly message: string;
  /** What would have been accepted at `offset`, e.g. `"==", "!="`. */
  readonly expected?: string;
}

/**
 * Go compares strings bytewise over UTF-8, which is code-point order; JavaScript's `<` compares
 * UTF-16 code units, which disagrees for astral characters versus U+E000..U+FFFF. Set members
 * must sort the Go way because their order is part of the hashed canonical form.
 */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n;) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
};

/** Sort and de-duplicate like parser/stringset.go ConvertToStringSetInPlace. */
export const toStringSet = (values: readonly string[]): readonly string[] => {
  const sorted = [...values].sort(compareCodePoints);
  return Object.freeze(sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]));
};

const ALL: AllNode = Object.freeze({ kind: "all" });
const GLOBAL: GlobalNode = Object.freeze({ kind: "global" });

export const allNode = (): AllNode => ALL;
export const globalNode = (): GlobalNode => GLOBAL;
export const hasNode = (label: string): HasNode => Object.freeze({ kind: "has", label });
export const valueNode = (kind: ValueOp, label: string, value: string): ValueNode =>
  Object.freeze({ kind, label, value });
export const setNode = (kind: SetOp, label: string, values: readonly string[]): SetNode =>
  Object.freeze({ kind, label, values: toStringSet(values) });
/**
 * No simplification: Felix keeps `!(!x)` as two NotNodes (only a run of leading `!` tokens is
 * collapsed by the parser), and the double negation is visible in the canonical string.
 */
export const notNode = (operand: Selector): NotNode => Object.freeze({ kind: "not", operand });
export const andNode = (operands: Operands): AndNode =>
  Object.freeze({ kind: "and", operands: Object.freeze([...operands]) as unknown as Operands });
export const orNode = (operands: Operands): OrNode =>
  Object.freeze({ kind: "or", operands: Object.freeze([...operands]) as unknown as Operands });
