// Critical flows: what a Kubernetes node must keep reaching (and being reached by) whatever host endpoint
// policy says, plus the user's own from a YAML file. Ports follow the Kubernetes and Calico docs: SSH 22,
// kube-apiserver 6443, kubelet 10250, BGP 179, Typha 5473, etcd 2379-2380, DNS 53, DHCP 67/68 (client
// sends to 67, receives on 68), and the kubelet's probes from the host to its local pods.

import { parse } from "yaml";
import type { Result } from "../flowspace/index.js";
import { cidrRange } from "../flowspace/sets.js";

export interface CriticalFlow {
  readonly name: string;
  /** ingress: to the host; egress: from the host. */
  readonly direction: "ingress" | "egress";
  readonly protocol: number;
  /** Destination ports; absent: any. */
  readonly ports?: { readonly from: number; readonly to: number };
  /** The remote side (source for ingress, destination for egress) as a CIDR; absent: anywhere. */
  readonly peer?: string;
  /** Host → a local workload (pod) interface instead of a host endpoint's interface. */
  readonly toWorkload?: boolean;
  readonly builtin: boolean;
}

const TCP = 6;
const UDP = 17;
const flow = (
  name: string,
  direction: "ingress" | "egress",
  protocol: number,
  from?: number,
  to = from,
): CriticalFlow => ({
  name,
  direction,
  protocol,
  ...(from === undefined ? {} : { ports: { from, to: to! } }),
  builtin: true,
});

export const BUILTIN_CRITICAL: readonly CriticalFlow[] = [
  flow("ssh", "ingress", TCP, 22),
  flow("kube-apiserver", "ingress", TCP, 6443),
  flow("kube-apiserver (client)", "egress", TCP, 6443),
  flow("kubelet", "ingress", TCP, 10250),
  flow("bgp", "ingress", TCP, 179),
  flow("bgp (client)", "egress", TCP, 179),
  flow("typha", "ingress", TCP, 5473),
  flow("typha (client)", "egress", TCP, 5473),
  flow("etcd", "ingress", TCP, 2379, 2380),
  flow("etcd (client)", "egress", TCP, 2379, 2380),
  flow("dns", "egress", UDP, 53),
  flow("dns (tcp)", "egress", TCP, 53),
  flow("dhcp (client request)", "egress", UDP, 67),
  flow("dhcp (server reply)", "ingress", UDP, 68),
  { ...flow("host → pod probes", "egress", TCP), toWorkload: true },
];

const PROTOCOLS: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  sctp: 132,
  icmp: 1,
  icmpv6: 58,
  udplite: 136,
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const portsOf = (v: unknown): { from: number; to: number } | string | undefined => {
  if (v === undefined) return undefined;
  const text = String(v);
  const m = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(text);
  if (m === null) return `port ${JSON.stringify(v)} is not N or N-M`;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535 || from > to) return `port ${text} is not within 1-65535 (from ≤ to)`;
  return { from, to };
};

const entry = (v: unknown, where: string): CriticalFlow | string => {
  if (!isRecord(v)) return `${where}: expected a mapping with name, direction, protocol, port[, peer]`;
  const known = ["name", "direction", "protocol", "port", "peer"];
  const extra = Object.keys(v).filter((k) => !known.includes(k));
  if (extra.length > 0) return `${where}: unknown field ${extra[0]} (known: ${known.join(", ")})`;
  if (typeof v.name !== "string" || v.name === "") return `${where}: name must be a non-empty string`;
  const at = `${where} (${v.name})`;
  if (v.direction !== "ingress" && v.direction !== "egress")
    return `${at}: direction must be ingress or egress`;
  const protoText = String(v.protocol ?? "tcp").toLowerCase();
  const protocol = PROTOCOLS[protoText] ?? (/^\d{1,3}$/.test(protoText) ? Number(protoText) : undefined);
  if (protocol === undefined || protocol > 255)
    return `${at}: protocol ${JSON.stringify(v.protocol)} is not one of ${Object.keys(PROTOCOLS).join(", ")} or 0-255`;
  const ports = portsOf(v.port);
  if (typeof ports === "string") return `${at}: ${ports}`;
  const portProto = [6, 17, 132, 136].includes(protocol);
  if (ports !== undefined && !portProto) return `${at}: port needs protocol tcp, udp, sctp or udplite`;
  if (ports === undefined && portProto) return `${at}: port is required for ${protoText}`;
  let peer: string | undefined;
  if (v.peer !== undefined) {
    peer = String(v.peer);
    if (cidrRange(peer, 4) === undefined && cidrRange(peer, 6) === undefined)
      return `${at}: peer ${JSON.stringify(v.peer)} is not an IPv4 or IPv6 CIDR`;
  }
  return {
    name: v.name,
    direction: v.direction,
    protocol,
    ...(ports === undefined ? {} : { ports }),
    ...(peer === undefined ? {} : { peer }),
    builtin: false,
  };
};

/** A YAML list of flows, or `{flows: [...]}`; every problem is reported with the entry it is in. */
export const parseCriticalFile = (file: string, text: string): Result<CriticalFlow[]> => {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return { ok: false, error: `${file}: not YAML: ${(e as Error).message.split("\n")[0]}` };
  }
  const list = isRecord(doc) ? doc.flows : doc;
  if (!Array.isArray(list))
    return { ok: false, error: `${file}: expected a list of flows (or flows: [...])` };
  const out: CriticalFlow[] = [];
  const errors: string[] = [];
  list.forEach((v, i) => {
    const e = entry(v, `${file}: flows[${i}]`);
    if (typeof e === "string") errors.push(e);
    else out.push(e);
  });
  return errors.length > 0 ? { ok: false, error: errors.join("\n") } : { ok: true, value: out };
};
