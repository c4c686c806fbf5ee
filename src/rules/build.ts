// Small factories for IR matches, actions and rules, so chain builders read like Felix's.

import { keptIn } from "../util/memo.js";
import type { Action, CtState, Match, Origin, PortRange, Rule } from "./ir.js";

// The matches and actions that recur in thousands of rules (a gateway's 6,000 mark matches hold 10 distinct
// values, its 2,400 protocol matches 3) are made once per value: renderers keep each one's text by object
// identity (render/iptables/match.ts, render/nftables/match.ts), and a node's rules hold far fewer objects
// for the garbage collector to copy. IR objects are never modified, so sharing them is safe. Keys start
// with their kind's letter. Bounded like the renderers' caches: a long-running process that edits policies
// keeps making new values. (Jumps are not shared: half of a gateway's are to a chain no other rule names,
// and endpoint chains, built for every node rendered, would pay for a key each.)
const shared = new Map<string, Match | Action>();
const MAX_SHARED = 100_000;

const share = <T extends Match | Action>(key: string, made: () => T): T => {
  const hit = shared.get(key);
  if (hit !== undefined) return hit as T;
  const value = made();
  if (shared.size >= MAX_SHARED) shared.clear();
  shared.set(key, value);
  return value;
};

// The kinds the builders share, whose objects renderers may cache by: a cache entry for a kind made anew for
// each rule (a jump, a conntrack match) would cost more than the text it keeps, and on Node 20 an entry with
// a young key keeps its value alive through young-generation collections.
const SHARED_KINDS: ReadonlySet<string> = new Set<Match["kind"] | Action["kind"]>([
  "protocol",
  "srcNet",
  "dstNet",
  "srcPorts",
  "dstPorts",
  "set",
  "mark",
  // One object each (action.accept, …).
  "accept",
  "drop",
  "reject",
  "return",
  "notrack",
  "none",
  "setMark",
  "clearMark",
  "log",
]);

/** Whether the builders share the objects of this kind of match or action (one per value). */
export const isSharedKind = (kind: Match["kind"] | Action["kind"]): boolean => SHARED_KINDS.has(kind);

/**
 * A renderer's text or fragment of a match or action: `render(value)`, kept in `cache` when the builders share
 * the objects of its kind (one per value), so that each value is rendered once; made each time otherwise.
 */
export const renderedOnce = <K extends Match | Action, V>(
  cache: WeakMap<K, V>,
  value: K,
  render: (value: K) => V,
): V => (SHARED_KINDS.has(value.kind) ? keptIn(cache, value, render) : render(value));

const neg = (negated: boolean): string => (negated ? "!" : "");
const portsKey = (ports: readonly PortRange[]): string => {
  let k = "";
  for (let i = 0; i < ports.length; i++) k += `${ports[i]!.from}-${ports[i]!.to},`;
  return k;
};

// Mark matches and actions are keyed by their numbers, not by a string made of them: endpoint chains, which
// are built again for every node rendered, make thousands. Unbounded: their values are the config's mark bits.
const byNumbers = <T>(): ((a: number, b: number, make: () => T) => T) => {
  const outer = new Map<number, Map<number, T>>();
  return (a, b, make) => {
    let inner = outer.get(a);
    if (inner === undefined) {
      inner = new Map();
      outer.set(a, inner);
    }
    let value = inner.get(b);
    if (value === undefined) {
      value = make();
      inner.set(b, value);
    }
    return value;
  };
};
const marksSet = byNumbers<Match>();
const marksNotSet = byNumbers<Match>();
const setMarks = byNumbers<Action>();

const markMatch = (value: number, mask: number, negated: boolean): Match =>
  (negated ? marksNotSet : marksSet)(value, mask, () => ({ kind: "mark", value, mask, negated }));

export const match = {
  protocol: (protocol: number, name?: string, negated = false): Match =>
    share(`p${neg(negated)} ${protocol}${name === undefined ? "" : ` ${name}`}`, () =>
      name === undefined
        ? { kind: "protocol", protocol, negated }
        : { kind: "protocol", protocol, name, negated },
    ),
  srcNet: (cidr: string, negated = false): Match =>
    share(`s${neg(negated)} ${cidr}`, () => ({ kind: "srcNet", cidr, negated })),
  dstNet: (cidr: string, negated = false): Match =>
    share(`d${neg(negated)} ${cidr}`, () => ({ kind: "dstNet", cidr, negated })),
  srcPorts: (ports: readonly PortRange[], negated = false): Match =>
    share(`S${neg(negated)} ${portsKey(ports)}`, () => ({ kind: "srcPorts", ports, negated })),
  dstPorts: (ports: readonly PortRange[], negated = false): Match =>
    share(`D${neg(negated)} ${portsKey(ports)}`, () => ({ kind: "dstPorts", ports, negated })),
  set: (set: string, dirs: readonly ("src" | "dst")[], negated = false): Match =>
    share(`i${neg(negated)} ${dirs.join(",")} ${set}`, () => ({ kind: "set", set, dirs, negated })),
  inIface: (name: string, negated = false): Match => ({ kind: "inIface", name, negated }),
  outIface: (name: string, negated = false): Match => ({ kind: "outIface", name, negated }),
  /** Bits of `value` set within `mask`. */
  markSet: (value: number, mask = value): Match => markMatch(value, mask, false),
  markClear: (mask: number): Match => markMatch(0, mask, false),
  markNotClear: (mask: number): Match => markMatch(0, mask, true),
  ctState: (states: readonly CtState[], negated = false): Match => ({ kind: "ctState", states, negated }),
  icmp: (version: 4 | 6, type: number, code?: number, negated = false): Match => ({
    kind: "icmp",
    version,
    type,
    ...(code === undefined ? {} : { code }),
    negated,
  }),
};

export const action = {
  accept: { kind: "accept" } as Action,
  drop: { kind: "drop" } as Action,
  reject: { kind: "reject" } as Action,
  return: { kind: "return" } as Action,
  notrack: { kind: "notrack" } as Action,
  none: { kind: "none" } as Action,
  jump: (target: string): Action => ({ kind: "jump", target }),
  goto: (target: string): Action => ({ kind: "goto", target }),
  setMark: (value: number, mask = value): Action =>
    setMarks(value, mask, () => ({ kind: "setMark", value, mask })),
  // As a set-mark with no value bit, keyed apart (-1) from any value.
  clearMark: (mask: number): Action => setMarks(-1, mask, () => ({ kind: "clearMark", mask })),
  log: (prefix: string, level = 5): Action =>
    share(`L ${level} ${prefix}`, () => ({ kind: "log", prefix, level })),
  /** ACCEPT / DROP / REJECT / RETURN from a config keyword. */
  of: (keyword: "ACCEPT" | "DROP" | "REJECT" | "RETURN"): Action =>
    ({ ACCEPT: action.accept, DROP: action.drop, REJECT: action.reject, RETURN: action.return })[keyword],
};

const NO_COMMENTS: readonly string[] = [];

export const rule = (
  matches: readonly Match[],
  act: Action,
  opts: { readonly comments?: readonly string[]; readonly origin?: Origin } = {},
): Rule => {
  const comments = opts.comments ?? NO_COMMENTS;
  // Two literals, not a conditional spread: on Node 20 the spread costs microseconds, and every rule of
  // every chain is made here.
  return opts.origin === undefined
    ? { kind: "rule", matches, action: act, comments }
    : { kind: "rule", matches, action: act, comments, origin: opts.origin };
};

export const withOrigin = (rules: readonly Rule[], origin: Origin): Rule[] =>
  rules.map((r) => (r.origin === undefined ? { ...r, origin } : r));
