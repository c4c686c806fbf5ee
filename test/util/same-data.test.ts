import test from "ava";
import fc from "fast-check";
import { canonicalJson } from "../../src/util/canonical-json.js";
import { sameData } from "../../src/util/same-data.js";

// A deep copy with every object's keys in reverse order.
const reversedKeys = (x: unknown): unknown =>
  Array.isArray(x)
    ? x.map(reversedKeys)
    : x !== null && typeof x === "object"
      ? Object.fromEntries(
          Object.entries(x)
            .reverse()
            .map(([k, v]) => [k, reversedKeys(v)]),
        )
      : x;

// Small alphabets, so that equal and nearly equal values are common.
const leaf = fc.oneof(
  fc.constantFrom("a", "b", "", 0, 1, -1, 0.5, true, false, null),
  fc.constant(undefined),
);
const { data } = fc.letrec((tie) => ({
  data: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("data"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("kind", "set", "ports", "x"), tie("data"), { maxKeys: 3 }),
  ),
}));

test("sameData agrees with comparing canonical JSON (undefined keys absent, key order ignored)", (t) => {
  // Top-level and array-item undefined are left out: JSON writes those as nothing or null.
  const noUndefinedItems = (x: unknown): boolean =>
    x !== undefined &&
    (Array.isArray(x)
      ? x.every(noUndefinedItems)
      : x === null ||
        typeof x !== "object" ||
        Object.values(x).every((v) => v === undefined || noUndefinedItems(v)));
  fc.assert(
    fc.property(data, data, (a, b) => {
      fc.pre(noUndefinedItems(a) && noUndefinedItems(b));
      t.is(sameData(a, b), canonicalJson(a) === canonicalJson(b));
      t.true(sameData(a, reversedKeys(a)));
    }),
    { numRuns: 3000 },
  );
});

test("sameData: the cases that matter for rules", (t) => {
  t.true(sameData({ kind: "set", set: "s", negated: undefined }, { set: "s", kind: "set" }));
  t.false(sameData({ kind: "set", set: "s" }, { kind: "set", set: "t" }));
  t.false(sameData([1, 2], [2, 1]));
  t.false(sameData([], {}));
  t.false(sameData({ a: null }, {}));
  t.false(sameData({ a: 1 }, { a: 1, b: 2 }));
  t.false(sameData(0, "0"));
});
