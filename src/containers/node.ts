// One Calico node as a container: the container's own network namespace is the node's, its eth0 the node's
// interface. Rules are rendered on this machine and loaded inside with ipset restore + iptables-restore.

import { performance } from "node:perf_hooks";
import { GenericContainer, Wait, type StartedTestContainer } from "testcontainers";
import { canonicalIp, type HostInterface } from "../calc/interfaces.js";
import { runOrThrow, type RunResult, type Runner } from "../dataplane/runner.js";
import type { Ruleset } from "../rules/ir.js";
import {
  REQUIRED_TOOLS,
  SUITE_LABELS,
  nodeImage,
  prepareTestcontainersEnv,
  randomName,
  removeContainerByName,
} from "./docker.js";
import {
  applyRulesetsWith,
  readInterfaces,
  resetFirewall,
  zeroCounters,
  type ContainerBackend,
} from "./firewall.js";
import type { NodeNetwork } from "./network.js";
import { containerRunner } from "./runner.js";

/** The capabilities a node needs: iptables/ipset/routes (NET_ADMIN), raw sockets (NET_RAW), and
 * remounting /proc/sys to enable IPv6 (SYS_ADMIN). `--privileged` is avoided: it fails on kernels whose
 * capability bounding set lacks one of Docker's. */
export const NODE_CAPABILITIES = ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"] as const;

export const NODE_INTERFACE = "eth0";

export interface StartNodeOptions {
  readonly network: NodeNetwork;
  /** The Calico node name (HostEndpoint spec.node); also the container's hostname. */
  readonly nodeName: string;
  readonly image?: string;
  readonly startupTimeoutMs?: number;
}

export interface ConnectResult {
  readonly connected: boolean;
  readonly ms: number;
  /** nc's own words, e.g. "Connection refused" or "timed out". */
  readonly detail: string;
}

const family = (ip: string): 4 | 6 => (ip.includes(":") ? 6 : 4);

const ip = (text: string): string => {
  const c = canonicalIp(text);
  if (c === undefined) throw new Error(`not an IP address: ${JSON.stringify(text)}`);
  return c;
};

const ENABLE_IPV6 = `
mount -o remount,rw /proc/sys
rc=0
for f in all default lo ${NODE_INTERFACE}; do echo 0 >/proc/sys/net/ipv6/conf/$f/disable_ipv6 || rc=1; done
mount -o remount,ro /proc/sys
exit $rc`;

export class ContainerNode {
  /** The node's addresses on eth0 (canonical), as set by setAddresses. */
  addresses: readonly string[] = [];
  /** The backend of the rules currently loaded, if any. */
  loadedBackend: ContainerBackend | undefined;
  private readonly listening = new Set<number>();

  private constructor(
    readonly nodeName: string,
    /** calisim-<random hex>: the container's exact name. */
    readonly containerName: string,
    readonly container: StartedTestContainer,
    /** Runs programs inside the container (the node's namespace). */
    readonly run: Runner,
    /** eth0's MAC address, for peers' static neighbour entries. */
    readonly mac: string,
    /** Whether IPv6 could be enabled in the container. */
    readonly ipv6: boolean,
  ) {}

  /** Starts the container, checks the image's tools and enables IPv6. Removed again if anything fails. */
  static async start(opts: StartNodeOptions): Promise<ContainerNode> {
    prepareTestcontainersEnv();
    const name = randomName();
    try {
      const container = await new GenericContainer(opts.image ?? nodeImage())
        .withName(name)
        .withHostname(opts.nodeName)
        .withLabels({ ...SUITE_LABELS, "org.calisim.node": opts.nodeName })
        .withNetworkMode(opts.network.name)
        .withAddedCapabilities(...NODE_CAPABILITIES)
        .withCommand(["sleep", "infinity"])
        .withWaitStrategy(Wait.forSuccessfulCommand(`ip link show ${NODE_INTERFACE}`))
        .withStartupTimeout(opts.startupTimeoutMs ?? 30_000)
        .start();
      const run = containerRunner(container);
      const check = await run("sh", [
        "-c",
        `for b in ${REQUIRED_TOOLS.join(" ")}; do command -v "$b" >/dev/null || echo "$b"; done`,
      ]);
      const missing = check.stdout.split("\n").filter((l) => l !== "");
      if (check.exitCode !== 0 || missing.length > 0)
        throw new Error(
          `image ${opts.image ?? nodeImage()} lacks ${missing.join(", ") || "a shell"}; rebuild it with scripts/container-image.sh --force`,
        );
      const link = await runOrThrow(run, "cat", [`/sys/class/net/${NODE_INTERFACE}/address`]);
      const ipv6 = (await run("sh", ["-c", ENABLE_IPV6])).exitCode === 0;
      return new ContainerNode(opts.nodeName, name, container, run, link.stdout.trim(), ipv6);
    } catch (e) {
      await removeContainerByName(name).catch(() => {});
      throw e;
    }
  }

  /** Runs a shell script in the container. */
  sh(script: string): Promise<RunResult> {
    return this.run("sh", ["-ec", script]);
  }

  private async must(script: string, what: string): Promise<RunResult> {
    const r = await this.sh(script);
    if (r.exitCode !== 0)
      throw new Error(
        `${what} on ${this.nodeName} failed (exit ${r.exitCode}): ${`${r.stderr}${r.stdout}`.trim()}`,
      );
    return r;
  }

  /**
   * Replaces eth0's addresses with these (IPv4 as /32, IPv6 as /128): Docker's address and routes go, so
   * the node has exactly the addresses the scenario says. Peers are reached through addPeer's host routes.
   */
  async setAddresses(addresses: readonly string[]): Promise<void> {
    const list = addresses.map(ip);
    if (!this.ipv6 && list.some((a) => family(a) === 6))
      throw new Error(
        `${this.nodeName}: IPv6 could not be enabled in the container (/proc/sys remount failed)`,
      );
    const lines = [
      `ip -4 addr flush dev ${NODE_INTERFACE}`,
      `ip -6 addr flush dev ${NODE_INTERFACE} scope global`,
      ...list.map((a) =>
        family(a) === 4
          ? `ip addr add ${a}/32 dev ${NODE_INTERFACE}`
          : `ip addr add ${a}/128 dev ${NODE_INTERFACE} nodad`,
      ),
    ];
    await this.must(lines.join("\n"), "setting addresses");
    this.addresses = list;
  }

  /**
   * Makes a peer's addresses reachable: an on-link host route (source: this node's first address of the
   * family) and a permanent neighbour entry with the peer's MAC, so no ARP or neighbour discovery has to
   * pass the rules under test first.
   */
  async addPeer(peer: { readonly mac: string; readonly addresses: readonly string[] }): Promise<void> {
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(peer.mac)) throw new Error(`bad MAC ${peer.mac}`);
    const lines: string[] = [];
    for (const a of peer.addresses.map(ip)) {
      const v = family(a);
      const src = this.addresses.find((x) => family(x) === v);
      if (src === undefined) continue;
      lines.push(
        `ip -${v} route replace ${a}/${v === 4 ? 32 : 128} dev ${NODE_INTERFACE} src ${src}`,
        `ip -${v} neigh replace ${a} lladdr ${peer.mac} dev ${NODE_INTERFACE} nud permanent`,
      );
    }
    if (lines.length > 0) await this.must(lines.join("\n"), "adding peer routes");
  }

  /** The node's interfaces and addresses (`ip -j addr` in the container), for resolveNode and trace. */
  interfaces(): Promise<HostInterface[]> {
    return readInterfaces(this.run);
  }

  /** Wipes what an earlier load left (tables, sets, conntrack), then loads these rulesets. */
  async load(rulesets: readonly Ruleset[], backend: ContainerBackend = "iptables-nft"): Promise<void> {
    await this.reset();
    this.loadedBackend = backend;
    await applyRulesetsWith(this.run, rulesets, backend);
  }

  /** Empties Felix's tables and the IP sets (no-op when nothing was loaded). */
  async reset(): Promise<void> {
    if (this.loadedBackend === undefined) return;
    await resetFirewall(this.run, this.loadedBackend);
    this.loadedBackend = undefined;
  }

  async zeroCounters(): Promise<void> {
    if (this.loadedBackend !== undefined) await zeroCounters(this.run, this.loadedBackend);
  }

  /** Starts TCP listeners on `port` for each family the node has an address of (idempotent). */
  async listen(port: number): Promise<void> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${port}`);
    if (this.listening.has(port)) return;
    const fams = [4, 6].filter((v) => this.addresses.some((a) => family(a) === v));
    if (fams.length === 0) throw new Error(`${this.nodeName} has no address to listen on`);
    const start = fams.map(
      (v) =>
        `setsid -f socat TCP${v}-LISTEN:${port},fork,reuseaddr${v === 6 ? ",ipv6only=1" : ""} EXEC:true </dev/null >/dev/null 2>&1`,
    );
    await this.must(
      [
        ...start,
        `for i in $(seq 1 100); do [ "$(ss -Hltn 'sport = :${port}' | wc -l)" -ge ${fams.length} ] && exit 0; sleep 0.05; done`,
        `echo "no listener on port ${port}" >&2; exit 1`,
      ].join("\n"),
      `listening on ${port}`,
    );
    this.listening.add(port);
  }

  /** A TCP handshake from this node (nc -z); `connected` is false when it times out or is refused. */
  async connect(
    dst: string,
    port: number,
    opts: { readonly src?: string; readonly timeoutSec?: number } = {},
  ): Promise<ConnectResult> {
    const d = ip(dst);
    const args = ["-z", "-n", "-v", "-w", String(opts.timeoutSec ?? 1), `-${family(d)}`];
    if (opts.src !== undefined) args.push("-s", ip(opts.src));
    args.push(d, String(port));
    const t0 = performance.now();
    const r = await this.run("nc", args);
    const ms = Math.round(performance.now() - t0);
    return { connected: r.exitCode === 0, ms, detail: `${r.stderr}${r.stdout}`.trim() };
  }

  /** Removes the container by its exact name (idempotent). */
  async stop(): Promise<void> {
    await removeContainerByName(this.containerName);
  }
}
