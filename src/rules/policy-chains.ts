// Policy and profile chains (felix/rules/policy.go PolicyToIptablesChains / ProfileToIptablesChains):
// the rules in order, trailing RETURNs stripped, and the "<Kind> <name> <direction>" comment on the
// first rule (a lone comment-only rule when the chain would be empty).

import { ipSetNameInVersion } from "../calc/ipset-ids.js";
import { convertRule, type FelixRule, type SetRequest } from "../calc/rule-convert.js";
import type { Direction, Policy, PolicyRule, Profile } from "../resources/model.js";
import type { Chain, IpVersion, Match, Origin, Rule } from "./ir.js";
import { action, match, rule } from "./build.js";
import { policyChainName, profileChainName } from "./names.js";
import { expandLogPrefix, policyRuleToIr, type RuleContext } from "./policy-rules.js";

export interface ChainContext extends Omit<RuleContext, "origin" | "logPrefix"> {
  readonly logPrefixTemplate: string;
  readonly kindPrefix: boolean;
}

const stripTrailingReturns = (rules: Rule[]): Rule[] => {
  let end = rules.length;
  while (end > 0 && rules[end - 1]!.action.kind === "return") end--;
  return rules.slice(0, end);
};

const buildChain = (
  name: string,
  rules: readonly PolicyRule[],
  comment: string,
  ctx: ChainContext,
  logId: { kind: string; name: string; namespace?: string; tier: string },
  origin: (i?: number) => Origin,
  sets: SetRequest[],
): Chain => {
  // Spelled out, not `{ ...ctx, logPrefix }`: adding properties after a spread is slow in V8 11.
  const ruleCtx: RuleContext = {
    version: ctx.version,
    marks: ctx.marks,
    deny: ctx.deny,
    logPrefix: expandLogPrefix(ctx.logPrefixTemplate, logId),
    origin,
  };
  // Indexed loops, as in node-ruleset.ts: no iterator results while this runs unoptimised.
  const irRules: Rule[] = [];
  for (let i = 0; i < rules.length; i++) {
    const converted = convertRule(rules[i]!);
    for (let k = 0; k < converted.sets.length; k++) sets.push(converted.sets[k]!);
    const ir = policyRuleToIr(converted.rule, i, ruleCtx);
    for (let k = 0; k < ir.length; k++) irRules.push(ir[k]!);
  }
  const kept = stripTrailingReturns(irRules);
  const first = kept[0];
  const head: Rule =
    first === undefined
      ? rule([], action.none, { comments: [comment], origin: origin() })
      : {
          kind: "rule",
          matches: first.matches,
          action: first.action,
          comments: [comment, ...first.comments],
          ...(first.origin === undefined ? {} : { origin: first.origin }),
        };
  kept[0] = head;
  return { kind: "chain", name, rules: kept };
};

const SHORT = { GlobalNetworkPolicy: "gnp", NetworkPolicy: "np" } as const;

export const policyChain = (policy: Policy, dir: Direction, ctx: ChainContext, sets: SetRequest[]): Chain => {
  const ref = {
    kind: policy.kind,
    name: policy.metadata.name,
    tier: policy.spec.tier,
    ...(policy.metadata.namespace === undefined ? {} : { namespace: policy.metadata.namespace }),
  };
  const label =
    policy.metadata.namespace === undefined ? ref.name : `${policy.metadata.namespace}/${ref.name}`;
  const rules = dir === "ingress" ? policy.spec.ingress : policy.spec.egress;
  const origin = (i?: number): Origin => ({
    kind: "policy",
    policyKind: policy.kind,
    name: policy.metadata.name,
    ...(policy.metadata.namespace === undefined ? {} : { namespace: policy.metadata.namespace }),
    tier: policy.spec.tier,
    direction: dir,
    ...(i === undefined ? {} : { ruleIndex: i }),
    ...(i === undefined
      ? { source: policy.source }
      : rules[i]?.pos === undefined
        ? { source: policy.source }
        : { source: rules[i]!.pos! }),
  });
  return buildChain(
    policyChainName(dir, ref, ctx.kindPrefix),
    rules,
    `${policy.kind} ${label} ${dir}`,
    ctx,
    {
      kind: SHORT[policy.kind],
      name: ref.name,
      ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
      tier: ref.tier,
    },
    origin,
    sets,
  );
};

/** A profile an endpoint names but nobody declared: Felix renders it deny-all (active_rules_calculator.go:440-471). */
const denyAll: PolicyRule = {
  action: "Deny",
  source: { nets: [], notNets: [], ports: [], notPorts: [] },
  destination: { nets: [], notNets: [], ports: [], notPorts: [] },
  annotations: {},
};

export const profileChain = (
  name: string,
  profile: Profile | undefined,
  dir: Direction,
  ctx: ChainContext,
  sets: SetRequest[],
): Chain => {
  const rules =
    profile === undefined ? [denyAll] : dir === "ingress" ? profile.spec.ingress : profile.spec.egress;
  const origin = (i?: number): Origin => ({
    kind: "profile",
    name,
    direction: dir,
    ...(i === undefined ? {} : { ruleIndex: i }),
    ...(profile === undefined
      ? {}
      : { source: (i === undefined ? undefined : rules[i]?.pos) ?? profile.source }),
  });
  return buildChain(
    profileChainName(dir, name),
    rules,
    `Profile ${name} ${dir}`,
    ctx,
    { kind: "pro", name, tier: "" },
    origin,
    sets,
  );
};

// ---- shared across nodes ----------------------------------------------------------------------------
// A policy's chain depends only on the policy, the direction and the ChainContext, so every node with the
// same policy, IP version and config gets the same Chain object: built (and, in the renderers, rendered and
// hashed) once per cluster. Keyed by object identity, so an edited policy (a new object) gets new chains.
//
// The IPv4 and IPv6 chains of a policy differ only where a rule names an IP version, nets or ICMP
// (policyRuleToIr), and in the names of the IP sets it matches on. For a chain with none of the former,
// the chain of one version is made from the other's by renaming its sets, and the rules that match on no
// set are the other's rule objects.

/** Everything in a ChainContext a chain depends on but the IP version, as a string. */
export const chainContextKey = (ctx: ChainContext): string =>
  JSON.stringify([ctx.marks, ctx.deny, ctx.logPrefixTemplate, ctx.kindPrefix]);

interface Built {
  readonly chain: Chain;
  readonly sets: readonly SetRequest[];
  /** No rule names an IP version, nets or ICMP: the chain of the other version follows from this one. */
  readonly neutral: boolean;
}

/** A chain's builds by IP version, for one direction and ChainContext (but its version). */
type Builds = { [V in IpVersion]?: Built };

const byPolicy = new WeakMap<Policy, Map<string, Builds>>();
const byProfile = new WeakMap<Profile, Map<string, Builds>>();
// Undeclared profiles have no object to key on; their deny-all chain depends only on the name.
const undeclared = new Map<string, Builds>();

/** What policyRuleToIr does differently per IP version, this rule does not use. */
const neutralRule = (r: FelixRule): boolean =>
  r.ipVersion === undefined &&
  r.srcNets.length === 0 &&
  r.notSrcNets.length === 0 &&
  r.dstNets.length === 0 &&
  r.notDstNets.length === 0 &&
  r.icmp === undefined &&
  r.notIcmp === undefined;

const neutralRules = (rules: readonly PolicyRule[]): boolean => {
  for (let i = 0; i < rules.length; i++) if (!neutralRule(convertRule(rules[i]!).rule)) return false;
  return true;
};

/** The matches with their IP sets named for `version` (the same array when none matches on a set). */
const setsInVersion = (matches: readonly Match[], version: IpVersion): readonly Match[] => {
  let out: Match[] | undefined;
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i]!;
    if (m.kind !== "set") continue;
    out ??= matches.slice();
    out[i] = match.set(ipSetNameInVersion(m.set, version), m.dirs, m.negated);
  }
  return out ?? matches;
};

/** A neutral chain's twin for `version`. */
const chainInVersion = (chain: Chain, version: IpVersion): Chain => {
  const rules = chain.rules.map((r): Rule => {
    const matches = setsInVersion(r.matches, version);
    if (matches === r.matches) return r;
    return r.origin === undefined
      ? { kind: "rule", matches, action: r.action, comments: r.comments }
      : { kind: "rule", matches, action: r.action, comments: r.comments, origin: r.origin };
  });
  return { kind: "chain", name: chain.name, rules };
};

const remember = (
  cache: Map<string, Builds>,
  key: string,
  version: IpVersion,
  rules: readonly PolicyRule[],
  sets: SetRequest[],
  build: (sets: SetRequest[]) => Chain,
): Chain => {
  let builds = cache.get(key);
  if (builds === undefined) {
    builds = {};
    cache.set(key, builds);
  }
  let b = builds[version];
  if (b === undefined) {
    const twin = builds[version === 4 ? 6 : 4];
    if (twin?.neutral === true)
      b = { chain: chainInVersion(twin.chain, version), sets: twin.sets, neutral: true };
    else {
      const own: SetRequest[] = [];
      b = { chain: build(own), sets: own, neutral: neutralRules(rules) };
    }
    builds[version] = b;
  }
  for (const s of b.sets) sets.push(s);
  return b.chain;
};

/** policyChain, shared: `ctxKey` is chainContextKey(ctx). The chain must not be modified. */
export const sharedPolicyChain = (
  policy: Policy,
  dir: Direction,
  ctx: ChainContext,
  ctxKey: string,
  sets: SetRequest[],
): Chain => {
  let cache = byPolicy.get(policy);
  if (cache === undefined) {
    cache = new Map();
    byPolicy.set(policy, cache);
  }
  const rules = dir === "ingress" ? policy.spec.ingress : policy.spec.egress;
  return remember(cache, `${dir}|${ctxKey}`, ctx.version, rules, sets, (own) =>
    policyChain(policy, dir, ctx, own),
  );
};

/** profileChain, shared: `ctxKey` is chainContextKey(ctx). The chain must not be modified. */
export const sharedProfileChain = (
  name: string,
  profile: Profile | undefined,
  dir: Direction,
  ctx: ChainContext,
  ctxKey: string,
  sets: SetRequest[],
): Chain => {
  let cache: Map<string, Builds>;
  let key = `${dir}|${ctxKey}`;
  if (profile === undefined) {
    cache = undeclared;
    key = `${name}|${key}`;
  } else {
    cache = byProfile.get(profile) ?? new Map();
    byProfile.set(profile, cache);
  }
  const rules =
    profile === undefined ? [denyAll] : dir === "ingress" ? profile.spec.ingress : profile.spec.egress;
  return remember(cache, key, ctx.version, rules, sets, (own) => profileChain(name, profile, dir, ctx, own));
};
