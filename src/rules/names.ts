// Chain names, built from Felix's prefix constants (felix/rules/rule_defs.go:44-128) and cut to
// iptables' 28 characters with Felix's hash-based length limit (GetLengthLimitedID).

import { hash } from "node:crypto";
import { lengthLimitedId } from "../util/hash.js";
import type { Rule, Ruleset } from "./ir.js";

export const MAX_CHAIN_NAME = 28;

export const CHAIN = {
  fromHostEndpoint: "cali-from-host-endpoint",
  toHostEndpoint: "cali-to-host-endpoint",
  fromHepForward: "cali-from-hep-forward",
  toHepForward: "cali-to-hep-forward",
  failsafeIn: "cali-failsafe-in",
  failsafeOut: "cali-failsafe-out",
  input: "cali-INPUT",
  output: "cali-OUTPUT",
  forward: "cali-FORWARD",
  prerouting: "cali-PREROUTING",
  postrouting: "cali-POSTROUTING",
  wlToHost: "cali-wl-to-host",
  fromWlDispatch: "cali-from-wl-dispatch",
  toWlDispatch: "cali-to-wl-dispatch",
  cidrBlock: "cali-cidr-block",
  rpfSkip: "cali-rpf-skip",
  egressDscp: "cali-egress-dscp",
} as const;

export const ENDPOINT_PREFIX = {
  toHost: "cali-th-",
  fromHost: "cali-fh-",
  toHostForward: "cali-thfw-",
  fromHostForward: "cali-fhfw-",
} as const;

export type EndpointPrefix = (typeof ENDPOINT_PREFIX)[keyof typeof ENDPOINT_PREFIX];

/** Chain names in the IR are Felix's logical names; each backend cuts them with limitChainName. */
export const endpointChainName = (prefix: EndpointPrefix, iface: string): string => `${prefix}${iface}`;

export interface PolicyRef {
  readonly kind: "GlobalNetworkPolicy" | "NetworkPolicy";
  readonly name: string;
  readonly namespace?: string;
  readonly tier: string;
}

const SHORT_KIND = { GlobalNetworkPolicy: "gnp", NetworkPolicy: "np" } as const;

/** felix/types/policy_id.go ID(): "<kind short>/<name>" or "<kind short>/<namespace>/<name>". */
export const policyId = (p: PolicyRef, kindPrefix: boolean): string =>
  kindPrefix
    ? `${SHORT_KIND[p.kind]}/${p.namespace === undefined ? "" : `${p.namespace}/`}${p.name}`
    : `${p.tier}/${p.name}`;

export const policyChainName = (dir: "ingress" | "egress", p: PolicyRef, kindPrefix: boolean): string =>
  `${dir === "ingress" ? "cali-pi-" : "cali-po-"}${policyId(p, kindPrefix)}`;

// A policy's chain names, by policy object: every endpoint chain and node names them again.
const namesByPolicy = new WeakMap<object, string[]>();

/** policyChainName for a policy resource (remembered per object, direction and kindPrefix). */
export const chainNameOfPolicy = (
  dir: "ingress" | "egress",
  p: {
    readonly kind: PolicyRef["kind"];
    readonly metadata: { readonly name: string; readonly namespace?: string };
    readonly spec: { readonly tier: string };
  },
  kindPrefix: boolean,
): string => {
  let names = namesByPolicy.get(p);
  if (names === undefined) {
    names = [];
    namesByPolicy.set(p, names);
  }
  const slot = (dir === "ingress" ? 0 : 2) + (kindPrefix ? 1 : 0);
  let name = names[slot];
  if (name === undefined) {
    name = policyChainName(
      dir,
      {
        kind: p.kind,
        name: p.metadata.name,
        tier: p.spec.tier,
        ...(p.metadata.namespace === undefined ? {} : { namespace: p.metadata.namespace }),
      },
      kindPrefix,
    );
    names[slot] = name;
  }
  return name;
};

export const profileChainName = (dir: "ingress" | "egress", profile: string): string =>
  `${dir === "ingress" ? "cali-pri-" : "cali-pro-"}${profile}`;

/** felix/types/policy_id.go String(), as hashed into policy-group chain names. */
const policyIdString = (p: PolicyRef): string =>
  `{Name: ${p.name}, Namespace: ${p.namespace ?? ""}, Kind: ${p.kind}}`;

/** cali-gi-/cali-go- + base64url(SHA3-224(selector, direction, count, ids))[:20] (endpoints.go:846-878). */
export const policyGroupChainName = (
  dir: "ingress" | "egress",
  selector: string,
  policies: readonly PolicyRef[],
): string => {
  // Felix writes each part and a newline into the hash; hashed here as one text, in one call (a streaming
  // hash costs a native call per part, and a gateway has hundreds of groups).
  let text = `${selector}\n${dir === "ingress" ? "inbound" : "outbound"}\n${policies.length}\n`;
  for (const p of policies) text += `${policyIdString(p)}\n`;
  return `${dir === "ingress" ? "cali-gi-" : "cali-go-"}${hash("sha3-224", text, "base64url").slice(0, 20)}`;
};

const LIMITED_PREFIXES = [
  ENDPOINT_PREFIX.toHostForward,
  ENDPOINT_PREFIX.fromHostForward,
  ENDPOINT_PREFIX.toHost,
  ENDPOINT_PREFIX.fromHost,
  "cali-pri-",
  "cali-pro-",
  "cali-pi-",
  "cali-po-",
];

/**
 * A backend's spelling of a chain name: Felix cuts endpoint, policy and profile chain names to the
 * backend's limit (28 for iptables, 256 for nftables) by hashing the part after the prefix.
 */
export const limitChainName = (name: string, maxLen: number): string => {
  const prefix = LIMITED_PREFIXES.find((p) => name.startsWith(p));
  return prefix === undefined ? name : lengthLimitedId(prefix, name.slice(prefix.length), maxLen);
};

/** The same ruleset with every chain name and jump/goto target spelled for a backend's limit. */
export const limitRulesetNames = (rs: Ruleset, maxLen: number): Ruleset => {
  const n = (name: string): string => limitChainName(name, maxLen);
  const rules = (rs: readonly Rule[]): Rule[] =>
    rs.map((r) =>
      r.action.kind === "jump" || r.action.kind === "goto"
        ? { ...r, action: { ...r.action, target: n(r.action.target) } }
        : r,
    );
  return {
    ...rs,
    tables: rs.tables.map((t) => ({
      ...t,
      hooks: t.hooks.map((h) => ({
        ...h,
        inserted: rules(h.inserted),
        appended: rules(h.appended),
        ...(h.others === undefined ? {} : { others: rules(h.others) }),
      })),
      chains: t.chains.map((c) => ({ ...c, name: n(c.name), rules: rules(c.rules) })),
    })),
  };
};
