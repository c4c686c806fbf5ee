// metadata: shape, the crd.projectcalico.org/v1 conversion, and name/namespace/label rules.

import type { Metadata, ResourceKind } from "../model.js";
import { error, warning, type Checked, type Finding, type NameRule } from "../findings.js";
import { metadataSchema, type MetadataShape } from "../schema/common.js";
import { shapeDeep } from "../schema/shape.js";
import { checkAnnotations, checkLabels } from "./metadata-fields.js";
import { isValidName, NAME_MAX_LENGTH } from "./names.js";

export type Form = "v3" | "crd";

const METADATA_ANNOTATION = "projectcalico.org/metadata";

const NAME_RULES: Readonly<Partial<Record<ResourceKind, NameRule>>> = {
  Tier: "tier",
  GlobalNetworkPolicy: "globalNetworkPolicy",
  NetworkPolicy: "networkPolicy",
};

const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === "string");

interface Converted {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/**
 * crd.projectcalico.org/v1 keeps the v3 metadata in an annotation
 * (libcalico-go/lib/backend/k8s/resources/resources.go ConvertK8sResourceToCalicoResource):
 * its labels and annotations win over the CRD's own, and a policy without a stored name drops a
 * "default." prefix when it is in the default tier.
 */
const fromCrd = (m: MetadataShape, kind: ResourceKind, tier: string): Checked<Converted> => {
  const annotations = { ...(m.annotations ?? {}) };
  const labels = { ...(m.labels ?? {}) };
  const stored = annotations[METADATA_ANNOTATION];
  if (stored === undefined) return { value: { name: m.name, labels, annotations }, findings: [] };
  delete annotations[METADATA_ANNOTATION];
  const path = ["metadata", "annotations", METADATA_ANNOTATION];
  let meta: unknown;
  try {
    meta = JSON.parse(stored);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return {
      value: { name: m.name, labels, annotations },
      findings: [error(path, { code: "invalid_crd_metadata", reason })],
    };
  }
  const obj = (typeof meta === "object" && meta !== null ? meta : {}) as Record<string, unknown>;
  const findings: Finding[] = [];
  for (const field of ["labels", "annotations"] as const) {
    if (obj[field] !== undefined && obj[field] !== null && !isStringMap(obj[field])) {
      findings.push(
        error(path, { code: "invalid_crd_metadata", reason: `${field} must map strings to strings` }),
      );
    }
  }
  const storedName = typeof obj.name === "string" ? obj.name : "";
  const isPolicy = kind === "GlobalNetworkPolicy" || kind === "NetworkPolicy";
  const name =
    storedName !== ""
      ? storedName
      : isPolicy && (tier === "" || tier === "default")
        ? m.name.replace(/^default\./, "")
        : m.name;
  return {
    value: {
      name,
      labels: { ...labels, ...(isStringMap(obj.labels) ? obj.labels : {}) },
      annotations: { ...annotations, ...(isStringMap(obj.annotations) ? obj.annotations : {}) },
    },
    findings,
  };
};

const checkName = (name: string, kind: ResourceKind): readonly Finding[] => {
  const rule = NAME_RULES[kind] ?? "subdomain";
  const max = NAME_MAX_LENGTH[rule];
  const out: Finding[] = [];
  if (name.length > max)
    out.push(error(["metadata", "name"], { code: "too_long", length: name.length, max }));
  if (!isValidName(name, rule)) out.push(error(["metadata", "name"], { code: "invalid_name", name, rule }));
  return out;
};

const checkNamespace = (m: MetadataShape, kind: ResourceKind): Checked<string | undefined> => {
  if (kind !== "NetworkPolicy") {
    const findings =
      m.namespace === undefined
        ? []
        : [warning(["metadata", "namespace"], { code: "namespace_ignored", kind })];
    return { value: undefined, findings };
  }
  const namespace = m.namespace ?? "default";
  const findings = isValidName(namespace, "namespace")
    ? []
    : [error(["metadata", "namespace"], { code: "invalid_name", name: namespace, rule: "namespace" })];
  return { value: namespace, findings };
};

export const buildMetadata = (
  raw: unknown,
  kind: ResourceKind,
  form: Form,
  tier: string,
): Checked<Metadata | undefined> => {
  const shaped = shapeDeep(metadataSchema, raw, ["metadata"]);
  const m = shaped.value;
  if (m === undefined) return { value: undefined, findings: shaped.findings };
  const converted: Checked<Converted> =
    form === "crd"
      ? fromCrd(m, kind, tier)
      : {
          value: {
            name: m.name,
            labels: Object.assign({}, m.labels),
            annotations: Object.assign({}, m.annotations),
          },
          findings: [],
        };
  const { name, labels, annotations } = converted.value;
  const namespace = checkNamespace(m, kind);
  const findings = shaped.findings.concat(
    converted.findings,
    checkName(name, kind),
    namespace.findings,
    checkLabels(labels, ["metadata", "labels"]),
    checkAnnotations(annotations, ["metadata", "annotations"]),
  );
  // No spreads: this runs for every resource of a large cluster (see build.ts lazyResource).
  const metadata: Metadata =
    namespace.value === undefined
      ? { name, labels, annotations }
      : { name, namespace: namespace.value, labels, annotations };
  return { value: metadata, findings };
};
