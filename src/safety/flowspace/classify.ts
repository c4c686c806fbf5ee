// One IR match over a whole box: true for every packet in it, false for every packet, or the box split at
// the match's boundaries. Each handler mirrors the tracer's predicate (src/trace/match.ts) — including
// where the kernel cannot evaluate a match at all (no port header, not ICMP): then it never matches, even
// negated. Matches on state the walk computes (mark, conntrack) are decided from the path, not the box.

import type { Match, MatchHandlers, PortRange } from "../../rules/ir.js";
import { onMatch } from "../../rules/ir.js";
import { CT_BIT } from "../../trace/state.js";
import type { HookName } from "../../trace/index.js";
import { directionOf, icmpProto, isPortProto, splitBox, splitIfaces, type Box, type NumDim } from "./box.js";
import { contains, disjoint, edges, inRange, range, type Range } from "./ranges.js";
import { cidrRange, loopback, type SetRanges } from "./sets.js";

export interface StepContext {
  readonly box: Box;
  readonly hook: HookName;
  /** The packet mark and conntrack bits (CT_BIT) when the rule is evaluated. */
  readonly mark: number;
  readonly ct: number;
  readonly sets: ReadonlyMap<string, SetRanges>;
}

export type Classified =
  | { readonly kind: "uniform"; readonly value: boolean }
  | { readonly kind: "split"; readonly parts: readonly Box[] };

const uniform = (value: boolean): Classified => ({ kind: "uniform", value });
const split = (parts: readonly Box[]): Classified => ({ kind: "split", parts });

/** Uniform when no cut falls inside the box's range; then the value is the representative's. */
const byCuts = (box: Box, dim: NumDim, cuts: readonly bigint[], hit: (x: bigint) => boolean): Classified => {
  const r = box[dim];
  if (cuts.some((c) => c > r.lo && c <= r.hi)) return split(splitBox(box, dim, cuts));
  return uniform(hit(r.lo));
};

const byRanges = (box: Box, dim: NumDim, rs: readonly Range[], hit: (x: bigint) => boolean): Classified =>
  byCuts(box, dim, rs.flatMap(edges), hit);

const byRange = (box: Box, dim: NumDim, r: Range, negated: boolean): Classified =>
  contains(r, box[dim])
    ? uniform(!negated)
    : disjoint(r, box[dim])
      ? uniform(negated)
      : split(splitBox(box, dim, edges(r)));

const PORT_PROTO_CUTS = [6n, 7n, 17n, 18n, 132n, 133n, 136n, 137n];
const PORT_PROTOS = [6n, 17n, 132n, 136n];

/** Ports exist only for tcp/udp/sctp/udplite: "none" when the box has none of them, a split when mixed. */
const portGuard = (box: Box): Classified | undefined => {
  const p = box.proto;
  if (p.lo === p.hi) return isPortProto(p.lo) ? undefined : uniform(false);
  if (PORT_PROTOS.every((x) => !inRange(p, x))) return uniform(false);
  return split(splitBox(box, "proto", PORT_PROTO_CUTS));
};

const portList = (ports: readonly PortRange[]): Range[] => ports.map((r) => range(r.from, r.to));

const ports = (dim: "sport" | "dport", list: readonly PortRange[], negated: boolean) => {
  const rs = portList(list);
  const cuts = rs.flatMap(edges);
  const hit = (x: bigint): boolean => rs.some((r) => inRange(r, x)) !== negated;
  return (c: StepContext): Classified => portGuard(c.box) ?? byCuts(c.box, dim, cuts, hit);
};

const net = (dim: "src" | "dst", cidr: string, negated: boolean, box: Box): Classified => {
  const r = cidrRange(cidr, box.v);
  // The tracer: not a CIDR of the ruleset's family → never matches, negated or not.
  return r === undefined ? uniform(false) : byRange(box, dim, r, negated);
};

const setMatch = (m: Extract<Match, { kind: "set" }>, c: StepContext): Classified => {
  const set = c.sets.get(m.set);
  if (set === undefined) return uniform(m.negated);
  const [ipDir = "src", portDir = ipDir] = m.dirs;
  const box = c.box;
  if (set.type === "hash:net") {
    const nets = set.version === box.v ? set.nets : [];
    return byRanges(box, ipDir, nets, (x) => nets.some((r) => inRange(r, x)) !== m.negated);
  }
  const g = portGuard(box);
  if (g !== undefined) return g;
  // ip,port members of the other family never match (the tracer keys them by family).
  const members = set.version === box.v ? set.ipPorts.filter((x) => x.proto === box.proto.lo) : [];
  const ipCut = byRanges(
    box,
    ipDir,
    members.map((x) => x.ip),
    () => true,
  );
  if (ipCut.kind === "split") return ipCut;
  const pdim = portDir === "src" ? "sport" : "dport";
  const here = members.filter((x) => inRange(x.ip, box[ipDir].lo));
  return byRanges(
    box,
    pdim,
    here.map((x) => range(x.port, x.port)),
    (p) => here.some((x) => x.port === p) !== m.negated,
  );
};

const iface = (dim: "in" | "out", name: string, negated: boolean, c: StepContext): Classified => {
  const test = name.endsWith("+")
    ? (n: string) => n.startsWith(name.slice(0, -1))
    : (n: string) => n === name;
  // The kernel passes no input device in OUTPUT/POSTROUTING and no output device in PREROUTING/INPUT.
  const hidden =
    dim === "in"
      ? c.hook === "OUTPUT" || c.hook === "POSTROUTING"
      : c.hook === "PREROUTING" || c.hook === "INPUT";
  if (hidden) return uniform(test("") !== negated);
  const parts = splitIfaces(c.box, dim, test);
  return parts.length > 1 ? split(parts) : uniform(test(c.box[dim][0] ?? "") !== negated);
};

const icmp = (m: Extract<Match, { kind: "icmp" }>, box: Box): Classified => {
  if (m.version !== box.v) return uniform(false);
  const p = BigInt(icmpProto(m.version));
  if (!inRange(box.proto, p)) return uniform(false);
  if (box.proto.lo !== box.proto.hi) return split(splitBox(box, "proto", [p, p + 1n]));
  const t = byRange(box, "icmpType", range(m.type, m.type), false);
  if (t.kind === "split") return t;
  if (!t.value || m.code === undefined) return uniform(t.value !== m.negated);
  const c = byRange(box, "icmpCode", range(m.code, m.code), false);
  return c.kind === "split" ? c : uniform(c.value !== m.negated);
};

const addrType = (m: Extract<Match, { kind: "addrType" }>, box: Box): Classified => {
  const lo = loopback(box.v);
  const r = box[m.dir];
  if (!contains(lo, r) && !disjoint(lo, r)) return split(splitBox(box, m.dir, edges(lo)));
  // The tracer without local addresses: loopback is local; otherwise the destination is local exactly
  // when the packet is delivered locally, the source when it is locally generated.
  const d = directionOf(box);
  const local = contains(lo, r) || (m.dir === "dst" ? d === "ingress" : d === "egress");
  return uniform(local !== m.negated);
};

const ctMask = (states: readonly (keyof typeof CT_BIT)[]): number =>
  states.reduce((a, s) => a | CT_BIT[s], 0);

export const classifiers: MatchHandlers<(c: StepContext) => Classified> = {
  protocol: (m) => (c) =>
    m.protocol === 0
      ? uniform(!m.negated)
      : byRange(c.box, "proto", range(m.protocol, m.protocol), m.negated),
  srcNet: (m) => (c) => net("src", m.cidr, m.negated, c.box),
  dstNet: (m) => (c) => net("dst", m.cidr, m.negated, c.box),
  srcPorts: (m) => ports("sport", m.ports, m.negated),
  dstPorts: (m) => ports("dport", m.ports, m.negated),
  set: (m) => (c) => setMatch(m, c),
  inIface: (m) => (c) => iface("in", m.name, m.negated, c),
  outIface: (m) => (c) => iface("out", m.name, m.negated, c),
  mark: (m) => (c) => uniform(((c.mark & m.mask) >>> 0 === m.value >>> 0) !== m.negated),
  ctState: (m) => (c) => uniform(((c.ct & ctMask(m.states)) !== 0) !== m.negated),
  icmp: (m) => (c) => icmp(m, c.box),
  addrType: (m) => (c) => addrType(m, c.box),
  rpfilterFailed: () => () => uniform(false),
  limit: () => () => uniform(true),
  unknown: (m) => () => uniform(m.assume),
};

const compiled = new WeakMap<Match, (c: StepContext) => Classified>();

export const classify = (m: Match, c: StepContext): Classified => {
  let f = compiled.get(m);
  if (f === undefined) {
    f = onMatch(classifiers, m);
    compiled.set(m, f);
  }
  return f(c);
};
