// Binary search in sorted arrays.

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
