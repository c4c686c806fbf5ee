// The normalised Calico v3 resource model: what the loader produces after shape validation.
// Plain data only; every resource remembers where it came from so later stages can point at YAML lines.

/** A position in an input file (1-based line and column). */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export interface Metadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** Where a resource came from, and a way to find the position of any field inside it. */
export interface Provenance {
  readonly source: SourcePos;
  /** Position of a field, by dotted path relative to the resource root (e.g. "spec.ingress.0.action"). */
  readonly positions: Readonly<Record<string, SourcePos>>;
}

/** Protocol as written by the user: a name (TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite) or a number 1-255. */
export type ProtocolSpec = string | number;

/** One entry of `ports` / `notPorts`: a number, a "from:to" range, or a named port. */
export type PortSpec =
  | { readonly kind: "range"; readonly from: number; readonly to: number }
  | { readonly kind: "named"; readonly name: string };

export interface ServiceAccountMatch {
  readonly names: readonly string[];
  readonly selector?: string;
}

export interface EntityRule {
  readonly nets: readonly string[];
  readonly notNets: readonly string[];
  readonly selector?: string;
  readonly notSelector?: string;
  readonly namespaceSelector?: string;
  readonly ports: readonly PortSpec[];
  readonly notPorts: readonly PortSpec[];
  readonly serviceAccounts?: ServiceAccountMatch;
}

export interface IcmpSpec {
  readonly type?: number;
  readonly code?: number;
}

export type RuleAction = "Allow" | "Deny" | "Log" | "Pass";

export interface PolicyRule {
  readonly action: RuleAction;
  readonly protocol?: ProtocolSpec;
  readonly notProtocol?: ProtocolSpec;
  readonly icmp?: IcmpSpec;
  readonly notICMP?: IcmpSpec;
  readonly ipVersion?: 4 | 6;
  readonly source: EntityRule;
  readonly destination: EntityRule;
  readonly annotations: Readonly<Record<string, string>>;
  /** Position of this rule in its file. */
  readonly pos?: SourcePos;
}

export type Direction = "ingress" | "egress";
export type PolicyType = "Ingress" | "Egress";

export interface EndpointPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: "TCP" | "UDP" | "SCTP";
}

export interface HostEndpoint extends Provenance {
  readonly kind: "HostEndpoint";
  readonly metadata: Metadata;
  readonly spec: {
    readonly node: string;
    /** Empty string when not set. "*" for the all-interfaces endpoint. */
    readonly interfaceName: string;
    readonly expectedIPs: readonly string[];
    readonly profiles: readonly string[];
    readonly ports: readonly EndpointPort[];
  };
}

export interface PolicySpec {
  readonly tier: string;
  readonly order?: number;
  readonly selector: string;
  readonly namespaceSelector?: string;
  readonly serviceAccountSelector?: string;
  readonly types: readonly PolicyType[];
  readonly ingress: readonly PolicyRule[];
  readonly egress: readonly PolicyRule[];
  readonly preDNAT: boolean;
  readonly doNotTrack: boolean;
  readonly applyOnForward: boolean;
}

export interface GlobalNetworkPolicy extends Provenance {
  readonly kind: "GlobalNetworkPolicy";
  readonly metadata: Metadata;
  readonly spec: PolicySpec;
}

export interface NetworkPolicy extends Provenance {
  readonly kind: "NetworkPolicy";
  readonly metadata: Metadata;
  readonly spec: PolicySpec;
}

export type Policy = GlobalNetworkPolicy | NetworkPolicy;

export interface Profile extends Provenance {
  readonly kind: "Profile";
  readonly metadata: Metadata;
  readonly spec: {
    readonly ingress: readonly PolicyRule[];
    readonly egress: readonly PolicyRule[];
    readonly labelsToApply: Readonly<Record<string, string>>;
  };
  /** True for profiles calisim supplies itself (projectcalico-default-allow). */
  readonly builtin: boolean;
}

export interface Tier extends Provenance {
  readonly kind: "Tier";
  readonly metadata: Metadata;
  readonly spec: {
    readonly order?: number;
    readonly defaultAction: "Deny" | "Pass";
  };
}

export interface GlobalNetworkSet extends Provenance {
  readonly kind: "GlobalNetworkSet";
  readonly metadata: Metadata;
  readonly spec: { readonly nets: readonly string[] };
}

/** A failsafe entry: protocol, port and optional CIDR (source for inbound, destination for outbound). */
export interface FailsafePort {
  readonly protocol: "tcp" | "udp" | "sctp";
  readonly port: number;
  readonly net?: string;
}

export interface FelixConfigSpec {
  readonly failsafeInboundHostPorts?: readonly FailsafePort[];
  readonly failsafeOutboundHostPorts?: readonly FailsafePort[];
  readonly defaultEndpointToHostAction?: "Drop" | "Return" | "Accept";
  readonly interfacePrefix?: string;
  readonly logPrefix?: string;
  readonly iptablesFilterAllowAction?: "Accept" | "Return";
  readonly iptablesMangleAllowAction?: "Accept" | "Return";
  readonly iptablesFilterDenyAction?: "Drop" | "Reject";
  readonly chainInsertMode?: "Insert" | "Append";
  readonly disableConntrackInvalidCheck?: boolean;
  readonly iptablesMarkMask?: number;
}

export interface FelixConfiguration extends Provenance {
  readonly kind: "FelixConfiguration";
  readonly metadata: Metadata;
  readonly spec: FelixConfigSpec;
}

export interface CalicoNode extends Provenance {
  readonly kind: "Node";
  readonly metadata: Metadata;
  readonly spec: {
    readonly ipv4Address?: string;
    readonly ipv6Address?: string;
    readonly addresses: readonly string[];
  };
}

export type Resource =
  | HostEndpoint
  | GlobalNetworkPolicy
  | NetworkPolicy
  | Profile
  | Tier
  | GlobalNetworkSet
  | FelixConfiguration
  | CalicoNode;

export type ResourceKind = Resource["kind"];

/** Everything loaded from a set of files, grouped by kind. Built-in resources are included. */
export interface Cluster {
  readonly hostEndpoints: readonly HostEndpoint[];
  readonly policies: readonly Policy[];
  readonly profiles: readonly Profile[];
  readonly tiers: readonly Tier[];
  readonly networkSets: readonly GlobalNetworkSet[];
  readonly felixConfigurations: readonly FelixConfiguration[];
  readonly nodes: readonly CalicoNode[];
}

export const DEFAULT_ALLOW_PROFILE = "projectcalico-default-allow";
export const DEFAULT_TIER = "default";
