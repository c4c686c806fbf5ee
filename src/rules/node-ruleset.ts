// A node model → the rule IR for one IP version: raw, mangle and filter tables with Felix's hooks,
// static chains, dispatch chains, per-endpoint chains, policy/profile chains, and the IP sets they
// reference. Each table keeps only chains reachable from its hooks, as Felix writes only those
// (felix/iptables/table.go:646-662).

import { computeIpSets } from "../calc/ipsets.js";
import type { TierGroup } from "../calc/policies.js";
import type { NodeModel, ResolvedEndpoint } from "../calc/resolve.js";
import type { SetRequest } from "../calc/rule-convert.js";
import type { Direction, Policy } from "../resources/model.js";
import { action } from "./build.js";
import { dispatchChains, starEndRules } from "./dispatch.js";
import { endpointChain, type EndpointChainKind } from "./endpoint-chains.js";
import type { Chain, HookChain, IpSet, IpVersion, Ruleset, Table, TableName } from "./ir.js";
import {
  CHAIN,
  ENDPOINT_PREFIX,
  endpointChainName,
  policyChainName,
  profileChainName,
  type EndpointPrefix,
} from "./names.js";
import { policyChain, profileChain, type ChainContext } from "./policy-chains.js";
import { workloadChains } from "./workloads.js";
import {
  failsafeChain,
  filterHooks,
  filterStaticChains,
  mangleHooks,
  mangleStaticChains,
  rawHooks,
  rawStaticChains,
  staticSetNames,
  type StaticContext,
} from "./static-chains.js";

const targets = (c: Chain | HookChain): string[] =>
  (c.kind === "hook" ? [...c.inserted, ...c.appended] : c.rules).flatMap((r) =>
    r.action.kind === "jump" || r.action.kind === "goto" ? [r.action.target] : [],
  );

/** Keeps the chains reachable from the table's hooks, sorted by name. */
const prune = (name: TableName, hooks: HookChain[], chains: Chain[]): Table => {
  const byName = new Map<string, Chain>();
  for (const c of chains) if (!byName.has(c.name)) byName.set(c.name, c);
  const keep = new Set<string>();
  const queue = hooks.flatMap(targets);
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (keep.has(n)) continue;
    const c = byName.get(n);
    if (c === undefined) continue;
    keep.add(n);
    queue.push(...targets(c));
  }
  const kept = [...keep].sort().map((n) => byName.get(n)!);
  return { kind: "table", name, hooks, chains: kept };
};

export interface RulesetOptions {
  readonly version: IpVersion;
}

export const buildRuleset = (model: NodeModel, opts: RulesetOptions): Ruleset => {
  const { config, facts } = model;
  const version = opts.version;
  const deny = action.of(config.deny);
  const sctx: StaticContext = { version, config, deny };
  const cctx: ChainContext = {
    version,
    marks: config.marks,
    deny,
    logPrefixTemplate: config.logPrefix,
    kindPrefix: facts.policyChainKindPrefix,
  };
  const setRequests: SetRequest[] = [];
  const profilesByName = new Map(model.cluster.profiles.map((p) => [p.metadata.name, p]));

  // Policy and profile chains, built once per direction and offered to every table.
  const policyChains = new Map<string, Chain>();
  const addPolicy = (p: Policy, dir: Direction): void => {
    const ref = { kind: p.kind, name: p.metadata.name, tier: p.spec.tier };
    const name = policyChainName(dir, ref, facts.policyChainKindPrefix);
    if (!policyChains.has(name)) policyChains.set(name, policyChain(p, dir, cctx, setRequests));
  };
  const addProfile = (name: string, dir: Direction): void => {
    const chain = profileChainName(dir, name);
    if (!policyChains.has(chain))
      policyChains.set(chain, profileChain(name, profilesByName.get(name), dir, cctx, setRequests));
  };

  const all = [...model.endpoints, ...(model.star === undefined ? [] : [model.star])];
  for (const r of all) {
    const p = r.policies;
    const each = (groups: readonly TierGroup[], dir: Direction): void =>
      groups.forEach((g) => g.policies.forEach((pol) => addPolicy(pol, dir)));
    each(p.normal.ingress, "ingress");
    each(p.normal.egress, "egress");
    each(p.forward.ingress, "ingress");
    each(p.forward.egress, "egress");
    each(p.preDnat, "ingress");
    each(p.untracked.ingress, "ingress");
    each(p.untracked.egress, "egress");
    for (const prof of p.profiles) {
      addProfile(prof, "ingress");
      addProfile(prof, "egress");
    }
  }

  const epChains = (
    r: ResolvedEndpoint,
    kind: EndpointChainKind,
    prefix: EndpointPrefix,
    dir: Direction,
    tiers: readonly TierGroup[],
    allow: "ACCEPT" | "RETURN",
  ): Chain[] => {
    const res = endpointChain({
      name: endpointChainName(prefix, r.binding.iface),
      kind,
      direction: dir,
      endpoint: r.binding.endpoint.metadata.name,
      iface: r.binding.iface,
      tiers,
      profiles: kind === "normal" ? r.policies.profiles : [],
      allow,
      deny,
      marks: config.marks,
      disableConntrackInvalidCheck: config.disableConntrackInvalidCheck,
      kindPrefix: facts.policyChainKindPrefix,
    });
    return [res.chain, ...res.extra];
  };
  const ifaceMap = (rs: readonly ResolvedEndpoint[]): Map<string, string> =>
    new Map(rs.map((r) => [r.binding.iface, r.binding.endpoint.metadata.name]));
  const star = model.star;
  const starName = star?.binding.endpoint.metadata.name ?? "";
  const starIface = star?.binding.iface ?? "";
  const starNormal = star !== undefined && facts.starEndpointNormalPolicy;

  // filter: every active endpoint; the `*` endpoint is the dispatch default from v3.14.
  const filterEps = [...model.endpoints, ...(starNormal ? [star!] : [])];
  const A = config.filterAllow;
  const filterChains: Chain[] = [
    ...filterStaticChains(sctx),
    ...workloadChains(model.workloads, deny, config.marks),
    failsafeChain("in", "filter", sctx),
    failsafeChain("out", "filter", sctx),
    ...[
      [CHAIN.fromHostEndpoint, "in", ENDPOINT_PREFIX.fromHost],
      [CHAIN.toHostEndpoint, "out", ENDPOINT_PREFIX.toHost],
      [CHAIN.fromHepForward, "in", ENDPOINT_PREFIX.fromHostForward],
      [CHAIN.toHepForward, "out", ENDPOINT_PREFIX.toHostForward],
    ].flatMap(([chain, dir, prefix]) =>
      dispatchChains({
        chain: chain as string,
        direction: dir as "in" | "out",
        interfaces: ifaceMap(model.endpoints),
        endpointPrefix: prefix as EndpointPrefix,
        // Filter dispatch is built with applyOnForward=true: no workload skip (dispatch.go:209).
        endRules: starNormal
          ? starEndRules(dir as "in" | "out", prefix as EndpointPrefix, starIface, starName, [])
          : [],
      }),
    ),
    ...filterEps.flatMap((r) => [
      ...epChains(r, "normal", ENDPOINT_PREFIX.toHost, "egress", r.policies.normal.egress, A),
      ...epChains(r, "normal", ENDPOINT_PREFIX.fromHost, "ingress", r.policies.normal.ingress, A),
      ...epChains(r, "forward", ENDPOINT_PREFIX.toHostForward, "egress", r.policies.forward.egress, A),
      ...epChains(r, "forward", ENDPOINT_PREFIX.fromHostForward, "ingress", r.policies.forward.ingress, A),
    ]),
    ...policyChains.values(),
  ];

  // mangle: pre-DNAT ingress for endpoints with pre-DNAT policy; egress for DNAT'd host traffic.
  const preDnatEps = model.endpoints.filter((r) => r.policies.preDnat.length > 0);
  const starPreDnat = star !== undefined && star.policies.preDnat.length > 0;
  const mangleEgressEps = filterEps;
  const mangleChains: Chain[] = [
    ...mangleStaticChains(sctx),
    failsafeChain("in", "mangle", sctx),
    failsafeChain("out", "mangle", sctx),
    ...dispatchChains({
      chain: CHAIN.fromHostEndpoint,
      direction: "in",
      interfaces: ifaceMap(preDnatEps),
      endpointPrefix: ENDPOINT_PREFIX.fromHost,
      endRules: starPreDnat ? starEndRules("in", ENDPOINT_PREFIX.fromHost, starIface, starName, []) : [],
    }),
    ...dispatchChains({
      chain: CHAIN.toHostEndpoint,
      direction: "out",
      interfaces: ifaceMap(model.endpoints),
      endpointPrefix: ENDPOINT_PREFIX.toHost,
      endRules: starNormal
        ? starEndRules("out", ENDPOINT_PREFIX.toHost, starIface, starName, config.workloadPrefixes)
        : [],
    }),
    ...[...preDnatEps, ...(starPreDnat ? [star!] : [])].flatMap((r) =>
      epChains(r, "preDnat", ENDPOINT_PREFIX.fromHost, "ingress", r.policies.preDnat, config.mangleAllow),
    ),
    ...mangleEgressEps.flatMap((r) =>
      epChains(r, "normal", ENDPOINT_PREFIX.toHost, "egress", r.policies.normal.egress, "RETURN"),
    ),
    ...[...policyChains.values()].filter((c) => !c.name.startsWith("cali-pri-")),
  ];

  // raw: untracked policy, named endpoints only (the `*` endpoint's was dropped with a warning).
  const rawEps = model.endpoints.filter(
    (r) => r.policies.untracked.ingress.length + r.policies.untracked.egress.length > 0,
  );
  const rawChains: Chain[] = [
    ...rawStaticChains(sctx),
    failsafeChain("in", "raw", sctx),
    failsafeChain("out", "raw", sctx),
    ...dispatchChains({
      chain: CHAIN.fromHostEndpoint,
      direction: "in",
      interfaces: ifaceMap(rawEps),
      endpointPrefix: ENDPOINT_PREFIX.fromHost,
      endRules: [],
    }),
    ...dispatchChains({
      chain: CHAIN.toHostEndpoint,
      direction: "out",
      interfaces: ifaceMap(rawEps),
      endpointPrefix: ENDPOINT_PREFIX.toHost,
      endRules: [],
    }),
    ...rawEps.flatMap((r) => [
      ...epChains(r, "untracked", ENDPOINT_PREFIX.toHost, "egress", r.policies.untracked.egress, "ACCEPT"),
      ...epChains(
        r,
        "untracked",
        ENDPOINT_PREFIX.fromHost,
        "ingress",
        r.policies.untracked.ingress,
        "ACCEPT",
      ),
    ]),
    ...[...policyChains.values()].filter((c) => !c.name.startsWith("cali-pr")),
  ];

  const tables = [
    prune("raw", rawHooks(), rawChains),
    prune("mangle", mangleHooks(), mangleChains),
    prune("filter", filterHooks(sctx), filterChains),
  ];
  const sets: IpSet[] = [
    ...computeIpSets(model.cluster, setRequests, version),
    ...staticSetNames(version).map((name): IpSet => ({
      kind: "set",
      id: name.slice(6),
      name,
      type: "hash:net",
      version,
      members: [],
      description: "static set referenced by Felix's DSCP rule (empty: no DSCP configured)",
    })),
  ];
  // Only the sets some kept rule references (a policy chain may be unreachable in every table).
  const used = new Set(
    tables.flatMap((t) =>
      t.chains.flatMap((c) =>
        c.rules.flatMap((r) => r.matches.flatMap((m) => (m.kind === "set" ? [m.set] : []))),
      ),
    ),
  );
  return {
    kind: "ruleset",
    version,
    tables,
    sets: sets.filter((s) => used.has(s.name)).sort((a, b) => (a.name < b.name ? -1 : 1)),
    warnings: model.warnings,
  };
};
