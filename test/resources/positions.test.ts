// Positions: every field node is located, and selector errors land on the offending character.

import test from "ava";
import { scalarSourceOffset } from "../../src/resources/scalar-offset.js";
import { parse } from "./helpers.js";

const policy = (selectorLine: string) =>
  `apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\nspec:\n${selectorLine}\n`;

/** Column of the first issue, from its formatted text. */
const where = (text: string, path = "test.yaml"): string | undefined =>
  /:(\d+:\d+) /.exec(parse(text, path).lines[0] ?? "")?.[1];

test("positions map covers every field node, keyed by dotted path", (t) => {
  const { cluster } = parse(
    "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: p\n  labels:\n    a: b\nspec:\n  ingress:\n    - action: Allow\n      destination:\n        ports: [80, http]\n      protocol: TCP\n",
  );
  const p = cluster.policies[0];
  t.deepEqual(p?.source, { file: "test.yaml", line: 1, col: 1 });
  t.deepEqual(p?.positions["metadata.name"], { file: "test.yaml", line: 4, col: 9 });
  t.deepEqual(p?.positions["metadata.labels.a"], { file: "test.yaml", line: 6, col: 8 });
  t.deepEqual(p?.positions["spec.ingress.0.action"], { file: "test.yaml", line: 9, col: 15 });
  t.deepEqual(p?.positions["spec.ingress.0.destination.ports.1"], { file: "test.yaml", line: 11, col: 21 });
  t.deepEqual(p?.positions["spec.ingress"], { file: "test.yaml", line: 8, col: 3 });
  t.deepEqual(p?.spec.ingress[0]?.pos, { file: "test.yaml", line: 9, col: 7 });
});

test("selector error in a plain scalar: value column + offset", (t) => {
  // The plain value "a ==" starts at column 13 (trailing space is not part of it); the error is
  // "unexpected end of input" at offset 4.
  t.is(where(policy("  selector: a == ")), "6:17");
});

test("selector error in a double-quoted scalar counts the opening quote", (t) => {
  t.is(where(policy('  selector: "a == b"')), "6:19");
});

test("selector error after an escape in a double-quoted scalar", (t) => {
  // value: a == "x" && ) ; source: "a == \"x\" && )"
  t.is(where(policy('  selector: "a == \\"x\\" && )"')), "6:28");
});

test("selector error in a single-quoted scalar with a doubled quote", (t) => {
  // value: a == 'it''s' ... -> a == 'it's' is a bad string; points inside the source text
  t.is(where(policy("  selector: 'a == ''x'' &&'")), "6:27");
});

test("selector error in JSON", (t) => {
  const json = JSON.stringify(
    {
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkPolicy",
      metadata: { name: "p" },
      spec: { selector: "has(a) ||" },
    },
    null,
    2,
  );
  // `    "selector": "has(a) ||"` is line 8; the quote is at column 17, the end of the value at 27.
  t.is(where(json, "test.json"), "8:27");
});

test("scalarSourceOffset maps value offsets through escapes and block scalars", (t) => {
  t.is(scalarSourceOffset({ style: "PLAIN", raw: "abc", value: "abc" }, 2), 2);
  t.is(scalarSourceOffset({ style: "QUOTE_DOUBLE", raw: '"a\\tb"', value: "a\tb" }, 2), 4);
  t.is(scalarSourceOffset({ style: "QUOTE_SINGLE", raw: "'a''b'", value: "a'b" }, 2), 4);
  t.is(scalarSourceOffset({ style: "BLOCK_LITERAL", raw: "|\n  ab\n  cd\n", value: "ab\ncd\n" }, 3), 9);
  t.is(scalarSourceOffset({ style: "PLAIN", raw: "abc", value: "abc" }, 3), 3);
});

test("unknown fields point at the key, missing fields at the parent key", (t) => {
  t.deepEqual(parse(policy("  ingress:\n    - destination:\n        prots: [80]")).lines, [
    "error: test.yaml:7:7 GlobalNetworkPolicy/p spec.ingress[0].action: required field is missing",
    'error: test.yaml:8:9 GlobalNetworkPolicy/p spec.ingress[0].destination.prots: unknown field "prots"; did you mean "ports"? (accepted: nets, notNets, selector, notSelector, namespaceSelector, ports, notPorts, serviceAccounts, services)',
  ]);
});
