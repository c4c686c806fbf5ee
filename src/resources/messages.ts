// The one place that words resource problems; everything else reports findings as data. Where
// Calico has its own wording (validator.go, v3 CEL rules) it is repeated so users can search for it.

import type { Detail, NameRule } from "./findings.js";
import { SUPPORTED_KINDS } from "./kinds.js";

export interface Words {
  readonly message: string;
  readonly accepted?: string;
}

const show = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "a list" : "a mapping";
  return String(value);
};

const didYouMean = (suggestion: string | undefined): string =>
  suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`;

const entries = (n: number): string => `${n} ${n === 1 ? "entry" : "entries"}`;

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

const NAME_WORDS: Readonly<Record<NameRule, Words>> = {
  subdomain: {
    message: "name must consist of lower case alphanumeric characters, '-' or '.'",
    accepted: `regex ${LABEL}(\\.${LABEL})*`,
  },
  tier: {
    message: "tier name must consist of lower case alphanumeric characters or '-' (no '.')",
    accepted: `regex ${LABEL}`,
  },
  globalNetworkPolicy: {
    message:
      "GlobalNetworkPolicy name must consist of lower case alphanumeric characters or '-', with at most one '.'",
    accepted: `regex (${LABEL}\\.)?${LABEL}`,
  },
  networkPolicy: {
    message:
      "NetworkPolicy name must consist of lower case alphanumeric characters or '-', with at most one '.'",
    accepted: `regex (${LABEL})(\\.${LABEL})? or knp.default.<name> or ossg.default.<name>`,
  },
  namespace: {
    message: "namespace must consist of lower case alphanumeric characters or '-'",
    accepted: `regex ${LABEL}`,
  },
};

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
};

const typeWord = (name: string): string => TYPE_WORDS[name] ?? name;

const PROTOCOLS = "TCP | UDP | ICMP | ICMPv6 | SCTP | UDPLite | 1-255";
const PORT_PROTOCOLS = "TCP | UDP | SCTP";

/** Message and accepted values for one finding. Exhaustive over Detail. */
export const describe = (d: Detail): Words => {
  switch (d.code) {
    case "file_not_found":
      return { message: "no such file or directory" };
    case "file_unreadable":
      return { message: `cannot read: ${d.reason}` };
    case "yaml_syntax":
      return { message: `YAML syntax error: ${d.reason}` };
    case "yaml_warning":
      return { message: `YAML warning: ${d.reason}` };
    case "invalid_document":
      return { message: `a resource document must be a mapping, got ${d.received}` };
    case "unknown_api_version":
      return {
        message: `unknown apiVersion ${show(d.apiVersion)}`,
        accepted: "projectcalico.org/v3 | crd.projectcalico.org/v1 | v1 (kind: List only)",
      };
    case "unknown_kind":
      return {
        message: `kind ${show(d.kind)} is not simulated by calisim; resource skipped`,
        accepted: SUPPORTED_KINDS.join(" | "),
      };
    case "foreign_resource":
      return { message: `${show(d.apiVersion)} is not a Calico API; ${show(d.kind)} skipped` };
    case "missing_field":
      return { message: "required field is missing" };
    case "empty_value":
      return { message: "must not be empty" };
    case "invalid_type":
      return {
        message: `expected ${d.expected.map(typeWord).join(" or ")}, got ${show(d.received)}${
          d.expected.includes("string") && (typeof d.received === "boolean" || typeof d.received === "number")
            ? ` (quote it: "${String(d.received)}")`
            : ""
        }`,
      };
    case "invalid_value":
      return {
        message: `invalid value ${show(d.received)}${didYouMean(d.suggestion)}`,
        accepted: d.values.join(" | "),
      };
    case "out_of_range":
      return { message: `${show(d.received)} is out of range`, accepted: `${d.min}-${d.max}` };
    case "too_many_items":
      return { message: `has ${entries(d.count)}; at most ${d.max} allowed` };
    case "too_few_items":
      return { message: `must have at least ${entries(d.min)}` };
    case "too_long":
      return { message: `is ${d.length} characters long; at most ${d.max} allowed` };
    case "unknown_field":
      return {
        message: `unknown field ${show(d.field)}${didYouMean(d.suggestion)}`,
        ...(d.known.length === 0 ? {} : { accepted: d.known.join(", ") }),
      };
    case "unsupported":
      return d.feature === "services"
        ? { message: "services matches (Kubernetes Service endpoints) are not supported by calisim" }
        : { message: "HTTP matches (application layer policy) are not supported by calisim" };
    case "invalid_name":
      return {
        message: `${NAME_WORDS[d.rule].message}: ${show(d.name)}`,
        accepted: NAME_WORDS[d.rule].accepted,
      };
    case "invalid_label_key":
      return { message: `invalid label key ${show(d.key)}: ${d.reason}` };
    case "invalid_label_value":
      return { message: `invalid label value ${show(d.value)}: ${d.reason}` };
    case "reserved_label":
      return { message: `${show(d.key)} is not a valid label name` };
    case "invalid_annotation_key":
      return { message: `invalid annotation key ${show(d.key)}: ${d.reason}` };
    case "annotations_too_large":
      return { message: `total size of annotations is too large by ${d.excess} bytes` };
    case "invalid_crd_metadata":
      return { message: `annotation "projectcalico.org/metadata" cannot be read: ${d.reason}` };
    case "namespace_ignored":
      return { message: `${d.kind} is cluster-scoped; metadata.namespace is ignored` };
    case "invalid_ip":
      return { message: `${show(d.value)} is not a valid IP address`, accepted: "an IPv4 or IPv6 address" };
    case "invalid_cidr":
      return {
        message: `${show(d.value)} is not a valid CIDR`,
        accepted: "an IP address or address/prefix, e.g. 192.0.2.0/24, 2001:db8::/32",
      };
    case "cidr_not_masked":
      return { message: `${show(d.value)} has host bits set`, accepted: d.network };
    case "mixed_ip_versions":
      return { message: "rule contains both IPv4 and IPv6 CIDRs" };
    case "ip_version_mismatch":
      return { message: `rule IP version doesn't match CIDR version (ipVersion is ${d.ipVersion})` };
    case "negated_catch_all":
      return {
        message: `catch-all CIDR ${show(d.value)} in negation creates logical contradiction (matches no traffic)`,
      };
    case "invalid_port":
      return { message: `invalid port ${show(d.value)}`, accepted: '1-65535, "min:max", or a port name' };
    case "port_range_reversed":
      return {
        message: `minimum port number (${d.from}) is greater than maximum port number (${d.to}) in port range`,
      };
    case "invalid_port_name":
      return {
        message: `invalid port name ${show(d.name)}: ${d.reason}`,
        accepted: "1-15 characters a-z, 0-9, '-'; at least one letter; no leading, trailing or double '-'",
      };
    case "ports_need_protocol":
      return {
        message: "rules with numeric port or port range must set protocol to TCP or UDP or SCTP",
        accepted: `protocol: ${PORT_PROTOCOLS}`,
      };
    case "protocol_has_no_ports":
      return {
        message: `protocol ${d.protocol} has no ports: rules that specify ports must set protocol to TCP or UDP or SCTP`,
        accepted: `protocol: ${PORT_PROTOCOLS}`,
      };
    case "invalid_protocol":
      return { message: `invalid protocol ${show(d.value)}${didYouMean(d.suggestion)}`, accepted: PROTOCOLS };
    case "endpoint_port_protocol":
      return { message: `protocol ${show(d.value)} does not support ports`, accepted: PORT_PROTOCOLS };
    case "duplicate_port":
      return { message: `port ${show(d.name)} (${d.protocol}) is already defined at ports[${d.first}]` };
    case "icmp_needs_protocol":
      return {
        message: "ICMP fields require protocol to be ICMP or ICMPv6",
        accepted: "protocol: ICMP | ICMPv6 | 1 | 58",
      };
    case "icmp_code_without_type":
      return { message: "ICMP code specified without an ICMP type" };
    case "icmp_ip_version":
      return { message: `protocol ${d.protocol} requires ipVersion ${d.needs}` };
    case "selector_syntax":
      return {
        message: `invalid selector: ${d.reason}`,
        ...(d.expected === undefined ? {} : { accepted: d.expected }),
      };
    case "global_selector_misuse":
      return { message: "global() can only be used in an EntityRule namespaceSelector" };
    case "global_selector_combined":
      return { message: "global() cannot be combined with other selectors" };
    case "invalid_interface_name":
      return {
        message: `invalid interface name ${show(d.value)}`,
        accepted: '"*" or 1-15 characters from a-z A-Z 0-9 _ . -',
      };
    case "hep_needs_interface_or_ip":
      return { message: "at least one of interfaceName or expectedIPs must be specified" };
    case "duplicate_type":
      return { message: `'${d.type}' type specified more than once` };
    case "prednat_and_donottrack":
      return { message: "preDNAT and doNotTrack cannot both be true" };
    case "prednat_egress_rules":
      return { message: "preDNAT policy cannot have any egress rules" };
    case "prednat_egress_type":
      return { message: "preDNAT policy cannot have 'Egress' type" };
    case "needs_apply_on_forward":
      return { message: "applyOnForward must be true if either preDNAT or doNotTrack is true" };
    case "builtin_tier":
      return {
        message: `the '${d.tier}' tier must have ${d.field === "order" ? "order" : "default action"} ${d.value}`,
      };
    case "empty_bgp":
      return { message: "spec.bgp should not be empty" };
    case "failsafe_protocol_omitted":
      return {
        message:
          'protocol omitted: the API documents "tcp" as the default (calisim uses it), but Felix renders the entry as ":<port>" and rejects it; write the protocol',
        accepted: "TCP | UDP",
      };
    case "failsafe_protocol":
      return {
        message: `Felix's failsafe port parser only accepts tcp and udp (got ${show(d.value)}); Felix would reject this configuration`,
        accepted: "TCP | UDP (any case)",
      };
    case "duplicate_resource":
      return { message: `duplicate ${d.resource}; first defined at ${d.first}` };
    case "unknown_profile":
      return {
        message: `profile ${show(d.profile)} does not exist; Felix renders a missing profile as deny-all in both directions`,
      };
    case "unknown_tier":
      return {
        message: `tier ${show(d.tier)} does not exist`,
        accepted: '"default" or the name of a Tier resource',
      };
  }
};
