// Name, label and port-name rules, as in libcalico-go/lib/validator/v3/validator.go and the
// Kubernetes validation helpers it calls (IsQualifiedName, IsValidLabelValue, IsValidPortName).

import type { NameRule } from "../findings.js";

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;

const NAME_REGEX: Readonly<Record<NameRule, RegExp>> = {
  subdomain: new RegExp(`^${SUBDOMAIN}$`),
  tier: new RegExp(`^${LABEL}$`),
  globalNetworkPolicy: new RegExp(`^(${LABEL}\\.)?${LABEL}$`),
  networkPolicy: new RegExp(`^((${LABEL})(\\.${LABEL})?|((?:knp|ossg)\\.default\\.(${SUBDOMAIN})))$`),
  namespace: new RegExp(`^${LABEL}$`),
};

/** DNS1123SubdomainMaxLength, or DNS1123LabelMaxLength for tiers and namespaces. */
export const NAME_MAX_LENGTH: Readonly<Record<NameRule, number>> = {
  subdomain: 253,
  tier: 63,
  globalNetworkPolicy: 253,
  networkPolicy: 253,
  namespace: 63,
};

export const isValidName = (name: string, rule: NameRule): boolean => NAME_REGEX[rule].test(name);

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * A pure check on strings, remembered: a large cluster repeats the same label keys and values on
 * thousands of resources. Bounded, so a stream of distinct strings cannot grow it without end.
 */
const remembered = (check: (s: string) => readonly string[]): ((s: string) => readonly string[]) => {
  const seen = new Map<string, readonly string[]>();
  return (s) => {
    let r = seen.get(s);
    if (r === undefined) {
      if (seen.size >= 65_536) seen.clear();
      r = check(s);
      seen.set(s, r);
    }
    return r;
  };
};

/** k8s IsQualifiedName: problems with a label or annotation key, as short reasons. */
export const qualifiedNameProblems = remembered((key: string): readonly string[] => {
  const parts = key.split("/");
  if (parts.length > 2) return ["at most one '/' is allowed (an optional DNS subdomain prefix, then a name)"];
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? "", parts[1] ?? ""] : [undefined, parts[0] ?? ""];
  const problems: string[] = [];
  if (prefix !== undefined) {
    if (prefix === "") problems.push("prefix part must be non-empty");
    else if (prefix.length > 253 || !NAME_REGEX.subdomain.test(prefix)) {
      problems.push("prefix part must be a lower case DNS subdomain of at most 253 characters");
    }
  }
  if (name === "") problems.push("name part must be non-empty");
  else {
    if (name.length > 63) problems.push("name part must be no more than 63 characters");
    if (!QUALIFIED_NAME_PART.test(name)) {
      problems.push(
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
      );
    }
  }
  return problems;
});

/** k8s IsValidLabelValue. */
export const labelValueProblems = remembered((value: string): readonly string[] => {
  const problems: string[] = [];
  if (value.length > 63) problems.push("must be no more than 63 characters");
  if (!LABEL_VALUE.test(value)) {
    problems.push(
      "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
});

/** k8s IsValidPortName, which Calico applies to named ports in rules and endpoints. */
export const portNameProblems = (name: string): readonly string[] => {
  const problems: string[] = [];
  if (name.length > 15) problems.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(name))
    problems.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(name)) problems.push("must contain at least one letter (a-z)");
  if (name.includes("--")) problems.push("must not contain consecutive hyphens (-)");
  if (name.startsWith("-") || name.endsWith("-")) problems.push("must not begin or end with a hyphen (-)");
  return problems;
};

const INTERFACE = /^[a-zA-Z0-9_.-]{1,15}$/;

/** HostEndpoint interfaceName: "*" or a Linux interface name (validateInterface). */
export const isValidInterfaceName = (name: string): boolean => name === "*" || INTERFACE.test(name);
