// The ports worth probing, per protocol (pure): every port the rules name (both ends of a range, named
// ports through the endpoints' `ports`), the failsafe ports, and one closed port no rule mentions.

import { effectiveConfig } from "../calc/config.js";
import { protocolRef } from "../calc/protocols.js";
import type { Cluster, EntityRule, PolicyRule, PortSpec } from "../resources/model.js";

export type PortProto = "tcp" | "udp" | "sctp";

export interface ProbePorts {
  /** Ports in the rules (not failsafe): what forwarded probes use. */
  readonly rule: Readonly<Record<PortProto, readonly number[]>>;
  /** Failsafe inbound and outbound ports. */
  readonly failsafe: Readonly<Record<PortProto, readonly number[]>>;
  /** A port no rule, failsafe entry or named port mentions; nothing listens on it. */
  readonly closed: number;
}

const PROTO_OF: Readonly<Record<number, PortProto>> = { 6: "tcp", 17: "udp", 132: "sctp" };
const CLOSED_CANDIDATES = [9, 7, 19, 13, 37, 1, 4, 11, 15];

const empty = (): Record<PortProto, Set<number>> => ({ tcp: new Set(), udp: new Set(), sctp: new Set() });

const namedPorts = (cluster: Cluster, name: string, proto: PortProto): number[] =>
  cluster.hostEndpoints.flatMap((e) =>
    e.spec.ports.filter((p) => p.name === name && p.protocol.toLowerCase() === proto).map((p) => p.port),
  );

const specPorts = (cluster: Cluster, specs: readonly PortSpec[], proto: PortProto): number[] =>
  specs.flatMap((s) => (s.kind === "range" ? [s.from, s.to] : namedPorts(cluster, s.name, proto)));

const rulePorts = (cluster: Cluster, r: PolicyRule, into: Record<PortProto, Set<number>>): void => {
  const n = r.protocol === undefined ? undefined : protocolRef(r.protocol)?.number;
  const protos: PortProto[] = n === undefined ? [] : PROTO_OF[n] === undefined ? [] : [PROTO_OF[n]!];
  const sides = (e: EntityRule): PortSpec[] => [...e.ports, ...e.notPorts];
  for (const p of protos)
    for (const port of specPorts(cluster, [...sides(r.destination), ...sides(r.source)], p))
      into[p].add(port);
};

const sorted = (s: Record<PortProto, Set<number>>): Record<PortProto, number[]> => ({
  tcp: [...s.tcp].sort((a, b) => a - b),
  udp: [...s.udp].sort((a, b) => a - b),
  sctp: [...s.sctp].sort((a, b) => a - b),
});

export const probePorts = (cluster: Cluster, node: string): ProbePorts => {
  const rule = empty();
  for (const p of cluster.policies)
    for (const r of [...p.spec.ingress, ...p.spec.egress]) rulePorts(cluster, r, rule);
  for (const p of cluster.profiles)
    for (const r of [...p.spec.ingress, ...p.spec.egress]) rulePorts(cluster, r, rule);
  const failsafe = empty();
  const cfg = effectiveConfig(cluster, node);
  for (const f of [...cfg.failsafeInbound, ...cfg.failsafeOutbound]) failsafe[f.protocol].add(f.port);
  // Any range a rule mentions must not hold the closed port, or "closed" would not mean "no rule".
  const ranges = [...cluster.policies, ...cluster.profiles].flatMap((p) =>
    [...p.spec.ingress, ...p.spec.egress].flatMap((r) =>
      [r.source, r.destination].flatMap((e) => [...e.ports, ...e.notPorts]),
    ),
  );
  const mentioned = (port: number): boolean =>
    ranges.some((s) => s.kind === "range" && s.from <= port && port <= s.to) ||
    Object.values(failsafe).some((s) => s.has(port)) ||
    cluster.hostEndpoints.some((e) => e.spec.ports.some((p) => p.port === port));
  const closed = CLOSED_CANDIDATES.find((p) => !mentioned(p)) ?? 65001;
  return { rule: sorted(rule), failsafe: sorted(failsafe), closed };
};

/** Every port a listener answers on (all but the closed one), per protocol. */
export const listenPorts = (p: ProbePorts, extra: readonly number[] = []): Record<PortProto, number[]> => {
  const u = (k: PortProto): number[] =>
    [...new Set([...p.rule[k], ...p.failsafe[k], ...(k === "sctp" ? [] : extra)])].sort((a, b) => a - b);
  return { tcp: u("tcp"), udp: u("udp"), sctp: u("sctp") };
};
