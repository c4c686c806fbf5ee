// Builders for resource-model objects in tests, so cases state only what matters to them.

import type {
  EntityRule,
  FelixConfigSpec,
  GlobalNetworkPolicy,
  HostEndpoint,
  PolicyRule,
  Profile,
  Cluster,
  Tier,
  GlobalNetworkSet,
  FelixConfiguration,
  PolicySpec,
  EndpointPort,
} from "../../src/resources/model.js";

const source = { file: "test.yaml", line: 1, col: 1 };
const meta = (name: string, labels: Record<string, string> = {}) => ({ name, labels, annotations: {} });

export const entity = (e: Partial<EntityRule> = {}): EntityRule => ({
  nets: [],
  notNets: [],
  ports: [],
  notPorts: [],
  ...e,
});

export const ruleOf = (
  r: Partial<Omit<PolicyRule, "source" | "destination">> & {
    source?: Partial<EntityRule>;
    destination?: Partial<EntityRule>;
  } = {},
): PolicyRule => ({
  action: "Allow",
  annotations: {},
  ...r,
  source: entity(r.source),
  destination: entity(r.destination),
});

export const hep = (
  name: string,
  spec: {
    node?: string;
    interfaceName?: string;
    expectedIPs?: string[];
    profiles?: string[];
    ports?: EndpointPort[];
  },
  labels: Record<string, string> = {},
): HostEndpoint => ({
  kind: "HostEndpoint",
  metadata: meta(name, labels),
  spec: {
    node: spec.node ?? "node-1",
    interfaceName: spec.interfaceName ?? "",
    expectedIPs: spec.expectedIPs ?? [],
    profiles: spec.profiles ?? [],
    ports: spec.ports ?? [],
  },
  source,
  positions: {},
});

export const gnp = (name: string, spec: Partial<PolicySpec>): GlobalNetworkPolicy => {
  const ingress = spec.ingress ?? [];
  const egress = spec.egress ?? [];
  const types =
    spec.types ??
    (egress.length > 0 && ingress.length > 0
      ? ["Ingress", "Egress"]
      : egress.length > 0
        ? ["Egress"]
        : ["Ingress"]);
  return {
    kind: "GlobalNetworkPolicy",
    metadata: meta(name),
    spec: {
      tier: "default",
      selector: "all()",
      preDNAT: false,
      doNotTrack: false,
      applyOnForward: false,
      ...spec,
      ingress,
      egress,
      types,
    },
    source,
    positions: {},
  };
};

export const profile = (
  name: string,
  spec: { ingress?: PolicyRule[]; egress?: PolicyRule[]; labelsToApply?: Record<string, string> } = {},
): Profile => ({
  kind: "Profile",
  metadata: meta(name),
  spec: { ingress: spec.ingress ?? [], egress: spec.egress ?? [], labelsToApply: spec.labelsToApply ?? {} },
  builtin: false,
  source,
  positions: {},
});

export const defaultAllow = (): Profile => ({
  ...profile("projectcalico-default-allow", { ingress: [ruleOf()], egress: [ruleOf()] }),
  builtin: true,
});

export const tier = (name: string, order?: number, defaultAction: "Deny" | "Pass" = "Deny"): Tier => ({
  kind: "Tier",
  metadata: meta(name),
  spec: { ...(order === undefined ? {} : { order }), defaultAction },
  source,
  positions: {},
});

export const netset = (name: string, nets: string[], labels: Record<string, string>): GlobalNetworkSet => ({
  kind: "GlobalNetworkSet",
  metadata: meta(name, labels),
  spec: { nets },
  source,
  positions: {},
});

export const felixConfig = (name: string, spec: FelixConfigSpec): FelixConfiguration => ({
  kind: "FelixConfiguration",
  metadata: meta(name),
  spec,
  source,
  positions: {},
});

export const cluster = (
  ...resources: (
    HostEndpoint | GlobalNetworkPolicy | Profile | Tier | GlobalNetworkSet | FelixConfiguration
  )[]
): Cluster => ({
  hostEndpoints: resources.filter((r): r is HostEndpoint => r.kind === "HostEndpoint"),
  policies: resources.filter((r): r is GlobalNetworkPolicy => r.kind === "GlobalNetworkPolicy"),
  profiles: [
    ...(resources.some((r) => r.kind === "Profile" && r.metadata.name === "projectcalico-default-allow")
      ? []
      : [defaultAllow()]),
    ...resources.filter((r): r is Profile => r.kind === "Profile"),
  ],
  tiers: resources.filter((r): r is Tier => r.kind === "Tier"),
  networkSets: resources.filter((r): r is GlobalNetworkSet => r.kind === "GlobalNetworkSet"),
  felixConfigurations: resources.filter((r): r is FelixConfiguration => r.kind === "FelixConfiguration"),
  nodes: [],
});

/** The worked example of our Felix reference (§14): HEP some.name on myhost, GNP allow-some-port. */
export const workedExample = (): Cluster =>
  cluster(
    hep(
      "some.name",
      {
        node: "myhost",
        interfaceName: "eth0",
        expectedIPs: ["192.168.0.1", "192.168.0.2"],
        profiles: ["profile1", "profile2"],
        ports: [
          { name: "some-port", port: 1234, protocol: "TCP" },
          { name: "another-port", port: 5432, protocol: "UDP" },
        ],
      },
      { type: "production" },
    ),
    gnp("allow-some-port", {
      selector: 'type == "production"',
      order: 100,
      ingress: [
        ruleOf({
          action: "Allow",
          protocol: "TCP",
          source: { selector: 'role == "frontend"' },
          destination: { ports: [{ kind: "named", name: "some-port" }] },
        }),
        ruleOf({
          action: "Deny",
          protocol: "UDP",
          destination: { ports: [{ kind: "named", name: "another-port" }] },
        }),
      ],
      egress: [ruleOf({ action: "Allow" })],
    }),
    profile("profile1"),
    profile("profile2"),
  );
