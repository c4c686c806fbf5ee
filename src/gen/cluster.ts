// A seeded generator of realistic Calico host-endpoint clusters, for benchmarks and scale tests.
//
// Every node has a named endpoint for its main interface (eth0), one for its storage/data interface
// (eth1; on some nodes expectedIPs-only, so it binds by address), and the `*` endpoint
// calico-kube-controllers creates (profile projectcalico-default-allow). Endpoints carry Kubernetes-like
// labels (role, env, zone, rack, pool, hostname), named ports and team profiles whose labelsToApply
// feed selectors. Policies spread over tiers (security, platform, app, default) and mix host-specific,
// role/zone/rack/team selectors, named ports, nets, notNets, notSelector, ICMP, Log, Pass, pre-DNAT,
// untracked and apply-on-forward policy. A few "gateway" nodes are selected by many service policies,
// which gives them the large rulesets (thousands of rules) an ingress gateway has.
//
// Addresses are documentation ranges only: IPv6 inside 2001:db8::/32 for every host, IPv4 from
// 192.0.2.0/24 (main) and 198.51.100.0/24 (storage) for the first 254 nodes, 203.0.113.0/24 for
// outside networks.

import { createRng, type Rng } from "./rng.js";
import type { YamlValue } from "./yaml.js";

export interface GenOptions {
  /** Same seed and options, same cluster, byte for byte. */
  readonly seed?: number | string;
  readonly nodes: number;
  /** GlobalNetworkPolicies (across all tiers). */
  readonly policies: number;
  /** Profiles (team profiles; projectcalico-default-allow is built in and not counted). */
  readonly profiles: number;
  /** GlobalNetworkSets; default max(4, policies / 50). */
  readonly networkSets?: number;
  /** Nodes labelled role=gateway; default 2 (at least 1). */
  readonly gatewayNodes?: number;
  /** Share of policies that are gateway service policies; default 0.33. */
  readonly gatewayShare?: number;
  /** Nodes with IPv4 addresses (at most 254); default min(nodes, 254). */
  readonly ipv4Nodes?: number;
}

/** 5,000 nodes (15,000 host endpoints), 2,000 global policies, 200 profiles: the issue's target scale. */
export const FULL_SCALE: GenOptions = { seed: 1, nodes: 5000, policies: 2000, profiles: 200 };
/** A small cluster with the same shape, for CI (`npm run bench -- --quick`) and tests. */
export const QUICK_SCALE: GenOptions = { seed: 1, nodes: 100, policies: 200, profiles: 20 };

export interface GeneratedFile {
  /** File name relative to the output directory, e.g. "hostendpoints-000.yaml". */
  readonly name: string;
  readonly comment: string;
  readonly docs: readonly YamlValue[];
}

export interface GeneratedCluster {
  readonly options: Required<GenOptions>;
  readonly nodeNames: readonly string[];
  /** Names of the gateway nodes (the ones with the largest rulesets). */
  readonly gatewayNodes: readonly string[];
  readonly counts: {
    readonly nodes: number;
    readonly hostEndpoints: number;
    readonly policies: number;
    readonly profiles: number;
    readonly tiers: number;
    readonly networkSets: number;
  };
  readonly files: readonly GeneratedFile[];
}

const API = "projectcalico.org/v3";

const pad = (n: number, width: number): string => String(n).padStart(width, "0");
const hex = (n: number): string => n.toString(16);

const ROLES: readonly (readonly [string, number])[] = [
  ["k8s-worker", 70],
  ["k8s-master", 3],
  ["ingress", 8],
  ["storage", 8],
  ["db", 8],
  ["bastion", 1],
  ["monitoring", 2],
];
const ENVS: readonly (readonly [string, number])[] = [
  ["prod", 60],
  ["staging", 25],
  ["dev", 15],
];
const ZONES = ["zone-a", "zone-b", "zone-c", "zone-d", "zone-e", "zone-f"];
const TIERS = [
  { name: "security", order: 100, defaultAction: "Deny" },
  { name: "platform", order: 200, defaultAction: "Pass" },
  { name: "app", order: 300, defaultAction: "Deny" },
] as const;

interface NodeInfo {
  readonly name: string;
  readonly index: number;
  readonly role: string;
  readonly env: string;
  readonly zone: string;
  readonly rack: string;
  readonly pool: string;
  readonly team: string;
  /** A second team profile some main interfaces carry as well. */
  readonly team2: string | undefined;
  readonly v4: string | undefined;
  readonly v4Storage: string | undefined;
  readonly v6: string;
  readonly v6Storage: string;
  /** eth1 bound by its expectedIPs only (no interfaceName). */
  readonly eth1ByIp: boolean;
}

const resource = (kind: string, metadata: Record<string, YamlValue>, spec: Record<string, YamlValue>) => ({
  apiVersion: API,
  kind,
  metadata,
  spec,
});

// ---- nodes and endpoints ---------------------------------------------------------------------------

const makeNodes = (o: Required<GenOptions>, rng: Rng): NodeInfo[] => {
  const racks = Math.max(1, Math.ceil(o.nodes / 40));
  const pools = Math.max(1, Math.min(50, Math.ceil(o.nodes / 25)));
  const gatewayEvery = Math.max(1, Math.floor(o.nodes / o.gatewayNodes));
  return Array.from({ length: o.nodes }, (_, i): NodeInfo => {
    const gateway = i % gatewayEvery === 0 && Math.floor(i / gatewayEvery) < o.gatewayNodes;
    const role = gateway ? "gateway" : rng.weighted(ROLES);
    return {
      name: `node-${pad(i, 5)}`,
      index: i,
      role,
      env: rng.weighted(ENVS),
      zone: ZONES[i % ZONES.length]!,
      rack: `rack-${pad(Math.floor(i / 40) % racks, 3)}`,
      pool: `pool-${pad(rng.int(pools), 2)}`,
      team: `team-${pad(rng.int(o.profiles), 3)}`,
      team2: rng.chance(0.2) ? `team-${pad(rng.int(o.profiles), 3)}` : undefined,
      v4: i < o.ipv4Nodes ? `192.0.2.${i + 1}` : undefined,
      v4Storage: i < o.ipv4Nodes ? `198.51.100.${i + 1}` : undefined,
      v6: `2001:db8:1:${hex(i)}::10`,
      v6Storage: `2001:db8:2:${hex(i)}::10`,
      eth1ByIp: !gateway && rng.chance(0.1),
    };
  });
};

const PORTS: Readonly<Record<string, readonly { name: string; port: number; protocol: string }[]>> = {
  "k8s-worker": [
    { name: "http", port: 80, protocol: "TCP" },
    { name: "https", port: 443, protocol: "TCP" },
    { name: "kubelet", port: 10250, protocol: "TCP" },
  ],
  "k8s-master": [
    { name: "apiserver", port: 6443, protocol: "TCP" },
    { name: "etcd", port: 2379, protocol: "TCP" },
    { name: "kubelet", port: 10250, protocol: "TCP" },
  ],
  ingress: [
    { name: "http", port: 80, protocol: "TCP" },
    { name: "https", port: 443, protocol: "TCP" },
  ],
  gateway: [
    { name: "http", port: 80, protocol: "TCP" },
    { name: "https", port: 443, protocol: "TCP" },
    { name: "dns", port: 53, protocol: "UDP" },
  ],
  storage: [
    { name: "nfs", port: 2049, protocol: "TCP" },
    { name: "nfs-udp", port: 2049, protocol: "UDP" },
  ],
  db: [
    { name: "postgres", port: 5432, protocol: "TCP" },
    { name: "redis", port: 6379, protocol: "TCP" },
  ],
  bastion: [{ name: "ssh", port: 22, protocol: "TCP" }],
  monitoring: [
    { name: "prometheus", port: 9090, protocol: "TCP" },
    { name: "grafana", port: 3000, protocol: "TCP" },
  ],
};

const baseLabels = (n: NodeInfo): Record<string, string> => ({
  role: n.role,
  env: n.env,
  zone: n.zone,
  rack: n.rack,
  pool: n.pool,
  "kubernetes.io/hostname": n.name,
});

const hostEndpoints = (n: NodeInfo): YamlValue[] => {
  const metrics = { name: "metrics", port: 9100, protocol: "TCP" };
  const eth0 = resource(
    "HostEndpoint",
    { name: `${n.name}-eth0`, labels: { ...baseLabels(n), net: "mgmt" } },
    {
      node: n.name,
      interfaceName: "eth0",
      expectedIPs: n.v4 === undefined ? [n.v6] : [n.v4, n.v6],
      profiles: n.team2 === undefined || n.team2 === n.team ? [n.team] : [n.team, n.team2],
      ports: [...(PORTS[n.role] ?? []), metrics],
    },
  );
  const eth1Spec: Record<string, YamlValue> = {
    node: n.name,
    ...(n.eth1ByIp ? {} : { interfaceName: "eth1" }),
    expectedIPs: n.v4Storage === undefined ? [n.v6Storage] : [n.v4Storage, n.v6Storage],
    profiles: [n.team],
  };
  if (n.role === "storage") eth1Spec.ports = PORTS.storage!;
  const eth1 = resource(
    "HostEndpoint",
    { name: `${n.name}-eth1`, labels: { ...baseLabels(n), net: "storage" } },
    eth1Spec,
  );
  const auto = resource(
    "HostEndpoint",
    {
      name: `${n.name}-auto`,
      labels: { ...baseLabels(n), "projectcalico.org/created-by": "calico-kube-controllers" },
    },
    { node: n.name, interfaceName: "*", profiles: ["projectcalico-default-allow"] },
  );
  return [eth0, eth1, auto];
};

const nodeResource = (n: NodeInfo): YamlValue =>
  resource(
    "Node",
    { name: n.name, labels: { "kubernetes.io/hostname": n.name, "topology.kubernetes.io/zone": n.zone } },
    {
      bgp: {
        ...(n.v4 === undefined ? {} : { ipv4Address: `${n.v4}/24` }),
        ipv6Address: `${n.v6}/64`,
      },
      addresses: [
        ...(n.v4 === undefined ? [] : [{ address: n.v4, type: "InternalIP" }]),
        { address: n.v6, type: "InternalIP" },
      ],
    },
  );

// ---- rules -----------------------------------------------------------------------------------------

type Family = 4 | 6;

const extNet4 = (rng: Rng): string => {
  const len = rng.pick([24, 26, 28, 32]);
  const size = 2 ** (32 - len);
  const base = Math.floor(rng.int(256) / size) * size;
  return len === 24 ? "203.0.113.0/24" : `203.0.113.${base}/${len}`;
};
const extNet6 = (rng: Rng): string => {
  const len = rng.pick([48, 56, 64, 128]);
  if (len === 48) return `2001:db8:${hex(0xf000 + rng.int(4096))}::/48`;
  if (len === 56) return `2001:db8:ff00:${hex(rng.int(256) << 8)}::/56`;
  if (len === 64) return `2001:db8:ff01:${hex(rng.int(65536))}::/64`;
  return `2001:db8:ff02::${hex(1 + rng.int(65535))}/128`;
};
const extNets = (rng: Rng, family: Family, k: number): string[] => {
  const out = new Set<string>();
  for (let i = 0; i < k; i++) out.add(family === 4 ? extNet4(rng) : extNet6(rng));
  return [...out];
};
const internalNet = (family: Family, rng: Rng): string =>
  family === 4
    ? rng.pick(["192.0.2.0/24", "198.51.100.0/24", "192.0.2.128/25"])
    : rng.pick(["2001:db8:1::/48", "2001:db8:2::/48"]);

const TCP_PORTS = [22, 80, 443, 2379, 3000, 5432, 6379, 6443, 8080, 8443, 9090, 9100, 10250];
const UDP_PORTS = [53, 123, 161, 514, 2049, 4789, 8472];
const NAMED_TCP = ["http", "https", "metrics", "kubelet", "postgres", "redis", "apiserver", "ssh"];

interface SelectorPools {
  readonly nodes: readonly NodeInfo[];
  readonly teams: readonly string[];
  readonly pools: readonly string[];
  readonly racks: readonly string[];
  readonly netsetLabels: readonly string[];
}

const quoteSet = (items: readonly string[]): string => `{${items.map((i) => `"${i}"`).join(", ")}}`;

/** A selector for a rule side (a peer group). */
const peerSelector = (rng: Rng, p: SelectorPools): string =>
  rng.weighted<() => string>([
    [() => `role == "${rng.weighted(ROLES)}"`, 30],
    [() => `role == "k8s-worker" && pool == "${rng.pick(p.pools)}"`, 15],
    [() => `team == "${rng.pick(p.teams)}"`, 15],
    [() => `zone == "${rng.pick(ZONES)}" && role != "bastion"`, 8],
    [() => `rack in ${quoteSet(rng.sample(p.racks, rng.range(1, 3)))}`, 8],
    [() => `kubernetes.io/hostname == "${rng.pick(p.nodes).name}"`, 8],
    [() => `${rng.pick(p.netsetLabels)}`, 8],
    [() => `env == "${rng.weighted(ENVS)}" && has(role)`, 5],
    [() => `pool starts with "pool-${rng.int(5)}"`, 3],
  ])();

/** A rule side: maybe nets or notNets of one family, maybe a selector, maybe ports. */
const entity = (
  rng: Rng,
  p: SelectorPools,
  family: Family,
  opts: { selectorP: number; netsP: number; notNetsP?: number; ports?: readonly (string | number)[] },
): Record<string, YamlValue> => {
  const e: Record<string, YamlValue> = {};
  if (rng.chance(opts.netsP))
    e.nets = rng.chance(0.3) ? [internalNet(family, rng)] : extNets(rng, family, rng.range(1, 4));
  if (rng.chance(opts.notNetsP ?? 0)) e.notNets = extNets(rng, family, rng.range(1, 2));
  if (rng.chance(opts.selectorP)) e.selector = peerSelector(rng, p);
  if (rng.chance(0.04)) e.notSelector = `role == "bastion"`;
  if (opts.ports !== undefined && opts.ports.length > 0) e.ports = [...opts.ports];
  return e;
};

const portList = (rng: Rng, proto: "TCP" | "UDP"): (string | number)[] => {
  const pool = proto === "TCP" ? TCP_PORTS : UDP_PORTS;
  const out: (string | number)[] = rng.sample(pool, rng.range(1, proto === "TCP" ? 4 : 2));
  if (proto === "TCP" && rng.chance(0.25)) out.push(rng.pick(NAMED_TCP));
  if (rng.chance(0.1)) out.push(proto === "TCP" ? "30000:32767" : "33434:33534");
  if (rng.chance(0.05)) for (let i = 0; i < 16; i++) out.push(20000 + rng.int(10000)); // > 15 multiport slots
  return [...new Set(out)];
};

const ACTIONS: readonly (readonly [string, number])[] = [
  ["Allow", 70],
  ["Deny", 18],
  ["Pass", 4],
  ["Log", 8],
];

/** One policy rule. `dir` decides which side carries the peer and which the local ports. */
const policyRule = (rng: Rng, p: SelectorPools, dir: "ingress" | "egress", action?: string): YamlValue => {
  const act = action ?? rng.weighted(ACTIONS);
  const family: Family = rng.chance(0.6) ? 6 : 4;
  const kind = rng.weighted<"tcp" | "udp" | "icmp" | "any">([
    ["tcp", 65],
    ["udp", 15],
    ["icmp", 8],
    ["any", 12],
  ]);
  const r: Record<string, YamlValue> = { action: act };
  if (rng.chance(0.1)) r.ipVersion = family;
  const peer = (ports?: (string | number)[]) =>
    entity(rng, p, family, {
      selectorP: 0.55,
      netsP: 0.35,
      notNetsP: 0.05,
      ...(ports === undefined ? {} : { ports }),
    });
  const local = (ports?: (string | number)[]) =>
    entity(rng, p, family, { selectorP: 0, netsP: 0, ...(ports === undefined ? {} : { ports }) });
  if (kind === "tcp" || kind === "udp") {
    r.protocol = kind === "tcp" ? "TCP" : "UDP";
    const ports = portList(rng, kind === "tcp" ? "TCP" : "UDP");
    if (dir === "ingress") {
      r.source = peer();
      r.destination = local(ports);
    } else {
      r.destination = peer(ports);
    }
    if (rng.chance(0.05)) (r.destination as Record<string, YamlValue>).notPorts = [rng.pick(TCP_PORTS)];
  } else if (kind === "icmp") {
    r.protocol = family === 4 ? "ICMP" : "ICMPv6";
    if (rng.chance(0.7))
      r.icmp = family === 4 ? { type: rng.pick([0, 3, 8, 11]) } : { type: rng.pick([1, 128, 129, 135, 136]) };
    r.ipVersion = family;
    r[dir === "ingress" ? "source" : "destination"] = peer();
  } else {
    r[dir === "ingress" ? "source" : "destination"] = peer();
  }
  for (const k of ["source", "destination"])
    if (r[k] !== undefined && Object.keys(r[k] as object).length === 0) delete r[k];
  return r;
};

const rules = (rng: Rng, p: SelectorPools, dir: "ingress" | "egress", lo: number, hi: number): YamlValue[] =>
  Array.from({ length: rng.range(lo, hi) }, () => policyRule(rng, p, dir));

// ---- policies --------------------------------------------------------------------------------------

type PolicyMaker = (
  i: number,
  rng: Rng,
  p: SelectorPools,
) => { name: string; spec: Record<string, YamlValue> };

const order = (rng: Rng): number | undefined => (rng.chance(0.85) ? rng.range(1, 1000) * 10 : undefined);

/** Policy archetypes by weight (the gateway services are added on top, by share). */
const ARCHETYPES: readonly (readonly [PolicyMaker, number])[] = [
  // Role-wide allow lists in the app tier.
  [
    (i, rng, p) => {
      const role = rng.weighted(ROLES);
      const env = rng.chance(0.5) ? ` && env == "${rng.weighted(ENVS)}"` : "";
      return {
        name: `app.${role}-${pad(i, 5)}`,
        spec: {
          tier: "app",
          order: order(rng),
          selector: `role == "${role}"${env}`,
          ingress: rules(rng, p, "ingress", 1, 4),
          egress: rules(rng, p, "egress", 0, 2),
        },
      };
    },
    6,
  ],
  // Host-specific exceptions (one node's endpoints), default tier.
  [
    (i, rng, p) => ({
      name: `host-${pad(i, 5)}`,
      spec: {
        order: order(rng),
        selector: `kubernetes.io/hostname == "${rng.pick(p.nodes).name}"`,
        ingress: rules(rng, p, "ingress", 1, 3),
      },
    }),
    35,
  ],
  // Pool / rack / zone policies in the platform tier (Pass tier).
  [
    (i, rng, p) => {
      const sel = rng.weighted<() => string>([
        [() => `pool == "${rng.pick(p.pools)}"`, 3],
        [() => `rack in ${quoteSet(rng.sample(p.racks, rng.range(1, 4)))}`, 2],
        [() => `zone == "${rng.pick(ZONES)}" && role in {"k8s-worker", "ingress"}`, 2],
        [() => `has(rack) && !has(projectcalico.org/created-by) && net == "storage"`, 0.2],
      ])();
      const ingress = rules(rng, p, "ingress", 1, 3);
      if (rng.chance(0.5)) ingress.push({ action: "Pass" });
      return {
        name: `platform.pool-${pad(i, 5)}`,
        spec: { tier: "platform", order: order(rng), selector: sel, ingress, egress: [{ action: "Pass" }] },
      };
    },
    20,
  ],
  // Team policies (labels from profiles' labelsToApply).
  [
    (i, rng, p) => ({
      name: `team-${pad(i, 5)}`,
      spec: {
        order: order(rng),
        selector: `team == "${rng.pick(p.teams)}"${rng.chance(0.3) ? ` && env != "dev"` : ""}`,
        types: ["Ingress", "Egress"],
        ingress: rules(rng, p, "ingress", 1, 3),
        egress: rules(rng, p, "egress", 1, 2),
      },
    }),
    15,
  ],
  // Security tier: blocklists (network sets and nets) and allow-through with Pass.
  [
    (i, rng, p) => {
      const ingress: YamlValue[] = [
        { action: "Log", source: { selector: rng.pick(p.netsetLabels) } },
        { action: "Deny", source: { selector: rng.pick(p.netsetLabels) } },
      ];
      if (rng.chance(0.5))
        ingress.push({
          action: "Deny",
          source: { nets: extNets(rng, rng.chance(0.5) ? 4 : 6, rng.range(2, 8)) },
        });
      ingress.push({ action: "Pass" });
      const sel = rng.chance(0.2) ? "all()" : `env == "${rng.weighted(ENVS)}"`;
      return {
        name: `security.block-${pad(i, 5)}`,
        spec: { tier: "security", order: order(rng), selector: sel, ingress, egress: [{ action: "Pass" }] },
      };
    },
    3,
  ],
  // Pre-DNAT NodePort guards (mangle), ingress only.
  [
    (i, rng) => ({
      name: `security.nodeport-${pad(i, 5)}`,
      spec: {
        tier: "security",
        order: order(rng),
        selector: rng.pick([
          `role == "k8s-worker"`,
          `role in {"ingress", "gateway"}`,
          `has(role) && role != "bastion"`,
        ]),
        preDNAT: true,
        applyOnForward: true,
        ingress: [
          {
            action: "Deny",
            protocol: "TCP",
            source: { notNets: [rng.pick(["192.0.2.0/24", "198.51.100.0/24"])] },
            destination: { ports: ["30000:32767"] },
          },
          { action: "Pass" },
        ],
      },
    }),
    1.5,
  ],
  // Untracked storage traffic (raw), both directions.
  [
    (i, rng) => {
      const fam: Family = rng.chance(0.5) ? 4 : 6;
      const net = fam === 4 ? "198.51.100.0/24" : "2001:db8:2::/48";
      const port = rng.pick([2049, 111, 3260]);
      return {
        name: `platform.untracked-${pad(i, 5)}`,
        spec: {
          tier: "platform",
          order: order(rng),
          selector: `net == "storage"${rng.chance(0.5) ? ` && role == "storage"` : ""}`,
          doNotTrack: true,
          applyOnForward: true,
          ingress: [
            { action: "Allow", protocol: "UDP", source: { nets: [net] }, destination: { ports: [port] } },
          ],
          egress: [
            { action: "Allow", protocol: "UDP", source: { ports: [port] }, destination: { nets: [net] } },
          ],
        },
      };
    },
    1.5,
  ],
  // Apply-on-forward guards (forwarded traffic through hosts).
  [
    (i, rng, p) => ({
      name: `forward-${pad(i, 5)}`,
      spec: {
        order: order(rng),
        selector: `role in {"gateway", "ingress", "k8s-worker"} && env == "${rng.weighted(ENVS)}"`,
        applyOnForward: true,
        ingress: rules(rng, p, "ingress", 1, 2),
        egress: rules(rng, p, "egress", 1, 2),
      },
    }),
    2,
  ],
  // Monitoring scrapes every host's metrics named port.
  [
    (i, rng) => ({
      name: `platform.metrics-${pad(i, 5)}`,
      spec: {
        tier: "platform",
        order: order(rng),
        selector: rng.pick(["has(role)", `env == "prod"`, `zone == "${rng.pick(ZONES)}"`]),
        ingress: [
          {
            action: "Allow",
            protocol: "TCP",
            source: { selector: `role == "monitoring"` },
            destination: { ports: ["metrics"] },
          },
          // ipVersion given: calisim (like iptables) cannot load an ICMPv6 type match into the IPv4 table.
          { action: "Allow", protocol: "ICMP", ipVersion: 4, icmp: { type: 8 } },
          { action: "Allow", protocol: "ICMPv6", ipVersion: 6, icmp: { type: 128 } },
        ],
      },
    }),
    2,
  ],
];

/** A service exposed on the gateways: from the world (nets) or clients (selectors), to backends. */
const gatewayPolicy: PolicyMaker = (i, rng, p) => {
  const port = rng.pick([80, 443, 8080, 8443, 5000 + rng.int(1000)]);
  const backendPool = rng.pick(p.pools);
  const fam: Family = rng.chance(0.6) ? 6 : 4;
  const ingress: YamlValue[] = [
    {
      action: "Allow",
      protocol: "TCP",
      source: rng.chance(0.5)
        ? { nets: extNets(rng, fam, rng.range(1, 6)) }
        : { selector: peerSelector(rng, p) },
      destination: { ports: [port] },
    },
  ];
  if (rng.chance(0.4))
    ingress.unshift({
      action: "Deny",
      protocol: "TCP",
      source: { nets: extNets(rng, fam, rng.range(1, 3)) },
      destination: { ports: [port] },
    });
  if (rng.chance(0.3)) ingress.push({ action: "Log", protocol: "TCP", destination: { ports: [port] } });
  if (rng.chance(0.3)) ingress.push(policyRule(rng, p, "ingress"));
  return {
    name: `app.gw-svc-${pad(i, 5)}`,
    spec: {
      tier: "app",
      order: order(rng),
      selector: rng.chance(0.8)
        ? `role == "gateway"`
        : `role == "gateway" && zone in {"zone-a", "zone-b", "zone-c"}`,
      types: ["Ingress", "Egress"],
      ingress,
      egress: [
        {
          action: "Allow",
          protocol: "TCP",
          destination: {
            selector: `role == "k8s-worker" && pool == "${backendPool}"`,
            ports: [rng.pick([8080, 8443, 9000 + rng.int(100)])],
          },
        },
      ],
    },
  };
};

// ---- profiles, sets, tiers, config -----------------------------------------------------------------

const profile = (name: string, rng: Rng, p: SelectorPools): YamlValue => {
  const labels: Record<string, string> = { team: name, "cost-center": `cc-${pad(rng.int(20), 2)}` };
  const ingress: YamlValue[] = rng.chance(0.7)
    ? [
        { action: "Allow", source: { selector: `team == "${name}"` } },
        ...(rng.chance(0.5) ? [policyRule(rng, p, "ingress", "Allow")] : []),
      ]
    : [];
  const egress: YamlValue[] = rng.chance(0.8) ? [{ action: "Allow" }] : [];
  return resource("Profile", { name }, { ingress, egress, labelsToApply: labels });
};

const networkSet = (i: number, rng: Rng): YamlValue => {
  const kind = i % 4 === 0 ? "blocklist" : i % 4 === 1 ? "partner" : i % 4 === 2 ? "scanner" : "cdn";
  return resource(
    "GlobalNetworkSet",
    { name: `${kind}-${pad(i, 4)}`, labels: { [kind]: "true", "set-id": `s${pad(i, 4)}` } },
    { nets: [...extNets(rng, 4, rng.range(1, 6)), ...extNets(rng, 6, rng.range(1, 6))] },
  );
};

// ---- the cluster -----------------------------------------------------------------------------------

const withDefaults = (o: GenOptions): Required<GenOptions> => ({
  seed: o.seed ?? 1,
  nodes: o.nodes,
  policies: o.policies,
  profiles: Math.max(1, o.profiles),
  networkSets: o.networkSets ?? Math.max(4, Math.floor(o.policies / 50)),
  gatewayNodes: Math.max(1, Math.min(o.nodes, o.gatewayNodes ?? 2)),
  gatewayShare: o.gatewayShare ?? 0.33,
  ipv4Nodes: Math.min(254, o.nodes, o.ipv4Nodes ?? 254),
});

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Generates the cluster's resources, grouped into files as an operator's repository would hold them. */
export const generateCluster = (options: GenOptions): GeneratedCluster => {
  const o = withDefaults(options);
  if (!Number.isInteger(o.nodes) || o.nodes < 1) throw new Error("nodes must be a positive integer");
  if (!Number.isInteger(o.policies) || o.policies < 0)
    throw new Error("policies must be a non-negative integer");
  const root = createRng(o.seed);
  const nodes = makeNodes(o, root.fork("nodes"));
  const teams = Array.from({ length: o.profiles }, (_, i) => `team-${pad(i, 3)}`);
  const pools = [...new Set(nodes.map((n) => n.pool))].sort();
  const racks = [...new Set(nodes.map((n) => n.rack))].sort();
  const netsetLabels =
    o.networkSets === 0
      ? [`role == "bastion"`]
      : ["blocklist", "partner", "scanner", "cdn"]
          .slice(0, Math.min(4, o.networkSets))
          .map((k) => `${k} == "true"`);
  const pools_: SelectorPools = { nodes, teams, pools, racks, netsetLabels };

  const endpoints = nodes.flatMap(hostEndpoints);

  const polRng = root.fork("policies");
  const gatewayCount = Math.round(o.policies * o.gatewayShare);
  const policies = Array.from({ length: o.policies }, (_, i) => {
    // Every archetype at least once (small clusters too), then by weight.
    const k = i - gatewayCount;
    const maker =
      k < 0 ? gatewayPolicy : k < ARCHETYPES.length ? ARCHETYPES[k]![0] : polRng.weighted(ARCHETYPES);
    const { name, spec } = maker(i, polRng, pools_);
    return resource("GlobalNetworkPolicy", { name }, stripUndefined(spec));
  });
  // Interleave so files are not grouped by archetype (as a real repository would not be).
  const shuffled = polRng.sample(policies, policies.length);

  const profRng = root.fork("profiles");
  const profiles = teams.map((t) => profile(t, profRng, pools_));
  const setRng = root.fork("networksets");
  const sets = Array.from({ length: o.networkSets }, (_, i) => networkSet(i, setRng));
  const tiers = TIERS.map((t) =>
    resource("Tier", { name: t.name }, { order: t.order, defaultAction: t.defaultAction }),
  );
  const felix = [
    resource(
      "FelixConfiguration",
      { name: "default" },
      { defaultEndpointToHostAction: "Accept", logPrefix: "calico-packet" },
    ),
    resource(
      "FelixConfiguration",
      { name: `node.${nodes[0]!.name}` },
      {
        failsafeInboundHostPorts: [
          { protocol: "TCP", port: 22 },
          { protocol: "TCP", port: 6443, net: "2001:db8:1::/48" },
        ],
      },
    ),
  ];

  const files: GeneratedFile[] = [
    {
      name: "felixconfiguration.yaml",
      comment: "Felix configuration: cluster default and one node override.",
      docs: felix,
    },
    { name: "tiers.yaml", comment: "Policy tiers (the default tier is implicit).", docs: tiers },
    { name: "profiles.yaml", comment: "Team profiles; labelsToApply feed policy selectors.", docs: profiles },
    { name: "networksets.yaml", comment: "Global network sets (outside address blocks).", docs: sets },
    ...chunks(nodes.map(nodeResource), 1000).map((docs, k) => ({
      name: `nodes-${pad(k, 3)}.yaml`,
      comment: "Calico Node resources.",
      docs,
    })),
    ...chunks(endpoints, 3000).map((docs, k) => ({
      name: `hostendpoints-${pad(k, 3)}.yaml`,
      comment: "Host endpoints: eth0, eth1 and the `*` endpoint of each node.",
      docs,
    })),
    ...chunks(shuffled, 500).map((docs, k) => ({
      name: `policies-${pad(k, 3)}.yaml`,
      comment: "Global network policies.",
      docs,
    })),
  ];
  return {
    options: o,
    nodeNames: nodes.map((n) => n.name),
    gatewayNodes: nodes.filter((n) => n.role === "gateway").map((n) => n.name),
    counts: {
      nodes: nodes.length,
      hostEndpoints: endpoints.length,
      policies: policies.length,
      profiles: profiles.length,
      tiers: tiers.length,
      networkSets: sets.length,
    },
    files,
  };
};

const stripUndefined = (o: Record<string, YamlValue>): Record<string, YamlValue> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
