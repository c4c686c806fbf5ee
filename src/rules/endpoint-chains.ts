// Per-endpoint chains (felix/rules/endpoints.go endpointIptablesChain, template E0-E9 in our
// reference §1.4): conntrack, failsafe, mark clearing, tiers of policy (with policy groups),
// profiles and the final drop — each step present or not according to the chain's kind.

import type { TierGroup } from "../calc/policies.js";
import { canonicalSelector } from "../calc/selectors.js";
import type { Direction, Policy } from "../resources/model.js";
import type { Action, Chain, Origin, Rule } from "./ir.js";
import type { MarkBits } from "../calc/config.js";
import { action, match, rule } from "./build.js";
import { CHAIN, policyChainName, policyGroupChainName, profileChainName, type PolicyRef } from "./names.js";

/** normal: filter th/fh and mangle th; forward: filter thfw/fhfw; preDnat: mangle fh; untracked: raw th/fh. */
export type EndpointChainKind = "normal" | "forward" | "preDnat" | "untracked";

export interface EndpointChainSpec {
  readonly name: string;
  readonly kind: EndpointChainKind;
  readonly direction: Direction;
  readonly endpoint: string;
  readonly iface: string;
  readonly tiers: readonly TierGroup[];
  readonly profiles: readonly string[];
  /** What "allowed" does in this chain: ACCEPT, or RETURN with the accept mark (mangle egress). */
  readonly allow: "ACCEPT" | "RETURN";
  readonly deny: Action;
  readonly marks: MarkBits;
  readonly disableConntrackInvalidCheck: boolean;
  readonly kindPrefix: boolean;
}

const ref = (p: Policy): PolicyRef => ({
  kind: p.kind,
  name: p.metadata.name,
  tier: p.spec.tier,
  ...(p.metadata.namespace === undefined ? {} : { namespace: p.metadata.namespace }),
});

/** Adjacent policies with the same normalised selector share a group (endpoint_mgr.go:1750-1774). */
const groupPolicies = (policies: readonly Policy[]): { selector: string; policies: Policy[] }[] => {
  const groups: { selector: string; policies: Policy[] }[] = [];
  for (const p of policies) {
    const sel = canonicalSelector(p.spec.selector);
    const last = groups[groups.length - 1];
    if (last !== undefined && last.selector === sel) last.policies.push(p);
    else groups.push({ selector: sel, policies: [p] });
  }
  return groups;
};

/** A policy-group chain: one jump per policy, "Return on verdict" every 5 (endpoints.go:362-419). */
const groupChain = (
  name: string,
  dir: Direction,
  policies: readonly Policy[],
  s: EndpointChainSpec,
): Chain => {
  const verdict = s.marks.pass | s.marks.accept;
  const rules: Rule[] = [];
  policies.forEach((p, i) => {
    if (i !== 0 && i % 5 === 0)
      rules.push(rule([match.markNotClear(verdict)], action.return, { comments: ["Return on verdict"] }));
    rules.push(
      rule(
        i % 5 === 0 ? [] : [match.markClear(verdict)],
        action.jump(policyChainName(dir, ref(p), s.kindPrefix)),
      ),
    );
  });
  return { kind: "chain", name, rules };
};

export const endpointChain = (s: EndpointChainSpec): { chain: Chain; extra: Chain[] } => {
  const { accept, pass } = s.marks;
  const origin = (role: Extract<Origin, { kind: "endpoint" }>["role"], more: object = {}): Origin =>
    ({ kind: "endpoint", endpoint: s.endpoint, interface: s.iface, role, ...more }) as Origin;
  const rules: Rule[] = [];
  const extra: Chain[] = [];
  const push = (r: Rule): void => void rules.push(r);

  // E2: conntrack, except in untracked chains.
  if (s.kind !== "untracked") {
    const ct = { origin: origin("conntrack") };
    if (s.allow !== "ACCEPT")
      push(rule([match.ctState(["RELATED", "ESTABLISHED"])], action.setMark(accept), ct));
    push(rule([match.ctState(["RELATED", "ESTABLISHED"])], action.of(s.allow), ct));
    if (!s.disableConntrackInvalidCheck) push(rule([match.ctState(["INVALID"])], s.deny, ct));
  }
  // E3: failsafe, except in forward chains.
  if (s.kind !== "forward")
    push(
      rule([], action.jump(s.direction === "ingress" ? CHAIN.failsafeIn : CHAIN.failsafeOut), {
        origin: origin("failsafe-jump"),
      }),
    );
  // E4.
  push(rule([], action.clearMark(accept | pass), { origin: origin("clear-marks") }));

  // E6: tiers.
  for (const tier of s.tiers) {
    if (tier.policies.length === 0) continue;
    push(
      rule([], action.clearMark(pass), {
        comments: [`Start of tier ${tier.tier}`],
        origin: origin("tier-start", { tier: tier.tier }),
      }),
    );
    for (const group of groupPolicies(tier.policies)) {
      const first = group.policies[0]!;
      let target: string;
      if (group.policies.length === 1) target = policyChainName(s.direction, ref(first), s.kindPrefix);
      else {
        target = policyGroupChainName(s.direction, group.selector, group.policies.map(ref));
        extra.push(groupChain(target, s.direction, group.policies, s));
      }
      const names = group.policies.map((p) => p.metadata.name).join(",");
      push(
        rule([match.markClear(pass)], action.jump(target), {
          origin: origin("policy-jump", { tier: tier.tier, policy: names }),
        }),
      );
      if (s.kind === "untracked")
        push(
          rule([match.markSet(accept)], action.notrack, {
            origin: origin("notrack", { tier: tier.tier, policy: names }),
          }),
        );
      push(
        rule([match.markSet(accept)], action.return, {
          comments: ["Return if policy accepted"],
          origin: origin("policy-return", { tier: tier.tier, policy: names }),
        }),
      );
    }
    if ((s.kind === "normal" || s.kind === "forward") && tier.defaultAction !== "Pass")
      push(
        rule([match.markClear(pass)], s.deny, {
          comments: [
            `End of tier ${tier.tier}. ${s.deny.kind === "reject" ? "Reject" : "Drop"} if no policies passed packet`,
          ],
          origin: origin("end-of-tier-drop", { tier: tier.tier }),
        }),
      );
  }

  // E7: forward chains with no tiers allow by default.
  if (s.kind === "forward" && s.tiers.every((t) => t.policies.length === 0)) {
    const o = { origin: origin("forward-default-allow") };
    push(rule([], action.setMark(accept), { comments: ["Allow forwarded traffic by default"], ...o }));
    push(rule([], action.return, { comments: ["Return for accepted forward traffic"], ...o }));
  }

  // E8, E9: profiles, then drop; normal chains only.
  if (s.kind === "normal") {
    for (const p of s.profiles) {
      push(
        rule([], action.jump(profileChainName(s.direction, p)), {
          origin: origin("profile-jump", { profile: p }),
        }),
      );
      push(
        rule([match.markSet(accept)], action.return, {
          comments: ["Return if profile accepted"],
          origin: origin("profile-return", { profile: p }),
        }),
      );
    }
    push(
      rule([], s.deny, {
        comments: [`${s.deny.kind === "reject" ? "Reject" : "Drop"} if no profiles matched`],
        origin: origin("no-profile-drop"),
      }),
    );
  }
  return { chain: { kind: "chain", name: s.name, rules }, extra };
};
