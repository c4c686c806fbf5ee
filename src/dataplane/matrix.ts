// The probe matrix (pure): which probes to run on a built plan. Every host link in both directions (from
// its peer's own and extra addresses to each host address, and back), forwarding between peers, a
// NodePort DNAT'd to the workload, routed traffic to and from the workload, host → workload and
// workload → host; each for the rule ports, the failsafe ports (not for forwarding: failsafe chains
// are not in the forward path, endpoints.go:174,193), one closed port, and ICMP echo.

import { isV6 } from "./addresses.js";
import type { PlannedLink, TopologyPlan } from "./plan.js";
import type { PortProto, ProbePorts } from "./ports.js";

export type ProbeKind =
  | "in"
  | "out"
  | "forward"
  | "nodeport"
  | "to-workload"
  | "from-workload"
  | "host-to-workload"
  | "workload-to-host";
export type ProbeProto = PortProto | "icmp";

export interface Probe {
  /** Stable text naming the probe, e.g. `in eth0 tcp 198.51.100.200 -> 192.0.2.10:80`. */
  readonly id: string;
  readonly kind: ProbeKind;
  /** Where the client runs: "host", or the link whose far namespace runs it. */
  readonly from: string;
  readonly proto: ProbeProto;
  readonly src: string;
  /** What the client connects to. */
  readonly dst: string;
  readonly dport?: number;
  /** Host interfaces the request arrives on / leaves by (the reply takes them reversed). */
  readonly in?: string;
  readonly out?: string;
  /** NodePort: the DNAT the host applies (the workload address and port that answer). */
  readonly dnatTo?: { readonly ip: string; readonly port: number };
  /** True when a listener answers on the (post-DNAT) port; false for the closed port. */
  readonly listened: boolean;
}

export interface MatrixOptions {
  readonly ports: ProbePorts;
  /** Probe SCTP too (only when the kernel has it). */
  readonly sctp: boolean;
  /** The workload port the NodePort is DNAT'd to, per protocol. */
  readonly nodePortTarget: Readonly<Record<"tcp" | "udp", number>>;
}

const PROTOS: readonly PortProto[] = ["tcp", "udp", "sctp"];
const fam = (addrs: readonly string[], v6: boolean): string[] => addrs.filter((a) => isV6(a) === v6);

export const deriveMatrix = (plan: TopologyPlan, opts: MatrixOptions): Probe[] => {
  const { ports } = opts;
  const protos = PROTOS.filter((p) => p !== "sctp" || opts.sctp);
  const uniq = (xs: readonly number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
  const hostPorts = (p: PortProto): number[] => uniq([...ports.rule[p], ...ports.failsafe[p], ports.closed]);
  const fwdPorts = (p: PortProto): number[] => uniq([...ports.rule[p], ports.closed]);
  const listened = (p: PortProto, port: number): boolean =>
    port !== ports.closed && (ports.rule[p].includes(port) || ports.failsafe[p].includes(port));

  const out: Probe[] = [];
  const seen = new Set<string>();
  const add = (
    base: Omit<Probe, "id" | "proto" | "dport" | "listened">,
    portsOf: (p: PortProto) => number[],
  ): void => {
    const where = [
      base.in === undefined ? "" : `in ${base.in}`,
      base.out === undefined ? "" : `out ${base.out}`,
    ]
      .filter((s) => s !== "")
      .join(" ");
    const push = (proto: ProbeProto, dport?: number): void => {
      const target = base.dnatTo === undefined ? `${base.dst}` : `${base.dst} (DNAT ${base.dnatTo.ip})`;
      const port = dport === undefined ? "" : `:${dport}`;
      const id = `${base.kind} ${where} ${proto} ${base.src} -> ${target}${port}`;
      if (seen.has(id)) return;
      seen.add(id);
      const post = base.dnatTo?.port ?? dport;
      // The NodePort target is always a listened port.
      const l = proto === "icmp" || base.dnatTo !== undefined ? true : listened(proto, post!);
      out.push({ ...base, id, proto, ...(dport === undefined ? {} : { dport }), listened: l });
    };
    if (base.dnatTo === undefined) push("icmp");
    for (const p of protos) for (const port of portsOf(p)) push(p, port);
  };

  const hosts = plan.links.filter((l) => l.kind === "host");
  const workloads = plan.links.filter((l) => l.kind === "workload");
  const extraAt = (l: PlannedLink): string[] =>
    plan.extra.filter((x) => x.home === l.name).map((x) => x.addr);
  const allExtra = plan.extra.map((x) => x.addr);

  for (const v6 of [false, true]) {
    for (const l of hosts) {
      const peers = fam([...l.farAddrs, ...allExtra], v6);
      for (const h of fam(l.hostAddrs, v6))
        for (const p of peers) {
          add({ kind: "in", from: l.name, src: p, dst: h, in: l.name }, hostPorts);
          add({ kind: "out", from: "host", src: h, dst: p, out: l.name }, hostPorts);
        }
    }
    for (const a of hosts)
      for (const b of hosts) {
        if (a === b) continue;
        for (const s of fam([...a.farAddrs, ...extraAt(a)], v6))
          for (const d of fam(b.farAddrs, v6))
            add({ kind: "forward", from: a.name, src: s, dst: d, in: a.name, out: b.name }, fwdPorts);
      }
    for (const w of workloads) {
      const wAddr = fam(w.farAddrs, v6)[0];
      if (wAddr === undefined) continue;
      for (const a of hosts) {
        const h = fam(a.hostAddrs, v6)[0];
        for (const s of fam([...a.farAddrs, ...extraAt(a)], v6)) {
          if (h !== undefined)
            for (const p of ["tcp", "udp"] as const)
              add(
                {
                  kind: "nodeport",
                  from: a.name,
                  src: s,
                  dst: h,
                  in: a.name,
                  out: w.name,
                  dnatTo: { ip: wAddr, port: opts.nodePortTarget[p] },
                },
                (q) => (q === p ? [plan.nodePort] : []),
              );
        }
        const s = fam(a.farAddrs, v6)[0]!;
        add({ kind: "to-workload", from: a.name, src: s, dst: wAddr, in: a.name, out: w.name }, fwdPorts);
        add({ kind: "from-workload", from: w.name, src: wAddr, dst: s, in: w.name, out: a.name }, fwdPorts);
        if (h !== undefined)
          add({ kind: "workload-to-host", from: w.name, src: wAddr, dst: h, in: w.name }, hostPorts);
      }
      const h0 = fam(hosts[0]?.hostAddrs ?? [], v6)[0];
      if (h0 !== undefined)
        add({ kind: "host-to-workload", from: "host", src: h0, dst: wAddr, out: w.name }, hostPorts);
    }
  }
  return out;
};
