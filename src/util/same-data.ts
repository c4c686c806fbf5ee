// Equality of plain data (what JSON can hold) without turning it into text: the incremental re-render
// compares thousands of rebuilt rules with the previous ones on every edit, and JSON.stringify of both
// sides took most of the diff's time.

/**
 * True when `a` and `b` are equal plain data: the same primitives, arrays of equal items, and objects
 * with equal values under the same keys, in any order. Keys whose value is `undefined` count as absent,
 * as in JSON. Meant for trees of arrays and object literals (the rule IR), not for class instances,
 * Maps, cycles or bigints.
 */
export const sameData = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue;
    keys++;
    if (!sameData(v, y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) keys--;
  return keys === 0;
};
