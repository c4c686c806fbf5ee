// Binary search in sorted arrays, and strings put in order.

import { compareStrings } from "./compare.js";

/**
 * The index of the first item of `list` for which `before` is false, given that `before` holds for a
 * prefix of the list and not after it (list sorted, `before` = "sorts before the sought item").
 */
export const lowerBound = <T>(list: readonly T[], before: (item: T) => boolean): number => {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Whether each string sorts strictly after the one before it (code-unit order): sorted and distinct. */
export const strictlyAscending = (xs: readonly string[]): boolean => {
  for (let i = 1; i < xs.length; i++) if (!(xs[i - 1]! < xs[i]!)) return false;
  return true;
};

/** `xs` sorted in code-unit order without repeats; `xs` itself when it already is (no copy). */
export const distinctSorted = (xs: readonly string[]): readonly string[] =>
  strictlyAscending(xs) ? xs : [...new Set(xs)].sort(compareStrings);
