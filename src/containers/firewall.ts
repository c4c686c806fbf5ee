// Loading a node's rendering into the network namespace a Runner runs in (a container's own namespace,
// where the container IS the node), reading it back, and wiping it. src/dataplane/apply.ts does the same
// for namespaces on this machine (`ip netns exec`); the text loaded is identical: ipsetApplyText and
// renderIptables, through ipset restore and iptables-restore.

import { parseIpAddrJson, type HostInterface } from "../calc/interfaces.js";
import { ipsetApplyText } from "../dataplane/apply.js";
import { runOrThrow, type Runner } from "../dataplane/runner.js";
import { renderIptables } from "../render/iptables/index.js";
import type { IpVersion, Ruleset, TableName } from "../rules/ir.js";

export const CONTAINER_BACKENDS = ["iptables-nft", "iptables-legacy"] as const;
export type ContainerBackend = (typeof CONTAINER_BACKENDS)[number];

/** The tables Felix's rendering names; iptables-restore replaces each of them whole. */
const FELIX_TABLES: readonly TableName[] = ["raw", "mangle", "filter"];

export const iptablesTool = (
  backend: ContainerBackend,
  version: IpVersion,
  verb: "" | "restore" | "save",
): string =>
  `${version === 4 ? "iptables" : "ip6tables"}-${backend === "iptables-nft" ? "nft" : "legacy"}${verb === "" ? "" : `-${verb}`}`;

const listSets = async (run: Runner): Promise<Set<string>> => {
  const r = await runOrThrow(run, "ipset", ["list", "-n"]);
  return new Set(r.stdout.split("\n").filter((l) => l !== ""));
};

/**
 * Loads rulesets where `run` runs: IP sets first (created or refreshed), then one iptables-restore per IP
 * family, which replaces the raw, mangle and filter tables in one transaction each. On failure the sets
 * this call created are destroyed again. The same steps as applyRulesets, without a namespace.
 */
export const applyRulesetsWith = async (
  run: Runner,
  rulesets: readonly Ruleset[],
  backend: ContainerBackend,
): Promise<void> => {
  const before = await listSets(run);
  const setText = ipsetApplyText(rulesets);
  const created = rulesets.flatMap((rs) => rs.sets.map((s) => s.name)).filter((n) => !before.has(n));
  try {
    if (setText.trim() !== "")
      await runOrThrow(run, "ipset", ["restore"], { input: setText, what: "ipset restore" });
    for (const rs of rulesets) {
      const bin = iptablesTool(backend, rs.version, "restore");
      await runOrThrow(run, bin, [], { input: renderIptables(rs), what: bin });
    }
  } catch (e) {
    for (const name of created) await run("ipset", ["destroy", name]);
    throw e;
  }
};

/**
 * Empties the tables Felix programs (both families, the backend given), destroys every IP set and flushes
 * conntrack, so a node can be re-rendered from scratch (e.g. after an upgrade step). One exec.
 */
export const resetFirewall = async (run: Runner, backend: ContainerBackend): Promise<void> => {
  const empty = FELIX_TABLES.map((t) => `*${t}\\nCOMMIT\\n`).join("");
  const script = [
    "set -e",
    ...([4, 6] as const).map((v) => `printf '${empty}' | ${iptablesTool(backend, v, "restore")}`),
    // nftables frees the set references of deleted rules after an RCU grace period, so right after the
    // restore a set may still be "in use": retry briefly, then once more to report a real failure.
    "for i in $(seq 1 40); do ipset destroy 2>/dev/null && break; sleep 0.05; done",
    "ipset destroy",
    // conntrack -F exits non-zero on an empty table with some versions; the flush is what counts.
    "conntrack -F >/dev/null 2>&1 || true",
    "conntrack -F -f ipv6 >/dev/null 2>&1 || true",
  ].join("\n");
  await runOrThrow(run, "sh", ["-c", script], { what: "resetting the firewall" });
};

/** Zeroes the packet counters of the tables Felix programs, both families. One exec. */
export const zeroCounters = async (run: Runner, backend: ContainerBackend): Promise<void> => {
  const script = ([4, 6] as const)
    .flatMap((v) => FELIX_TABLES.map((t) => `${iptablesTool(backend, v, "")} -t ${t} -Z`))
    .join(" && ");
  await runOrThrow(run, "sh", ["-c", script], { what: "zeroing counters" });
};

export interface KernelRule {
  readonly table: string;
  readonly chain: string;
  /** Position within the chain, from 0, as iptables-save lists it. */
  readonly index: number;
  readonly packets: number;
  readonly bytes: number;
  /** The rule as iptables-save prints it, without the counters. */
  readonly text: string;
}

/** Parses `iptables-save -c`: rules grouped by "table chain", in kernel order. */
export const parseSaveCounters = (text: string): Map<string, KernelRule[]> => {
  const out = new Map<string, KernelRule[]>();
  let table = "";
  for (const line of text.split("\n")) {
    if (line.startsWith("*")) table = line.slice(1).trim();
    const m = /^\[(\d+):(\d+)\] (-A (\S+) .*|-A (\S+))$/.exec(line);
    if (m === null) continue;
    const chain = m[4] ?? m[5]!;
    const key = `${table} ${chain}`;
    const list = out.get(key) ?? [];
    list.push({ table, chain, index: list.length, packets: Number(m[1]), bytes: Number(m[2]), text: m[3]! });
    out.set(key, list);
  }
  return out;
};

/** The kernel's rules and counters for one family (`iptables-save -c`). */
export const readKernelRules = async (
  run: Runner,
  backend: ContainerBackend,
  version: IpVersion,
): Promise<Map<string, KernelRule[]>> => {
  const r = await runOrThrow(run, iptablesTool(backend, version, "save"), ["-c"]);
  return parseSaveCounters(r.stdout);
};

/** The interfaces and addresses where `run` runs, as `ip -j addr` reports them. */
export const readInterfaces = async (run: Runner): Promise<HostInterface[]> => {
  const r = await runOrThrow(run, "ip", ["-j", "addr"]);
  const parsed = parseIpAddrJson(r.stdout);
  if ("error" in parsed) throw new Error(`ip -j addr: ${parsed.error}`);
  return parsed.interfaces;
};
