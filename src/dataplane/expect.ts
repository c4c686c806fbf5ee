// What the tracer predicts for a probe (pure): the request and its answer as the host's netfilter sees
// them, each traced through the same rulesets that were loaded, and the kernel outcomes that prediction
// allows. A probe succeeds only if both get through: a TCP SYN and its SYN-ACK (or RST for the closed
// port), a UDP datagram and its echo (or the ICMP port unreachable, RELATED), an ICMP echo and its reply.

import type { Ruleset } from "../rules/ir.js";
import { traceBatch, type Packet, type TraceResult } from "../trace/index.js";
import { isV6 } from "./addresses.js";
import type { Probe } from "./matrix.js";

export type Outcome = "answered" | "refused" | "timeout" | "blocked" | `error: ${string}`;

const PROTO = { tcp: 6, udp: 17, sctp: 132 } as const;

/** The request the host sees; `sport` is the client's source port (the agent binds it). */
export const requestPacket = (p: Probe, sport: number | undefined): Packet => {
  const v6 = isV6(p.src);
  const ifaces = {
    ...(p.in === undefined ? {} : { in: p.in }),
    ...(p.out === undefined ? {} : { out: p.out }),
  };
  const base = { ...ifaces, src: p.src, dst: p.dst, state: "new" as const };
  const dnat = p.dnatTo === undefined ? {} : { dnatTo: { ip: p.dnatTo.ip, port: p.dnatTo.port } };
  if (p.proto === "icmp") return { ...base, proto: v6 ? 58 : 1, icmpType: v6 ? 128 : 8, icmpCode: 0 };
  return {
    ...base,
    proto: PROTO[p.proto],
    ...(sport === undefined ? {} : { sport }),
    dport: p.dport!,
    ...dnat,
  };
};

/**
 * The answer, reversed through the host (after DNAT the workload answers from its own address and port).
 * With the request untracked (NOTRACK in raw) no conntrack entry exists, so the answer is NEW to conntrack
 * (UDP), or INVALID: nf_conntrack_proto_tcp.c refuses to start a flow with a SYN-ACK or RST, and
 * nf_conntrack_proto_icmp.c with an echo reply or an error whose inner packet has no flow.
 */
export const replyPacket = (p: Probe, sport: number | undefined, untracked: boolean): Packet => {
  const v6 = isV6(p.src);
  const ifaces = {
    ...(p.out === undefined ? {} : { in: p.out }),
    ...(p.in === undefined ? {} : { out: p.in }),
  };
  const from = p.dnatTo?.ip ?? p.dst;
  const fromPort = p.dnatTo?.port ?? p.dport;
  const base = { ...ifaces, src: from, dst: p.src };
  if (p.proto === "icmp")
    return {
      ...base,
      proto: v6 ? 58 : 1,
      icmpType: v6 ? 129 : 0,
      icmpCode: 0,
      state: untracked ? "invalid" : "established",
    };
  if (p.proto === "udp" && !p.listened)
    return {
      ...base,
      proto: v6 ? 58 : 1,
      icmpType: v6 ? 1 : 3,
      icmpCode: v6 ? 4 : 3,
      state: untracked ? "invalid" : "related",
    };
  const state = !untracked ? "established" : p.proto === "tcp" ? "invalid" : "new";
  return {
    ...base,
    proto: PROTO[p.proto],
    sport: fromPort!,
    ...(sport === undefined ? {} : { dport: sport }),
    state,
  };
};

export interface Expectation {
  readonly verdict: "accept" | "drop";
  /** Kernel outcomes consistent with the prediction. */
  readonly outcomes: readonly Outcome[];
  readonly request: TraceResult;
  /** Absent when the request is dropped (no answer is sent). */
  readonly reply?: TraceResult;
}

const untrackedBy = (r: TraceResult): boolean =>
  r.path.some((s) => s.kind === "rule" && s.matched && s.action === "notrack");

const rejectedBy = (r: TraceResult): boolean => {
  const s = r.decidedBy.step === undefined ? undefined : r.path[r.decidedBy.step];
  return s?.kind === "rule" && s.action === "reject";
};

/** Traces every probe's request and (when it passes) its answer. */
export const expectProbes = (
  rulesets: readonly Ruleset[],
  probes: readonly { readonly probe: Probe; readonly sport?: number }[],
): Expectation[] => {
  const requests = traceBatch(
    rulesets,
    probes.map((x) => requestPacket(x.probe, x.sport)),
  );
  const replies = traceBatch(
    rulesets,
    probes.map((x, i) => replyPacket(x.probe, x.sport, untrackedBy(requests[i]!))),
  );
  return probes.map(({ probe }, i): Expectation => {
    const request = requests[i]!;
    if (request.verdict === "drop")
      return {
        verdict: "drop",
        outcomes: rejectedBy(request) ? ["refused"] : ["timeout", "blocked"],
        request,
      };
    const reply = replies[i]!;
    if (reply.verdict === "drop") return { verdict: "drop", outcomes: ["timeout"], request, reply };
    return { verdict: "accept", outcomes: [probe.listened ? "answered" : "refused"], request, reply };
  });
};

/** The verdict a kernel outcome stands for (a refusal on a listened port is a REJECT). */
export const observedVerdict = (p: Probe, o: Outcome): "accept" | "drop" | "error" =>
  o === "answered" || (o === "refused" && !p.listened)
    ? "accept"
    : o === "refused" || o === "timeout" || o === "blocked"
      ? "drop"
      : "error";
