// "Same rule, any spelling": a canonical key per rule so a rule read back from the kernel (iptables-save reorders
// matches, prints -j/-g/-i, --set-xmark, `0x0` marks, /32 addresses) compares equal to the rule we rendered.

import { onAction, onMatch } from "../rules/ir.js";
import type { Action, ActionHandlers, Match, MatchHandlers, Rule } from "../rules/ir.js";
import { canonicalCidr } from "./values.js";
import { canonicalJson } from "../util/canonical-json.js";

// libxt_limit prints rates as <n>/sec|min|hour|day; it accepts any prefix of second/minute/hour/day.
const RATE_UNITS: readonly [string, string][] = [
  ["second", "sec"],
  ["minute", "min"],
  ["hour", "hour"],
  ["day", "day"],
];

const canonicalRate = (rate: string): string => {
  const [n, unit] = rate.split("/");
  const u = unit === undefined ? undefined : RATE_UNITS.find(([full]) => full.startsWith(unit))?.[1];
  return u === undefined ? rate : `${n}/${u}`;
};

const LIMIT_DEFAULT_BURST = 5;

const same = <T>(x: T): T => x;

/** Per match kind: the form with spelling-only differences removed (protocol name, ports `form` dropped). */
const MATCH_NORMALISERS: MatchHandlers<Match> = {
  protocol: (m) => ({ kind: m.kind, protocol: m.protocol, negated: m.negated }),
  srcNet: (m) => ({ ...m, cidr: canonicalCidr(m.cidr) ?? m.cidr }),
  dstNet: (m) => ({ ...m, cidr: canonicalCidr(m.cidr) ?? m.cidr }),
  srcPorts: (m) => ({
    kind: m.kind,
    ports: m.ports.map((p) => ({ from: p.from, to: p.to })),
    negated: m.negated,
  }),
  dstPorts: (m) => ({
    kind: m.kind,
    ports: m.ports.map((p) => ({ from: p.from, to: p.to })),
    negated: m.negated,
  }),
  set: same,
  inIface: same,
  outIface: same,
  mark: (m) => ({ ...m, value: (m.value & m.mask) >>> 0, mask: m.mask >>> 0 }),
  ctState: (m) => ({ ...m, states: [...m.states].sort() }),
  icmp: same,
  addrType: same,
  rpfilterFailed: same,
  limit: (m) => ({ kind: "limit", rate: canonicalRate(m.rate), burst: m.burst ?? LIMIT_DEFAULT_BURST }),
  unknown: same,
};

/** Per action kind: equivalent forms merged (setMark 0/m is clearMark m; set-mark v/m is xmark v/(m|v)). */
const ACTION_NORMALISERS: ActionHandlers<Action> = {
  accept: same,
  drop: same,
  reject: same,
  return: same,
  jump: same,
  goto: same,
  setMark: (a) =>
    a.value === 0
      ? { kind: "clearMark", mask: a.mask >>> 0 }
      : { kind: "setMark", value: a.value >>> 0, mask: (a.mask | a.value) >>> 0 },
  clearMark: (a) => ({ kind: "clearMark", mask: a.mask >>> 0 }),
  log: same,
  // NflogAction: size 0 means the default 80.
  nflog: (a) => ({ ...a, size: a.size === 0 ? 80 : a.size }),
  notrack: same,
  dnat: same,
  masquerade: same,
  none: same,
  unknown: same,
};

export const normaliseMatch = (m: Match): Match => onMatch(MATCH_NORMALISERS, m);
export const normaliseAction = (a: Action): Action => onAction(ACTION_NORMALISERS, a);

/** Canonical text of a rule's meaning: matches as a sorted set (they are ANDed), action, comments. */
export const ruleMeaning = (rule: Rule, opts: { readonly comments?: boolean } = {}): string =>
  canonicalJson({
    matches: rule.matches.map((m) => canonicalJson(normaliseMatch(m))).sort(),
    action: normaliseAction(rule.action),
    comments: opts.comments === false ? [] : rule.comments,
  });

export const sameMeaning = (a: Rule, b: Rule): boolean => ruleMeaning(a) === ruleMeaning(b);
