// Recursive-descent parser following libcalico-go lib/selector/parser/parser.go, so that the AST
// (and hence the canonical string Felix hashes into ipset names) comes out node for node the same.
//
//   selector  := <empty> | or
//   or        := and ("||" and)*
//   and       := operation ("&&" operation)*
//   operation := "!"* ( has(k) | all() | global() | "(" or ")"
//                     | k ("==" | "!=" | "contains" | "starts with" | "ends with") string
//                     | k ("in" | "not in") "{" [string ("," string)* [","]] "}" )

import { err, ok, type Result } from "../util/result.js";
import {
  allNode,
  andNode,
  globalNode,
  hasNode,
  notNode,
  orNode,
  setNode,
  valueNode,
  type Selector,
  type SelectorError,
  type ValueOp,
} from "./ast.js";
import { tokenize, type Token, type TokenKind } from "./lexer.js";

const EXPECT_OPERAND = 'label, "has(", "all()", "global()", "!", "("';
const EXPECT_OPERATOR = '"==", "!=", "in", "not in", "contains", "starts with", "ends with"';
const EXPECT_STRING = "string literal";
const EXPECT_AFTER_TOP = '"&&", "||", end of input';
const EXPECT_AFTER_PAREN = '"&&", "||", ")"';

const VALUE_OPS: Partial<Record<TokenKind, ValueOp>> = {
  eq: "eq",
  ne: "ne",
  contains: "contains",
  startsWith: "startsWith",
  endsWith: "endsWith",
};

type Step = Result<{ readonly node: Selector; readonly next: number }, SelectorError>;

/** Tokens always end with a terminal (eof/bad/error) that nothing matches, so clamp to it. */
const at = (toks: readonly Token[], i: number): Token => toks[Math.min(i, toks.length - 1)] as Token;

const describe = (t: Token): string => {
  switch (t.kind) {
    case "eof":
      return "end of input";
    case "label":
      return `label ${JSON.stringify(t.raw)}`;
    case "string":
      return `string ${t.raw}`;
    default:
      return JSON.stringify(t.raw);
  }
};

/** A malformed token reports its own problem; anything else is merely in the wrong place. */
const unexpected = (t: Token, expected: string): Result<never, SelectorError> =>
  err(t.error ?? { offset: t.start, message: `unexpected ${describe(t)}`, expected });

const parseSet = (
  toks: readonly Token[],
  i: number,
): Result<{ values: string[]; next: number }, SelectorError> => {
  const values: string[] = [];
  let j = i;
  // parser.go: strings separated by commas; a trailing comma before "}" is accepted.
  while (at(toks, j).kind === "string") {
    values.push(at(toks, j).value);
    j++;
    if (at(toks, j).kind !== "comma") {
      if (at(toks, j).kind !== "rbrace") return unexpected(at(toks, j), '",", "}"');
      break;
    }
    j++;
  }
  if (at(toks, j).kind !== "rbrace") return unexpected(at(toks, j), `${EXPECT_STRING}, "}"`);
  return ok({ values, next: j + 1 });
};

const parseComparison = (toks: readonly Token[], i: number): Step => {
  const label = at(toks, i).value;
  const op = at(toks, i + 1);
  const valueOp = VALUE_OPS[op.kind];
  if (valueOp !== undefined) {
    const s = at(toks, i + 2);
    if (s.kind !== "string") return unexpected(s, EXPECT_STRING);
    return ok({ node: valueNode(valueOp, label, s.value), next: i + 3 });
  }
  if (op.kind === "in" || op.kind === "notIn") {
    const brace = at(toks, i + 2);
    if (brace.kind !== "lbrace") return unexpected(brace, '"{"');
    const set = parseSet(toks, i + 3);
    if (!set.ok) return set;
    return ok({ node: setNode(op.kind, label, set.value.values), next: set.value.next });
  }
  return unexpected(op, EXPECT_OPERATOR);
};

const parseOperation = (toks: readonly Token[], start: number): Step => {
  // parser.go collapses a run of leading "!" into one flag, so "!!has(a)" is just has(a) while
  // "!(!has(a))" keeps both negations.
  let i = start;
  let negated = false;
  while (at(toks, i).kind === "not") {
    negated = !negated;
    i++;
  }
  const t = at(toks, i);
  let step: Step;
  switch (t.kind) {
    case "has":
      step = ok({ node: hasNode(t.value), next: i + 1 });
      break;
    case "all":
      step = ok({ node: allNode(), next: i + 1 });
      break;
    case "global":
      step = ok({ node: globalNode(), next: i + 1 });
      break;
    case "label":
      step = parseComparison(toks, i);
      break;
    case "lparen": {
      step = parseOr(toks, i + 1);
      if (!step.ok) return step;
      const close = at(toks, step.value.next);
      if (close.kind !== "rparen") return unexpected(close, EXPECT_AFTER_PAREN);
      step = ok({ node: step.value.node, next: step.value.next + 1 });
      break;
    }
    default:
      return unexpected(t, EXPECT_OPERAND);
  }
  if (!step.ok || !negated) return step;
  return ok({ node: notNode(step.value.node), next: step.value.next });
};

/** One or more `item`s separated by `sep`; a lone item is returned as itself, as parser.go does. */
const parseList = (
  toks: readonly Token[],
  start: number,
  sep: TokenKind,
  item: (toks: readonly Token[], i: number) => Step,
  build: (operands: readonly [Selector, Selector, ...Selector[]]) => Selector,
): Step => {
  const first = item(toks, start);
  if (!first.ok) return first;
  const rest: Selector[] = [];
  let i = first.value.next;
  while (at(toks, i).kind === sep) {
    const next = item(toks, i + 1);
    if (!next.ok) return next;
    rest.push(next.value.node);
    i = next.value.next;
  }
  const [second, ...more] = rest;
  if (second === undefined) return first;
  return ok({ node: build([first.value.node, second, ...more]), next: i });
};

const parseAnd = (toks: readonly Token[], i: number): Step =>
  parseList(toks, i, "and", parseOperation, andNode);

const parseOr = (toks: readonly Token[], i: number): Step => parseList(toks, i, "or", parseAnd, orNode);

/** Parse a selector; the empty (or all-blank) selector means `all()`, as in Felix. */
export const parseSelector = (text: string): Result<Selector, SelectorError> => {
  const toks = tokenize(text);
  if (at(toks, 0).kind === "eof") return ok(allNode());
  const step = parseOr(toks, 0);
  if (!step.ok) return step;
  const rest = at(toks, step.value.next);
  if (rest.kind !== "eof") return unexpected(rest, EXPECT_AFTER_TOP);
  return ok(step.value.node);
};
