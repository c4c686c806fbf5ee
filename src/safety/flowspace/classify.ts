// One IR match over a whole box: true for every packet in it, false for every packet, or the box split in
// two along one dimension (the part where the match holds, or a step towards it, and the rest). Each
// handler mirrors the tracer's predicate (src/trace/match.ts) — including where the kernel cannot
// evaluate a match at all (no port header, not ICMP): then it never matches, even negated. Matches on
// state the walk computes (mark, conntrack) are decided from the path, not the box.

import type { Match, MatchHandlers, PortRange } from "../../rules/ir.js";
import { onMatch } from "../../rules/ir.js";
import { CT_BIT } from "../../trace/state.js";
import type { HookName } from "../../trace/index.js";
import {
  boxRelation,
  directionOf,
  icmpProto,
  lowest,
  partitionBox,
  splitIfaces,
  type Box,
  type NumDim,
} from "./box.js";
import { normalize, range, type Range } from "./ranges.js";
import { cidrRange, ipPortClasses, loopback, type SetRangesLookup } from "./sets.js";

export interface StepContext {
  readonly box: Box;
  readonly hook: HookName;
  /** The packet mark and conntrack bits (CT_BIT) when the rule is evaluated. */
  readonly mark: number;
  readonly ct: number;
  readonly sets: SetRangesLookup;
}

/**
 * A split's parts are made on demand: a rule is often split by one match and uniformly false by a later
 * one (a policy rule's source set across the box, its port outside it), and then no part is wanted. On a
 * typical node's upgrade-check that was most of the splits made, each a pass over unions of ~1,000 ranges.
 */
export type Classified =
  | { readonly kind: "uniform"; readonly value: boolean }
  | { readonly kind: "split"; readonly parts: () => readonly Box[] };

const uniform = (value: boolean): Classified => ({ kind: "uniform", value });
const split = (parts: () => readonly Box[]): Classified => ({ kind: "split", parts });

/**
 * Whether the box's `dim` lies in the normalized union `rs` (negated: outside it): uniform when all of it
 * is in or all out, otherwise the box split into the part inside and the part outside.
 */
const byRanges = (box: Box, dim: NumDim, rs: readonly Range[], negated: boolean): Classified => {
  const where = boxRelation(box, dim, rs);
  if (where === "outside") return uniform(negated);
  if (where === "inside") return uniform(!negated);
  return split(() => {
    const p = partitionBox(box, dim, rs);
    return [p.in!, p.out!];
  });
};

// One array per value (protocols, ICMP types and codes are 0-255): boxRelation weighs each (dimension,
// union) pair once by the union's identity, and a fresh array per call would never be found again.
const singles = new Map<number, readonly Range[]>();
const one = (x: bigint | number): readonly Range[] => {
  const n = Number(x);
  let r = singles.get(n);
  if (r === undefined) singles.set(n, (r = [range(n, n)]));
  return r;
};
const NONE: readonly Range[] = [];

const PORT_PROTOS: readonly Range[] = normalize([6, 17, 132, 136].map((p) => range(p, p)));

/** Ports exist only for tcp/udp/sctp/udplite: "none" when the box has none of them, a split when mixed. */
const portGuard = (box: Box): Classified | undefined => {
  const g = byRanges(box, "proto", PORT_PROTOS, false);
  return g.kind === "uniform" && g.value ? undefined : g;
};

const ports = (dim: "sport" | "dport", list: readonly PortRange[], negated: boolean) => {
  const rs = normalize(list.map((r) => range(r.from, r.to)));
  return (c: StepContext): Classified => portGuard(c.box) ?? byRanges(c.box, dim, rs, negated);
};

const net = (dim: "src" | "dst", cidr: string, negated: boolean) => {
  // Parsed once per match, for both families.
  const union = (r: Range | undefined): Range[] | undefined => (r === undefined ? undefined : [r]);
  const byFamily = { 4: union(cidrRange(cidr, 4)), 6: union(cidrRange(cidr, 6)) };
  return (c: StepContext): Classified => {
    const rs = byFamily[c.box.v];
    // The tracer: not a CIDR of the ruleset's family → never matches, negated or not.
    return rs === undefined ? uniform(false) : byRanges(c.box, dim, rs, negated);
  };
};

const setMatch = (m: Extract<Match, { kind: "set" }>, c: StepContext): Classified => {
  const set = c.sets.get(m.set);
  if (set === undefined) return uniform(m.negated);
  const [ipDir = "src", portDir = ipDir] = m.dirs;
  const box = c.box;
  if (set.type === "hash:net")
    return byRanges(box, ipDir, set.version === box.v ? set.nets : NONE, m.negated);
  const g = portGuard(box);
  if (g !== undefined) return g;
  // One protocol at a time: members are keyed by it.
  const proto = lowest(box.proto);
  const byProto = byRanges(box, "proto", one(proto), false);
  if (byProto.kind === "split") return byProto;
  // ip,port members of the other family never match (the tracer keys them by family).
  if (set.version !== box.v) return uniform(m.negated);
  const classes = ipPortClasses(set, proto);
  const portDim = portDir === "src" ? "sport" : "dport";
  const x = lowest(box[ipDir]);
  const cls = classes.classOf(x);
  const ports = cls?.ports ?? NONE;
  // When the box's lowest address is paired with all of its ports, or with none of them, so is every
  // address the set pairs with all of them (or none): one cut for all of those, however many groups they
  // come from (a named port's set pairs each endpoint's addresses with its own ports).
  const byPorts = boxRelation(box, portDim, ports);
  if (byPorts !== "across") {
    const alike = classes.byPorts(box[portDim]);
    const ipCut = byRanges(box, ipDir, byPorts === "inside" ? alike.all : alike.none, false);
    return ipCut.kind === "split" ? ipCut : uniform((byPorts === "inside") !== m.negated);
  }
  // Otherwise (the lowest is in a group) the addresses whose ports are those of the lowest; then the ports.
  const ipCut = byRanges(box, ipDir, cls!.ips, false);
  if (ipCut.kind === "split") return ipCut;
  return byRanges(box, portDim, ports, m.negated);
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
  return parts.length > 1 ? split(() => parts) : uniform(test(c.box[dim][0] ?? "") !== negated);
};

const icmp = (m: Extract<Match, { kind: "icmp" }>, box: Box): Classified => {
  if (m.version !== box.v) return uniform(false);
  const p = byRanges(box, "proto", one(icmpProto(m.version)), false);
  if (p.kind === "split" || !p.value) return p;
  const t = byRanges(box, "icmpType", one(m.type), false);
  if (t.kind === "split") return t;
  if (!t.value || m.code === undefined) return uniform(t.value !== m.negated);
  const c = byRanges(box, "icmpCode", one(m.code), false);
  return c.kind === "split" ? c : uniform(c.value !== m.negated);
};

const addrType = (m: Extract<Match, { kind: "addrType" }>, box: Box): Classified => {
  const lo = byRanges(box, m.dir, [loopback(box.v)], false);
  if (lo.kind === "split") return lo;
  // The tracer without local addresses: loopback is local; otherwise the destination is local exactly
  // when the packet is delivered locally, the source when it is locally generated.
  const d = directionOf(box);
  const local = lo.value || (m.dir === "dst" ? d === "ingress" : d === "egress");
  return uniform(local !== m.negated);
};

const ctMask = (states: readonly (keyof typeof CT_BIT)[]): number =>
  states.reduce((a, s) => a | CT_BIT[s], 0);

export const classifiers: MatchHandlers<(c: StepContext) => Classified> = {
  protocol: (m) => (c) =>
    m.protocol === 0 ? uniform(!m.negated) : byRanges(c.box, "proto", one(m.protocol), m.negated),
  srcNet: (m) => net("src", m.cidr, m.negated),
  dstNet: (m) => net("dst", m.cidr, m.negated),
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
