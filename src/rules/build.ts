// Small frozen factories for IR matches, actions and rules, so chain builders read like Felix's.

import type { Action, CtState, Match, Origin, PortRange, Rule } from "./ir.js";

export const match = {
  protocol: (protocol: number, name?: string, negated = false): Match => ({
    kind: "protocol",
    protocol,
    ...(name === undefined ? {} : { name }),
    negated,
  }),
  srcNet: (cidr: string, negated = false): Match => ({ kind: "srcNet", cidr, negated }),
  dstNet: (cidr: string, negated = false): Match => ({ kind: "dstNet", cidr, negated }),
  srcPorts: (ports: readonly PortRange[], negated = false): Match => ({ kind: "srcPorts", ports, negated }),
  dstPorts: (ports: readonly PortRange[], negated = false): Match => ({ kind: "dstPorts", ports, negated }),
  set: (set: string, dirs: readonly ("src" | "dst")[], negated = false): Match => ({
    kind: "set",
    set,
    dirs,
    negated,
  }),
  inIface: (name: string, negated = false): Match => ({ kind: "inIface", name, negated }),
  outIface: (name: string, negated = false): Match => ({ kind: "outIface", name, negated }),
  /** Bits of `value` set within `mask`. */
  markSet: (value: number, mask = value): Match => ({ kind: "mark", value, mask, negated: false }),
  markClear: (mask: number): Match => ({ kind: "mark", value: 0, mask, negated: false }),
  markNotClear: (mask: number): Match => ({ kind: "mark", value: 0, mask, negated: true }),
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
  setMark: (value: number, mask = value): Action => ({ kind: "setMark", value, mask }),
  clearMark: (mask: number): Action => ({ kind: "clearMark", mask }),
  log: (prefix: string, level = 5): Action => ({ kind: "log", prefix, level }),
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
