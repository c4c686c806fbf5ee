// resources → the model of one node: effective config, which endpoint governs which interface, and
// the ordered tiers/policies/profiles for each endpoint, per kind and direction, for a Calico version.

import type { Cluster, HostEndpoint } from "../resources/model.js";
import type { Warning } from "../rules/ir.js";
import { ANY_INTERFACE, assumeInterfaces, bindEndpoints, type Binding } from "./bind.js";
import { endpointsOfNode } from "./cluster-index.js";
import { effectiveConfig, type EffectiveConfig } from "./config.js";
import type { HostInterface } from "./interfaces.js";
import { onlyPreDnat, policiesForEndpoint, withoutUntracked, type EndpointPolicies } from "./policies.js";
import {
  DEFAULT_CALICO_VERSION,
  factsFor,
  formatCalicoVersion,
  type CalicoVersion,
  type VersionFacts,
} from "./versions.js";

export interface ResolvedEndpoint {
  readonly binding: Binding;
  readonly policies: EndpointPolicies;
}

export interface NodeModel {
  readonly node: string;
  readonly calicoVersion: CalicoVersion;
  readonly facts: VersionFacts;
  readonly config: EffectiveConfig;
  readonly interfaces: readonly HostInterface[];
  /** True when interfaces were assumed from the resources rather than given. */
  readonly interfacesAssumed: boolean;
  /** Workload (`cali…`) interfaces of the node; their workload policy is assumed to allow. */
  readonly workloads: readonly string[];
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly star?: ResolvedEndpoint;
  readonly unbound: readonly { readonly endpoint: HostEndpoint; readonly why: string }[];
  readonly notes: readonly string[];
  readonly warnings: readonly Warning[];
  readonly cluster: Cluster;
}

export interface ResolveOptions {
  readonly node: string;
  readonly calicoVersion?: CalicoVersion;
  readonly interfaces?: readonly HostInterface[];
  /** Workload interfaces to assume in addition to those in `interfaces` (e.g. named by a traced packet). */
  readonly extraWorkloads?: readonly string[];
}

const policyNames = (
  p: EndpointPolicies,
  pick: (p: EndpointPolicies) => readonly { policies: readonly { metadata: { name: string } }[] }[],
): string[] => [...new Set(pick(p).flatMap((t) => t.policies.map((x) => x.metadata.name)))].sort();

export const resolveNode = (cluster: Cluster, opts: ResolveOptions): NodeModel => {
  const calicoVersion = opts.calicoVersion ?? DEFAULT_CALICO_VERSION;
  const facts = factsFor(calicoVersion);
  const config = effectiveConfig(cluster, opts.node);
  const local = endpointsOfNode(cluster, opts.node);
  const assumed = opts.interfaces === undefined ? assumeInterfaces(local) : undefined;
  const interfaces = opts.interfaces ?? assumed!.interfaces;
  const bound = bindEndpoints(local, interfaces, config.workloadPrefixes);
  const warnings: Warning[] = [];
  const workloads = [...new Set([...interfaces.map((i) => i.name), ...(opts.extraWorkloads ?? [])])]
    .filter((n) => config.workloadPrefixes.some((p) => n.startsWith(p)))
    .sort();
  if (workloads.length > 0)
    warnings.push({
      code: "workload_policy_assumed",
      message: `workload endpoints are not modelled: traffic from and to ${workloads.join(", ")} is assumed allowed by workload policy (host endpoint policy is simulated exactly)`,
    });

  const endpoints = bound.bindings.map((binding) => ({
    binding,
    policies: policiesForEndpoint(cluster, binding.endpoint),
  }));

  let star: ResolvedEndpoint | undefined;
  if (bound.star !== undefined) {
    const ep = bound.star.endpoint;
    let policies = policiesForEndpoint(cluster, ep);
    const untracked = policyNames(policies, (p) => [...p.untracked.ingress, ...p.untracked.egress]);
    for (const name of untracked)
      // felix/dataplane/linux/endpoint_mgr.go:1328-1333 logs this and renders no raw chains.
      warnings.push({
        code: "untracked_on_star_endpoint",
        message: `DoNotTrack policy is not supported for a HEP with \`interfaceName: *\`; ignoring it: GlobalNetworkPolicy ${name} selects host endpoint ${ep.metadata.name} (interfaceName "*") on node ${opts.node}; Felix ignores it there, so it has no effect`,
        resource: `GlobalNetworkPolicy/${name}`,
        endpoint: ep.metadata.name,
      });
    policies = withoutUntracked(policies);
    if (!facts.starEndpointNormalPolicy) {
      const ignored = policyNames(policies, (p) => [...p.normal.ingress, ...p.normal.egress]);
      for (const name of ignored)
        warnings.push({
          code: "normal_policy_on_star_before_3_14",
          message: `GlobalNetworkPolicy ${name} selects host endpoint ${ep.metadata.name} (interfaceName "*"), but before Calico v3.14 "*" endpoints take only pre-DNAT policy (modelling ${formatCalicoVersion(calicoVersion)}); it has no effect`,
          resource: `GlobalNetworkPolicy/${name}`,
          endpoint: ep.metadata.name,
        });
      policies = onlyPreDnat(policies);
    }
    star = { binding: bound.star, policies };
  }

  if (config.deny === "REJECT")
    // Felix uses its deny action in every table (felix/rules/endpoints.go, static.go), but the kernel's
    // REJECT target exists only in filter: raw and mangle chains with a deny then fail to load.
    warnings.push({
      code: "reject_outside_filter",
      message:
        "iptablesFilterDenyAction is Reject: Felix renders REJECT in raw and mangle chains too (untracked and pre-DNAT deny rules, the workload RPF check), which the kernel refuses (REJECT is valid only in the filter table); restoring those tables fails",
    });
  const declared = new Set(cluster.profiles.map((p) => p.metadata.name));
  for (const r of [...endpoints, ...(star === undefined ? [] : [star])])
    for (const p of r.binding.endpoint.spec.profiles)
      if (!declared.has(p))
        warnings.push({
          code: "missing_profile",
          message: `host endpoint ${r.binding.endpoint.metadata.name} names profile ${p}, which is not declared; Felix renders a missing profile as deny-all`,
          resource: `Profile/${p}`,
          endpoint: r.binding.endpoint.metadata.name,
        });

  return {
    node: opts.node,
    calicoVersion,
    facts,
    config,
    interfaces,
    interfacesAssumed: assumed !== undefined,
    workloads,
    endpoints,
    ...(star === undefined ? {} : { star }),
    unbound: bound.unbound,
    notes: assumed?.notes ?? [],
    warnings,
    cluster,
  };
};

export { ANY_INTERFACE };
