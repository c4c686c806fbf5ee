// IR matches → predicates over the walk state, one handler per match kind. Each negated match inverts the
// kernel's own test, except where the kernel cannot evaluate the match at all (no ports, not ICMP): then the
// rule does not match either way, as iptables would have required `-p tcp` / `-p icmp` in front of it.

import type { IpVersion, Match, MatchHandlers, PortRange } from "../rules/ir.js";
import { onMatch } from "../rules/ir.js";
import { parsePrefix } from "./addr.js";
import { v4Number, v4Shift, type SetLookup } from "./sets.js";
import { CT_BIT, PORT_PROTOCOLS, type Test, type WalkState } from "./state.js";

export interface MatchContext {
  readonly version: IpVersion;
  readonly sets: SetLookup;
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
  const srcIp = ipDir === "src";
  const srcPort = portDir === "src";
  const negated = m.negated;
  if (set === undefined)
    return (s) => {
      s.note(
        "warning",
        `ipset ${m.set} is not defined in the ruleset; treated as empty (iptables-restore would reject the rule)`,
      );
      return negated;
    };
  const problems = set.problems;
  const noted =
    problems.length === 0
      ? undefined
      : (s: WalkState): void => {
          for (const p of problems) s.note("warning", p);
        };
  if (set.type === "hash:net")
    return (s) => {
      if (noted !== undefined) noted(s);
      return set.hasNet(srcIp ? s.src : s.dst) !== negated;
    };
  return (s) => {
    if (noted !== undefined) noted(s);
    const port = srcPort ? s.sport : s.dport;
    // hash:ip,port needs the port of a tcp/udp/sctp/udplite packet (ip_set_get_ip_port).
    if (!PORT_PROTOCOLS.has(s.proto) || port === undefined) return false;
    return set.hasIpPort(srcIp ? s.src : s.dst, s.proto, port) !== negated;
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
  const src = dir === "src";
  if (p.v === 4) {
    // The same test on numbers for IPv4 addresses (an IPv6 address, never seen here, takes the BigInt path).
    const shift = Number(p.shift);
    const key = Number(p.key);
    return (s) => {
      const a = src ? s.src : s.dst;
      const hit = a.v === 4 ? v4Shift(v4Number(a), shift) === key : a.n >> p.shift === p.key;
      return hit !== negated;
    };
  }
  return xor(negated, (s) => {
    const a = src ? s.src : s.dst;
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
  mark: (m) => {
    const mask = m.mask;
    const value = m.value >>> 0;
    return m.negated ? (s) => (s.mark & mask) >>> 0 !== value : (s) => (s.mark & mask) >>> 0 === value;
  },
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
  // Unrolled for the common short rules.
  switch (tests.length) {
    case 0:
      return () => true;
    case 1:
      return tests[0]!;
    case 2: {
      const [a, b] = tests as [Test, Test];
      return (s) => a(s) && b(s);
    }
    case 3: {
      const [a, b, c] = tests as [Test, Test, Test];
      return (s) => a(s) && b(s) && c(s);
    }
    default:
      return (s) => {
        for (let i = 0; i < tests.length; i++) if (!tests[i]!(s)) return false;
        return true;
      };
  }
};
