// GlobalNetworkPolicy and NetworkPolicy specs: shape, Calico's policy checks, types defaulting.

import type { z } from "zod";
import { DEFAULT_TIER, type PolicySpec, type PolicyType } from "../model.js";
import { error, type Checked, type Finding } from "../findings.js";
import { globalNetworkPolicySpecSchema, networkPolicySpecSchema } from "../schema/specs.js";
import { shapeDeep } from "../schema/shape.js";
import { isValidName } from "./names.js";
import { buildRules, type PositionOf } from "./rule.js";
import { checkSelector } from "./selector.js";

const SPEC = ["spec"] as const;

/** The v3 API's defaulting (globalnetworkpolicy.go): Ingress, Egress only if only egress rules, or both. */
export const defaultTypes = (ingressCount: number, egressCount: number): readonly PolicyType[] => {
  if (egressCount === 0) return ["Ingress"];
  return ingressCount === 0 ? ["Egress"] : ["Ingress", "Egress"];
};

const rawList = (spec: unknown, field: string): readonly unknown[] | undefined => {
  const v = typeof spec === "object" && spec !== null ? (spec as Record<string, unknown>)[field] : undefined;
  return Array.isArray(v) ? v : undefined;
};

const duplicateTypes = (types: readonly PolicyType[]): Finding[] =>
  types.flatMap((t, i) =>
    types.indexOf(t) < i ? [error([...SPEC, "types", i], { code: "duplicate_type", type: t })] : [],
  );

/** CEL rules on GlobalNetworkPolicySpec about preDNAT, doNotTrack and applyOnForward. */
const untrackedAndPreDnat = (
  s: { preDNAT?: boolean; doNotTrack?: boolean; applyOnForward?: boolean; types?: readonly PolicyType[] },
  egressCount: number,
): Finding[] => {
  const out: Finding[] = [];
  if (s.preDNAT === true && s.doNotTrack === true)
    out.push(error([...SPEC, "preDNAT"], { code: "prednat_and_donottrack" }));
  if (s.preDNAT === true && egressCount > 0)
    out.push(error([...SPEC, "egress"], { code: "prednat_egress_rules" }));
  if (s.preDNAT === true && (s.types ?? []).includes("Egress")) {
    out.push(error([...SPEC, "types"], { code: "prednat_egress_type" }));
  }
  if ((s.preDNAT === true || s.doNotTrack === true) && s.applyOnForward !== true) {
    out.push(error([...SPEC, "applyOnForward"], { code: "needs_apply_on_forward" }));
  }
  return out;
};

type GnpShape = z.output<typeof globalNetworkPolicySpecSchema>;

export const buildPolicySpec = (
  kind: "GlobalNetworkPolicy" | "NetworkPolicy",
  raw: unknown,
  posOf: PositionOf,
): Checked<PolicySpec | undefined> => {
  const ingress = buildRules(rawList(raw, "ingress"), [...SPEC, "ingress"], posOf);
  const egress = buildRules(rawList(raw, "egress"), [...SPEC, "egress"], posOf);
  const findings: Finding[] = [...ingress.findings, ...egress.findings];
  // NetworkPolicy's shape is GlobalNetworkPolicy's without the global-only fields.
  const shaped =
    kind === "GlobalNetworkPolicy"
      ? shapeDeep(globalNetworkPolicySpecSchema, raw ?? {}, SPEC)
      : shapeDeep(networkPolicySpecSchema, raw ?? {}, SPEC);
  findings.push(...shaped.findings);
  const s: GnpShape | undefined = shaped.value;
  if (s === undefined) return { value: undefined, findings };
  const tier = s.tier === undefined || s.tier === "" ? DEFAULT_TIER : s.tier;
  if (!isValidName(tier, "subdomain")) {
    findings.push(error([...SPEC, "tier"], { code: "invalid_name", name: tier, rule: "subdomain" }));
  }
  findings.push(
    ...checkSelector(s.selector, [...SPEC, "selector"], "plain"),
    ...checkSelector(s.serviceAccountSelector, [...SPEC, "serviceAccountSelector"], "plain"),
    ...checkSelector(s.namespaceSelector, [...SPEC, "namespaceSelector"], "plain"),
    ...duplicateTypes(s.types ?? []),
    ...untrackedAndPreDnat(s, rawList(raw, "egress")?.length ?? 0),
  );
  const spec: PolicySpec = {
    tier,
    ...(s.order === undefined ? {} : { order: s.order }),
    selector: s.selector ?? "",
    ...(s.namespaceSelector === undefined ? {} : { namespaceSelector: s.namespaceSelector }),
    ...(s.serviceAccountSelector === undefined ? {} : { serviceAccountSelector: s.serviceAccountSelector }),
    types:
      s.types === undefined
        ? defaultTypes(rawList(raw, "ingress")?.length ?? 0, rawList(raw, "egress")?.length ?? 0)
        : [...new Set(s.types)],
    ingress: ingress.value,
    egress: egress.value,
    preDNAT: s.preDNAT === true,
    doNotTrack: s.doNotTrack === true,
    applyOnForward: s.applyOnForward === true,
  };
  return { value: spec, findings };
};
