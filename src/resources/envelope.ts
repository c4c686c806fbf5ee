// Finds the resources in a document: a single resource, a kubectl `kind: List`, or a calicoctl
// `<Kind>List` whose items may leave out apiVersion and kind.

import type { Issue } from "../util/issue.js";
import type { ResourceKind } from "./model.js";
import { error, warning, type Finding } from "./findings.js";
import { issueIn, type ResourceSite } from "./issues.js";
import { SUPPORTED_KINDS } from "./kinds.js";
import type { Path } from "./paths.js";
import type { SourceDoc } from "./yaml-source.js";
import type { Form } from "./checks/metadata.js";

export interface RawResource {
  readonly kind: ResourceKind;
  readonly form: Form;
  readonly value: Readonly<Record<string, unknown>>;
  readonly site: ResourceSite;
}

const FORMS: Readonly<Record<string, Form>> = {
  "projectcalico.org/v3": "v3",
  "crd.projectcalico.org/v1": "crd",
};

const LIST_FIELDS = ["apiVersion", "kind", "items", "metadata"];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const isSupported = (kind: string): kind is ResourceKind =>
  (SUPPORTED_KINDS as readonly string[]).includes(kind);

const describeValue = (v: unknown): string =>
  Array.isArray(v) ? "a list" : v === null ? "null" : `a ${typeof v}`;

interface Inherited {
  readonly apiVersion: unknown;
  readonly kind: string;
}

/** "Kind/name" when the name can be read before validation. */
const labelOf = (kind: string, value: Record<string, unknown>): string | undefined => {
  const meta = value.metadata;
  const name = isRecord(meta) && typeof meta.name === "string" ? meta.name : undefined;
  return name === undefined ? undefined : `${kind}/${name}`;
};

const listFieldFindings = (value: Record<string, unknown>): Finding[] =>
  Object.keys(value)
    .filter((k) => !LIST_FIELDS.includes(k))
    .map((k) => error([k], { code: "unknown_field", field: k, known: LIST_FIELDS }, { at: "key" }));

export const extractResources = (doc: SourceDoc): { resources: RawResource[]; issues: Issue[] } => {
  const resources: RawResource[] = [];
  const issues: Issue[] = [];
  const visit = (value: unknown, prefix: Path, inherited: Inherited | undefined): void => {
    const site: ResourceSite = { doc, prefix };
    const report = (f: Finding, label?: string): void => {
      issues.push(issueIn(label === undefined ? site : { ...site, label }, f));
    };
    if (!isRecord(value))
      return report(error([], { code: "invalid_document", received: describeValue(value) }));
    const apiVersion = value.apiVersion ?? inherited?.apiVersion;
    const kind = value.kind ?? inherited?.kind;
    if (kind === undefined) return report(error(["kind"], { code: "missing_field" }));
    if (typeof kind !== "string")
      return report(error(["kind"], { code: "invalid_type", expected: ["string"], received: kind }));
    const calicoApi = typeof apiVersion === "string" && FORMS[apiVersion] !== undefined;
    if (kind === "List" || (kind.endsWith("List") && calicoApi)) {
      if (kind === "List" && apiVersion !== "v1" && !calicoApi) {
        return report(error(["apiVersion"], { code: "unknown_api_version", apiVersion: String(apiVersion) }));
      }
      listFieldFindings(value).forEach((f) => report(f));
      const items = value.items ?? [];
      if (!Array.isArray(items))
        return report(error(["items"], { code: "invalid_type", expected: ["array"], received: items }));
      const next = kind === "List" ? undefined : { apiVersion, kind: kind.slice(0, -"List".length) };
      items.forEach((item, i) => visit(item, [...prefix, "items", i], next));
      return;
    }
    if (apiVersion === undefined)
      return report(error(["apiVersion"], { code: "missing_field" }), labelOf(kind, value));
    const form = typeof apiVersion === "string" ? FORMS[apiVersion] : undefined;
    if (form === undefined && typeof apiVersion === "string" && !apiVersion.includes("projectcalico.org")) {
      return report(
        warning(["apiVersion"], { code: "foreign_resource", apiVersion, kind }),
        labelOf(kind, value),
      );
    }
    if (form === undefined) {
      return report(
        error(["apiVersion"], { code: "unknown_api_version", apiVersion: String(apiVersion) }),
        labelOf(kind, value),
      );
    }
    if (!isSupported(kind))
      return report(warning(["kind"], { code: "unknown_kind", kind }), labelOf(kind, value));
    resources.push({ kind, form, value, site });
  };
  visit(doc.value, [], undefined);
  return { resources, issues };
};
