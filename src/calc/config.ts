// The effective Felix configuration for one node: Felix's defaults, overlaid by the FelixConfiguration
// named "default", overlaid by "node.<nodename>" (Felix's precedence for per-node config).

import type { Cluster, FailsafePort, FelixConfigSpec } from "../resources/model.js";

export interface MarkBits {
  readonly accept: number;
  readonly pass: number;
  readonly drop: number;
  readonly scratch0: number;
  readonly scratch1: number;
}

export interface EffectiveConfig {
  readonly failsafeInbound: readonly FailsafePort[];
  readonly failsafeOutbound: readonly FailsafePort[];
  readonly defaultEndpointToHostAction: "DROP" | "RETURN" | "ACCEPT";
  /** Workload interface prefixes (InterfacePrefix is a comma-separated list), e.g. ["cali"]. */
  readonly workloadPrefixes: readonly string[];
  readonly logPrefix: string;
  readonly filterAllow: "ACCEPT" | "RETURN";
  readonly mangleAllow: "ACCEPT" | "RETURN";
  readonly deny: "DROP" | "REJECT";
  readonly disableConntrackInvalidCheck: boolean;
  readonly marks: MarkBits;
}

const tcp = (port: number): FailsafePort => ({ protocol: "tcp", port });
const udp = (port: number): FailsafePort => ({ protocol: "udp", port });

// felix/config/config_params.go:442-443.
export const DEFAULT_FAILSAFE_INBOUND: readonly FailsafePort[] = [
  tcp(22),
  udp(68),
  tcp(179),
  tcp(2379),
  tcp(2380),
  tcp(5473),
  tcp(6443),
  tcp(6666),
  tcp(6667),
];
export const DEFAULT_FAILSAFE_OUTBOUND: readonly FailsafePort[] = [
  udp(53),
  udp(67),
  tcp(179),
  tcp(2379),
  tcp(2380),
  tcp(5473),
  tcp(6443),
  tcp(6666),
  tcp(6667),
];

/** Felix hands out mark bits lowest first from IptablesMarkMask (felix/markbits/mark_bits.go). */
export const allocateMarks = (mask: number): MarkBits => {
  const bits: number[] = [];
  for (let bit = 0; bit < 32 && bits.length < 5; bit++) {
    const value = 2 ** bit;
    if (Math.floor(mask / value) % 2 === 1) bits.push(value);
  }
  if (bits.length < 5) throw new Error(`bug: mark mask 0x${mask.toString(16)} has fewer than 5 bits`);
  const [accept, pass, drop, scratch0, scratch1] = bits as [number, number, number, number, number];
  return { accept, pass, drop, scratch0, scratch1 };
};

const upper = <T extends string>(v: T | undefined): Uppercase<T> | undefined =>
  v === undefined ? undefined : (v.toUpperCase() as Uppercase<T>);

export const effectiveConfig = (cluster: Cluster, node: string): EffectiveConfig => {
  const byName = new Map(cluster.felixConfigurations.map((c) => [c.metadata.name, c.spec]));
  const layers: FelixConfigSpec[] = [byName.get("default"), byName.get(`node.${node}`)].filter(
    (s): s is FelixConfigSpec => s !== undefined,
  );
  const pick = <K extends keyof FelixConfigSpec>(key: K): FelixConfigSpec[K] | undefined =>
    layers.reduce<FelixConfigSpec[K] | undefined>(
      (acc, l) => (l[key] === undefined ? acc : l[key]),
      undefined,
    );

  return {
    failsafeInbound: pick("failsafeInboundHostPorts") ?? DEFAULT_FAILSAFE_INBOUND,
    failsafeOutbound: pick("failsafeOutboundHostPorts") ?? DEFAULT_FAILSAFE_OUTBOUND,
    defaultEndpointToHostAction: upper(pick("defaultEndpointToHostAction")) ?? "DROP",
    workloadPrefixes: (pick("interfacePrefix") ?? "cali")
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== ""),
    logPrefix: pick("logPrefix") ?? "calico-packet",
    filterAllow: upper(pick("iptablesFilterAllowAction")) ?? "ACCEPT",
    mangleAllow: upper(pick("iptablesMangleAllowAction")) ?? "ACCEPT",
    deny: upper(pick("iptablesFilterDenyAction")) ?? "DROP",
    disableConntrackInvalidCheck: pick("disableConntrackInvalidCheck") ?? false,
    marks: allocateMarks(pick("iptablesMarkMask") ?? 0xffff0000),
  };
};
