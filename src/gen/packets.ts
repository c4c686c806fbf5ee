// Seeded packet mixes for tracing a node: traffic arriving on, leaving from and forwarded through the
// node's interfaces, from and to cluster peers, outside networks and the node itself, over the ports
// the generated policies use. Deterministic for a seed.

import type { NodeModel } from "../calc/resolve.js";
import type { IpVersion } from "../rules/ir.js";
import type { Packet, PacketState } from "../trace/types.js";
import { createRng } from "./rng.js";

const PORTS = [
  22, 53, 80, 123, 443, 2049, 2379, 3000, 5432, 6379, 6443, 8080, 8443, 9090, 9100, 10250, 30080, 31000,
  40000,
];
const STATES: readonly (readonly [PacketState, number])[] = [
  ["new", 60],
  ["established", 30],
  ["related", 3],
  ["invalid", 7],
];

const isV6 = (a: string): boolean => a.includes(":");
const plainIp = (a: string): string => a.split("/")[0]!;

/**
 * `count` packets of one IP version for the node: `in` on its interfaces (named ones, and others the `*`
 * endpoint governs), locally generated `out`, and forwarded; peers are other endpoints' expectedIPs and
 * documentation addresses outside the cluster.
 */
export const packetMix = (
  model: NodeModel,
  version: IpVersion,
  count: number,
  seed: number | string = 1,
): Packet[] => {
  const rng = createRng(`packets/${model.node}/${version}/${String(seed)}`);
  const fam = (a: string): boolean => isV6(a) === (version === 6);
  const own = model.interfaces.flatMap((i) => i.addresses.filter(fam).map(plainIp));
  const local = own.length > 0 ? own : [version === 4 ? "192.0.2.254" : "2001:db8:1::fe"];
  const peers: string[] = [];
  const eps = model.cluster.hostEndpoints;
  for (let i = 0; i < eps.length && peers.length < 400; i += Math.max(1, Math.floor(eps.length / 400)))
    for (const ip of eps[i]!.spec.expectedIPs) if (fam(ip)) peers.push(plainIp(ip));
  const outside =
    version === 4
      ? ["203.0.113.5", "203.0.113.66", "203.0.113.130", "203.0.113.200", "198.51.100.250"]
      : [
          "2001:db8:f123::5",
          "2001:db8:ff00:1200::7",
          "2001:db8:ff01:42::1",
          "2001:db8:ff02::99",
          "2001:db8:ffff::1",
        ];
  const remote = [...peers, ...outside];
  const named = model.interfaces.map((i) => i.name).filter((n) => !n.startsWith("cali"));
  const ifaces = [...(named.length > 0 ? named : ["eth0"]), "eth9", "bond0"];
  const icmp = version === 4 ? 1 : 58;
  return Array.from({ length: count }, (): Packet => {
    const dir = rng.weighted<"in" | "out" | "fwd">([
      ["in", 70],
      ["out", 20],
      ["fwd", 10],
    ]);
    const proto = rng.weighted<number>([
      [6, 70],
      [17, 20],
      [icmp, 8],
      [132, 2],
    ]);
    const peer = rng.pick(remote);
    const me = rng.pick(local);
    const base = {
      ...(dir === "out" ? {} : { in: rng.pick(ifaces) }),
      ...(dir === "in" ? {} : { out: rng.pick(ifaces) }),
      src: dir === "out" ? me : peer,
      dst: dir === "in" ? me : dir === "out" ? peer : rng.pick(remote),
      proto,
      state: rng.weighted(STATES),
    };
    return proto === icmp
      ? {
          ...base,
          icmpType: version === 4 ? rng.pick([0, 3, 8, 11]) : rng.pick([1, 128, 129, 135]),
          icmpCode: 0,
        }
      : { ...base, sport: rng.range(1024, 65535), dport: rng.pick(PORTS) };
  });
};
