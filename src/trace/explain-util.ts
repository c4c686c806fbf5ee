// Shared pieces of the verdict explanation: reading the path around a deciding step, and the DecidedBy
// shape for policy/profile rules, which both verdicts use.

import type { Origin } from "../rules/ir.js";
import type { Traversal } from "./hook-walk.js";
import { ifaceLabel, originLabel, originSource } from "./origin-text.js";
import type { DecidedBy, DecidedByKind, Packet, RuleStep, Step } from "./types.js";

export interface ExplainInput {
  readonly packet: Packet;
  readonly path: readonly Step[];
  readonly traversals: readonly Traversal[];
}

export type EndpointOrigin = Extract<Origin, { kind: "endpoint" }>;

export const ruleAt = (x: ExplainInput, i: number): RuleStep => {
  const s = x.path[i];
  if (s?.kind !== "rule") throw new Error(`bug: path step ${i} is not a rule step`);
  return s;
};

/** The matched steps of the chain invocation that holds step i, up to i (not its callees). */
export const stepsOfChain = (x: ExplainInput, i: number): RuleStep[] => {
  const at = ruleAt(x, i);
  const out: RuleStep[] = [];
  for (let j = i - 1; j >= 0; j--) {
    const s = x.path[j]!;
    if (s.depth < at.depth || s.kind === "event") break;
    if (s.kind === "rule" && s.matched && s.depth === at.depth && s.chain === at.chain) out.unshift(s);
  }
  return out;
};

/** The host endpoint whose chain led to step i: the nearest earlier endpoint-chain rule. */
export const endpointBefore = (x: ExplainInput, i: number): EndpointOrigin | undefined => {
  for (let j = i; j >= 0; j--) {
    const s = x.path[j]!;
    if (s.kind === "event" && s.event === "hook") return undefined;
    if (s.kind === "rule" && s.matched && s.origin?.kind === "endpoint") return s.origin;
  }
  return undefined;
};

/** "host endpoint web (eth0)", or for the `*` endpoint "host endpoint all (interfaceName "*", here eth1)". */
export const endpointText = (e: EndpointOrigin, here: string | undefined): string =>
  e.interface === "any-interface-at-all"
    ? `host endpoint ${e.endpoint} (${ifaceLabel(e.interface)}${here === undefined ? "" : `, here ${here}`})`
    : `host endpoint ${e.endpoint} (interface ${e.interface})`;

export const endpointFields = (e: EndpointOrigin | undefined): Pick<DecidedBy, "endpoint" | "interface"> =>
  e === undefined ? {} : { endpoint: e.endpoint, interface: e.interface };

/** The interface the packet used on the side a step polices (ingress chains: in; egress: out). */
export const sideIface = (x: ExplainInput, s: RuleStep): string | undefined =>
  /^cali-(th|thfw)-/.test(s.chain) || s.hook === "OUTPUT" || s.hook === "POSTROUTING"
    ? x.packet.out
    : x.packet.in;

type RuleOrigin = Extract<Origin, { kind: "policy" | "profile" }>;

/**
 * A policy or profile rule decided. Policy kinds: in raw it is untracked (doNotTrack) policy, in mangle
 * PREROUTING pre-DNAT policy, anywhere else normal policy (filter, or mangle POSTROUTING for DNAT'd host
 * egress); see the section comments in explain.ts.
 */
export const ruleDecision = (
  x: ExplainInput,
  i: number,
  o: RuleOrigin,
  verdict: "accept" | "drop",
  why: string,
): DecidedBy => {
  const s = ruleAt(x, i);
  const kind: DecidedByKind =
    o.kind === "profile"
      ? "profile"
      : s.table === "raw"
        ? "untracked"
        : s.table === "mangle" && s.hook === "PREROUTING"
          ? "pre-dnat"
          : "policy";
  const ep = endpointBefore(x, i);
  const where = ep === undefined ? "" : ` for ${endpointText(ep, sideIface(x, s))}`;
  const qualifier = kind === "untracked" ? "untracked (doNotTrack) " : kind === "pre-dnat" ? "pre-DNAT " : "";
  const dnatEgress = s.table === "mangle" && s.hook === "POSTROUTING";
  const context =
    kind === "untracked" && verdict === "accept"
      ? "; it is NOTRACKed, and raw, mangle and filter accept it on the accept mark without conntrack (its replies need an untracked allow of their own)"
      : kind === "pre-dnat" && verdict === "accept"
        ? "; mangle accepts it, and cali-INPUT / cali-FORWARD accept it on the accept mark, so normal host endpoint policy is skipped"
        : dnatEgress
          ? `; host egress that was DNAT'd is policed in mangle POSTROUTING, where the egress interface is known (filter cali-OUTPUT skips --ctstate DNAT)${why}`
          : why;
  const src = originSource(o);
  return {
    kind,
    name: o.kind === "policy" && o.namespace !== undefined ? `${o.namespace}/${o.name}` : o.name,
    ...(o.ruleIndex === undefined ? {} : { ruleIndex: o.ruleIndex }),
    ...(o.kind === "policy" ? { tier: o.tier } : {}),
    ...(src === undefined ? {} : { source: src }),
    ...endpointFields(ep),
    step: i,
    detail: `${qualifier}${originLabel(o)} ${verdict === "accept" ? "allows" : "denies"} the packet${where}${context}`,
  };
};

/** cali-wl-to-host decided (the rule at i); `tail` says what that rule did. */
export const workloadToHost = (x: ExplainInput, i: number, tail: string): DecidedBy => {
  const s = ruleAt(x, i);
  return {
    kind: "workload-to-host",
    name: x.packet.in ?? "",
    interface: x.packet.in ?? "",
    step: i,
    detail: `workload to host (in ${x.packet.in}): cali-INPUT sends -i cali+ to cali-wl-to-host, which runs the workload's egress policy and then DefaultEndpointToHostAction; host endpoint policy never sees it. ${s.table} ${s.chain} rule ${s.ruleIndex} (${s.rule}): ${tail}`,
  };
};

export const W2H = {
  accepts: "the configured DefaultEndpointToHostAction (ACCEPT) accepts it",
  drops: "the configured DefaultEndpointToHostAction (DROP) drops it",
  returns:
    "the configured DefaultEndpointToHostAction (RETURN) hands it back to the kernel INPUT chain, whose remaining rules and policy decide (ACCEPT here)",
} as const;
