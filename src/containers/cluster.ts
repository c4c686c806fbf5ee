// Several node containers on one network: a small Calico cluster whose nodes run the rules calisim
// renders for them. A probe sends a real TCP handshake from one node to another and compares the kernel's
// verdict with the tracer's on the same rulesets (egress on the sender, ingress on the receiver), and
// checks that the rule the tracer says decided was the one the kernel counted.

import type { Cluster } from "../resources/model.js";
import { resolveNode, type NodeModel } from "../calc/resolve.js";
import type { CalicoVersion } from "../calc/versions.js";
import { canonicalIp } from "../calc/interfaces.js";
import { buildRuleset } from "../rules/node-ruleset.js";
import type { IpVersion, Ruleset } from "../rules/ir.js";
import { limitChainName, MAX_CHAIN_NAME } from "../rules/names.js";
import { trace } from "../trace/index.js";
import type { Packet, RuleStep, TraceResult } from "../trace/index.js";
import { readKernelRules, type ContainerBackend, type KernelRule } from "./firewall.js";
import { createNodeNetwork, type NodeNetwork } from "./network.js";
import { ContainerNode, NODE_INTERFACE } from "./node.js";

export type Verdict = "accept" | "drop";

export interface NodeSpec {
  /** The Calico node name (HostEndpoint spec.node). */
  readonly name: string;
  /**
   * The node's addresses. Default: the expectedIPs of its host endpoints in the cluster given to start().
   * Give them for a node whose endpoints have no expectedIPs (the node has the address; Calico does not
   * know it) or that has no endpoint at all.
   */
  readonly addresses?: readonly string[];
}

export interface RenderedNode {
  readonly node: string;
  readonly calicoVersion: CalicoVersion;
  readonly model: NodeModel;
  readonly rulesets: { readonly 4: Ruleset; readonly 6: Ruleset };
  readonly backend: ContainerBackend;
}

export interface ApplyOptions {
  /** Nodes to (re)render and load; default all. Others keep what they have. */
  readonly nodes?: readonly string[];
  /** One version for all nodes, or per node (a node not listed gets calisim's default). */
  readonly calicoVersion?: CalicoVersion | Readonly<Record<string, CalicoVersion>>;
  readonly backend?: ContainerBackend;
}

export interface ProbeSpec {
  /** Node names. */
  readonly from: string;
  readonly to: string;
  /** TCP destination port. */
  readonly dport: number;
  /** Default 4. */
  readonly ipVersion?: IpVersion;
  /** Addresses on the nodes; default each node's first address of the family. */
  readonly src?: string;
  readonly dst?: string;
  /** The verdict the scenario expects; checked against the kernel when given. */
  readonly expect?: Verdict;
  /** nc's connect timeout for the first attempt (default 1 s). */
  readonly timeoutSec?: number;
}

/** The kernel counter of the rule the tracer says decided a hop. */
export interface CounterCheck {
  readonly node: string;
  readonly hop: "egress" | "ingress";
  readonly table: string;
  readonly chain: string;
  readonly ruleIndex: number;
  /** The rule as the tracer prints it. */
  readonly rule: string;
  /** The kernel's rule at that position after the probe, if there is one. */
  readonly kernel?: KernelRule;
  readonly hit: boolean;
}

export interface ProbeOutcome {
  readonly probe: ProbeSpec;
  readonly src: string;
  readonly dst: string;
  /** What the kernel did: the handshake completed (accept) or not (drop, also for a refusal). */
  readonly kernel: Verdict;
  /** The tracer's verdict: egress on the sender and ingress on the receiver both accept. */
  readonly predicted: Verdict;
  readonly egress: TraceResult;
  readonly ingress: TraceResult;
  readonly counters: readonly CounterCheck[];
  /** Disagreements (kernel vs trace, vs expect, unexpected counters); empty when the probe conforms. */
  readonly problems: readonly string[];
  readonly ok: boolean;
  readonly ms: number;
  readonly detail: string;
}

const familyOf = (a: string): IpVersion => (a.includes(":") ? 6 : 4);

const isVersion = (v: unknown): v is CalicoVersion =>
  typeof v === "object" && v !== null && typeof (v as CalicoVersion).major === "number";

/** The expectedIPs of the node's host endpoints, canonical and de-duplicated. */
export const expectedAddresses = (cluster: Cluster, node: string): string[] => [
  ...new Set(
    cluster.hostEndpoints
      .filter((e) => e.spec.node === node)
      .flatMap((e) => e.spec.expectedIPs)
      .map((a) => canonicalIp(a) ?? a),
  ),
];

export class ContainerCluster {
  private readonly rendered = new Map<string, RenderedNode>();

  private constructor(
    readonly network: NodeNetwork,
    readonly nodes: ReadonlyMap<string, ContainerNode>,
  ) {}

  /**
   * Creates the network and one container per node, gives each node its addresses and makes every node
   * reachable from every other. On failure everything created so far is removed.
   */
  static async start(opts: {
    readonly nodes: readonly (NodeSpec | string)[];
    readonly cluster?: Cluster;
    readonly image?: string;
  }): Promise<ContainerCluster> {
    const specs = opts.nodes.map((n) => (typeof n === "string" ? { name: n } : n));
    const names = specs.map((s) => s.name);
    if (new Set(names).size !== names.length) throw new Error(`duplicate node names: ${names.join(", ")}`);
    const addresses = new Map(
      specs.map((s) => {
        const list =
          s.addresses ?? (opts.cluster === undefined ? [] : expectedAddresses(opts.cluster, s.name));
        if (list.length === 0)
          throw new Error(
            `node ${s.name}: no addresses (its host endpoints have no expectedIPs); give NodeSpec.addresses`,
          );
        return [s.name, list] as const;
      }),
    );
    const network = await createNodeNetwork();
    const started: ContainerNode[] = [];
    try {
      const results = await Promise.allSettled(
        specs.map((s) =>
          ContainerNode.start({
            network,
            nodeName: s.name,
            ...(opts.image === undefined ? {} : { image: opts.image }),
          }),
        ),
      );
      for (const r of results) if (r.status === "fulfilled") started.push(r.value);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      await Promise.all(started.map((n) => n.setAddresses(addresses.get(n.nodeName)!)));
      await Promise.all(
        started.map(async (n) => {
          for (const peer of started) if (peer !== n) await n.addPeer(peer);
        }),
      );
      return new ContainerCluster(network, new Map(started.map((n) => [n.nodeName, n])));
    } catch (e) {
      await Promise.allSettled(started.map((n) => n.stop()));
      await network.remove().catch(() => {});
      throw e;
    }
  }

  node(name: string): ContainerNode {
    const n = this.nodes.get(name);
    if (n === undefined)
      throw new Error(`no node container ${name} (have ${[...this.nodes.keys()].join(", ")})`);
    return n;
  }

  /** What was last loaded on the node. */
  renderedFor(name: string): RenderedNode | undefined {
    return this.rendered.get(name);
  }

  /**
   * Renders each node with the library (resolveNode with the container's real interfaces, buildRuleset
   * per family) and loads the result into its container, replacing what was there.
   */
  async apply(cluster: Cluster, opts: ApplyOptions = {}): Promise<Map<string, RenderedNode>> {
    const names = opts.nodes ?? [...this.nodes.keys()];
    const backend = opts.backend ?? "iptables-nft";
    const out = new Map<string, RenderedNode>();
    await Promise.all(
      names.map(async (name) => {
        const node = this.node(name);
        const v = opts.calicoVersion;
        const calicoVersion = isVersion(v) ? v : v?.[name];
        const model = resolveNode(cluster, {
          node: name,
          interfaces: await node.interfaces(),
          ...(calicoVersion === undefined ? {} : { calicoVersion }),
        });
        const rulesets = { 4: buildRuleset(model, { version: 4 }), 6: buildRuleset(model, { version: 6 }) };
        await node.load([rulesets[4], rulesets[6]], backend);
        const r: RenderedNode = { node: name, calicoVersion: model.calicoVersion, model, rulesets, backend };
        this.rendered.set(name, r);
        out.set(name, r);
      }),
    );
    return out;
  }

  /** Sends one TCP handshake and checks the kernel against the tracer (see ProbeOutcome). */
  async probe(p: ProbeSpec): Promise<ProbeOutcome> {
    const from = this.node(p.from);
    const to = this.node(p.to);
    const v = p.ipVersion ?? (p.dst !== undefined ? familyOf(p.dst) : 4);
    const pick = (n: ContainerNode, given: string | undefined): string => {
      const a = given === undefined ? n.addresses.find((x) => familyOf(x) === v) : canonicalIp(given);
      if (a === undefined) throw new Error(`node ${n.nodeName} has no IPv${v} address for the probe`);
      return a;
    };
    const src = pick(from, p.src);
    const dst = pick(to, p.dst);
    const rsFrom = this.rendered.get(p.from);
    const rsTo = this.rendered.get(p.to);
    if (rsFrom === undefined || rsTo === undefined)
      throw new Error(`probe ${p.from} -> ${p.to}: apply() rules to both nodes first`);

    await to.listen(p.dport);
    await Promise.all([from.zeroCounters(), to.zeroCounters()]);
    const packet = { src, dst, proto: 6, dport: p.dport, state: "new" } as const;
    const egress = trace(rsFrom.rulesets[v], { ...packet, out: NODE_INTERFACE } satisfies Packet, {
      localAddresses: from.addresses,
    });
    const ingress = trace(rsTo.rulesets[v], { ...packet, in: NODE_INTERFACE } satisfies Packet, {
      localAddresses: to.addresses,
    });
    const predicted: Verdict =
      egress.verdict === "accept" && ingress.verdict === "accept" ? "accept" : "drop";

    let c = await from.connect(dst, p.dport, { src, timeoutSec: p.timeoutSec ?? 1 });
    let ms = c.ms;
    // A handshake the tracer expects to pass gets a second, slower chance before it counts as dropped,
    // so a busy machine cannot turn an accept into a false drop.
    if (!c.connected && predicted === "accept") {
      c = await from.connect(dst, p.dport, { src, timeoutSec: 4 });
      ms += c.ms;
    }
    const kernel: Verdict = c.connected ? "accept" : "drop";

    const hops: { hop: "egress" | "ingress"; node: ContainerNode; t: TraceResult; rs: RenderedNode }[] = [];
    if (egress.verdict === "drop") hops.push({ hop: "egress", node: from, t: egress, rs: rsFrom });
    else if (ingress.verdict === "drop") hops.push({ hop: "ingress", node: to, t: ingress, rs: rsTo });
    else
      hops.push(
        { hop: "egress", node: from, t: egress, rs: rsFrom },
        { hop: "ingress", node: to, t: ingress, rs: rsTo },
      );
    const counters: CounterCheck[] = [];
    const problems: string[] = [];
    for (const h of hops) {
      const step = h.t.decidedBy.step === undefined ? undefined : h.t.path[h.t.decidedBy.step];
      if (step === undefined || step.kind !== "rule") continue;
      const rules = await readKernelRules(h.node.run, h.rs.backend, v);
      // The tracer names chains logically; the kernel has the iptables spelling (long names hashed).
      const chainRules = rules.get(`${step.table} ${limitChainName(step.chain, MAX_CHAIN_NAME)}`) ?? [];
      const rendered = renderedLength(h.rs.rulesets[v], step);
      if (rendered !== undefined && rendered !== chainRules.length)
        problems.push(
          `${h.node.nodeName} ${step.table} ${step.chain}: kernel has ${chainRules.length} rules, rendering ${rendered}`,
        );
      const k = chainRules[step.ruleIndex];
      const hit = k !== undefined && k.packets > 0;
      counters.push({
        node: h.node.nodeName,
        hop: h.hop,
        table: step.table,
        chain: step.chain,
        ruleIndex: step.ruleIndex,
        rule: step.rule,
        ...(k === undefined ? {} : { kernel: k }),
        hit,
      });
      // Only a verdict the kernel agrees with says which rule the kernel must have counted.
      if (!hit && kernel === predicted)
        problems.push(
          `${h.node.nodeName} ${h.hop}: the tracer's deciding rule ${step.table} ${step.chain} #${step.ruleIndex} (${step.rule}) counted no packet in the kernel`,
        );
    }
    if (kernel !== predicted)
      problems.push(
        `kernel ${kernel}, tracer ${predicted} (egress on ${p.from}: ${egress.verdict}, ${egress.decidedBy.detail}; ingress on ${p.to}: ${ingress.verdict}, ${ingress.decidedBy.detail})`,
      );
    if (p.expect !== undefined && kernel !== p.expect)
      problems.push(`expected ${p.expect}, kernel ${kernel}`);
    return {
      probe: p,
      src,
      dst,
      kernel,
      predicted,
      egress,
      ingress,
      counters,
      problems,
      ok: problems.length === 0,
      ms,
      detail: c.detail,
    };
  }

  /** Removes every node container and the network, each by exact name; reports all failures at once. */
  async stop(): Promise<void> {
    const results = await Promise.allSettled([...this.nodes.values()].map((n) => n.stop()));
    results.push(...(await Promise.allSettled([this.network.remove()])));
    const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (errors.length > 0) throw new AggregateError(errors, `removing the node containers/network failed`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** How many rules the rendering puts in the chain the step is in (undefined if it cannot tell). */
const renderedLength = (rs: Ruleset, step: RuleStep): number | undefined => {
  const table = rs.tables.find((t) => t.name === step.table);
  if (table === undefined) return undefined;
  const hook = table.hooks.find((h) => h.name === step.chain);
  if (hook !== undefined) return hook.inserted.length + hook.appended.length;
  return table.chains.find((c) => c.name === step.chain)?.rules.length;
};
