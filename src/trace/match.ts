// IR matches → predicates over the walk state, one handler per match kind. Each negated match inverts the
// kernel's own test, except where the kernel cannot evaluate the match at all (no ports, not ICMP): then the
// rule does not match either way, as iptables would have required `-p tcp` / `-p icmp` in front of it.

import type { IpVersion, Match, MatchHandlers, PortRange } from "../rules/ir.js";
import { onMatch } from "../rules/ir.js";
import { parsePrefix, type Addr } from "./addr.js";
import type { CompiledSet } from "./sets.js";
import { CT_BIT, PORT_PROTOCOLS, type Test, type WalkState } from "./state.js";

export interface MatchContext {
  readonly version: IpVersion;
  readonly sets: ReadonlyMap<string, CompiledSet>;
}

const xor = (negated: boolean, t: Test): Test => (negated ? (s) => !t(s) : t);
const never: Test = () => false;

/** A port list as a set of single ports plus ranges (Felix lists hold at most 15 slots). */
const portTest = (ports: readonly PortRange[]): ((p: number) => boolean) => {
  const singles = new Set(ports.filter((r) => r.from === r.to).map((r) => r.from));
  const ranges = ports.filter((r) => r.from !== r.to);
  return (p) => singles.has(p) || ranges.some((r) => p >= r.from && p <= r.to);
};

/** `eth+` is a prefix wildcard (xt's ifname mask); the kernel compares "" where there is no device. */
const ifaceTest = (name: string): ((iface: string) => boolean) =>
  name.endsWith("+") ? (iface) => iface.startsWith(name.slice(0, -1)) : (iface) => iface === name;

const ports = (dir: "src" | "dst", list: readonly PortRange[], negated: boolean): Test => {
  const has = portTest(list);
  return (s) => {
    const port = dir === "src" ? s.sport : s.dport;
    // xt_multiport only looks at tcp/udp/sctp/udplite/dccp headers; a packet without ports never matches.
    if (!PORT_PROTOCOLS.has(s.proto) || port === undefined) return false;
    return has(port) !== negated;
  };
};

const setTest = (m: Extract<Match, { kind: "set" }>, ctx: MatchContext): Test => {
  const set = ctx.sets.get(m.set);
  const [ipDir = "src", portDir = ipDir] = m.dirs;
  const ip = (s: WalkState): Addr => (ipDir === "src" ? s.src : s.dst);
  return (s) => {
    if (set === undefined) {
      s.note(
        "warning",
        `ipset ${m.set} is not defined in the ruleset; treated as empty (iptables-restore would reject the rule)`,
      );
      return m.negated;
    }
    for (const p of set.problems) s.note("warning", p);
    let member: boolean;
    if (set.type === "hash:net") member = set.hasNet(ip(s));
    else {
      const port = portDir === "src" ? s.sport : s.dport;
      // hash:ip,port needs the port of a tcp/udp/sctp/udplite packet (ip_set_get_ip_port).
      if (!PORT_PROTOCOLS.has(s.proto) || port === undefined) return false;
      member = set.hasIpPort(ip(s), s.proto, port);
    }
    return member !== m.negated;
  };
};

const net = (dir: "src" | "dst", cidr: string, negated: boolean, ctx: MatchContext): Test => {
  const p = parsePrefix(cidr);
  if (p === undefined || p.v !== ctx.version)
    return (s) => {
      s.note(
        "warning",
        `"${cidr}" is not an IPv${ctx.version} address or CIDR; the ${dir} match never matches`,
      );
      return false;
    };
  return xor(negated, (s) => {
    const a = dir === "src" ? s.src : s.dst;
    return a.n >> p.shift === p.key;
  });
};

const ctMask = (states: readonly (keyof typeof CT_BIT)[]): number =>
  states.reduce((acc, st) => acc | CT_BIT[st], 0);

export const matchCompiler = (ctx: MatchContext): MatchHandlers<Test> => ({
  // -p 0 ("all") matches every protocol (iptables ip_packet_match: proto 0 skips the test).
  protocol: (m) =>
    m.protocol === 0 ? (m.negated ? never : () => true) : xor(m.negated, (s) => s.proto === m.protocol),
  srcNet: (m) => net("src", m.cidr, m.negated, ctx),
  dstNet: (m) => net("dst", m.cidr, m.negated, ctx),
  srcPorts: (m) => ports("src", m.ports, m.negated),
  dstPorts: (m) => ports("dst", m.ports, m.negated),
  set: (m) => setTest(m, ctx),
  inIface: (m) => {
    const t = ifaceTest(m.name);
    return xor(m.negated, (s) => t(s.inIface));
  },
  outIface: (m) => {
    const t = ifaceTest(m.name);
    return xor(m.negated, (s) => t(s.outIface));
  },
  mark: (m) => xor(m.negated, (s) => (s.mark & m.mask) >>> 0 === m.value >>> 0),
  ctState: (m) => {
    const mask = ctMask(m.states);
    return xor(m.negated, (s) => (s.ctBits & mask) !== 0);
  },
  icmp: (m) => {
    const proto = m.version === 4 ? 1 : 58;
    return (s) => {
      // -m icmp / -m icmp6 only parse ICMP headers of their own family.
      if (s.version !== m.version || s.proto !== proto || s.icmpType === undefined) return false;
      const hit = s.icmpType === m.type && (m.code === undefined || s.icmpCode === m.code);
      return hit !== m.negated;
    };
  },
  addrType: (m) => xor(m.negated, (s) => s.isLocal(m.dir === "src" ? s.src : s.dst, m.dir)),
  rpfilterFailed: () => (s) => {
    s.note("assumption", "the reverse-path filter check (-m rpfilter --invert) was assumed to pass");
    return false;
  },
  limit: (m) => (s) => {
    s.note("assumption", `rate limit ${m.rate} was assumed not to be exceeded (-m limit matches)`);
    return true;
  },
  unknown: (m) => (s) => {
    s.note("warning", `unknown match "${m.text}": assumed to ${m.assume ? "match" : "not match"}`);
    return m.assume;
  },
});

/** All of a rule's matches, ANDed in order (later matches are not evaluated once one fails, as in xt). */
export const compileMatches = (matches: readonly Match[], handlers: MatchHandlers<Test>): Test => {
  const tests = matches.map((m) => onMatch(handlers, m));
  if (tests.length === 0) return () => true;
  return (s) => {
    for (const t of tests) if (!t(s)) return false;
    return true;
  };
};
