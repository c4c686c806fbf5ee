// JSON text with every object's keys sorted, so that data equal up to key order give the same text.

import { compareStrings } from "./compare.js";

/** JSON.stringify with object keys in code-unit order (keys whose value is undefined left out, as JSON does). */
export const canonicalJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => compareStrings(a, b)))
      : x,
  );
