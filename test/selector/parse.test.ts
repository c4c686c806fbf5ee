import test from "ava";
import {
  parseSelector,
  printSelector,
  selectorUniqueId,
  type Selector,
  type SelectorError,
} from "../../src/selector/index.js";

const parse = (text: string): Selector => {
  const r = parseSelector(text);
  if (!r.ok) throw new Error(`${JSON.stringify(text)}: ${JSON.stringify(r.error)}`);
  return r.value;
};

const canon = (text: string): string => printSelector(parse(text));

// One row per operator / construct: input, expected AST, expected canonical form.
const operatorCases: readonly (readonly [string, Selector, string])[] = [
  ["", { kind: "all" }, "all()"],
  [" \t ", { kind: "all" }, "all()"],
  ["all()", { kind: "all" }, "all()"],
  ["all( )", { kind: "all" }, "all()"],
  ["global()", { kind: "global" }, "global()"],
  ["global(\t)", { kind: "global" }, "global()"],
  ["has(a)", { kind: "has", label: "a" }, "has(a)"],
  [
    "has( calico/k8s_NS-.1/role )",
    { kind: "has", label: "calico/k8s_NS-.1/role" },
    "has(calico/k8s_NS-.1/role)",
  ],
  ["!has(a)", { kind: "not", operand: { kind: "has", label: "a" } }, "!has(a)"],
  ['k == "v"', { kind: "eq", label: "k", value: "v" }, 'k == "v"'],
  ["k=='v'", { kind: "eq", label: "k", value: "v" }, 'k == "v"'],
  ["k != 'v'", { kind: "ne", label: "k", value: "v" }, 'k != "v"'],
  ['k contains "s"', { kind: "contains", label: "k", value: "s" }, 'k contains "s"'],
  ['k contains"s"', { kind: "contains", label: "k", value: "s" }, 'k contains "s"'],
  ['k starts with "s"', { kind: "startsWith", label: "k", value: "s" }, 'k starts with "s"'],
  ['k starts \t with "s"', { kind: "startsWith", label: "k", value: "s" }, 'k starts with "s"'],
  ['k startswith "s"', { kind: "startsWith", label: "k", value: "s" }, 'k starts with "s"'],
  ['k ends with "s"', { kind: "endsWith", label: "k", value: "s" }, 'k ends with "s"'],
  ['k endswith "s"', { kind: "endsWith", label: "k", value: "s" }, 'k ends with "s"'],
  ['k in {"b", "a"}', { kind: "in", label: "k", values: ["a", "b"] }, 'k in {"a", "b"}'],
  ["k in {}", { kind: "in", label: "k", values: [] }, "k in {}"],
  ['k in{"a",}', { kind: "in", label: "k", values: ["a"] }, 'k in {"a"}'],
  ['k not in {"a"}', { kind: "notIn", label: "k", values: ["a"] }, 'k not in {"a"}'],
  ['k notin {"a"}', { kind: "notIn", label: "k", values: ["a"] }, 'k not in {"a"}'],
  [
    'a == "1" && b == "2" && c == "3"',
    {
      kind: "and",
      operands: [
        { kind: "eq", label: "a", value: "1" },
        { kind: "eq", label: "b", value: "2" },
        { kind: "eq", label: "c", value: "3" },
      ],
    },
    '(a == "1" && b == "2" && c == "3")',
  ],
  [
    "has(a) || has(b) && has(c)",
    {
      kind: "or",
      operands: [
        { kind: "has", label: "a" },
        {
          kind: "and",
          operands: [
            { kind: "has", label: "b" },
            { kind: "has", label: "c" },
          ],
        },
      ],
    },
    "(has(a) || (has(b) && has(c)))",
  ],
  ["((has(a)))", { kind: "has", label: "a" }, "has(a)"],
  // "!" binds a whole operation, not just the label.
  ['!a == "b"', { kind: "not", operand: { kind: "eq", label: "a", value: "b" } }, '!a == "b"'],
  // Keywords are ordinary label names where a label is expected.
  [
    'contains contains "contains"',
    { kind: "contains", label: "contains", value: "contains" },
    'contains contains "contains"',
  ],
  ['has == "x"', { kind: "eq", label: "has", value: "x" }, 'has == "x"'],
  ['all != "x"', { kind: "ne", label: "all", value: "x" }, 'all != "x"'],
  ['in in {"in"}', { kind: "in", label: "in", values: ["in"] }, 'in in {"in"}'],
];

for (const [input, ast, printed] of operatorCases) {
  test(`parses ${JSON.stringify(input)}`, (t) => {
    const sel = parse(input);
    t.deepEqual(sel, ast);
    t.is(printSelector(sel), printed);
    t.true(Object.isFrozen(sel));
  });
}

// Canonical forms and UIDs from libcalico-go lib/selector/parser/parser_test.go canonicalisationTests
// and the visitor tests (minus the prefix), plus our own.
const canonicalCases: readonly (readonly [string, string, string?])[] = [
  ["", "all()", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug"],
  [" all() ", "all()", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug"],
  [" (all() )", "all()", "s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug"],
  ["! (has( b)||! has(a ))", "!(has(b) || !has(a))", "s:Iss0uCleLYv1GSv_pNm7hAO58kE9jAx1NKyG3Q"],
  ['! (a == "b"&&! c != "d")', '!(a == "b" && !c != "d")', "s:lh3haoY1ikTRkd4UZu0nWSaIBknYLPJLX16d-w"],
  ['role == "frontend"', 'role == "frontend"', "s:lJVGDaqTNzSq4oOWKtH8pYj3zM-u5a8vGYAr8Q"],
  ["role == 'frontend'", 'role == "frontend"', "s:lJVGDaqTNzSq4oOWKtH8pYj3zM-u5a8vGYAr8Q"],
  [`a == "'"`, `a == "'"`],
  [`a == '"'`, `a == '"'`],
  [`a contains '"'`, `a contains '"'`],
  [`a startswith '"'`, `a starts with '"'`],
  [`a endswith "'"`, `a ends with "'"`],
  [`a!='"'`, `a != '"'`],
  [`a in {"d", "a", "b"}`, `a in {"a", "b", "d"}`],
  [`a in {"z", "z", "x", "y", "x", "a"}`, `a in {"a", "x", "y", "z"}`],
  [`a in {"'", '"', "c"}`, `a in {'"', "'", "c"}`],
  // Go sorts set members by UTF-8 bytes (code points), not UTF-16 code units.
  ['a in {"\u{10000}", "\uffff", "B", "a"}', 'a in {"B", "a", "\uffff", "\u{10000}"}'],
  ["!!has(a)", "has(a)"],
  ["!!!has(a)", "!has(a)"],
  ["! !! has(a)", "!has(a)"],
  // Felix keeps both NotNodes here, so its canonical form is not a fixed point (see below).
  ["!(!has(a))", "!!has(a)"],
  [
    "!(!(k == 'v' && has(t) || all()) && (a in {'b', 'c'}))",
    '!(!((k == "v" && has(t)) || all()) && a in {"b", "c"})',
  ],
  ["(a == 'x' && b == 'y') && c == 'z'", '((a == "x" && b == "y") && c == "z")'],
];

for (const [input, expected, uid] of canonicalCases) {
  test(`canonicalises ${JSON.stringify(input)}`, (t) => {
    const sel = parse(input);
    t.is(printSelector(sel), expected);
    if (uid !== undefined) t.is(selectorUniqueId(sel), uid);
    if (!expected.includes("!!")) t.is(canon(expected), expected, "canonical form re-parses to itself");
  });
}

test("Felix's canonical form of !(!x) is not a fixed point: !!x re-parses to x", (t) => {
  t.is(canon(canon("!(!has(a))")), "has(a)");
});

test("labels may be 512 characters long but no longer", (t) => {
  const long = "a".repeat(512);
  t.is(canon(`${long} == "v"`), `${long} == "v"`);
  t.is(canon(`has(${long})`), `has(${long})`);
  const r = parseSelector(`${long}b == "v"`);
  t.false(r.ok);
  if (!r.ok) t.is(r.error.offset, 0);
});

// [input, offset, message, expected]
const errorCases: readonly (readonly [string, number, string, string?])[] = [
  ['k8s-app= "x"', 7, 'unexpected "="', '"==", "!=", "in", "not in", "contains", "starts with", "ends with"'],
  ["b == b", 5, 'unexpected label "b"', "string literal"],
  ["b starts with b", 14, 'unexpected "b"', "string literal"],
  ["b not in b", 9, 'unexpected "b"', '"{"'],
  ["b in b", 5, 'unexpected label "b"', '"{"'],
  [
    'b startswithx "y"',
    2,
    'unexpected "startswithx"',
    '"==", "!=", "in", "not in", "contains", "starts with", "ends with"',
  ],
  ["'b1' == b", 0, "unexpected string 'b1'", 'label, "has(", "all()", "global()", "!", "("'],
  ["b", 1, "unexpected end of input", '"==", "!=", "in", "not in", "contains", "starts with", "ends with"'],
  ["a b", 2, 'unexpected "b"', '"==", "!=", "in", "not in", "contains", "starts with", "ends with"'],
  ["!", 1, "unexpected end of input", 'label, "has(", "all()", "global()", "!", "("'],
  ['foo == "bar" &', 13, 'unexpected "&"', '"&&", "||", end of input'],
  ['foo == "bar" |', 13, 'unexpected "|"', '"&&", "||", end of input'],
  ["foo != ||", 7, 'unexpected "||"', "string literal"],
  ['foo in {"", ||', 12, 'unexpected "||"', 'string literal, "}"'],
  ['a in {"x" "y"}', 10, 'unexpected string "y"', '",", "}"'],
  ["a in {,}", 6, 'unexpected ","', 'string literal, "}"'],
  ['foo in ""', 7, 'unexpected string ""', '"{"'],
  ['"FOO', 0, "unterminated string", 'closing "'],
  [`x == 'FOO"`, 5, "unterminated string", "closing '"],
  ["(", 1, "unexpected end of input", 'label, "has(", "all()", "global()", "!", "("'],
  ['(a == "foo"', 11, "unexpected end of input", '"&&", "||", ")"'],
  [")", 0, 'unexpected ")"', 'label, "has(", "all()", "global()", "!", "("'],
  ["()", 1, 'unexpected ")"', 'label, "has(", "all()", "global()", "!", "("'],
  ['a == "b" && %', 12, 'unexpected "%"', 'label, "has(", "all()", "global()", "!", "("'],
  ['a == "b" c == "d"', 9, 'unexpected label "c"', '"&&", "||", end of input'],
  ["has()", 4, 'unexpected ")" in has()', "label"],
  ["has( foo ", 9, "unexpected end of input in has()", '")"'],
  ["all(", 4, "unexpected end of input in all()", '")"'],
  ["global(x)", 7, 'unexpected "x" in global()', '")"'],
  ['a\n== "b"', 1, 'unexpected "\\n"', '"==", "!=", "in", "not in", "contains", "starts with", "ends with"'],
  [
    'label ends withs "value"',
    6,
    'unexpected "ends"',
    '"==", "!=", "in", "not in", "contains", "starts with", "ends with"',
  ],
  ['rôle == "x"', 1, 'unexpected "ô"', '"==", "!=", "in", "not in", "contains", "starts with", "ends with"'],
];

for (const [input, offset, message, expected] of errorCases) {
  test(`rejects ${JSON.stringify(input)}`, (t) => {
    const r = parseSelector(input);
    const want: SelectorError = expected === undefined ? { offset, message } : { offset, message, expected };
    t.deepEqual(r, { ok: false, error: want });
  });
}
