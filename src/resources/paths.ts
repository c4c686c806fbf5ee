// Field paths inside a resource: an array of keys and indexes, printed two ways.

export type PathElement = string | number;
export type Path = readonly PathElement[];

/** The value at `path` inside `root` (undefined where the path leaves it). */
export const valueAt = (root: unknown, path: Path): unknown => {
  let node = root;
  for (const step of path) node = (node as Record<PathElement, unknown> | null | undefined)?.[step];
  return node;
};

/** Key of the `positions` map: "spec.ingress.0.action" (see model.ts Provenance). */
export const positionKey = (path: Path): string => path.join(".");

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Path as shown to users, zod's toDotPath style: spec.ingress[0].action, metadata.labels["a/b"]. */
export const displayPath = (path: Path): string => {
  let out = "";
  for (const element of path) {
    if (typeof element === "number") out += `[${element}]`;
    else if (IDENTIFIER.test(element)) out += out === "" ? element : `.${element}`;
    else out += `[${JSON.stringify(element)}]`;
  }
  return out;
};
