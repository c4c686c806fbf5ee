// A JSON list written an item at a time (src/util/json-parts.ts) is what JSON.stringify(…, null, 2) writes
// for the whole document, at any depth, empty or not.

import test from "ava";
import fc from "fast-check";
import { jsonAt, jsonListParts } from "../../src/util/json-parts.js";

/** `list` written in parts as the value of "items", inside `depth - 1` objects of one key each. */
const inParts = (list: readonly unknown[], depth: number): string => {
  let open = "";
  let close = "";
  for (let d = 0; d < depth; d++) {
    open += `{\n${"  ".repeat(d + 1)}"items": `;
    close = `\n${"  ".repeat(d)}}${close}`;
  }
  const parts = jsonListParts(depth);
  return open + list.map((x) => parts.item(jsonAt(x, depth + 1))).join("") + parts.close() + close;
};

const nestedIn = (list: readonly unknown[], depth: number): unknown => {
  let v: unknown = list;
  for (let d = 0; d < depth; d++) v = { items: v };
  return v;
};

test("a list written in parts is JSON.stringify's, at depths 0 to 3 (property)", (t) => {
  fc.assert(
    fc.property(fc.array(fc.jsonValue(), { maxLength: 6 }), fc.integer({ min: 0, max: 3 }), (list, depth) => {
      t.is(inParts(list, depth), JSON.stringify(nestedIn(list, depth), null, 2));
    }),
  );
});

test("an empty list is [] and an item's own lines are indented to its depth", (t) => {
  t.is(inParts([], 0), "[]");
  t.is(inParts([{ a: [1] }], 1), JSON.stringify({ items: [{ a: [1] }] }, null, 2));
});
