import test from "ava";
import fc from "fast-check";
import { lowerBound } from "../../src/util/sorted.js";

test("lowerBound: the first index not before the item, as a linear scan finds it", (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -20, max: 20 })), fc.integer({ min: -25, max: 25 }), (xs, x) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const linear = sorted.findIndex((y) => y >= x);
      t.is(
        lowerBound(sorted, (y) => y < x),
        linear < 0 ? sorted.length : linear,
      );
    }),
  );
});
