// The questions users answer by reading raw iptables output, answered as data: which endpoint governs
// each interface and why, the ordered tiers/policies/profiles per direction and kind, policies that
// select nothing, the chains rendered for each endpoint, and each selector's ipset with its members.

import type { Ruleset } from "../rules/ir.js";
import { endpointChainName, ENDPOINT_PREFIX, limitChainName, MAX_CHAIN_NAME } from "../rules/names.js";
import type { TierGroup } from "./policies.js";
import type { NodeModel, ResolvedEndpoint } from "./resolve.js";
import { endpointLabels, policySelects } from "./policies.js";

export interface TierView {
  readonly tier: string;
  readonly endOfTier: "drop" | "pass";
  readonly policies: readonly string[];
}

export interface EndpointView {
  readonly endpoint: string;
  readonly interface: string;
  readonly why: string;
  readonly expectedIPs: readonly string[];
  readonly profiles: readonly string[];
  readonly normal: { readonly ingress: readonly TierView[]; readonly egress: readonly TierView[] };
  readonly forward: { readonly ingress: readonly TierView[]; readonly egress: readonly TierView[] };
  readonly preDnat: readonly TierView[];
  readonly untracked: { readonly ingress: readonly TierView[]; readonly egress: readonly TierView[] };
  readonly chains: readonly string[];
}

export interface InspectReport {
  readonly node: string;
  readonly calicoVersion: string;
  readonly interfaces: readonly {
    readonly name: string;
    readonly addresses: readonly string[];
    readonly endpoint: string;
    readonly why: string;
  }[];
  readonly endpoints: readonly EndpointView[];
  /** The `*` endpoint, which governs every non-workload interface without an endpoint of its own. */
  readonly starEndpoint?: string;
  readonly workloadPrefixes: readonly string[];
  readonly unboundEndpoints: readonly { readonly endpoint: string; readonly why: string }[];
  readonly policiesSelectingNothing: readonly string[];
  readonly ipsets: readonly {
    readonly name: string;
    readonly type: string;
    readonly description: string;
    readonly members: readonly string[];
  }[];
  readonly warnings: readonly string[];
}

const tiers = (groups: readonly TierGroup[], dropAtEnd: boolean): TierView[] =>
  groups.map((g) => ({
    tier: g.tier,
    endOfTier: dropAtEnd && g.defaultAction === "Deny" ? "drop" : "pass",
    policies: g.policies.map((p) => p.metadata.name),
  }));

const why = (r: ResolvedEndpoint): string =>
  r.binding.reason === "interfaceName"
    ? `interfaceName ${r.binding.iface}`
    : r.binding.reason === "expectedIPs"
      ? `expectedIPs: the interface holds ${r.binding.matchedIp}`
      : 'interfaceName "*": every non-workload interface without its own endpoint';

const chainsFor = (r: ResolvedEndpoint, rulesets: readonly Ruleset[]): string[] => {
  const names = new Set(Object.values(ENDPOINT_PREFIX).map((p) => endpointChainName(p, r.binding.iface)));
  return [
    ...new Set(
      rulesets.flatMap((rs) =>
        rs.tables.flatMap((t) =>
          t.chains
            .filter((c) => names.has(c.name))
            .map((c) => `${t.name} ${limitChainName(c.name, MAX_CHAIN_NAME)}`),
        ),
      ),
    ),
  ].sort();
};

export const inspectNode = (model: NodeModel, rulesets: readonly Ruleset[]): InspectReport => {
  const all = [...model.endpoints, ...(model.star === undefined ? [] : [model.star])];
  const view = (r: ResolvedEndpoint): EndpointView => ({
    endpoint: r.binding.endpoint.metadata.name,
    interface: r.binding.endpoint.spec.interfaceName === "*" ? "*" : r.binding.iface,
    why: why(r),
    expectedIPs: r.binding.endpoint.spec.expectedIPs,
    profiles: r.policies.profiles,
    normal: {
      ingress: tiers(r.policies.normal.ingress, true),
      egress: tiers(r.policies.normal.egress, true),
    },
    forward: {
      ingress: tiers(r.policies.forward.ingress, true),
      egress: tiers(r.policies.forward.egress, true),
    },
    preDnat: tiers(r.policies.preDnat, false),
    untracked: {
      ingress: tiers(r.policies.untracked.ingress, false),
      egress: tiers(r.policies.untracked.egress, false),
    },
    chains: chainsFor(r, rulesets),
  });
  const governed = new Map(model.endpoints.map((r) => [r.binding.iface, r]));
  const cluster = model.cluster;
  const allLabels = cluster.hostEndpoints.map((e) => endpointLabels(e, cluster.profiles));
  return {
    node: model.node,
    calicoVersion: `${model.calicoVersion.major}.${model.calicoVersion.minor}`,
    interfaces: model.interfaces.map((i) => {
      const r = governed.get(i.name);
      const workload = model.config.workloadPrefixes.some((p) => i.name.startsWith(p));
      return {
        name: i.name,
        addresses: i.addresses,
        endpoint:
          r?.binding.endpoint.metadata.name ??
          (workload ? "(workload)" : (model.star?.binding.endpoint.metadata.name ?? "(none)")),
        why:
          r !== undefined
            ? why(r)
            : workload
              ? "workload interface: never a host endpoint"
              : model.star !== undefined
                ? why(model.star)
                : "no host endpoint: Calico leaves this interface alone",
      };
    }),
    endpoints: all.map(view),
    ...(model.star === undefined ? {} : { starEndpoint: model.star.binding.endpoint.metadata.name }),
    workloadPrefixes: model.config.workloadPrefixes,
    unboundEndpoints: model.unbound.map((u) => ({ endpoint: u.endpoint.metadata.name, why: u.why })),
    policiesSelectingNothing: cluster.policies
      .filter((p) => !allLabels.some((l) => policySelects(p, l)))
      .map(
        (p) =>
          `${p.kind}/${p.metadata.namespace === undefined ? "" : `${p.metadata.namespace}/`}${p.metadata.name}`,
      ),
    ipsets: rulesets.flatMap((rs) =>
      rs.sets.map((s) => ({ name: s.name, type: s.type, description: s.description, members: s.members })),
    ),
    warnings: model.warnings.map((w) => w.message),
  };
};

/** Which endpoint governs an interface (by name), as Felix's dispatch would decide. */
export const governorOf = (r: InspectReport, iface: string): string | undefined => {
  const known = r.interfaces.find((i) => i.name === iface);
  if (known !== undefined) return known.endpoint;
  if (r.workloadPrefixes.some((p) => iface.startsWith(p))) return undefined;
  return r.starEndpoint;
};
