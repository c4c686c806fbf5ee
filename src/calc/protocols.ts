// Protocol names as Calico accepts them, mapped to numbers and to the lower-case names Felix renders.

const BY_NAME: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
};

export interface ProtocolRef {
  readonly number: number;
  /** Lower-case name when the user wrote a name (Felix renders "-p tcp" then, "-p 6" for numbers). */
  readonly name?: string;
}

export const protocolRef = (spec: string | number): ProtocolRef | undefined => {
  if (typeof spec === "number") return { number: spec };
  const lower = spec.toLowerCase();
  const n = BY_NAME[lower];
  if (n !== undefined) return { number: n, name: lower };
  return /^\d+$/.test(spec) ? { number: Number(spec) } : undefined;
};

/** Protocol string used in named-port set ids and members (ipsetmember.Protocol). */
export const namedPortProtocol = (p: ProtocolRef | undefined): "tcp" | "udp" | "sctp" | "any" =>
  p === undefined
    ? "any"
    : p.number === 6
      ? "tcp"
      : p.number === 17
        ? "udp"
        : p.number === 132
          ? "sctp"
          : "any";
