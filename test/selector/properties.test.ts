import test from "ava";
import fc from "fast-check";
import { isDeepStrictEqual } from "node:util";
import {
  matchesSelector,
  parseSelector,
  printSelector,
  selectorLabelKeys,
  selectorUniqueId,
} from "../../src/selector/index.js";
import { labelKey, labelMap, literal, selectorAst } from "./arbitraries.js";

test("printing round-trips: parse(print(ast)) prints and evaluates identically", (t) => {
  fc.assert(
    fc.property(selectorAst, fc.array(labelMap, { maxLength: 8 }), (ast, maps) => {
      const printed = printSelector(ast);
      const reparsed = parseSelector(printed);
      if (!reparsed.ok) return false;
      if (printSelector(reparsed.value) !== printed) return false;
      if (selectorUniqueId(reparsed.value) !== selectorUniqueId(ast)) return false;
      return maps.every((labels) => matchesSelector(reparsed.value, labels) === matchesSelector(ast, labels));
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test("parser-reachable ASTs survive printing structurally", (t) => {
  fc.assert(
    fc.property(selectorAst, (ast) =>
      isDeepStrictEqual(parseSelector(printSelector(ast)), { ok: true, value: ast }),
    ),
    { numRuns: 1000 },
  );
  t.pass();
});

test("the evaluator never throws on random label maps", (t) => {
  const nullProto = labelMap.map((m) => Object.assign(Object.create(null) as Record<string, string>, m));
  fc.assert(
    fc.property(selectorAst, fc.oneof(labelMap, nullProto), (ast, labels) => {
      const result = matchesSelector(ast, labels);
      return typeof result === "boolean";
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test("labels the selector does not mention never change the outcome", (t) => {
  fc.assert(
    fc.property(selectorAst, labelMap, labelKey, literal, (ast, labels, key, value) => {
      fc.pre(!selectorLabelKeys(ast).includes(key));
      const more = Object.fromEntries([...Object.entries(labels), [key, value]]) as Record<string, string>;
      return matchesSelector(ast, more) === matchesSelector(ast, labels);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test("the parser never throws, and error offsets lie within the input", (t) => {
  // Mostly selector-shaped noise, so that the parser gets past the first token.
  const piece = fc.oneof(
    fc.constantFrom("a", "b", " ", "\t", "(", ")", "!", "&&", "||", "==", "!=", "=", "&", "|", "{", "}", ","),
    fc.constantFrom(
      " in ",
      " not in ",
      " contains ",
      " starts with ",
      " ends with ",
      "has(",
      "all()",
      "global()",
    ),
    fc.constantFrom('"x"', "'y'", '"', "'", "\n", "%"),
    fc.string({ unit: "binary", maxLength: 3 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const text = pieces.join("");
      const r = parseSelector(text);
      if (r.ok) return parseSelector(printSelector(r.value)).ok;
      return r.error.offset >= 0 && r.error.offset <= text.length && r.error.message.length > 0;
    }),
    { numRuns: 5000 },
  );
  t.pass();
});
