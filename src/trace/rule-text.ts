// A short iptables-save-like summary of an IR rule for trace output (`-m mark --mark 0x10000/0x10000 -j
// RETURN`). Not Felix's exact text — src/render does that — just enough to recognise the rule.

import type { ActionHandlers, MatchHandlers, PortRange, Rule } from "../rules/ir.js";
import { onAction, onMatch } from "../rules/ir.js";

const PROTO_NAMES: Readonly<Record<number, string>> = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  58: "icmpv6",
  132: "sctp",
  136: "udplite",
};

export const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const not = (negated: boolean): string => (negated ? "! " : "");
const portList = (ports: readonly PortRange[]): string =>
  ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}:${p.to}`)).join(",");

const matchText: MatchHandlers<string> = {
  protocol: (m) => `${not(m.negated)}-p ${m.name?.toLowerCase() ?? PROTO_NAMES[m.protocol] ?? m.protocol}`,
  srcNet: (m) => `${not(m.negated)}-s ${m.cidr}`,
  dstNet: (m) => `${not(m.negated)}-d ${m.cidr}`,
  srcPorts: (m) => `-m multiport ${not(m.negated)}--sports ${portList(m.ports)}`,
  dstPorts: (m) => `-m multiport ${not(m.negated)}--dports ${portList(m.ports)}`,
  set: (m) => `-m set ${not(m.negated)}--match-set ${m.set} ${m.dirs.join(",")}`,
  inIface: (m) => `${not(m.negated)}-i ${m.name}`,
  outIface: (m) => `${not(m.negated)}-o ${m.name}`,
  mark: (m) => `-m mark ${not(m.negated)}--mark ${hex(m.value)}/${hex(m.mask)}`,
  ctState: (m) => `-m conntrack ${not(m.negated)}--ctstate ${m.states.join(",")}`,
  icmp: (m) =>
    `-m ${m.version === 4 ? "icmp" : "icmp6"} ${not(m.negated)}--${m.version === 4 ? "icmp-type" : "icmpv6-type"} ${m.type}${m.code === undefined ? "" : `/${m.code}`}`,
  addrType: (m) => `-m addrtype ${not(m.negated)}--${m.dir}-type ${m.type}`,
  rpfilterFailed: () => "-m rpfilter --invert --validmark",
  limit: (m) => `-m limit --limit ${m.rate}${m.burst === undefined ? "" : ` --limit-burst ${m.burst}`}`,
  unknown: (m) => m.text,
};

const actionText: ActionHandlers<string> = {
  accept: () => "-j ACCEPT",
  drop: () => "-j DROP",
  reject: () => "-j REJECT",
  return: () => "-j RETURN",
  jump: (a) => `-j ${a.target}`,
  goto: (a) => `-g ${a.target}`,
  setMark: (a) => `-j MARK --set-mark ${hex(a.value)}/${hex(a.mask)}`,
  clearMark: (a) => `-j MARK --set-mark 0x0/${hex(a.mask)}`,
  log: (a) => `-j LOG --log-prefix "${a.prefix}" --log-level ${a.level}`,
  nflog: (a) => `-j NFLOG --nflog-group ${a.group} --nflog-prefix "${a.prefix}"`,
  notrack: () => "-j NOTRACK",
  dnat: (a) => `-j DNAT --to-destination ${a.to}`,
  masquerade: () => "-j MASQUERADE",
  none: () => "",
  unknown: (a) => a.text,
};

export const ruleText = (rule: Rule): string => {
  const parts = [...rule.matches.map((m) => onMatch(matchText, m)), onAction(actionText, rule.action)];
  const text = parts.filter((p) => p !== "").join(" ");
  // A rule with no match and no target (Felix's comment-only first rule of an empty policy).
  return text === "" ? `(no-op${rule.comments[0] === undefined ? "" : `: ${rule.comments[0]}`})` : text;
};
