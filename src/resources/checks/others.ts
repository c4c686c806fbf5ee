// Specs of Profile, Tier, GlobalNetworkSet and Node.

import type { CalicoNode, GlobalNetworkSet, Profile, Tier } from "../model.js";
import { error, type Checked, type Finding } from "../findings.js";
import type { Path } from "../paths.js";
import {
  globalNetworkSetSpecSchema,
  nodeSpecSchema,
  profileSpecSchema,
  tierSpecSchema,
} from "../schema/specs.js";
import { shapeDeep } from "../schema/shape.js";
import { checkLabels } from "./metadata-fields.js";
import { parseCidr } from "./net.js";
import { buildRules, type PositionOf } from "./rule.js";

const SPEC = ["spec"] as const;

const rawList = (spec: unknown, field: string): readonly unknown[] | undefined => {
  const v = typeof spec === "object" && spec !== null ? (spec as Record<string, unknown>)[field] : undefined;
  return Array.isArray(v) ? v : undefined;
};

export const buildProfileSpec = (raw: unknown, posOf: PositionOf): Checked<Profile["spec"] | undefined> => {
  const ingress = buildRules(rawList(raw, "ingress"), [...SPEC, "ingress"], posOf);
  const egress = buildRules(rawList(raw, "egress"), [...SPEC, "egress"], posOf);
  const shaped = shapeDeep(profileSpecSchema, raw ?? {}, SPEC);
  const findings: Finding[] = [...ingress.findings, ...egress.findings, ...shaped.findings];
  if (shaped.value === undefined) return { value: undefined, findings };
  const labelsToApply = shaped.value.labelsToApply ?? {};
  findings.push(...checkLabels(labelsToApply, [...SPEC, "labelsToApply"]));
  return { value: { ingress: ingress.value, egress: egress.value, labelsToApply }, findings };
};

/** Tiers Calico creates itself, with the order and default action their CEL rules insist on. */
const BUILTIN_TIERS: Readonly<Record<string, { order: number; defaultAction: "Deny" | "Pass" }>> = {
  default: { order: 1_000_000, defaultAction: "Deny" },
  "kube-admin": { order: 1_000, defaultAction: "Pass" },
  "kube-baseline": { order: 10_000_000, defaultAction: "Pass" },
};

export const buildTierSpec = (raw: unknown, name: string | undefined): Checked<Tier["spec"] | undefined> => {
  const shaped = shapeDeep(tierSpecSchema, raw ?? {}, SPEC);
  const s = shaped.value;
  if (s === undefined) return { value: undefined, findings: shaped.findings };
  const defaultAction = s.defaultAction ?? "Deny";
  const findings: Finding[] = [...shaped.findings];
  const builtin = name === undefined ? undefined : BUILTIN_TIERS[name];
  if (builtin !== undefined && name !== undefined) {
    if (defaultAction !== builtin.defaultAction) {
      findings.push(
        error([...SPEC, "defaultAction"], {
          code: "builtin_tier",
          tier: name,
          field: "defaultAction",
          value: `'${builtin.defaultAction}'`,
        }),
      );
    }
    if (s.order !== builtin.order) {
      findings.push(
        error([...SPEC, "order"], {
          code: "builtin_tier",
          tier: name,
          field: "order",
          value: String(builtin.order),
        }),
      );
    }
  }
  return { value: { ...(s.order === undefined ? {} : { order: s.order }), defaultAction }, findings };
};

export const buildGlobalNetworkSetSpec = (
  raw: unknown,
  labels: Readonly<Record<string, string>>,
): Checked<GlobalNetworkSet["spec"] | undefined> => {
  const shaped = shapeDeep(globalNetworkSetSpecSchema, raw ?? {}, SPEC);
  const findings: Finding[] = [...shaped.findings];
  if ("projectcalico.org/namespace" in labels) {
    findings.push(
      error(
        ["metadata", "labels", "projectcalico.org/namespace"],
        { code: "reserved_label", key: "projectcalico.org/namespace" },
        { at: "key" },
      ),
    );
  }
  if (shaped.value === undefined) return { value: undefined, findings };
  const nets: string[] = [];
  (shaped.value.nets ?? []).forEach((text, i) => {
    // The "cidr" validator does not require a masked network; Felix uses the masked one.
    const parsed = parseCidr(text);
    if (parsed.ok) nets.push(parsed.value.network);
    else findings.push(error([...SPEC, "nets", i], { code: "invalid_cidr", value: text }));
  });
  return { value: { nets }, findings };
};

/** An address with any prefix length removed, if it is a valid CIDR or IP of the wanted version. */
const address = (
  text: string,
  path: Path,
  version: 4 | 6 | undefined,
  findings: Finding[],
): string | undefined => {
  const parsed = parseCidr(text);
  if (!parsed.ok || (version !== undefined && parsed.value.version !== version)) {
    findings.push(error(path, { code: "invalid_cidr", value: text }));
    return undefined;
  }
  return parsed.value.text.replace(/\/\d+$/, "");
};

export const buildNodeSpec = (raw: unknown): Checked<CalicoNode["spec"] | undefined> => {
  const shaped = shapeDeep(nodeSpecSchema, raw ?? {}, SPEC);
  const s = shaped.value;
  if (s === undefined) return { value: undefined, findings: shaped.findings };
  const findings: Finding[] = [...shaped.findings];
  const bgp = s.bgp;
  if (bgp !== undefined && Object.keys(bgp).length === 0)
    findings.push(error([...SPEC, "bgp"], { code: "empty_bgp" }));
  const v4 =
    bgp?.ipv4Address === undefined
      ? undefined
      : address(bgp.ipv4Address, [...SPEC, "bgp", "ipv4Address"], 4, findings);
  const v6 =
    bgp?.ipv6Address === undefined
      ? undefined
      : address(bgp.ipv6Address, [...SPEC, "bgp", "ipv6Address"], 6, findings);
  const addresses = (s.addresses ?? []).flatMap((a, i) => {
    const parsed = address(a.address, [...SPEC, "addresses", i, "address"], undefined, findings);
    return parsed === undefined ? [] : [parsed];
  });
  // Literals, not spreads (one Node per cluster node), in the model's key order.
  const value =
    v4 === undefined
      ? v6 === undefined
        ? { addresses }
        : { ipv6Address: v6, addresses }
      : v6 === undefined
        ? { ipv4Address: v4, addresses }
        : { ipv4Address: v4, ipv6Address: v6, addresses };
  return { value, findings };
};
