// Problems found while loading, as data. Validators return findings relative to the resource root;
// messages.ts turns the detail into words and issue.ts into an Issue with a file position.

import type { Severity } from "../util/issue.js";
import type { Path } from "./paths.js";

export type Detail =
  // files and documents
  | { readonly code: "file_not_found" }
  | { readonly code: "file_unreadable"; readonly reason: string }
  | { readonly code: "yaml_syntax"; readonly reason: string }
  | { readonly code: "yaml_warning"; readonly reason: string }
  | { readonly code: "invalid_document"; readonly received: string }
  | { readonly code: "unknown_api_version"; readonly apiVersion: string }
  | { readonly code: "unknown_kind"; readonly kind: string }
  | { readonly code: "foreign_resource"; readonly apiVersion: string; readonly kind: string }
  // shape
  | { readonly code: "missing_field" }
  | { readonly code: "empty_value" }
  /** `expected` holds zod type names (string, number, int, boolean, object, array). */
  | { readonly code: "invalid_type"; readonly expected: readonly string[]; readonly received: unknown }
  | {
      readonly code: "invalid_value";
      readonly received: unknown;
      readonly values: readonly (string | number)[];
      readonly suggestion?: string;
    }
  | { readonly code: "out_of_range"; readonly received: unknown; readonly min: number; readonly max: number }
  | { readonly code: "too_many_items"; readonly count: number; readonly max: number }
  | { readonly code: "too_few_items"; readonly min: number }
  | { readonly code: "too_long"; readonly length: number; readonly max: number }
  | {
      readonly code: "unknown_field";
      readonly field: string;
      readonly known: readonly string[];
      readonly suggestion?: string;
    }
  | { readonly code: "unsupported"; readonly feature: "services" | "http" }
  // metadata
  | { readonly code: "invalid_name"; readonly name: string; readonly rule: NameRule }
  | { readonly code: "invalid_label_key"; readonly key: string; readonly reason: string }
  | { readonly code: "invalid_label_value"; readonly value: string; readonly reason: string }
  | { readonly code: "reserved_label"; readonly key: string }
  | { readonly code: "invalid_annotation_key"; readonly key: string; readonly reason: string }
  | { readonly code: "annotations_too_large"; readonly excess: number }
  | { readonly code: "invalid_crd_metadata"; readonly reason: string }
  | { readonly code: "namespace_ignored"; readonly kind: string }
  // addresses and ports
  | { readonly code: "invalid_ip"; readonly value: string }
  | { readonly code: "invalid_cidr"; readonly value: string }
  | { readonly code: "cidr_not_masked"; readonly value: string; readonly network: string }
  | { readonly code: "mixed_ip_versions" }
  | { readonly code: "ip_version_mismatch"; readonly ipVersion: number }
  | { readonly code: "negated_catch_all"; readonly value: string }
  | { readonly code: "invalid_port"; readonly value: unknown }
  | { readonly code: "port_range_reversed"; readonly from: number; readonly to: number }
  | { readonly code: "invalid_port_name"; readonly name: string; readonly reason: string }
  | { readonly code: "ports_need_protocol" }
  | { readonly code: "protocol_has_no_ports"; readonly protocol: string | number }
  | { readonly code: "invalid_protocol"; readonly value: unknown; readonly suggestion?: string }
  | { readonly code: "endpoint_port_protocol"; readonly value: unknown }
  | {
      readonly code: "duplicate_port";
      readonly name: string;
      readonly protocol: string;
      readonly first: number;
    }
  | { readonly code: "icmp_needs_protocol" }
  | { readonly code: "icmp_code_without_type" }
  | { readonly code: "icmp_ip_version"; readonly protocol: string; readonly needs: 4 | 6 }
  // selectors
  | { readonly code: "selector_syntax"; readonly reason: string; readonly expected?: string }
  | { readonly code: "global_selector_misuse" }
  | { readonly code: "global_selector_combined" }
  // endpoints, policies, tiers, config
  | { readonly code: "invalid_interface_name"; readonly value: string }
  | { readonly code: "hep_needs_interface_or_ip" }
  | { readonly code: "duplicate_type"; readonly type: string }
  | { readonly code: "prednat_and_donottrack" }
  | { readonly code: "prednat_egress_rules" }
  | { readonly code: "prednat_egress_type" }
  | { readonly code: "needs_apply_on_forward" }
  | {
      readonly code: "builtin_tier";
      readonly tier: string;
      readonly field: "order" | "defaultAction";
      readonly value: string;
    }
  | { readonly code: "empty_bgp" }
  | { readonly code: "failsafe_protocol_omitted" }
  | { readonly code: "failsafe_protocol"; readonly value: string }
  // cross-resource
  | { readonly code: "duplicate_resource"; readonly resource: string; readonly first: string }
  | { readonly code: "unknown_profile"; readonly profile: string }
  | { readonly code: "unknown_tier"; readonly tier: string };

export type DetailCode = Detail["code"];

/** Which Calico name regex a name was checked against. */
export type NameRule = "subdomain" | "tier" | "globalNetworkPolicy" | "networkPolicy" | "namespace";

export interface Finding {
  readonly severity: Severity;
  /** Path from the resource (or document) root. */
  readonly path: Path;
  /** Point at the key of the field rather than its value (unknown fields). */
  readonly at?: "key" | "value";
  /** Offset inside the scalar's value (selector errors). */
  readonly offset?: number;
  readonly detail: Detail;
}

export const error = (path: Path, detail: Detail, extra: Partial<Finding> = {}): Finding => ({
  severity: "error",
  path,
  detail,
  ...extra,
});

export const warning = (path: Path, detail: Detail, extra: Partial<Finding> = {}): Finding => ({
  severity: "warning",
  path,
  detail,
  ...extra,
});

export const hasErrorFinding = (findings: readonly Finding[]): boolean =>
  findings.some((f) => f.severity === "error");

/** A value built by a validator together with what it found on the way. */
export interface Checked<T> {
  readonly value: T;
  readonly findings: readonly Finding[];
}
