// A node model → the rule IR for one IP version: raw, mangle and filter tables with Felix's hooks,
// static chains, dispatch chains, per-endpoint chains, policy/profile chains, and the IP sets they
// reference. Each table keeps only chains reachable from its hooks, as Felix writes only those
// (felix/iptables/table.go:646-662).

import { computeIpSets } from "../calc/ipsets.js";
import type { TierGroup } from "../calc/policies.js";
import type { EffectiveConfig } from "../calc/config.js";
import type { NodeModel, ResolvedEndpoint } from "../calc/resolve.js";
import type { VersionFacts } from "../calc/versions.js";
import type { SetRequest } from "../calc/rule-convert.js";
import type { Direction, Policy, Profile } from "../resources/model.js";
import { action } from "./build.js";
import { dispatchChains, starEndRules } from "./dispatch.js";
import { endpointChain, type EndpointChainKind } from "./endpoint-chains.js";
import type { Chain, HookChain, IpSet, IpVersion, Rule, Ruleset, Table, TableName } from "./ir.js";
import {
  CHAIN,
  ENDPOINT_PREFIX,
  endpointChainName,
  chainNameOfPolicy,
  profileChainName,
  type EndpointPrefix,
} from "./names.js";
import {
  chainContextKey,
  sharedPolicyChain,
  sharedProfileChain,
  type ChainContext,
} from "./policy-chains.js";
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
import { compareStrings } from "../util/compare.js";
import { lowerBound } from "../util/sorted.js";
import { isMarkedSortedByName, markSortedByName } from "./chain-order.js";

// Jump and goto targets per chain, and the sets its rules match on: shared chains (policies, static
// chains) are walked once, not once per node. The walks over rules use indexed loops: a node's first
// rendering runs them unoptimised, and unoptimised code allocates an iterator result per element of a
// `for…of` (about 16 MB of a gateway's first rendering, with the rule builders and renderers).
const targetsOf = new WeakMap<Chain | HookChain, readonly string[]>();
const setsOf = new WeakMap<Chain, readonly string[]>();

const targets = (c: Chain | HookChain): readonly string[] => {
  let t = targetsOf.get(c);
  if (t === undefined) {
    const out: string[] = [];
    const add = (rules: readonly Rule[]): void => {
      for (let i = 0; i < rules.length; i++) {
        const a = rules[i]!.action;
        if (a.kind === "jump" || a.kind === "goto") out.push(a.target);
      }
    };
    if (c.kind === "hook") {
      add(c.inserted);
      add(c.appended);
    } else add(c.rules);
    t = out;
    targetsOf.set(c, t);
  }
  return t;
};

const setsUsed = (c: Chain): readonly string[] => {
  let s = setsOf.get(c);
  if (s === undefined) {
    const out: string[] = [];
    const rules = c.rules;
    for (let i = 0; i < rules.length; i++) {
      const matches = rules[i]!.matches;
      for (let k = 0; k < matches.length; k++) {
        const m = matches[k]!;
        if (m.kind === "set") out.push(m.set);
      }
    }
    s = out;
    setsOf.set(c, s);
  }
  return s;
};

/** The names of the sets the tables' chains match on. */
const setsReferenced = (tables: readonly Table[]): Set<string> => {
  const used = new Set<string>();
  for (const t of tables)
    for (let i = 0; i < t.chains.length; i++) {
      const names = setsUsed(t.chains[i]!);
      for (let k = 0; k < names.length; k++) used.add(names[k]!);
    }
  return used;
};

/** Keeps the chains reachable from the table's hooks, sorted by name. */
const prune = (name: TableName, hooks: readonly HookChain[], chains: readonly Chain[]): Table => {
  const byName = new Map<string, Chain>();
  for (let i = 0; i < chains.length; i++) {
    const c = chains[i]!;
    if (!byName.has(c.name)) byName.set(c.name, c);
  }
  const reached = new Set<string>();
  const names: string[] = [];
  const queue: string[] = [];
  const enqueue = (targetNames: readonly string[]): void => {
    for (let i = 0; i < targetNames.length; i++) queue.push(targetNames[i]!);
  };
  for (const h of hooks) enqueue(targets(h));
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (reached.has(n)) continue;
    const c = byName.get(n);
    if (c === undefined) continue;
    reached.add(n);
    names.push(n);
    enqueue(targets(c));
  }
  names.sort();
  const kept = new Array<Chain>(names.length);
  for (let i = 0; i < names.length; i++) kept[i] = byName.get(names[i]!)!;
  return { kind: "table", name, hooks, chains: markSortedByName(kept) };
};

/** The chains and hooks that depend only on the IP version and the config, shared by nodes that have both. */
interface StaticParts {
  readonly filter: readonly Chain[];
  readonly mangle: readonly Chain[];
  readonly raw: readonly Chain[];
  readonly failsafe: { readonly [T in "raw" | "mangle" | "filter"]: readonly [Chain, Chain] };
  readonly hooks: { readonly [T in "raw" | "mangle" | "filter"]: readonly HookChain[] };
}

const staticCache = new Map<string, StaticParts>();

const staticParts = (sctx: StaticContext): StaticParts => {
  const key = JSON.stringify([sctx.version, sctx.config, sctx.deny]);
  let parts = staticCache.get(key);
  if (parts === undefined) {
    const failsafe = (t: "raw" | "mangle" | "filter") =>
      [failsafeChain("in", t, sctx), failsafeChain("out", t, sctx)] as const;
    parts = {
      filter: filterStaticChains(sctx),
      mangle: mangleStaticChains(sctx),
      raw: rawStaticChains(sctx),
      failsafe: { raw: failsafe("raw"), mangle: failsafe("mangle"), filter: failsafe("filter") },
      hooks: { raw: rawHooks(), mangle: mangleHooks(), filter: filterHooks(sctx) },
    };
    // Configs are few (default, plus per-node overrides); the bound only guards against a pathological cluster.
    if (staticCache.size > 1000) staticCache.clear();
    staticCache.set(key, parts);
  }
  return parts;
};

const profileIndexes = new WeakMap<readonly Profile[], ReadonlyMap<string, Profile>>();

const profileIndex = (profiles: readonly Profile[]): ReadonlyMap<string, Profile> => {
  let m = profileIndexes.get(profiles);
  if (m === undefined) {
    m = new Map(profiles.map((p) => [p.metadata.name, p]));
    profileIndexes.set(profiles, m);
  }
  return m;
};

const staticSets = (version: IpVersion): readonly IpSet[] =>
  staticSetNames(version).map((name): IpSet => ({
    kind: "set",
    id: name.slice(6),
    name,
    type: "hash:net",
    version,
    members: [],
    description: "static set referenced by Felix's DSCP rule (empty: no DSCP configured)",
  }));
const STATIC_SETS = { 4: staticSets(4), 6: staticSets(6) } as const;

// ---- endpoint chains ------------------------------------------------------------------------------

/** Which endpoints get chains in which table (Felix's layout; the table sections of buildRuleset). */
interface EndpointLayout {
  /** filter: every active endpoint; the `*` endpoint too from v3.14 (it is the dispatch default). */
  readonly filter: readonly ResolvedEndpoint[];
  /** Named endpoints with pre-DNAT policy (mangle), and whether the `*` endpoint has some. */
  readonly preDnat: readonly ResolvedEndpoint[];
  readonly starPreDnat: boolean;
  /** Named endpoints with untracked policy (raw); the `*` endpoint's was dropped with a warning. */
  readonly raw: readonly ResolvedEndpoint[];
  readonly starNormal: boolean;
}

const endpointLayout = (model: NodeModel): EndpointLayout => {
  const star = model.star;
  const starNormal = star !== undefined && model.facts.starEndpointNormalPolicy;
  return {
    filter: [...model.endpoints, ...(starNormal ? [star!] : [])],
    preDnat: model.endpoints.filter((r) => r.policies.preDnat.length > 0),
    starPreDnat: star !== undefined && star.policies.preDnat.length > 0,
    raw: model.endpoints.filter(
      (r) => r.policies.untracked.ingress.length + r.policies.untracked.egress.length > 0,
    ),
    starNormal,
  };
};

/** One endpoint chain of a table: the endpoint, which of its chains, and the tiers it holds. */
interface EndpointChainUse {
  readonly endpoint: ResolvedEndpoint;
  readonly kind: EndpointChainKind;
  readonly prefix: EndpointPrefix;
  readonly dir: Direction;
  readonly tiers: readonly TierGroup[];
  readonly allow: "ACCEPT" | "RETURN";
}

type EndpointTable = "raw" | "mangle" | "filter";

/** Every endpoint chain of the node, per table. */
const endpointChainUses = (
  model: NodeModel,
  layout: EndpointLayout,
): { readonly [T in EndpointTable]: readonly EndpointChainUse[] } => {
  const { config } = model;
  const use = (
    endpoint: ResolvedEndpoint,
    kind: EndpointChainKind,
    prefix: EndpointPrefix,
    dir: Direction,
    tiers: readonly TierGroup[],
    allow: "ACCEPT" | "RETURN",
  ): EndpointChainUse => ({ endpoint, kind, prefix, dir, tiers, allow });
  const A = config.filterAllow;
  const star = model.star;
  return {
    filter: layout.filter.flatMap((r) => [
      use(r, "normal", ENDPOINT_PREFIX.toHost, "egress", r.policies.normal.egress, A),
      use(r, "normal", ENDPOINT_PREFIX.fromHost, "ingress", r.policies.normal.ingress, A),
      use(r, "forward", ENDPOINT_PREFIX.toHostForward, "egress", r.policies.forward.egress, A),
      use(r, "forward", ENDPOINT_PREFIX.fromHostForward, "ingress", r.policies.forward.ingress, A),
    ]),
    // mangle: pre-DNAT ingress for endpoints with pre-DNAT policy; egress for DNAT'd host traffic.
    mangle: [
      ...[...layout.preDnat, ...(layout.starPreDnat ? [star!] : [])].map((r) =>
        use(r, "preDnat", ENDPOINT_PREFIX.fromHost, "ingress", r.policies.preDnat, config.mangleAllow),
      ),
      ...layout.filter.map((r) =>
        use(r, "normal", ENDPOINT_PREFIX.toHost, "egress", r.policies.normal.egress, "RETURN"),
      ),
    ],
    raw: layout.raw.flatMap((r) => [
      use(r, "untracked", ENDPOINT_PREFIX.toHost, "egress", r.policies.untracked.egress, "ACCEPT"),
      use(r, "untracked", ENDPOINT_PREFIX.fromHost, "ingress", r.policies.untracked.ingress, "ACCEPT"),
    ]),
  };
};

const endpointChainsBuilt = new WeakMap<
  ResolvedEndpoint,
  Map<
    string,
    {
      readonly config: EffectiveConfig;
      readonly facts: VersionFacts;
      readonly tiers: readonly TierGroup[];
      readonly chains: Chain[];
    }
  >
>();

/**
 * The endpoint chain and the policy group chains it jumps to. `previous`: the chain this one replaces, whose
 * unchanged tiers it takes over (rules/endpoint-chains.ts).
 */
const endpointChains = (model: NodeModel, u: EndpointChainUse, previous?: Chain): Chain[] => {
  const { config, facts } = model;
  const r = u.endpoint;
  // Endpoint chains do not depend on the IP version: a node's second build reuses its first's.
  let mine = endpointChainsBuilt.get(r);
  if (mine === undefined) {
    mine = new Map();
    endpointChainsBuilt.set(r, mine);
  }
  const key = `${u.kind} ${u.prefix} ${u.dir} ${u.allow}`;
  const hit = mine.get(key);
  if (hit !== undefined && hit.config === config && hit.facts === facts && hit.tiers === u.tiers)
    return hit.chains;
  const res = endpointChain(
    {
      name: endpointChainName(u.prefix, r.binding.iface),
      kind: u.kind,
      direction: u.dir,
      endpoint: r.binding.endpoint.metadata.name,
      iface: r.binding.iface,
      tiers: u.tiers,
      profiles: u.kind === "normal" ? r.policies.profiles : [],
      allow: u.allow,
      deny: action.of(config.deny),
      marks: config.marks,
      disableConntrackInvalidCheck: config.disableConntrackInvalidCheck,
      kindPrefix: facts.policyChainKindPrefix,
    },
    previous,
  );
  const chains = [res.chain, ...res.extra];
  mine.set(key, { config, facts, tiers: u.tiers, chains });
  return chains;
};

// ---- the ruleset ------------------------------------------------------------------------------------

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
  const ctxKey = chainContextKey(cctx);
  const statics = staticParts(sctx);
  const setRequests: SetRequest[] = [];
  const profilesByName = profileIndex(model.cluster.profiles);

  // Policy and profile chains, built once per direction and offered to every table.
  const policyChains = new Map<string, Chain>();
  const addPolicy = (p: Policy, dir: Direction): void => {
    const name = chainNameOfPolicy(dir, p, facts.policyChainKindPrefix);
    if (!policyChains.has(name)) policyChains.set(name, sharedPolicyChain(p, dir, cctx, ctxKey, setRequests));
  };
  const addProfile = (name: string, dir: Direction): void => {
    const chain = profileChainName(dir, name);
    if (!policyChains.has(chain))
      policyChains.set(
        chain,
        sharedProfileChain(name, profilesByName.get(name), dir, cctx, ctxKey, setRequests),
      );
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

  const ifaceMap = (rs: readonly ResolvedEndpoint[]): Map<string, string> =>
    new Map(rs.map((r) => [r.binding.iface, r.binding.endpoint.metadata.name]));
  const star = model.star;
  const starName = star?.binding.endpoint.metadata.name ?? "";
  const starIface = star?.binding.iface ?? "";
  const layout = endpointLayout(model);
  const { starNormal, starPreDnat } = layout;
  const uses = endpointChainUses(model, layout);
  const endpointChainsOf = (table: EndpointTable): Chain[] =>
    uses[table].flatMap((u) => endpointChains(model, u));

  // filter: every active endpoint; the `*` endpoint is the dispatch default from v3.14.
  const filterChains: Chain[] = [
    ...statics.filter,
    ...workloadChains(model.workloads, deny, config.marks),
    ...statics.failsafe.filter,
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
    ...endpointChainsOf("filter"),
    ...policyChains.values(),
  ];

  // mangle: pre-DNAT ingress for endpoints with pre-DNAT policy; egress for DNAT'd host traffic.
  const mangleChains: Chain[] = [
    ...statics.mangle,
    ...statics.failsafe.mangle,
    ...dispatchChains({
      chain: CHAIN.fromHostEndpoint,
      direction: "in",
      interfaces: ifaceMap(layout.preDnat),
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
    ...endpointChainsOf("mangle"),
    ...[...policyChains.values()].filter((c) => !c.name.startsWith("cali-pri-")),
  ];

  // raw: untracked policy, named endpoints only (the `*` endpoint's was dropped with a warning).
  const rawChains: Chain[] = [
    ...statics.raw,
    ...statics.failsafe.raw,
    ...dispatchChains({
      chain: CHAIN.fromHostEndpoint,
      direction: "in",
      interfaces: ifaceMap(layout.raw),
      endpointPrefix: ENDPOINT_PREFIX.fromHost,
      endRules: [],
    }),
    ...dispatchChains({
      chain: CHAIN.toHostEndpoint,
      direction: "out",
      interfaces: ifaceMap(layout.raw),
      endpointPrefix: ENDPOINT_PREFIX.toHost,
      endRules: [],
    }),
    ...endpointChainsOf("raw"),
    ...[...policyChains.values()].filter((c) => !c.name.startsWith("cali-pr")),
  ];

  const tables = [
    prune("raw", statics.hooks.raw, rawChains),
    prune("mangle", statics.hooks.mangle, mangleChains),
    prune("filter", statics.hooks.filter, filterChains),
  ];
  const sets: IpSet[] = [...computeIpSets(model.cluster, setRequests, version), ...STATIC_SETS[version]];
  // Only the sets some kept rule references (a policy chain may be unreachable in every table).
  const used = setsReferenced(tables);
  return {
    kind: "ruleset",
    version,
    tables,
    sets: sets.filter((s) => used.has(s.name)).sort((a, b) => compareStrings(a.name, b.name)),
    warnings: model.warnings,
  };
};

// ---- a policy moved ---------------------------------------------------------------------------------

// How many rules of a table (in its chains and hooks) jump or go to each chain. The IR's jumps form no
// cycle, so a chain of a pruned table is reachable exactly as long as its count is above zero. Counted once
// per table; a rebuilt table keeps its predecessor's counts and its own changes to them, applied only if it
// is rebuilt in turn (an edit on an edit's result), so that an edit copies no table-sized map.
const referencesOf = new WeakMap<Table, ReadonlyMap<string, number>>();
const changedReferences = new WeakMap<
  Table,
  { readonly base: ReadonlyMap<string, number>; readonly delta: ReadonlyMap<string, number> }
>();

const references = (t: Table): ReadonlyMap<string, number> => {
  let refs = referencesOf.get(t);
  if (refs === undefined) {
    const changed = changedReferences.get(t);
    const m = new Map<string, number>(changed?.base);
    if (changed === undefined) {
      const count = (c: Chain | HookChain): void => {
        const ts = targets(c);
        for (let i = 0; i < ts.length; i++) m.set(ts[i]!, (m.get(ts[i]!) ?? 0) + 1);
      };
      for (let i = 0; i < t.hooks.length; i++) count(t.hooks[i]!);
      for (let i = 0; i < t.chains.length; i++) count(t.chains[i]!);
    } else {
      for (const [n, by] of changed.delta) m.set(n, (m.get(n) ?? 0) + by);
      changedReferences.delete(t);
    }
    refs = m;
    referencesOf.set(t, refs);
  }
  return refs;
};

/** Where a chain is, or would go, in a table's chains (sorted by name, as prune leaves them). */
const chainSlot = (chains: readonly Chain[], name: string): number =>
  lowerBound(chains, (c) => c.name < name);

/** The result of rebuildEndpointChains: the ruleset, and per table the chains replaced, added or removed. */
export interface EndpointChainsRebuilt {
  readonly ruleset: Ruleset;
  readonly touched: ReadonlyMap<TableName, ReadonlySet<string>>;
}

/**
 * `prev` (buildRuleset's ruleset of this node) with the endpoint chains whose tiers `touched` picks
 * rebuilt from `model`. `model` must have the same endpoints as the one `prev` was built from, each with the
 * same policies and profiles, only in another order (a policy's order was edited); then the dispatch,
 * policy and profile chains and the IP sets are what they were. The result equals buildRuleset(model).
 * Policy group chains the new endpoint chains jump to are added, and those nothing reaches any more go.
 * Only chains a replaced chain targeted can become unreachable: the table's reference counts (references)
 * find them, so the table is not pruned again.
 */
export const rebuildEndpointChains = (
  prev: Ruleset,
  model: NodeModel,
  touched: (tiers: readonly TierGroup[]) => boolean,
): EndpointChainsRebuilt => {
  const uses = endpointChainUses(model, endpointLayout(model));
  const names = new Map<TableName, ReadonlySet<string>>();
  // Whether a chain that matches on sets came or went, so the node's sets must be counted again.
  let setsMoved = false;
  const tables = prev.tables.map((t) => {
    const mine = t.name === "nat" ? [] : uses[t.name].filter((u) => touched(u.tiers));
    if (mine.length === 0) return t;
    const chains = [...t.chains];
    // `written`: the chains built so far, each once. `replaced`: the names whose chain is a new object or
    // is gone, for the diff; the group chains an endpoint chain jumps to are mostly the objects it had.
    const written = new Set<string>();
    const replaced = new Set<string>();
    const base = references(t);
    // This rebuild's changes to the counts.
    const delta = new Map<string, number>();
    const countOf = (n: string): number => (base.get(n) ?? 0) + (delta.get(n) ?? 0);
    // Chains whose count fell to zero on the way (some may be counted again by a later chain).
    const unreferenced: string[] = [];
    const bump = (n: string, by: 1 | -1): void => {
      delta.set(n, (delta.get(n) ?? 0) + by);
      if (by < 0 && countOf(n) === 0) unreferenced.push(n);
    };
    const refer = (c: Chain, by: 1 | -1): void => {
      const ts = targets(c);
      for (let i = 0; i < ts.length; i++) bump(ts[i]!, by);
    };
    // A chain replaced by one with (mostly) the same targets in the same places, as a move leaves them:
    // only the places that differ change the counts. The new targets are counted first, so what both
    // reach never falls to zero.
    const replace = (c: Chain, old: Chain): void => {
      const now = targets(c);
      const was = targets(old);
      for (let i = 0; i < now.length; i++) if (now[i] !== was[i]) bump(now[i]!, 1);
      for (let i = 0; i < was.length; i++) if (was[i] !== now[i]) bump(was[i]!, -1);
    };
    for (const u of mine) {
      const name = endpointChainName(u.prefix, u.endpoint.binding.iface);
      const previous = chains[chainSlot(chains, name)];
      for (const c of endpointChains(model, u, previous?.name === name ? previous : undefined)) {
        if (written.has(c.name)) continue;
        written.add(c.name);
        const i = chainSlot(chains, c.name);
        const old = chains[i];
        if (old?.name !== c.name) {
          chains.splice(i, 0, c);
          refer(c, 1);
          setsMoved ||= setsUsed(c).length > 0;
          replaced.add(c.name);
        } else if (old !== c) {
          replace(c, old);
          setsMoved ||= setsUsed(old).length + setsUsed(c).length > 0;
          chains[i] = c;
          replaced.add(c.name);
        }
      }
    }
    // What nothing reaches any more (the group chain of a policy group that split or merged) goes, and what
    // only it reached after it.
    for (let k = 0; k < unreferenced.length; k++) {
      const n = unreferenced[k]!;
      if (countOf(n) !== 0) continue;
      const i = chainSlot(chains, n);
      const c = chains[i];
      if (c?.name !== n) continue;
      chains.splice(i, 1);
      refer(c, -1);
      replaced.add(n);
      setsMoved ||= setsUsed(c).length > 0;
    }
    names.set(t.name, replaced);
    // Chains were put in and taken out at their places by name.
    const rebuilt: Table = {
      ...t,
      chains: isMarkedSortedByName(t.chains) ? markSortedByName(chains) : chains,
    };
    changedReferences.set(rebuilt, { base, delta });
    return rebuilt;
  });
  let sets = prev.sets;
  if (setsMoved) {
    const used = setsReferenced(tables);
    sets = sets.filter((s) => used.has(s.name));
  }
  return {
    ruleset: { kind: "ruleset", version: prev.version, tables, sets, warnings: model.warnings },
    touched: names,
  };
};
