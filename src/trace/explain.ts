// Why the packet got its verdict, said the way a Calico engineer would. The kinds:
//
//   policy        a (Global)NetworkPolicy rule allowed or denied it (filter; or mangle POSTROUTING for
//                 host egress that was DNAT'd, policed there because only there is the egress interface known)
//   pre-dnat      a preDNAT policy rule in mangle PREROUTING (an allow makes cali-INPUT/cali-FORWARD accept on
//                 the accept mark, skipping normal policy)
//   untracked     a doNotTrack policy rule in raw (an allow NOTRACKs the packet; every table accepts on the mark)
//   profile       a profile rule (including projectcalico-default-allow, and deny-all for a missing profile)
//   failsafe      a failsafe port (cali-failsafe-in/out, before any policy)
//   default-drop  an endpoint's default deny: end of a tier with no allow/pass, or "Drop if no profiles
//                 matched"; also Felix's "Unknown interface" drop of forwarded traffic to/from a cali+
//                 interface that has no workload endpoint (calisim models none)
//   default-allow forwarded traffic through a host endpoint with no applyOnForward policy (E7)
//   conntrack     the endpoint chain's RELATED,ESTABLISHED accept (whatever allowed the first packet decided)
//                 or its INVALID drop
//   no-endpoint   accepted without entering any per-endpoint chain: no host endpoint governs the interface
//   host-to-workload  cali-OUTPUT's `-o cali+ -j RETURN`: host → local workload is never policed
//   workload-to-host  cali-wl-to-host: the workload's egress policy, then DefaultEndpointToHostAction (or the
//                 "Unknown interface" drop before it, for a cali+ interface without a workload endpoint)
//   chain-policy  a kernel chain's own policy decided after Calico's chains gave no verdict
//   other-rule    a rule without Calico provenance (another program's rule in a dump, a hand-built rule)
//   invalid-packet the packet description itself is unusable (see warnings)

import type { Origin } from "../rules/ir.js";
import type { HookOutcome, Traversal } from "./hook-walk.js";
import { onOrigin, type OriginHandlers } from "./origin-text.js";
import { explainDrop } from "./explain-drop.js";
import {
  endpointBefore,
  endpointFields,
  endpointText,
  ruleAt,
  ruleDecision,
  sideIface,
  workloadToHost,
  W2H,
  type ExplainInput,
} from "./explain-util.js";
import type { DecidedBy } from "./types.js";

export type { ExplainInput } from "./explain-util.js";

const otherRule = (x: ExplainInput, i: number, what: string): DecidedBy => {
  const s = ruleAt(x, i);
  return {
    kind: "other-rule",
    name: s.chain,
    ruleIndex: s.ruleIndex,
    step: i,
    detail: `${s.table} ${s.chain} rule ${s.ruleIndex} (${s.rule}) ${what}; it has no Calico provenance`,
  };
};

/** Every origin kind goes to `rest` unless `some` handles it (the literal keeps the table exhaustive). */
const byOrigin = (
  o: Origin | undefined,
  rest: () => DecidedBy,
  some: Partial<OriginHandlers<DecidedBy>>,
): DecidedBy =>
  o === undefined
    ? rest()
    : onOrigin(
        {
          policy: some.policy ?? rest,
          profile: some.profile ?? rest,
          failsafe: some.failsafe ?? rest,
          endpoint: some.endpoint ?? rest,
          dispatch: some.dispatch ?? rest,
          "host-to-workload": some["host-to-workload"] ?? rest,
          "workload-to-host": some["workload-to-host"] ?? rest,
          static: some.static ?? rest,
        },
        o,
      );

export const established = (x: ExplainInput, i: number): DecidedBy => {
  const s = ruleAt(x, i);
  const ep = endpointBefore(x, i);
  return {
    kind: "conntrack",
    ...(ep === undefined ? {} : { name: ep.endpoint }),
    ...endpointFields(ep),
    step: i,
    detail: `established flow accepted by conntrack rule in ${s.table} ${s.chain}${ep === undefined ? "" : ` (${endpointText(ep, sideIface(x, s))})`}: Felix accepts RELATED/ESTABLISHED packets before failsafe ports and policy, so whatever allowed the flow's first packet decided`,
  };
};

/** Who set the accept mark that a static ACCEPT (or RETURN) tested. */
const bySetter = (x: ExplainInput, setter: number | null, via: number): DecidedBy => {
  const v = ruleAt(x, via);
  if (setter === null)
    return {
      ...otherRule(x, via, "accepted on a mark"),
      detail: `the mark bits ${v.chain} tested were already set when the packet entered netfilter (packet.mark)`,
    };
  const s = ruleAt(x, setter);
  const then = `; ${v.table} ${v.chain} then ${v.action === "accept" ? "accepted" : "returned"} on the accept mark`;
  const rest = () => otherRule(x, setter, "set the accept mark");
  return byOrigin(s.origin, rest, {
    policy: (p) => ruleDecision(x, setter, p, "accept", then),
    profile: (p) => ruleDecision(x, setter, p, "accept", then),
    endpoint: (e) =>
      e.role === "conntrack"
        ? established(x, setter)
        : e.role !== "forward-default-allow"
          ? rest()
          : {
              kind: "default-allow",
              name: e.endpoint,
              ...endpointFields(e),
              step: setter,
              detail: `forwarded traffic: ${endpointText(e, sideIface(x, s))} has no applyOnForward policy for this direction, so ${s.chain} allows it by default ("Allow forwarded traffic by default"); profiles are never consulted for forwarded traffic`,
            },
  });
};

const acceptRule = (x: ExplainInput, o: Extract<HookOutcome, { kind: "accept" }>): DecidedBy => {
  const s = ruleAt(x, o.step);
  const rest = () =>
    o.setter === undefined ? otherRule(x, o.step, "accepted the packet") : bySetter(x, o.setter, o.step);
  return byOrigin(s.origin, rest, {
    failsafe: (f) => ({
      kind: "failsafe",
      name: f.entry,
      ...endpointFields(endpointBefore(x, o.step)),
      step: o.step,
      detail: `failsafe ${f.direction} port ${f.entry} (FelixConfiguration failsafe${f.direction === "inbound" ? "Inbound" : "Outbound"}HostPorts): ${s.chain} accepts it before any policy`,
    }),
    endpoint: (e) => (e.role === "conntrack" ? established(x, o.step) : rest()),
    "workload-to-host": () => workloadToHost(x, o.step, W2H.accepts),
  });
};

const ifaces = (x: ExplainInput): string =>
  [
    x.packet.in === undefined ? "" : `in ${x.packet.in}`,
    x.packet.out === undefined ? "" : `out ${x.packet.out}`,
  ]
    .filter((t) => t !== "")
    .join(", ");

/** The kernel chain's policy ACCEPT ended the hook: what sent the packet back there, if anything. */
const acceptPolicy = (
  x: ExplainInput,
  t: Traversal,
  o: Extract<HookOutcome, { kind: "policy" }>,
): DecidedBy => {
  const fellThrough = (): DecidedBy =>
    t.enteredEndpoint
      ? {
          kind: "chain-policy",
          name: t.hook,
          step: o.step,
          detail: `the host endpoint chains returned without a verdict and the kernel ${t.hook} chain policy ACCEPT decided`,
        }
      : {
          kind: "no-endpoint",
          step: o.step,
          ...(x.packet.in === undefined && x.packet.out === undefined
            ? {}
            : { interface: x.packet.in ?? x.packet.out! }),
          detail: `no host endpoint governs this packet's interfaces (${ifaces(x)}): Calico only polices interfaces it has been told about, so its chains returned without a verdict and the kernel ${t.hook} chain policy ACCEPT let it through`,
        };
  const r = o.returnedBy;
  if (r === undefined) return fellThrough();
  const s = ruleAt(x, r.step);
  const rest = () => (r.setter === undefined ? fellThrough() : bySetter(x, r.setter, r.step));
  return byOrigin(s.origin, rest, {
    "host-to-workload": () => ({
      kind: "host-to-workload",
      name: x.packet.out ?? "",
      interface: x.packet.out ?? "",
      step: r.step,
      detail: `host to local workload (out ${x.packet.out}): ${s.chain} returns for ${s.rule.split(" -j")[0]} before any host endpoint policy, so Felix always allows it; the kernel ${t.hook} policy ACCEPT lets it through`,
    }),
    "workload-to-host": () => workloadToHost(x, r.step, W2H.returns),
  });
};

/**
 * The hook that decided an accepted packet: mangle POSTROUTING when it ran host endpoint egress policy (DNAT'd
 * host traffic), else filter (INPUT / FORWARD / OUTPUT), else the last table that ran.
 */
const decidingTraversal = (ts: readonly Traversal[]): Traversal | undefined =>
  ts.find((t) => t.table === "mangle" && t.hook === "POSTROUTING" && t.enteredEndpoint) ??
  ts.find((t) => t.table === "filter") ??
  ts[ts.length - 1];

export const explain = (x: ExplainInput, verdict: "accept" | "drop"): DecidedBy => {
  if (verdict === "drop") return explainDrop(x);
  const t = decidingTraversal(x.traversals);
  const o = t?.outcome;
  if (t === undefined || o === undefined)
    return {
      kind: "chain-policy",
      detail:
        "the ruleset has no kernel chains on this packet's path, so nothing stopped it (kernel default ACCEPT)",
    };
  if (o.kind === "accept") return acceptRule(x, o);
  if (o.kind === "policy") return acceptPolicy(x, t, o);
  throw new Error("bug: an accepted packet's deciding hook ended in a drop");
};
