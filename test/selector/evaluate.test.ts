import test from "ava";
import {
  matchesSelector,
  parseSelector,
  selectorLabelKeys,
  type Selector,
} from "../../src/selector/index.js";

type Labels = Readonly<Record<string, string>>;

const parse = (text: string): Selector => {
  const r = parseSelector(text);
  if (!r.ok) throw new Error(`${JSON.stringify(text)}: ${JSON.stringify(r.error)}`);
  return r.value;
};

// [selector, label maps it matches, label maps it does not match]. The first block is ported
// from libcalico-go lib/selector/parser/parser_test.go selectorTests.
const cases: readonly (readonly [string, readonly Labels[], readonly Labels[]])[] = [
  ['a == "b"', [{ a: "b" }, { a: "b", c: "d" }], [{}, { a: "c" }, { c: "d" }, { a: "" }, { a: "B" }]],
  [
    'a == "b" && c == "d"',
    [{ a: "b", c: "d" }],
    [{}, { a: "b", c: "e" }, { a: "c", c: "d" }, { c: "d" }, { a: "b" }],
  ],
  [
    'a == "b" || c == "d"',
    [{ a: "b", c: "d" }, { a: "b" }, { c: "d" }],
    [{}, { a: "e", c: "e" }, { c: "e" }, { a: "e" }],
  ],
  [`a in {"'", '"', "c"}`, [{ a: "c" }, { a: '"' }, { a: "'" }], [{}, { a: "e" }]],
  [`a not in {"'", '"', "c"}`, [{}, { a: "e" }], [{ a: "c" }, { a: '"' }, { a: "'" }]],
  ['a == ""', [{ a: "" }], [{}, { a: "x" }]],
  ['a != "a"', [{}, { a: "b" }, { a: "" }, { b: "a" }], [{ a: "a" }]],
  ['a contains "a"', [{ a: "a" }, { a: "bab" }, { a: "aaa", b: "c" }], [{}, { a: "b" }, { b: "aaa" }]],
  ['a contains ""', [{ a: "" }, { a: "x" }], [{}, { b: "" }]],
  ['a starts with "a"', [{ a: "a" }, { a: "abb" }], [{}, { a: "b" }, { a: "baa" }, { b: "aaa" }]],
  ['a ends with "a"', [{ a: "a" }, { a: "bba" }], [{}, { a: "b" }, { a: "aab" }, { b: "aaa" }]],
  ['a starts with ""', [{ a: "" }], [{}]],
  ['a in {"a", "b"}', [{ a: "a" }, { a: "b" }], [{}, { a: "c" }, { a: "" }, { b: "a" }]],
  ["a in {}", [], [{}, { a: "" }, { a: "a" }]],
  ["a not in {}", [{}, { a: "" }, { a: "a" }], []],
  ['a not in {"d", "e"}', [{}, { a: "a" }], [{ a: "d" }, { a: "e" }]],
  ['!a in {"a"}', [{}, { a: "b" }], [{ a: "a" }]],
  ["has(a)", [{ a: "b" }, { a: "" }], [{}, { b: "a" }]],
  ["!has(a)", [{}, { b: "b" }], [{ a: "b" }, { a: "" }]],
  ["!!has(b)", [{ b: "" }], [{ a: "b" }]],
  ["!!!has(a)", [{}], [{ a: "b" }]],
  ["", [{}, { a: "b" }], []],
  ["all()", [{}, { a: "b" }], []],
  // global() evaluates exactly like all() (ast.go GlobalNode.Evaluate); its special meaning is a
  // rewrite done before parsing, in libcalico-go's updateprocessors/rules.go.
  ["global()", [{}, { a: "b" }, { "projectcalico.org/namespace": "default" }], []],
  ["!all()", [], [{}]],
  ["!global()", [], [{}]],
  ["a == 'a1' && b != 'b1'", [{ a: "a1" }, { a: "a1", b: "b2" }], [{ a: "a1", b: "b1" }, {}]],
  ["!a == 'a1' && b == 'b1'", [{ b: "b1" }, { a: "a2", b: "b1" }], [{ a: "a1", b: "b1" }]],
  ["has(a) && !has(b)", [{ a: "a" }], [{ a: "a", b: "b" }, {}]],
  ["!(!has(a) || has(b))", [{ a: "a" }], [{ a: "a", b: "" }, {}]],
  ["a != 'a1' || b != 'b1'", [{}, { a: "a1" }], [{ a: "a1", b: "b1" }]],
  ["! a == 'a1' || ! b == 'b1'", [{ a: "a1" }], [{ a: "a1", b: "b1" }]],
  ["has(a) || has(b) && has(c)", [{ a: "" }, { b: "", c: "" }], [{ b: "" }, { c: "" }, {}]],
  [
    "(has(a) || has(b)) && has(c)",
    [
      { a: "", c: "" },
      { b: "", c: "" },
    ],
    [{ a: "" }, { c: "" }],
  ],
  [
    'calico/k8s_ns == "kube-system" && k8s-app == "kube-dns"',
    [{ "calico/k8s_ns": "kube-system", "k8s-app": "kube-dns" }],
    [{ "calico/k8s_ns": "kube-system" }],
  ],
  ['a in {"\u{10000}", "\uffff"}', [{ a: "\uffff" }, { a: "\u{10000}" }], [{ a: "\ud800" }]],
  // Label maps are data: Object.prototype members are not labels.
  ["has(constructor)", [{ constructor: "" }], [{}]],
  ['toString != "x"', [{}], [{ toString: "x" }]],
  ["has(__proto__)", [Object.fromEntries([["__proto__", "x"]])], [{}, Object.create(null) as Labels]],
];

for (const [input, matches, nonMatches] of cases) {
  test(`evaluates ${JSON.stringify(input)}`, (t) => {
    const sel = parse(input);
    for (const labels of matches)
      t.true(matchesSelector(sel, labels), `should match ${JSON.stringify(labels)}`);
    for (const labels of nonMatches) {
      t.false(matchesSelector(sel, labels), `should not match ${JSON.stringify(labels)}`);
    }
  });
}

const keyCases: readonly (readonly [string, readonly string[]])[] = [
  ["", []],
  ["global()", []],
  ['role == "x"', ["role"]],
  ['!(b in {"x"} || a != "y") && has(b) && c/d.e-f_g starts with "z"', ["a", "b", "c/d.e-f_g"]],
  ['z contains "a" || y ends with "b" || x not in {} || !has(z)', ["x", "y", "z"]],
];

for (const [input, keys] of keyCases) {
  test(`label keys of ${JSON.stringify(input)}`, (t) => {
    t.deepEqual(selectorLabelKeys(parse(input)), keys);
  });
}
