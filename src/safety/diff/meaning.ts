// A rule's meaning as a canonical key: matches are ANDed, so their order does not matter; a protocol is
// its number whether written as a name or not; CIDRs are canonical prefixes; port lists are sorted sets;
// comments and provenance are not part of what the kernel does. Jump targets go through a chain map so a
// renamed chain (e.g. cali-pi-default/x → cali-pi-gnp/x between Felix versions) compares equal.

import type { Action, ActionHandlers, Match, MatchHandlers, PortRange, Rule } from "../../rules/ir.js";
import { onAction, onMatch } from "../../rules/ir.js";
import { parsePrefix } from "../../trace/addr.js";

const neg = (n: boolean): string => (n ? "!" : "");

const cidr = (text: string): string => {
  const p = parsePrefix(text);
  return p === undefined ? text : `${p.v}:${p.key.toString(16)}/${p.len}`;
};

const ports = (ps: readonly PortRange[]): string => {
  const singles = new Set<number>();
  const ranges: string[] = [];
  for (const p of ps)
    if (p.from === p.to) singles.add(p.from);
    else ranges.push(`${p.from}-${p.to}`);
  return [...[...singles].sort((a, b) => a - b).map(String), ...ranges.sort()].join(",");
};

const matchKey: MatchHandlers<string> = {
  protocol: (m) => `proto${neg(m.negated)}=${m.protocol}`,
  srcNet: (m) => `src${neg(m.negated)}=${cidr(m.cidr)}`,
  dstNet: (m) => `dst${neg(m.negated)}=${cidr(m.cidr)}`,
  srcPorts: (m) => `sports${neg(m.negated)}=${ports(m.ports)}`,
  dstPorts: (m) => `dports${neg(m.negated)}=${ports(m.ports)}`,
  set: (m) => `set${neg(m.negated)}=${m.set}:${m.dirs.join(",")}`,
  inIface: (m) => `in${neg(m.negated)}=${m.name}`,
  outIface: (m) => `out${neg(m.negated)}=${m.name}`,
  mark: (m) => `mark${neg(m.negated)}=${(m.value & m.mask) >>> 0}/${m.mask >>> 0}`,
  ctState: (m) => `ct${neg(m.negated)}=${[...m.states].sort().join(",")}`,
  icmp: (m) => `icmp${m.version}${neg(m.negated)}=${m.type}/${m.code ?? "*"}`,
  addrType: (m) => `addrtype-${m.dir}${neg(m.negated)}=${m.type}`,
  rpfilterFailed: () => "rpfilter-failed",
  limit: (m) => `limit=${m.rate}/${m.burst ?? ""}`,
  unknown: (m) => `unknown=${m.text}/${m.assume}`,
};

const actionKey = (target: (name: string) => string): ActionHandlers<string> => ({
  accept: () => "ACCEPT",
  drop: () => "DROP",
  reject: () => "REJECT",
  return: () => "RETURN",
  jump: (a) => `jump ${target(a.target)}`,
  goto: (a) => `goto ${target(a.target)}`,
  setMark: (a) => `mark ${a.value >>> 0}/${a.mask >>> 0}`,
  clearMark: (a) => `mark 0/${a.mask >>> 0}`,
  log: (a) => `LOG ${a.prefix} ${a.level}`,
  nflog: (a) => `NFLOG ${a.group} ${a.prefix} ${a.size}`,
  notrack: () => "NOTRACK",
  dnat: (a) => `DNAT ${a.to}`,
  masquerade: () => "MASQUERADE",
  none: () => "",
  unknown: (a) => `? ${a.text}`,
});

export const matchesKey = (ms: readonly Match[]): string =>
  [...new Set(ms.map((m) => onMatch(matchKey, m)))].sort().join(" & ");

export const actionKeyOf = (a: Action, target: (name: string) => string = (n) => n): string =>
  onAction(actionKey(target), a);

/** The canonical meaning of a rule; `target` maps jump targets (renamed chains) before comparing. */
export const ruleKey = (r: Rule, target: (name: string) => string = (n) => n): string =>
  `${matchesKey(r.matches)} -> ${actionKeyOf(r.action, target)}`;
