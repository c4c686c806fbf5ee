// Cross-resource checks and grouping: duplicates, references to tiers and profiles, built-ins.

import type { Issue } from "../util/issue.js";
import { DEFAULT_TIER, type Cluster, type Resource } from "./model.js";
import { error, warning } from "./findings.js";
import { issueIn } from "./issues.js";
import type { BuiltResource } from "./build.js";
import { defaultAllowProfile } from "./builtin.js";

const identity = (r: Resource): string =>
  `${r.kind}/${r.metadata.namespace === undefined ? "" : `${r.metadata.namespace}/`}${r.metadata.name}`;

const where = (r: Resource): string => `${r.source.file}:${r.source.line}:${r.source.col}`;

export const assembleCluster = (built: readonly BuiltResource[]): { cluster: Cluster; issues: Issue[] } => {
  const issues: Issue[] = [];
  const seen = new Map<string, Resource>();
  const kept: { resource: Resource; entry: BuiltResource }[] = [];
  for (const entry of built) {
    const r = entry.resource;
    if (r === undefined) continue;
    const id = identity(r);
    const first = seen.get(id);
    if (first !== undefined) {
      issues.push(
        issueIn(
          entry.site,
          error(["metadata", "name"], { code: "duplicate_resource", resource: id, first: where(first) }),
        ),
      );
      continue;
    }
    seen.set(id, r);
    kept.push({ resource: r, entry });
  }
  const tiers = new Set(
    kept.flatMap(({ resource }) => (resource.kind === "Tier" ? [resource.metadata.name] : [])),
  );
  tiers.add(DEFAULT_TIER);
  const profiles = new Set(
    kept.flatMap(({ resource }) => (resource.kind === "Profile" ? [resource.metadata.name] : [])),
  );
  const hasUserDefaultAllow = profiles.has(defaultAllowProfile.metadata.name);
  profiles.add(defaultAllowProfile.metadata.name);

  const cluster = {
    hostEndpoints: [] as Extract<Resource, { kind: "HostEndpoint" }>[],
    policies: [] as Extract<Resource, { kind: "GlobalNetworkPolicy" | "NetworkPolicy" }>[],
    profiles: hasUserDefaultAllow ? [] : [defaultAllowProfile],
    tiers: [] as Extract<Resource, { kind: "Tier" }>[],
    networkSets: [] as Extract<Resource, { kind: "GlobalNetworkSet" }>[],
    felixConfigurations: [] as Extract<Resource, { kind: "FelixConfiguration" }>[],
    nodes: [] as Extract<Resource, { kind: "Node" }>[],
  };
  for (const { resource: r, entry } of kept) {
    switch (r.kind) {
      case "HostEndpoint":
        r.spec.profiles.forEach((p, i) => {
          if (!profiles.has(p))
            issues.push(
              issueIn(entry.site, warning(["spec", "profiles", i], { code: "unknown_profile", profile: p })),
            );
        });
        cluster.hostEndpoints.push(r);
        break;
      case "GlobalNetworkPolicy":
      case "NetworkPolicy":
        if (!tiers.has(r.spec.tier)) {
          issues.push(
            issueIn(entry.site, error(["spec", "tier"], { code: "unknown_tier", tier: r.spec.tier })),
          );
          break;
        }
        cluster.policies.push(r);
        break;
      case "Profile":
        cluster.profiles.push(r);
        break;
      case "Tier":
        cluster.tiers.push(r);
        break;
      case "GlobalNetworkSet":
        cluster.networkSets.push(r);
        break;
      case "FelixConfiguration":
        cluster.felixConfigurations.push(r);
        break;
      case "Node":
        cluster.nodes.push(r);
        break;
    }
  }
  return { cluster, issues };
};
