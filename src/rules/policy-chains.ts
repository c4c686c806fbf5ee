// Policy and profile chains (felix/rules/policy.go PolicyToIptablesChains / ProfileToIptablesChains):
// the rules in order, trailing RETURNs stripped, and the "<Kind> <name> <direction>" comment on the
// first rule (a lone comment-only rule when the chain would be empty).

import { convertRule, type SetRequest } from "../calc/rule-convert.js";
import type { Direction, Policy, PolicyRule, Profile } from "../resources/model.js";
import type { Chain, Origin, Rule } from "./ir.js";
import { action, rule } from "./build.js";
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
  const ruleCtx: RuleContext = {
    ...ctx,
    logPrefix: expandLogPrefix(ctx.logPrefixTemplate, logId),
    origin: (i) => origin(i),
  };
  const irRules = stripTrailingReturns(
    rules.flatMap((r, i) => {
      const converted = convertRule(r);
      sets.push(...converted.sets);
      return policyRuleToIr(converted.rule, i, ruleCtx);
    }),
  );
  const [first, ...rest] = irRules;
  const head: Rule =
    first === undefined
      ? rule([], action.none, { comments: [comment], origin: origin() })
      : { ...first, comments: [comment, ...first.comments] };
  return { kind: "chain", name, rules: [head, ...rest] };
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
