// Why a packet was dropped: the rule that dropped it, read through its origin (kinds: see explain.ts).

import { onOrigin, type OriginHandlers } from "./origin-text.js";
import {
  endpointFields,
  endpointText,
  ruleAt,
  ruleDecision,
  sideIface,
  stepsOfChain,
  workloadToHost,
  W2H,
  type EndpointOrigin,
  type ExplainInput,
} from "./explain-util.js";
import type { DecidedBy } from "./types.js";

const otherDrop = (x: ExplainInput, i: number): DecidedBy => {
  const s = ruleAt(x, i);
  return {
    kind: "other-rule",
    name: s.chain,
    ruleIndex: s.ruleIndex,
    step: i,
    detail: `${s.table} ${s.chain} rule ${s.ruleIndex} (${s.rule}) dropped the packet; it has no Calico provenance`,
  };
};

const names = (xs: readonly (string | undefined)[]): string[] => [
  ...new Set(xs.flatMap((n) => (n === undefined ? [] : n.split(",")))),
];

/** Felix's per-endpoint defaults: end of tier (E6), no profile (E9), conntrack INVALID (E2). */
const endpointDrop = (x: ExplainInput, i: number, e: EndpointOrigin): DecidedBy => {
  const s = ruleAt(x, i);
  const ep = endpointText(e, sideIface(x, s));
  const earlier = stepsOfChain(x, i).flatMap((r) => (r.origin?.kind === "endpoint" ? [r.origin] : []));
  const base = { name: e.endpoint, ...endpointFields(e), step: i };
  if (e.role === "end-of-tier-drop") {
    const tried = names(
      earlier.filter((o) => o.role === "policy-jump" && o.tier === e.tier).map((o) => o.policy),
    );
    return {
      kind: "default-drop",
      ...base,
      ...(e.tier === undefined ? {} : { tier: e.tier }),
      detail: `end of tier ${e.tier}: no policy in the tier allowed or passed the packet (${ep}; policies in the tier: ${tried.join(", ") || "none"}). Profiles, projectcalico-default-allow included, are only reached when no tier has a policy for the endpoint or every tier passes`,
    };
  }
  if (e.role === "no-profile-drop") {
    const profiles = names(earlier.filter((o) => o.role === "profile-jump").map((o) => o.profile));
    const tiers = earlier.filter((o) => o.role === "tier-start").length;
    return {
      kind: "default-drop",
      ...base,
      detail: `${tiers === 0 ? "no policy applies to" : "every tier passed"} ${ep} in this direction and no profile accepted it (${profiles.length === 0 ? "it has no profiles" : `profiles tried: ${profiles.join(", ")}`}): Felix's "Drop if no profiles matched"`,
    };
  }
  if (e.role === "conntrack")
    return {
      kind: "conntrack",
      ...base,
      detail: `conntrack state INVALID: ${s.chain} (${ep}) drops invalid packets before failsafe ports and policy (DisableConntrackInvalidCheck is false)`,
    };
  return otherDrop(x, i);
};

/** "Unknown interface": no workload endpoint for a cali+ interface (calisim models none). */
const unknownWorkload = (x: ExplainInput, i: number): DecidedBy => {
  const s = ruleAt(x, i);
  const viaWlToHost = x.path.some(
    (p, j) => j < i && p.kind === "rule" && p.matched && p.origin?.kind === "workload-to-host",
  );
  const why = `no workload endpoint is modelled for this interface, and Felix's ${s.chain} drops traffic of an unknown workload interface ("Unknown interface")`;
  if (viaWlToHost) return workloadToHost(x, i, `${why}, before DefaultEndpointToHostAction is reached`);
  const iface = (s.chain === "cali-from-wl-dispatch" ? x.packet.in : x.packet.out) ?? "";
  return {
    kind: "default-drop",
    name: iface,
    interface: iface,
    step: i,
    detail: `forwarded ${s.chain === "cali-from-wl-dispatch" ? "from" : "to"} workload interface ${iface}: ${why}`,
  };
};

const dropHandlers = (x: ExplainInput, i: number): OriginHandlers<DecidedBy> => {
  const s = ruleAt(x, i);
  const when =
    s.table === "raw"
      ? " in raw, before conntrack"
      : s.table === "mangle" && s.hook === "PREROUTING"
        ? " in mangle PREROUTING, before DNAT"
        : "";
  return {
    policy: (o) => ruleDecision(x, i, o, "drop", when),
    // calisim gives a missing profile's deny-all chain no source position (policy-chains.ts profileChain).
    profile: (o) =>
      ruleDecision(
        x,
        i,
        o,
        "drop",
        o.source === undefined
          ? `${when} (a profile an endpoint names but nobody declared is deny-all)`
          : when,
      ),
    endpoint: (e) => endpointDrop(x, i, e),
    "workload-to-host": () => workloadToHost(x, i, W2H.drops),
    static: (o) => (o.what === "unknown workload interface" ? unknownWorkload(x, i) : otherDrop(x, i)),
    failsafe: () => otherDrop(x, i),
    dispatch: () => otherDrop(x, i),
    "host-to-workload": () => otherDrop(x, i),
  };
};

export const explainDrop = (x: ExplainInput): DecidedBy => {
  const t = x.traversals[x.traversals.length - 1];
  const o = t?.outcome;
  if (t === undefined || o === undefined || o.kind === "accept")
    throw new Error("bug: a dropped packet has no dropping hook");
  if (o.kind === "abort") {
    const ev = x.path[o.step]!;
    return {
      kind: "other-rule",
      step: o.step,
      detail: `${ev.kind === "event" ? ev.text : "trace aborted"}; iptables-restore would refuse such a ruleset (ELOOP)`,
    };
  }
  if (o.kind === "policy")
    return {
      kind: "chain-policy",
      name: t.hook,
      step: o.step,
      detail: `no rule gave a verdict in ${t.table} ${t.hook}${t.enteredEndpoint ? "" : " (no host endpoint chain was entered)"}, and the kernel chain's policy is DROP`,
    };
  const s = ruleAt(x, o.step);
  return s.origin === undefined ? otherDrop(x, o.step) : onOrigin(dropHandlers(x, o.step), s.origin);
};
