// Incremental re-rendering after one policy changes, as Felix applies updates: only the chains that
// changed are written, with an `iptables-restore --noflush` delta (with iptables-nft, `:chain - -` flushes a
// changed chain and its rules are appended; with iptables-legacy, only its rules from the first whose id
// changed are replaced, appended or deleted; chains nobody reaches any more are flushed and deleted), plus
// the IP set changes to make before and after it.
//
//   const prev = { model, ruleset };                          // what is loaded on the node
//   const next = rerenderPolicyChange(prev, editedPolicy);      // or { remove: { kind, name } }
//   ipset restore < next.delta.ipsetsBefore; iptables-restore --noflush < next.delta.iptables;
//   ipset restore < next.delta.ipsetsAfter
//
// The new ruleset is always what buildRuleset(resolveNode(newCluster, ...)) gives (test/bench checks
// it). Fast paths: when the edit leaves every endpoint's tiers, policy order, policy groups and profiles
// as they were (the usual edit: a policy's rules), only that policy's chains are rebuilt and the rest of
// the previous ruleset is reused; when it changes only the policy's order (and maybe its rules), the
// endpoint chains that jump to it are rebuilt too. Otherwise the node is rebuilt in full and
// the two rulesets are diffed.

import { renderIpsetLines } from "../render/ipset/index.js";
import { MAX_CHAIN_NAME_LENGTH, chainUpdateText, renderTableParts } from "../render/iptables/index.js";
import { action } from "../rules/build.js";
import { chainNamed, chainsNamed, isMarkedSortedByName, markSortedByName } from "../rules/chain-order.js";
import type { Chain, HookChain, IpSet, Rule, Ruleset, TableName } from "../rules/ir.js";
import { limitChainName, policyChainName } from "../rules/names.js";
import { buildRuleset, rebuildEndpointChains } from "../rules/node-ruleset.js";
import { policyChain, type ChainContext } from "../rules/policy-chains.js";
import type { Cluster, Direction, Policy } from "../resources/model.js";
import { computeIpSets } from "./ipsets.js";
import { derivedPolicyList, movePolicy, type EndpointPolicies, type TierGroup } from "./policies.js";
import { resolveNode, type NodeModel, type ResolvedEndpoint } from "./resolve.js";
import type { SetRequest } from "./rule-convert.js";
import { canonicalSelector } from "./selectors.js";
import { compareStrings } from "../util/compare.js";
import { sameData } from "../util/same-data.js";

/** What is loaded on a node for one IP version. */
export interface NodeRendering {
  readonly model: NodeModel;
  readonly ruleset: Ruleset;
}

/** A policy to remove, by identity. */
export interface PolicyId {
  readonly kind: Policy["kind"];
  readonly name: string;
  readonly namespace?: string;
}

/** A new or edited policy (matched to the old one by kind, namespace and name), or a removal. */
export type PolicyChange = Policy | { readonly remove: PolicyId };

/** The commands that take a node from the previous rendering to the new one. */
export interface RestoreDelta {
  /** `ipset restore` input to run first: new sets, members added to and removed from existing sets. */
  readonly ipsetsBefore: string;
  /** `iptables-restore --noflush` (`ip6tables-restore` for IPv6) input; "" when no chain changed. */
  readonly iptables: string;
  /** `ipset restore` input to run last: sets no rule references any more. */
  readonly ipsetsAfter: string;
}

export interface ChainChange {
  readonly table: TableName;
  /** The logical chain name (as in the IR). */
  readonly chain: string;
  readonly change: "added" | "changed" | "removed";
}

export interface PolicyRerender extends NodeRendering {
  /** The cluster with the change applied; pass it as `opts.cluster` to re-render the other IP version. */
  readonly cluster: Cluster;
  readonly delta: RestoreDelta;
  readonly changes: readonly ChainChange[];
  /**
   * True when only the policy's own chains were rebuilt, and if it moved the endpoint chains that jump to
   * it (false: the node was rebuilt in full).
   */
  readonly fast: boolean;
}

const sameId = (p: Policy, id: PolicyId): boolean =>
  p.kind === id.kind && p.metadata.name === id.name && p.metadata.namespace === id.namespace;

const idOf = (p: Policy): PolicyId => ({
  kind: p.kind,
  name: p.metadata.name,
  ...(p.metadata.namespace === undefined ? {} : { namespace: p.metadata.namespace }),
});

/** The cluster with one policy replaced, added or removed; every other array is shared (and so are its indexes). */
export const withPolicyChange = (cluster: Cluster, change: PolicyChange): Cluster => {
  let policies: Policy[];
  if ("remove" in change) policies = cluster.policies.filter((p) => !sameId(p, change.remove));
  else {
    const id = idOf(change);
    const i = cluster.policies.findIndex((p) => sameId(p, id));
    policies = [...cluster.policies];
    if (i < 0) policies.push(change);
    else policies[i] = change;
  }
  // Lets the policy ranking be updated rather than re-sorted.
  derivedPolicyList(cluster.policies, policies);
  return { ...cluster, policies };
};

const resolveAgain = (prev: NodeModel, cluster: Cluster): NodeModel =>
  resolveNode(cluster, {
    node: prev.node,
    calicoVersion: prev.calicoVersion,
    ...(prev.interfacesAssumed ? {} : { interfaces: prev.interfaces }),
    extraWorkloads: prev.workloads,
  });

// ---- does the edit leave every endpoint chain as it was? -------------------------------------------

/** Two lists of the same length whose items are pairwise `same`. */
const sameLists = <T>(a: readonly T[], b: readonly T[], same: (x: T, y: T) => boolean): boolean =>
  a === b || (a.length === b.length && a.every((x, i) => same(x, b[i]!)));

const sameGroups = (
  a: readonly TierGroup[],
  b: readonly TierGroup[],
  same: (x: Policy, y: Policy) => boolean,
): boolean =>
  sameLists(
    a,
    b,
    (g, h) =>
      g.tier === h.tier && g.defaultAction === h.defaultAction && sameLists(g.policies, h.policies, same),
  );

const samePolicies = (
  a: EndpointPolicies,
  b: EndpointPolicies,
  same: (x: Policy, y: Policy) => boolean,
): boolean =>
  sameGroups(a.normal.ingress, b.normal.ingress, same) &&
  sameGroups(a.normal.egress, b.normal.egress, same) &&
  sameGroups(a.forward.ingress, b.forward.ingress, same) &&
  sameGroups(a.forward.egress, b.forward.egress, same) &&
  sameGroups(a.preDnat, b.preDnat, same) &&
  sameGroups(a.untracked.ingress, b.untracked.ingress, same) &&
  sameGroups(a.untracked.egress, b.untracked.egress, same) &&
  a.profiles.length === b.profiles.length &&
  a.profiles.every((p, i) => p === b.profiles[i]);

const sameEndpoint = (
  a: ResolvedEndpoint | undefined,
  b: ResolvedEndpoint | undefined,
  same: (x: Policy, y: Policy) => boolean,
): boolean =>
  a === undefined || b === undefined
    ? a === b
    : a.binding.iface === b.binding.iface &&
      a.binding.endpoint === b.binding.endpoint &&
      samePolicies(a.policies, b.policies, same);

/**
 * True when the two models give the same endpoint, dispatch and group chains: the same bindings, and per
 * endpoint the same tiers with the same policies in the same order (the edited policy standing for its old
 * self when its tier and selector are unchanged), the same profiles and warnings.
 */
const samePlacement = (a: NodeModel, b: NodeModel, before: Policy | undefined, after: Policy): boolean => {
  if (before === undefined) return false;
  const movable =
    before.spec.tier === after.spec.tier &&
    canonicalSelector(before.spec.selector) === canonicalSelector(after.spec.selector);
  const same = (x: Policy, y: Policy): boolean => x === y || (movable && x === before && y === after);
  return (
    a.endpoints.length === b.endpoints.length &&
    a.endpoints.every((r, i) => sameEndpoint(r, b.endpoints[i], same)) &&
    sameEndpoint(a.star, b.star, same) &&
    a.workloads.join("\n") === b.workloads.join("\n") &&
    JSON.stringify(a.warnings) === JSON.stringify(b.warnings)
  );
};

/**
 * Fields that decide which endpoints a policy selects, in which tier, and which chains it gets: all that
 * decides where it sorts but its order.
 */
const sameSelection = (a: Policy, b: Policy): boolean =>
  a.kind === b.kind &&
  a.metadata.name === b.metadata.name &&
  a.metadata.namespace === b.metadata.namespace &&
  a.spec.tier === b.spec.tier &&
  a.spec.selector === b.spec.selector &&
  a.spec.namespaceSelector === b.spec.namespaceSelector &&
  a.spec.serviceAccountSelector === b.spec.serviceAccountSelector &&
  a.spec.preDNAT === b.spec.preDNAT &&
  a.spec.doNotTrack === b.spec.doNotTrack &&
  a.spec.applyOnForward === b.spec.applyOnForward &&
  a.spec.types.length === b.spec.types.length &&
  a.spec.types.every((t, i) => t === b.spec.types[i]);

/**
 * The model resolveNode gives for `cluster` when `after` replaced `before` in place and selects what it
 * did (sameSelection): the new object where the old one was, moved within its tier if its order changed.
 * Endpoints it does not select keep their objects (and so their built chains).
 */
const substitutePolicy = (model: NodeModel, before: Policy, after: Policy, cluster: Cluster): NodeModel => {
  const swap = (list: readonly Policy[]): readonly Policy[] =>
    list.includes(before) ? list.map((p) => (p === before ? after : p)) : list;
  const place =
    before.spec.order === after.spec.order
      ? swap
      : (list: readonly Policy[]): readonly Policy[] =>
          list.includes(before) ? movePolicy(list, before, after) : list;
  // Tiers without the policy keep their objects: endpoint chains rebuilt after an order edit take over
  // those tiers' rules (rules/endpoint-chains.ts).
  const groups = (gs: readonly TierGroup[]): readonly TierGroup[] =>
    gs.some((g) => g.policies.includes(before))
      ? gs.map((g) => (g.policies.includes(before) ? { ...g, policies: place(g.policies) } : g))
      : gs;
  const dir = (d: { readonly ingress: readonly TierGroup[]; readonly egress: readonly TierGroup[] }) => ({
    ingress: groups(d.ingress),
    egress: groups(d.egress),
  });
  const endpoint = (r: ResolvedEndpoint): ResolvedEndpoint =>
    r.policies.selectedBy.includes(before)
      ? {
          binding: r.binding,
          policies: {
            normal: dir(r.policies.normal),
            forward: dir(r.policies.forward),
            preDnat: groups(r.policies.preDnat),
            untracked: dir(r.policies.untracked),
            profiles: r.policies.profiles,
            selectedBy: swap(r.policies.selectedBy),
          },
        }
      : r;
  return {
    ...model,
    endpoints: model.endpoints.map(endpoint),
    ...(model.star === undefined ? {} : { star: endpoint(model.star) }),
    cluster,
  };
};

// ---- the fast path ---------------------------------------------------------------------------------

/** How many rules of the ruleset's tables reference each set; kept per ruleset so edits update it. */
const setRefs = new WeakMap<Ruleset, ReadonlyMap<string, number>>();

const countRefs = (chains: readonly Chain[], into: Map<string, number>, sign: 1 | -1): void => {
  for (const c of chains)
    for (const r of c.rules)
      for (const m of r.matches) if (m.kind === "set") into.set(m.set, (into.get(m.set) ?? 0) + sign);
};

const refsOf = (rs: Ruleset): ReadonlyMap<string, number> => {
  let refs = setRefs.get(rs);
  if (refs === undefined) {
    const m = new Map<string, number>();
    for (const t of rs.tables) countRefs(t.chains, m, 1);
    refs = m;
    setRefs.set(rs, refs);
  }
  return refs;
};

/**
 * The previous ruleset with the policy's chains rebuilt (the placement of every policy being unchanged), and
 * the chains that changed.
 */
const replacePolicyChains = (
  prev: Ruleset,
  model: NodeModel,
  policy: Policy,
): { ruleset: Ruleset; changes: ChainChange[] } => {
  const { config, facts } = model;
  const version = prev.version;
  // The context buildRuleset gives policy chains.
  const cctx: ChainContext = {
    version,
    marks: config.marks,
    deny: action.of(config.deny),
    logPrefixTemplate: config.logPrefix,
    kindPrefix: facts.policyChainKindPrefix,
  };
  const ref = {
    kind: policy.kind,
    name: policy.metadata.name,
    tier: policy.spec.tier,
    ...(policy.metadata.namespace === undefined ? {} : { namespace: policy.metadata.namespace }),
  };
  const requests: SetRequest[] = [];
  const rebuilt = new Map<string, Chain>();
  for (const dir of ["ingress", "egress"] as const satisfies readonly Direction[]) {
    const name = policyChainName(dir, ref, facts.policyChainKindPrefix);
    if (prev.tables.some((t) => t.chains.some((c) => c.name === name)))
      rebuilt.set(name, policyChain(policy, dir, cctx, requests));
  }
  // Not on this node (or unreachable in every table): nothing else changes either.
  if (rebuilt.size === 0) return { ruleset: { ...prev, warnings: model.warnings }, changes: [] };
  const refs = new Map(refsOf(prev));
  const changes: ChainChange[] = [];
  const tables = prev.tables.map((t) => {
    if (!t.chains.some((c) => rebuilt.has(c.name))) return t;
    const chains = t.chains.map((c) => {
      const n = rebuilt.get(c.name);
      if (n === undefined) return c;
      countRefs([c], refs, -1);
      countRefs([n], refs, 1);
      if (!sameChain(c, n)) changes.push({ table: t.name, chain: c.name, change: "changed" });
      return n;
    });
    // The same names in the same places.
    return { ...t, chains: isMarkedSortedByName(t.chains) ? markSortedByName(chains) : chains };
  });
  const byName = new Map<string, IpSet>(prev.sets.map((s) => [s.name, s]));
  for (const s of computeIpSets(model.cluster, requests, version))
    if (!byName.has(s.name)) byName.set(s.name, s);
  const ruleset: Ruleset = {
    kind: "ruleset",
    version,
    tables,
    sets: [...byName.values()]
      .filter((s) => (refs.get(s.name) ?? 0) > 0)
      .sort((a, b) => compareStrings(a.name, b.name)),
    warnings: model.warnings,
  };
  setRefs.set(ruleset, refs);
  return { ruleset, changes };
};

// ---- the delta -------------------------------------------------------------------------------------

// What the kernel sees of a rule: its matches, action and comments (not its origin).
const sameRuleForKernel = (a: Rule, b: Rule): boolean =>
  a === b ||
  (sameData(a.matches, b.matches) && sameData(a.action, b.action) && sameData(a.comments, b.comments));

const sameRules = (a: readonly Rule[] | undefined, b: readonly Rule[] | undefined): boolean =>
  a === undefined || b === undefined ? a === b : sameLists(a, b, sameRuleForKernel);

const sameChain = (a: Chain, b: Chain): boolean => a === b || sameRules(a.rules, b.rules);

const sameHooks = (a: readonly HookChain[], b: readonly HookChain[]): boolean =>
  sameLists(
    a,
    b,
    (h, g) =>
      h.name === g.name &&
      h.policy === g.policy &&
      sameRules(h.inserted, g.inserted) &&
      sameRules(h.appended, g.appended) &&
      sameRules(h.others, g.others),
  );

/**
 * diffRulesets' changes of one table among the chains with these names, found by binary search rather than
 * by a pass over every chain (a gateway's filter table holds thousands), when both sides' chains are known
 * sorted by name: then their order is the names' order.
 */
const namedChanges = (
  table: TableName,
  prev: readonly Chain[],
  next: readonly Chain[],
  names: ReadonlySet<string>,
): ChainChange[] => {
  const out: ChainChange[] = [];
  for (const c of chainsNamed(next, names)) {
    const old = chainNamed(prev, c.name);
    if (old === undefined) out.push({ table, chain: c.name, change: "added" });
    else if (!sameChain(old, c)) out.push({ table, chain: c.name, change: "changed" });
  }
  for (const old of chainsNamed(prev, names))
    if (chainNamed(next, old.name) === undefined) out.push({ table, chain: old.name, change: "removed" });
  return out;
};

/**
 * Chain differences between two rulesets of the same IP version, table by table. With `only`, the caller
 * knows which chains can differ: per table, just those names are compared (in `next`'s order, then removed
 * ones), and tables it leaves out are taken as equal.
 */
export const diffRulesets = (
  prev: Ruleset,
  next: Ruleset,
  only?: ReadonlyMap<TableName, ReadonlySet<string>>,
): ChainChange[] => {
  const out: ChainChange[] = [];
  const names = [...new Set([...prev.tables, ...next.tables].map((t) => t.name))];
  for (const table of names) {
    const pt = prev.tables.find((t) => t.name === table);
    const nt = next.tables.find((t) => t.name === table);
    // A table object is never modified: the same object has the same chains.
    if (pt === nt) continue;
    const some = only?.get(table);
    if (only !== undefined && some === undefined) continue;
    const before = pt?.chains ?? [];
    const after = nt?.chains ?? [];
    if (some !== undefined && isMarkedSortedByName(before) && isMarkedSortedByName(after)) {
      out.push(...namedChanges(table, before, after, some));
      continue;
    }
    const pick = (chains: readonly Chain[] = []): Map<string, Chain> =>
      new Map(chains.filter((c) => some === undefined || some.has(c.name)).map((c) => [c.name, c]));
    const a = pick(pt?.chains);
    const b = pick(nt?.chains);
    for (const [name, c] of b) {
      const old = a.get(name);
      if (old === undefined) out.push({ table, chain: name, change: "added" });
      else if (!sameChain(old, c)) out.push({ table, chain: name, change: "changed" });
    }
    for (const name of a.keys()) if (!b.has(name)) out.push({ table, chain: name, change: "removed" });
  }
  return out;
};

const TABLE_ORDER: readonly TableName[] = ["raw", "mangle", "nat", "filter"];

/**
 * How Felix updates a chain that changed (felix/iptables/table.go applyUpdates): with iptables-nft it rewrites
 * the chain whole (a bug in iptables-nft makes it), with iptables-legacy it replaces, appends and deletes only
 * the rules whose ids changed.
 */
export type IptablesBackend = "iptables-nft" | "iptables-legacy";

export interface DeltaOptions {
  /** Default "iptables-nft". */
  readonly backend?: IptablesBackend;
}

/**
 * `iptables-restore --noflush` input taking the kernel from `prev` to `next`: per table, `:chain - -` for
 * every added chain, the rules of added chains, the changed chains' rules (rewritten whole after `:chain - -`
 * with iptables-nft; with iptables-legacy, `-R`, `-A` and `-D` from the first rule whose id changed), then
 * `:chain - -` and `-X` for removed ones. Throws if a kernel chain's hook rules differ (no policy edit does
 * that; re-apply the full rendering then).
 */
export const iptablesDelta = (
  prev: Ruleset,
  next: Ruleset,
  changes: readonly ChainChange[] = diffRulesets(prev, next),
  opts: DeltaOptions = {},
): string => {
  for (const t of next.tables) {
    const old = prev.tables.find((x) => x.name === t.name);
    if (old !== undefined && !sameHooks(old.hooks, t.hooks))
      throw new Error(`the hook rules of table ${t.name} differ: apply the full rendering`);
  }
  const legacy = opts.backend === "iptables-legacy";
  const lines: string[] = [];
  for (const table of TABLE_ORDER) {
    const mine = changes.filter((c) => c.table === table);
    if (mine.length === 0) continue;
    const rewritten = new Set(
      mine.filter((c) => c.change === "added" || (c.change === "changed" && !legacy)).map((c) => c.chain),
    );
    // A ruleset's chains of this table with these names, in its order.
    const named = (rs: Ruleset, names: ReadonlySet<string>): Chain[] =>
      chainsNamed(rs.tables.find((t) => t.name === table)?.chains ?? [], names);
    const chains = named(next, rewritten);
    // The chains' text as the full rendering has it (and, but for endpoint chains, which are new after
    // every order edit, shares with it).
    const body = renderTableParts(
      { kind: "table", name: table, hooks: [], chains },
      { keepEndpointTexts: false },
    );
    const head = body.length === 0 ? [`*${table}`] : body.slice(0, -1);
    // After the added chains (which updated rules may jump to), before the removed ones go (which the
    // replaced rules may have jumped to).
    const updates: string[] = [];
    if (legacy) {
      const changed = new Set(mine.filter((c) => c.change === "changed").map((c) => c.chain));
      // One pass over each side's chains, not a search per changed chain.
      const picked = (rs: Ruleset): Map<string, Chain> => new Map(named(rs, changed).map((c) => [c.name, c]));
      const before = picked(prev);
      const after = picked(next);
      for (const c of mine) {
        if (c.change !== "changed") continue;
        const text = chainUpdateText(before.get(c.chain)!, after.get(c.chain)!, { keepEndpointTexts: false });
        if (text !== "") updates.push(text);
      }
    }
    const removed = mine
      .filter((c) => c.change === "removed")
      .map((c) => limitChainName(c.chain, MAX_CHAIN_NAME_LENGTH))
      .sort();
    lines.push(
      ...head,
      ...updates,
      ...removed.map((n) => `:${n} - -`),
      ...removed.map((n) => `-X ${n}`),
      "COMMIT",
    );
  }
  // Concatenated, not joined, as renderIptables does: the chains' texts are linked, not copied into one
  // new string of half a megabyte (on the gateway) that whoever writes the delta out would copy again.
  let out = "";
  for (const l of lines) out += `${l}\n`;
  return out;
};

/** ipset changes: new sets and member changes before the rules change, removed sets after. */
export const ipsetDelta = (prev: Ruleset, next: Ruleset): { before: string; after: string } => {
  // The same list (an order edit that moved no set-matching chain in or out keeps it): nothing changed.
  if (prev.sets === next.sets) return { before: "", after: "" };
  const a = new Map(prev.sets.map((s) => [s.name, s]));
  const before: string[] = [];
  for (const s of next.sets) {
    const old = a.get(s.name);
    if (old === undefined) {
      // A new set's members, one line each: a set can hold more than push's arguments can.
      for (const line of renderIpsetLines(s)) before.push(line);
      continue;
    }
    if (old === s) continue;
    const was = new Set(old.members);
    const now = new Set(s.members);
    for (const m of [...now].sort()) if (!was.has(m)) before.push(`add ${s.name} ${m}`);
    for (const m of [...was].sort()) if (!now.has(m)) before.push(`del ${s.name} ${m}`);
  }
  const keep = new Set(next.sets.map((s) => s.name));
  const after = prev.sets.filter((s) => !keep.has(s.name)).map((s) => `destroy ${s.name}`);
  const text = (l: string[]): string => (l.length === 0 ? "" : `${l.join("\n")}\n`);
  return { before: text(before), after: text(after) };
};

// ---- the entry point -------------------------------------------------------------------------------

/**
 * Re-renders a node after one policy is added, edited or removed: the new model and ruleset (equal to a full
 * rebuild) and the delta that takes the node there from `prev`. `opts.cluster`: the already-changed cluster
 * (to re-render the other IP version, or when the caller changed it itself); `opts.backend`: the node's
 * iptables backend, which decides how the delta writes a changed chain (see iptablesDelta).
 */
export const rerenderPolicyChange = (
  prev: NodeRendering,
  change: PolicyChange,
  opts: { readonly cluster?: Cluster } & DeltaOptions = {},
): PolicyRerender => {
  const cluster = opts.cluster ?? withPolicyChange(prev.model.cluster, change);
  const after = "remove" in change ? undefined : change;
  const before =
    after === undefined ? undefined : prev.model.cluster.policies.find((p) => sameId(p, idOf(after)));
  // The policy selects what it did (and kept its place in the list): the node's selections are known
  // without resolving it again, and only its own chains, and if it moved the chains that jump to it, change.
  const selectsAsBefore =
    before !== undefined &&
    after !== undefined &&
    sameSelection(before, after) &&
    cluster.policies[prev.model.cluster.policies.indexOf(before)] === after &&
    cluster.policies.length === prev.model.cluster.policies.length;
  const model = selectsAsBefore
    ? substitutePolicy(prev.model, before, after, cluster)
    : resolveAgain(prev.model, cluster);
  let replaced: { ruleset: Ruleset; changes: ChainChange[] } | undefined;
  if (selectsAsBefore && before.spec.order !== after.spec.order) {
    const rules = sameData({ ...before.spec, order: 0 }, { ...after.spec, order: 0 })
      ? { ruleset: prev.ruleset, changes: [] }
      : replacePolicyChains(prev.ruleset, model, after);
    const rebuilt = rebuildEndpointChains(rules.ruleset, model, (tiers) =>
      tiers.some((g) => g.policies.includes(after)),
    );
    replaced = {
      ruleset: rebuilt.ruleset,
      changes: [...rules.changes, ...diffRulesets(rules.ruleset, rebuilt.ruleset, rebuilt.touched)],
    };
  } else if (after !== undefined && (selectsAsBefore || samePlacement(prev.model, model, before, after)))
    replaced = replacePolicyChains(prev.ruleset, model, after);
  const fast = replaced !== undefined;
  const ruleset = replaced?.ruleset ?? buildRuleset(model, { version: prev.ruleset.version });
  const changes = replaced?.changes ?? diffRulesets(prev.ruleset, ruleset);
  const sets = ipsetDelta(prev.ruleset, ruleset);
  return {
    cluster,
    model,
    ruleset,
    changes,
    fast,
    delta: {
      ipsetsBefore: sets.before,
      iptables: iptablesDelta(prev.ruleset, ruleset, changes, opts),
      ipsetsAfter: sets.after,
    },
  };
};
