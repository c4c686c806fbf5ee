// Builds a plan (plan.ts) in throwaway namespaces named calisim-<random hex>: a host namespace with one
// veth per link, the far end of each in its own namespace (a peer, or a workload behind `cali…`), static
// routes and permanent neighbour entries (no ARP/NDP: IPv6 neighbour discovery would itself be policed
// by ip6tables), IP forwarding on in the host namespace only, and listeners that answer probes.
// Teardown stops the listeners and deletes every namespace by exact name, also on SIGINT/SIGTERM.

import { AGENT_PY } from "./agent-script.js";
import { registerCleanup } from "./cleanup.js";
import { createNetns, deleteNetns, inNetns, randomName, reapStaleNetns } from "./netns.js";
import { isV6 } from "./addresses.js";
import type { PlannedLink, TopologyPlan } from "./plan.js";
import { runOrThrow, type Background, type Runner, type Spawner } from "./runner.js";

export interface ListenPorts {
  readonly tcp: readonly number[];
  readonly udp: readonly number[];
  readonly sctp: readonly number[];
}

export interface Topology {
  readonly plan: TopologyPlan;
  /** The host namespace: where calisim's rules are loaded. */
  readonly host: string;
  /** Link name → the namespace at its far end. */
  readonly far: ReadonlyMap<string, string>;
  readonly namespaces: readonly string[];
  /** Listeners started in it (stopped by teardown). */
  readonly listeners: Background[];
  teardown(): Promise<void>;
}

export interface TopologyDeps {
  readonly run: Runner;
  readonly spawn: Spawner;
  /** The python3 to run the agent with (default "python3"). */
  readonly python?: string;
}

const FAR_IFACE = "eth0";
const plen = (a: string): string => `${a}/${isV6(a) ? 128 : 32}`;
// ICMP errors (port unreachable, REJECT's answers) are rate limited per destination (icmp_ratelimit,
// net/ipv4/icmp.c icmpv4_xrlim_allow) and per namespace (icmp_msgs_per_sec): a burst of closed-port probes
// would look dropped. Every namespace of ours answers every probe.
const NO_ICMP_LIMIT = [
  "net.ipv4.icmp_ratelimit=0",
  "net.ipv6.icmp.ratelimit=0",
  "net.ipv4.icmp_msgs_per_sec=100000",
  "net.ipv4.icmp_msgs_burst=100000",
];
const FORWARDING = [
  // Forwarding and no reverse-path filter (replies to extra addresses are policy-routed): host namespace only.
  "net.ipv4.ip_forward=1",
  "net.ipv6.conf.all.forwarding=1",
  "net.ipv4.conf.all.rp_filter=0",
  "net.ipv4.conf.default.rp_filter=0",
];

/**
 * `ip -b -` lines for the host namespace. Policy routing table 100+i holds every extra address via link i;
 * `rules6` need `ip -6` (ip rule assumes IPv4 unless told, iproute2 iprule.c).
 */
export const hostBatch = (
  plan: TopologyPlan,
  far: ReadonlyMap<string, string>,
): { lines: string[]; rules6: string[] } => {
  const lines: string[] = [];
  const rules6: string[] = [];
  plan.links.forEach((l) => {
    lines.push(
      `link add ${l.name} address ${l.hostMac} type veth peer name ${FAR_IFACE} address ${l.farMac} netns ${far.get(l.name)!}`,
      `link set ${l.name} addrgenmode none`,
      ...l.hostAddrs.map((a) => `addr add ${plen(a)} dev ${l.name}${isV6(a) ? " nodad" : ""}`),
      `link set ${l.name} up`,
    );
  });
  const srcFor = (l: PlannedLink, a: string): string => {
    const s = l.hostAddrs.find((h) => isV6(h) === isV6(a));
    return s === undefined ? "" : ` src ${s}`;
  };
  plan.links.forEach((l, i) => {
    for (const a of l.farAddrs)
      lines.push(
        `route add ${plen(a)} dev ${l.name}${srcFor(l, a)}`,
        `neigh add ${a} lladdr ${l.farMac} dev ${l.name} nud permanent`,
      );
    if (l.kind !== "host") return;
    for (const x of plan.extra) {
      if (x.home === l.name) lines.push(`route add ${plen(x.addr)} dev ${l.name}${srcFor(l, x.addr)}`);
      lines.push(
        `route add ${plen(x.addr)} dev ${l.name} table ${100 + i}`,
        `neigh add ${x.addr} lladdr ${l.farMac} dev ${l.name} nud permanent`,
      );
    }
    for (const a of l.hostAddrs)
      (isV6(a) ? rules6 : lines).push(`rule add from ${a} table ${100 + i} priority ${100 + i}`);
  });
  return { lines, rules6 };
};

/**
 * `ip -b -` lines for a link's far namespace: its addresses (peers: also every extra one) and default route.
 * A peer holds every extra address, so an answer to an extra address homed at another peer would be
 * delivered locally: answers from the peer's own addresses are routed to the host first (the `local`
 * table's rule moves below rule 10; table 200 holds the default route). `rules6` need `ip -6`.
 */
export const farBatch = (plan: TopologyPlan, l: PlannedLink): { lines: string[]; rules6: string[] } => {
  const peer = l.kind === "host";
  const addrs = [...l.farAddrs, ...(peer ? plan.extra.map((x) => x.addr) : [])];
  const routes = (table: string): string[] => [
    `route add default via ${plan.gateway.v4} dev ${FAR_IFACE} onlink${table}`,
    `route add ::/0 via ${plan.gateway.v6} dev ${FAR_IFACE} onlink${table}`,
  ];
  const rules = (v6: boolean): string[] =>
    peer
      ? [
          "rule add pref 32765 lookup local",
          "rule del pref 0",
          ...l.farAddrs.filter((a) => isV6(a) === v6).map((a) => `rule add from ${a} lookup 200 pref 10`),
        ]
      : [];
  return {
    lines: [
      `link set ${FAR_IFACE} addrgenmode none`,
      ...addrs.map((a) => `addr add ${plen(a)} dev ${FAR_IFACE}${isV6(a) ? " nodad" : ""}`),
      `link set ${FAR_IFACE} up`,
      `neigh add ${plan.gateway.v4} lladdr ${l.hostMac} dev ${FAR_IFACE} nud permanent`,
      `neigh add ${plan.gateway.v6} lladdr ${l.hostMac} dev ${FAR_IFACE} nud permanent`,
      ...routes(""),
      ...(peer ? routes(" table 200") : []),
      ...rules(false),
    ],
    rules6: rules(true),
  };
};

const batch = async (run: Runner, ns: string, lines: readonly string[], v6 = false): Promise<void> => {
  if (lines.length === 0) return;
  await runOrThrow(run, "ip", [...(v6 ? ["-6"] : []), "-n", ns, "-b", "-"], {
    input: `${lines.join("\n")}\n`,
    what: `ip -n ${ns} -b - (building the topology)`,
  });
};

export const buildTopology = async (deps: TopologyDeps, plan: TopologyPlan): Promise<Topology> => {
  const { run } = deps;
  await reapStaleNetns(run);
  const host = randomName();
  const far = new Map(plan.links.map((l) => [l.name, randomName()]));
  const namespaces = [host, ...far.values()];
  const listeners: Background[] = [];
  let done = false;
  const teardown = async (): Promise<void> => {
    if (done) return;
    done = true;
    unregister();
    await Promise.allSettled(listeners.map((l) => l.stop()));
    for (const ns of namespaces) await deleteNetns(run, ns).catch(() => undefined);
  };
  const unregister = registerCleanup(teardown);
  try {
    for (const ns of namespaces) await createNetns(run, ns);
    await Promise.all(
      namespaces.map(async (ns) => {
        // -e: a key the kernel keeps global (not per namespace) is not shown inside a namespace; skip it.
        const [f, a] = inNetns(ns, "sysctl", [
          "-q",
          "-e",
          "-w",
          ...NO_ICMP_LIMIT,
          ...(ns === host ? FORWARDING : []),
        ]);
        await runOrThrow(run, f, a, { what: `sysctl in ${ns}` });
      }),
    );
    const hb = hostBatch(plan, far);
    await batch(run, host, hb.lines);
    await batch(run, host, hb.rules6, true);
    await Promise.all(
      plan.links.map(async (l) => {
        const fb = farBatch(plan, l);
        await batch(run, far.get(l.name)!, fb.lines);
        await batch(run, far.get(l.name)!, fb.rules6, true);
      }),
    );
  } catch (e) {
    await teardown();
    throw e;
  }
  return { plan, host, far, namespaces, listeners, teardown };
};

/** Starts a listener in the host namespace and in every far namespace; resolves when all are ready. */
export const startListeners = async (
  deps: TopologyDeps,
  topo: Topology,
  ports: ListenPorts,
): Promise<void> => {
  const serve = (ns: string, addrs: readonly string[]): Background => {
    const cfg = JSON.stringify({ tcp: ports.tcp, udp: ports.udp, sctp: ports.sctp, addrs });
    const [file, args] = inNetns(ns, deps.python ?? "python3", ["-c", AGENT_PY, "serve", cfg]);
    const b = deps.spawn(file, args);
    topo.listeners.push(b);
    return b;
  };
  const { plan } = topo;
  const started = [
    serve(
      topo.host,
      plan.links.flatMap((l) => l.hostAddrs),
    ),
    ...plan.links.map((l) =>
      serve(topo.far.get(l.name)!, [
        ...l.farAddrs,
        ...(l.kind === "host" ? plan.extra.map((x) => x.addr) : []),
      ]),
    ),
  ];
  await Promise.all(started.map((b) => b.firstLine));
};

/** Whether the kernel can open SCTP sockets (checked inside `ns`; no SCTP module, no SCTP probes). */
export const kernelHasSctp = async (deps: TopologyDeps, ns: string): Promise<boolean> => {
  const code = "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)";
  const [f, a] = inNetns(ns, deps.python ?? "python3", ["-c", code]);
  return (await deps.run(f, a)).exitCode === 0;
};
