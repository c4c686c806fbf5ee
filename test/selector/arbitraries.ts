// fast-check generators for selectors and label maps (not a test file: ava only runs *.test.ts).

import fc from "fast-check";
import {
  allNode,
  andNode,
  globalNode,
  hasNode,
  notNode,
  orNode,
  setNode,
  valueNode,
  type Operands,
  type Selector,
} from "../../src/selector/index.js";

/** Keys that collide with operator words or Object.prototype, plus a few ordinary ones. */
const TRICKY_KEYS = [
  "a",
  "b",
  "role",
  "has",
  "all",
  "global",
  "in",
  "not",
  "notin",
  "contains",
  "starts",
  "with",
  "startswith",
  "ends",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "projectcalico.org/namespace",
  "k8s-app",
  "x.y/z_1-2",
];

const IDENT_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-";

export const labelKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRICKY_KEYS),
  fc.string({ unit: fc.constantFrom(...IDENT_CHARS), minLength: 1, maxLength: 12 }),
);

/** A few values that collide often, so that equality and set membership are actually exercised. */
const COMMON_VALUES = ["", "a", "b", "ab", "frontend", "back end", "'", '"', "\uffff", "\u{10000}"];

/** Any string a selector literal can hold: no escapes exist, so never both kinds of quote. */
export const literal: fc.Arbitrary<string> = fc
  .oneof(fc.constantFrom(...COMMON_VALUES), fc.string({ unit: "binary", maxLength: 8 }))
  .filter((s) => !(s.includes('"') && s.includes("'")));

const leaf: fc.Arbitrary<Selector> = fc.oneof(
  fc.constant(allNode()),
  fc.constant(globalNode()),
  labelKey.map(hasNode),
  fc
    .tuple(fc.constantFrom("eq", "ne", "contains", "startsWith", "endsWith" as const), labelKey, literal)
    .map(([op, k, v]) => valueNode(op, k, v)),
  fc
    .tuple(fc.constantFrom("in", "notIn" as const), labelKey, fc.array(literal, { maxLength: 4 }))
    .map(([op, k, vs]) => setNode(op, k, vs)),
);

/**
 * ASTs the parser can produce: it collapses a run of leading "!" into at most one NotNode, so
 * a NotNode directly inside a NotNode is unreachable (and would print as "!!x", which parses to x).
 */
export const selectorAst: fc.Arbitrary<Selector> = fc.letrec<{
  node: Selector;
  notOperand: Selector;
  not: Selector;
  and: Selector;
  or: Selector;
}>((tie) => ({
  node: fc.oneof({ maxDepth: 4, depthIdentifier: "sel" }, leaf, tie("not"), tie("and"), tie("or")),
  notOperand: fc.oneof({ maxDepth: 4, depthIdentifier: "sel" }, leaf, tie("and"), tie("or")),
  not: tie("notOperand").map(notNode),
  and: fc
    .array(tie("node"), { minLength: 2, maxLength: 4, depthIdentifier: "sel" })
    .map((ops) => andNode(ops as unknown as Operands)),
  or: fc
    .array(tie("node"), { minLength: 2, maxLength: 4, depthIdentifier: "sel" })
    .map((ops) => orNode(ops as unknown as Operands)),
})).node;

/** Label maps, sometimes with a null prototype, keyed so that selectors often hit them. */
export const labelMap: fc.Arbitrary<Record<string, string>> = fc.dictionary(labelKey, literal, {
  maxKeys: 6,
});
