// A kube-proxy style NodePort in the host namespace's nat table, outside calisim's own tables: every host
// address, port `nodePort`, DNAT'd to the workload (tcp and udp). calisim renders no nat table, so the
// DNAT is installed with the same backend as the rules (legacy and nft nat hooks are separate worlds).

import { isV6 } from "./addresses.js";
import type { Backend } from "./apply.js";
import { inNetns } from "./netns.js";
import type { TopologyPlan } from "./plan.js";
import { runOrThrow, type Runner } from "./runner.js";

export const NODEPORT_TABLE = "calisim-nodeport";

interface Dnat {
  readonly hostAddr: string;
  readonly proto: "tcp" | "udp";
  readonly to: string;
  readonly port: number;
}

const dnats = (plan: TopologyPlan, target: Readonly<Record<"tcp" | "udp", number>>): Dnat[] => {
  const workload = plan.links.find((l) => l.kind === "workload");
  if (workload === undefined) return [];
  return plan.links
    .filter((l) => l.kind === "host")
    .flatMap((l) => l.hostAddrs)
    .flatMap((h) => {
      const to = workload.farAddrs.find((w) => isV6(w) === isV6(h));
      return to === undefined
        ? []
        : (["tcp", "udp"] as const).map((proto) => ({ hostAddr: h, proto, to, port: target[proto] }));
    });
};

/** iptables-restore --noflush input for one family. */
export const nodePortIptables = (
  plan: TopologyPlan,
  target: Readonly<Record<"tcp" | "udp", number>>,
  v6: boolean,
): string => {
  const rules = dnats(plan, target)
    .filter((d) => isV6(d.hostAddr) === v6)
    .map(
      (d) =>
        `-A PREROUTING -d ${d.hostAddr} -p ${d.proto} -m ${d.proto} --dport ${plan.nodePort} -m comment --comment ${NODEPORT_TABLE} -j DNAT --to-destination ${v6 ? `[${d.to}]` : d.to}:${d.port}`,
    );
  return ["*nat", ...rules, "COMMIT", ""].join("\n");
};

/** nft -f input: one table per family with a dstnat prerouting chain. */
export const nodePortNft = (plan: TopologyPlan, target: Readonly<Record<"tcp" | "udp", number>>): string =>
  (["ip", "ip6"] as const)
    .flatMap((family) => {
      const at = `${family} ${NODEPORT_TABLE}`;
      return [
        `add table ${at}`,
        `add chain ${at} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
        ...dnats(plan, target)
          .filter((d) => isV6(d.hostAddr) === (family === "ip6"))
          .map(
            (d) =>
              `add rule ${at} prerouting ${family} daddr ${d.hostAddr} ${d.proto} dport ${plan.nodePort} dnat to ${family === "ip6" ? `[${d.to}]` : d.to}:${d.port}`,
          ),
      ];
    })
    .join("\n") + "\n";

export const installNodePort = async (
  run: Runner,
  ns: string,
  backend: Backend,
  plan: TopologyPlan,
  target: Readonly<Record<"tcp" | "udp", number>>,
): Promise<void> => {
  if (backend === "nft") {
    const [f, a] = inNetns(ns, "nft", ["-f", "-"]);
    await runOrThrow(run, f, a, {
      input: nodePortNft(plan, target),
      what: `nft -f (NodePort DNAT in ${ns})`,
    });
    return;
  }
  for (const v6 of [false, true]) {
    const bin = `${v6 ? "ip6tables" : "iptables"}-${backend === "iptables-nft" ? "nft" : "legacy"}-restore`;
    const [f, a] = inNetns(ns, bin, ["--noflush"]);
    await runOrThrow(run, f, a, {
      input: nodePortIptables(plan, target, v6),
      what: `${bin} (NodePort DNAT in ${ns})`,
    });
  }
};
