// Builds one model resource from its raw value: envelope, metadata, then the kind's spec.
// A resource with any error is left out of the cluster (Calico would have refused it).

import type { Issue } from "../util/issue.js";
import type { Metadata, Resource, ResourceKind, SourcePos } from "./model.js";
import type { Checked, Finding } from "./findings.js";
import { hasErrorFinding } from "./findings.js";
import { issueIn, type ResourceSite } from "./issues.js";
import { positionKey, valueAt, type Path } from "./paths.js";
import type { RawResource } from "./envelope.js";
import { envelopeSchema } from "./schema/common.js";
import { shapeDeep, withoutNulls } from "./schema/shape.js";
import { docWithin, positionOf, type SourceDoc } from "./yaml-source.js";
import { buildMetadata } from "./checks/metadata.js";
import { buildHostEndpointSpec } from "./checks/endpoint.js";
import { buildFelixConfigurationSpec } from "./checks/felix.js";
import {
  buildGlobalNetworkSetSpec,
  buildNodeSpec,
  buildProfileSpec,
  buildTierSpec,
} from "./checks/others.js";
import { buildPolicySpec } from "./checks/policy.js";
import type { PositionOf } from "./checks/rule.js";

export interface BuiltResource {
  /** Undefined when the resource had errors. */
  readonly resource: Resource | undefined;
  readonly kind: ResourceKind;
  readonly metadata: Metadata | undefined;
  readonly site: ResourceSite;
  readonly issues: readonly Issue[];
}

/** Positions of every node of the resource, keyed by path relative to the resource root. */
const positionsOf = (doc: SourceDoc, prefix: Path, value: unknown): Record<string, SourcePos> => {
  const out: Record<string, SourcePos> = {};
  const visit = (v: unknown, rel: Path): void => {
    if (rel.length > 0 && doc.nodes.has(positionKey([...prefix, ...rel]))) {
      out[positionKey(rel)] = positionOf(doc, [...prefix, ...rel]);
    }
    if (Array.isArray(v)) v.forEach((item, i) => visit(item, [...rel, i]));
    else if (typeof v === "object" && v !== null)
      for (const [k, item] of Object.entries(v)) visit(item, [...rel, k]);
  };
  visit(value, []);
  return out;
};

/**
 * Position of a node (a rule, the resource itself) by the path relative to the resource root, as
 * positionOf gives it. Documents read fast know where their collections start, so this does not need
 * every node's position; others look it up.
 */
const locator = (doc: SourceDoc, prefix: Path, value: unknown): ((path: Path) => SourcePos | undefined) => {
  const startOf = doc.startOf;
  return (path) => {
    if (startOf !== undefined) {
      const node = valueAt(value, path);
      // A collection without a key of its own (a resource, a list item) is located at its start.
      const keyless =
        path.length === 0
          ? prefix.length === 0 || typeof prefix.at(-1) === "number"
          : typeof path.at(-1) === "number";
      const start = keyless && typeof node === "object" && node !== null ? startOf(node) : undefined;
      if (start !== undefined) return doc.pos(start);
    }
    const full = [...prefix, ...path];
    return doc.nodes.has(positionKey(full)) ? positionOf(doc, full) : undefined;
  };
};

/**
 * The resource with `positions` (every field's position) computed on first read: reporting needs only a
 * few positions, and working them all out is a large part of loading a big cluster. Built as one object
 * literal: adding the getter afterwards (defineProperty) or spreading fields costs microseconds per
 * resource on Node 20, which adds up over a cluster's tens of thousands. Spreading the resource
 * (`{ ...policy, spec }`, to edit it) reads `positions`: that reads the resource's own text again,
 * a few milliseconds (yaml-source.ts nodesAlone), not its whole file.
 */
const lazyResource = (
  kind: ResourceKind,
  metadata: Metadata,
  spec: SpecOf<ResourceKind>,
  source: SourcePos,
  compute: () => Record<string, SourcePos>,
): Resource => {
  let positions: Record<string, SourcePos> | undefined;
  const get = (): Record<string, SourcePos> => (positions ??= compute());
  return (
    kind === "Profile"
      ? {
          kind,
          metadata,
          spec,
          source,
          builtin: false,
          get positions() {
            return get();
          },
        }
      : {
          kind,
          metadata,
          spec,
          source,
          get positions() {
            return get();
          },
        }
  ) as Resource;
};

type SpecOf<K extends ResourceKind> = Extract<Resource, { kind: K }>["spec"];

const buildSpec = (
  kind: ResourceKind,
  spec: unknown,
  metadata: Metadata | undefined,
  posOf: PositionOf,
): Checked<SpecOf<ResourceKind> | undefined> => {
  switch (kind) {
    case "HostEndpoint":
      return buildHostEndpointSpec(spec);
    case "GlobalNetworkPolicy":
    case "NetworkPolicy":
      return buildPolicySpec(kind, spec, posOf);
    case "Profile":
      return buildProfileSpec(spec, posOf);
    case "Tier":
      return buildTierSpec(spec, metadata?.name);
    case "GlobalNetworkSet":
      return buildGlobalNetworkSetSpec(spec, metadata?.labels ?? {});
    case "FelixConfiguration":
      return buildFelixConfigurationSpec(spec);
    case "Node":
      return buildNodeSpec(spec);
  }
};

const rawTier = (spec: unknown): string => {
  const tier = typeof spec === "object" && spec !== null ? (spec as Record<string, unknown>).tier : undefined;
  return typeof tier === "string" ? tier : "";
};

const labelFor = (
  kind: ResourceKind,
  metadata: Metadata | undefined,
  raw: Record<string, unknown>,
): string => {
  if (metadata !== undefined) {
    return metadata.namespace === undefined
      ? `${kind}/${metadata.name}`
      : `${kind}/${metadata.namespace}/${metadata.name}`;
  }
  const meta = raw.metadata;
  const name = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>).name : undefined;
  return `${kind}/${typeof name === "string" ? name : "<unnamed>"}`;
};

export const buildResource = (raw: RawResource): BuiltResource => {
  const { kind, site } = raw;
  const value = withoutNulls(raw.value) as Record<string, unknown>;
  const envelope = shapeDeep(envelopeSchema, value, []);
  const metadata = buildMetadata(value.metadata, kind, raw.form, rawTier(value.spec));
  const locate: PositionOf = locator(site.doc, site.prefix, raw.value);
  const spec = buildSpec(kind, value.spec, metadata.value, locate);
  const findings: Finding[] = envelope.findings.concat(metadata.findings, spec.findings);
  const label = labelFor(kind, metadata.value, value);
  const labelled: ResourceSite = { doc: site.doc, prefix: site.prefix, label };
  const issues = findings.map((f) => issueIn(labelled, f));
  const ok = !hasErrorFinding(findings) && metadata.value !== undefined && spec.value !== undefined;
  const resource =
    ok && metadata.value !== undefined && spec.value !== undefined
      ? lazyResource(kind, metadata.value, spec.value, locate([]) ?? positionOf(site.doc, site.prefix), () =>
          positionsOf(docWithin(site.doc, site.prefix), site.prefix, raw.value),
        )
      : undefined;
  return { resource, kind, metadata: metadata.value, site: labelled, issues };
};
