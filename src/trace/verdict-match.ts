// IR matches → JavaScript conditions over the verdict state (verdict-state.ts), one handler per match kind,
// each the same test as match.ts makes. A condition may fold to a constant: `false` drops the rule.

import type { IpSet, IpVersion, Match, MatchHandlers, MatchKind, PortRange } from "../rules/ir.js";
import { parsePrefix } from "./addr.js";
import { inRangeSet, rangeSetOf } from "./range-set.js";
import { parseIpPortMember, type SetLookup } from "./sets.js";
import { CT_BIT } from "./state.js";

/** A condition: a JavaScript expression over `s`, or a constant. */
export type Cond = string | boolean;

export interface CondContext {
  readonly version: IpVersion;
  /** The ruleset's sets by name, as declared and as compiled for trace(). */
  readonly sets: ReadonlyMap<string, IpSet>;
  readonly compiled: SetLookup;
  /** A value for the generated code: a literal for numbers, else a reference to a constant. */
  readonly lit: (v: unknown) => string;
}

const not = (c: Cond): Cond => (typeof c === "boolean" ? !c : `!(${c})`);
const xor = (negated: boolean, c: Cond): Cond => (negated ? not(c) : c);

/** Ports as match.ts tests them; `-1` (no port, or not a port protocol) never matches, negated or not. */
const portCond = (
  field: "s.sp" | "s.dp",
  ports: readonly PortRange[],
  negated: boolean,
  x: CondContext,
): Cond => {
  const parts = ports.map((r) =>
    r.from === r.to
      ? `${field} === ${x.lit(r.from)}`
      : `(${field} >= ${x.lit(r.from)} && ${field} <= ${x.lit(r.to)})`,
  );
  const any = parts.length === 0 ? "false" : parts.join(" || ");
  // Only a bound at or below -1 (or not a number) could take in the no-port sentinel.
  const guarded = negated || ports.some((r) => !(typeof r.from === "number" && r.from >= 0));
  return guarded ? `(${field} !== -1 && ${negated ? "!" : ""}(${any}))` : `(${any})`;
};

const netCond = (dir: "src" | "dst", cidr: string, negated: boolean, x: CondContext): Cond => {
  const p = parsePrefix(cidr);
  // match.ts: not an address of the ruleset's family never matches, negated or not.
  if (p === undefined || p.v !== x.version) return false;
  if (p.v === 6) return xor(negated, `(s.${dir[0]}6 >> ${p.shift}n) === ${p.key}n`);
  const shift = Number(p.shift);
  if (shift >= 32) return !negated;
  return `(s.${dir[0]} >>> ${shift}) ${negated ? "!==" : "==="} ${Number(p.key)}`;
};

/** IPv4 hash:ip,port members as address numbers per proto and port. */
const ipPortLookup = (set: IpSet): ((n: number, proto: number, port: number) => boolean) => {
  const byPort = new Map<number, Set<number>>();
  for (const m of set.members) {
    const member = parseIpPortMember(m, 4);
    if (member === undefined) continue;
    const key = member.proto * 1e6 + member.port;
    const addrs = byPort.get(key) ?? new Set<number>();
    addrs.add(Number(member.ip.n));
    byPort.set(key, addrs);
  }
  // Member ports have at most five digits, so a larger port matches none (and must not alias another key).
  return (n, proto, port) => port <= 99999 && byPort.get(proto * 1e6 + port)?.has(n) === true;
};

const setCond = (m: Extract<Match, { kind: "set" }>, x: CondContext, fns: Map<string, string>): Cond => {
  const set = x.sets.get(m.set);
  const [ipDir = "src", portDir = ipDir] = m.dirs;
  // match.ts: an undefined set is treated as empty.
  if (set === undefined) return m.negated;
  const fn = (key: string, make: () => unknown): string => {
    let ref = fns.get(key);
    if (ref === undefined) {
      ref = x.lit(make());
      fns.set(key, ref);
    }
    return ref;
  };
  if (set.type === "hash:net") {
    if (set.version !== x.version) return m.negated;
    if (set.version === 4) {
      const has = fn(`net:${m.set}`, () => {
        const r = rangeSetOf(set.members);
        return (n: number): boolean => inRangeSet(r, n);
      });
      return xor(m.negated, `${has}(s.${ipDir[0]})`);
    }
    const has = fn(`net:${m.set}`, () => x.compiled.get(m.set)!.hasNet);
    return xor(m.negated, `${has}(s.${ipDir}A)`);
  }
  const port = portDir === "src" ? "s.sp" : "s.dp";
  const not = m.negated ? "!" : "";
  // hash:ip,port needs a port protocol's port; without one the rule does not match, negated or not.
  if (set.version !== x.version) return m.negated ? `${port} !== -1` : false;
  if (set.version === 4) {
    const has = fn(`ipport:${m.set}`, () => ipPortLookup(set));
    return `(${port} !== -1 && ${not}${has}(s.${ipDir[0]}, s.p, ${port}))`;
  }
  const has = fn(`ipport:${m.set}`, () => x.compiled.get(m.set)!.hasIpPort);
  return `(${port} !== -1 && ${not}${has}(s.${ipDir}A, s.p, ${port}))`;
};

export const conditionHandlers = (x: CondContext): MatchHandlers<Cond> => {
  const fns = new Map<string, string>();
  const iface = (field: "s.i" | "s.o", name: string): string =>
    name.endsWith("+") ? `${field}.startsWith(${x.lit(name.slice(0, -1))})` : `${field} === ${x.lit(name)}`;
  return {
    protocol: (m) =>
      m.protocol === 0 ? !m.negated : `s.p ${m.negated ? "!==" : "==="} ${x.lit(m.protocol)}`,
    srcNet: (m) => netCond("src", m.cidr, m.negated, x),
    dstNet: (m) => netCond("dst", m.cidr, m.negated, x),
    srcPorts: (m) => portCond("s.sp", m.ports, m.negated, x),
    dstPorts: (m) => portCond("s.dp", m.ports, m.negated, x),
    set: (m) => setCond(m, x, fns),
    inIface: (m) => xor(m.negated, iface("s.i", m.name)),
    outIface: (m) => xor(m.negated, iface("s.o", m.name)),
    // The int32 views of (mark & mask) and value are equal exactly when their u32 views are.
    mark: (m) => `(s.m & ${m.mask | 0}) ${m.negated ? "!==" : "==="} ${(m.value >>> 0) | 0}`,
    ctState: (m) => {
      const mask = m.states.reduce((acc, st) => acc | CT_BIT[st], 0);
      return xor(m.negated, mask === 0 ? false : `(s.ct & ${mask}) !== 0`);
    },
    icmp: (m) => {
      if (m.version !== x.version) return false;
      const hit = `s.it === ${x.lit(m.type)}${m.code === undefined ? "" : ` && s.ic === ${x.lit(m.code)}`}`;
      return `(s.ih && ${m.negated ? "!" : ""}(${hit}))`;
    },
    addrType: (m) => xor(m.negated, m.dir === "src" ? "s.ls" : "s.ld"),
    rpfilterFailed: () => false,
    limit: () => true,
    unknown: (m) => Boolean(m.assume),
  };
};

/** Cheap tests first: here the matches are pure, so their order within a rule does not matter. */
const COST: Readonly<Record<MatchKind, number>> = {
  protocol: 0,
  mark: 0,
  ctState: 0,
  srcPorts: 1,
  dstPorts: 1,
  icmp: 1,
  srcNet: 1,
  dstNet: 1,
  inIface: 2,
  outIface: 2,
  set: 3,
  addrType: 4,
  rpfilterFailed: 0,
  limit: 0,
  unknown: 0,
};
export const byCost = (a: Match, b: Match): number => COST[a.kind] - COST[b.kind];
