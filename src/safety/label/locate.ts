// Finding a resource in a YAML document the way the loader does (src/resources/envelope.ts): a single
// resource, a kubectl `kind: List`, or a calicoctl `<Kind>List` whose items may leave out apiVersion and
// kind. The crd.projectcalico.org/v1 form keeps the v3 name and labels in the `projectcalico.org/metadata`
// annotation (libcalico-go ConvertK8sResourceToCalicoResource), so the name is read from there first.

import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from "yaml";

export const CRD_API = "crd.projectcalico.org/v1";
export const METADATA_ANNOTATION = "projectcalico.org/metadata";

export interface Located {
  readonly node: YAMLMap;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

const scalarAt = (m: YAMLMap, path: readonly string[]): unknown => {
  const n = m.getIn(path, true) as Node | undefined;
  return isScalar(n) ? n.value : undefined;
};

/** The JSON object stored in the CRD metadata annotation, or undefined when there is none (or it is not JSON). */
export const storedMetadata = (m: YAMLMap): Record<string, unknown> | undefined => {
  const raw = str(scalarAt(m, ["metadata", "annotations", METADATA_ANNOTATION]));
  if (raw === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

const nameOf = (m: YAMLMap, apiVersion: string): string | undefined => {
  const stored = apiVersion === CRD_API ? str(storedMetadata(m)?.name) : undefined;
  return stored !== undefined && stored !== "" ? stored : str(scalarAt(m, ["metadata", "name"]));
};

const calicoApi = (v: string | undefined): boolean => v === "projectcalico.org/v3" || v === CRD_API;

/** Every resource in the document, with its kind and name as the loader would read them. */
export const resourcesIn = (doc: Document): Located[] => {
  const out: Located[] = [];
  const visit = (n: unknown, inherited: { kind?: string; apiVersion?: string }): void => {
    if (!isMap(n)) return;
    const kind = str(scalarAt(n, ["kind"])) ?? inherited.kind;
    const apiVersion = str(scalarAt(n, ["apiVersion"])) ?? inherited.apiVersion;
    if (kind === undefined) return;
    if (kind === "List" || (kind.endsWith("List") && calicoApi(apiVersion))) {
      const items = n.get("items", true);
      const next =
        kind === "List"
          ? {}
          : { kind: kind.slice(0, -"List".length), ...(apiVersion === undefined ? {} : { apiVersion }) };
      if (isSeq(items)) for (const item of items.items) visit(item, next);
      return;
    }
    const name = nameOf(n, apiVersion ?? "");
    if (name !== undefined) out.push({ node: n, kind, apiVersion: apiVersion ?? "", name });
  };
  visit(doc.contents, {});
  return out;
};

/** The same search over plain JSON values. */
export const jsonResourcesIn = (
  v: unknown,
): { obj: Record<string, unknown>; kind: string; apiVersion: string; name: string }[] => {
  const out: { obj: Record<string, unknown>; kind: string; apiVersion: string; name: string }[] = [];
  const rec = (x: unknown): x is Record<string, unknown> =>
    typeof x === "object" && x !== null && !Array.isArray(x);
  const visit = (n: unknown, inherited: { kind?: string; apiVersion?: string }): void => {
    if (!rec(n)) return;
    const kind = str(n.kind) ?? inherited.kind;
    const apiVersion = str(n.apiVersion) ?? inherited.apiVersion;
    if (kind === undefined) return;
    if (kind === "List" || (kind.endsWith("List") && calicoApi(apiVersion))) {
      const next =
        kind === "List"
          ? {}
          : { kind: kind.slice(0, -"List".length), ...(apiVersion === undefined ? {} : { apiVersion }) };
      if (Array.isArray(n.items)) for (const item of n.items) visit(item, next);
      return;
    }
    const meta = rec(n.metadata) ? n.metadata : {};
    const name = str(meta.name);
    if (name !== undefined) out.push({ obj: n, kind, apiVersion: apiVersion ?? "", name });
  };
  visit(v, {});
  return out;
};
