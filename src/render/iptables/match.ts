// IR Match → the iptables fragment Felix writes for it (felix/iptables/match_builder.go at 87c15906f2).
// Each fragment is exactly Felix's text so the rule hashes (which hash the text) come out identical.

import { onMatch } from "../../rules/ir.js";
import type { Match, MatchHandlers, PortRange } from "../../rules/ir.js";
import { renderedOnce } from "../../rules/build.js";

/**
 * Ports are written with multiport (`-m multiport --destination-ports`) except Felix's raw-table VXLAN NOTRACK
 * rule, which uses the implicit protocol match `--dport <n>` (static.go: Protocol("udp").DestPort(port)).
 * Proposed IR field `form`; until then the renderer reads it when present.
 */
export type PortsForm = "multiport" | "single";
export type PortsMatch = Extract<Match, { kind: "srcPorts" | "dstPorts" }> & { readonly form?: PortsForm };

/** iptables multiport takes at most 15 "slots"; a range uses two (felix/rules/policy.go SplitPortList). */
export const MULTIPORT_SLOTS = 15;

/** Felix SplitPortList: consecutive groups that each fit in one multiport match. */
export const splitPortList = (ports: readonly PortRange[]): PortRange[][] => {
  const splits: PortRange[][] = [];
  let current: PortRange[] = [];
  let free = MULTIPORT_SLOTS;
  for (const p of ports) {
    const need = p.from === p.to ? 1 : 2;
    if (free < need) {
      splits.push(current);
      current = [];
      free = MULTIPORT_SLOTS;
    }
    current.push(p);
    free -= need;
  }
  if (current.length > 0) splits.push(current);
  return splits;
};

/** Felix PortRangesToMultiport: `22,80:90`. */
export const portsText = (ports: readonly PortRange[]): string =>
  ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}:${p.to}`)).join(",");

/** Go's `%#x` for a uint32: `0x10000`, and `0x0` for zero. */
export const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

const not = (negated: boolean): string => (negated ? "! " : "");

/**
 * Felix writes `-p <name>` when the policy named the protocol (Protocol(name), lower-cased by the v1 conversion)
 * and `-p <number>` for numeric protocols and its own IPIP / VXLAN / ICMPv6 static rules (ProtocolNum;
 * felix/rules/policy.go appendProtocolMatch, static.go). The IR keeps the name only in the first case.
 */
const protocolText = (m: Extract<Match, { kind: "protocol" }>): string =>
  `${not(m.negated)}-p ${m.name ?? m.protocol}`;

const portsFragment = (m: PortsMatch): string => {
  const dir = m.kind === "srcPorts" ? "source" : "destination";
  if (m.form === "single") {
    // DestPort(port): the implicit tcp/udp match that `-p udp` loads.
    const [only, ...rest] = m.ports;
    if (only === undefined || rest.length > 0)
      throw new Error("bug: single-port form needs exactly one range");
    return `${not(m.negated)}--${m.kind === "srcPorts" ? "sport" : "dport"} ${portsText([only])}`;
  }
  const splits = splitPortList(m.ports);
  if (splits.length > 1 && !m.negated) {
    // Positive lists that overflow are split into match blocks by the rule builder (policy.go), not here.
    throw new Error(
      `bug: ${m.ports.length} ports need ${splits.length} multiport matches; split them upstream`,
    );
  }
  // Negated lists: one `! --…-ports` match per split, ANDed in one rule (policy.go NotDstPorts loop).
  return splits.map((s) => `-m multiport ${not(m.negated)}--${dir}-ports ${portsText(s)}`).join(" ");
};

/** Mark match: MarkClear / MarkNotClear write a literal `0`; otherwise `%#x/%#x` (match_builder.go). */
const markText = (value: number, mask: number): string => `${value === 0 ? "0" : hex(value)}/${hex(mask)}`;

const icmpCode = (code: number | undefined): string => (code === undefined ? "" : `/${code}`);

export const iptablesMatchHandlers: MatchHandlers<string> = {
  protocol: protocolText,
  srcNet: (m) => `${not(m.negated)}--source ${m.cidr}`,
  dstNet: (m) => `${not(m.negated)}--destination ${m.cidr}`,
  srcPorts: (m) => portsFragment(m),
  dstPorts: (m) => portsFragment(m),
  set: (m) => `-m set ${not(m.negated)}--match-set ${m.set} ${m.dirs.join(",")}`,
  inIface: (m) => `${not(m.negated)}--in-interface ${m.name}`,
  outIface: (m) => `${not(m.negated)}--out-interface ${m.name}`,
  mark: (m) => `-m mark ${not(m.negated)}--mark ${markText(m.value, m.mask)}`,
  ctState: (m) => `-m conntrack ${not(m.negated)}--ctstate ${m.states.join(",")}`,
  icmp: (m) =>
    m.version === 4
      ? `-m icmp ${not(m.negated)}--icmp-type ${m.type}${icmpCode(m.code)}`
      : `-m icmp6 ${not(m.negated)}--icmpv6-type ${m.type}${icmpCode(m.code)}`,
  addrType: (m) => `-m addrtype ${not(m.negated)}--${m.dir}-type ${m.type}`,
  rpfilterFailed: () => "-m rpfilter --invert --validmark",
  limit: (m) => `-m limit --limit ${m.rate}${m.burst === undefined ? "" : ` --limit-burst ${m.burst}`}`,
  unknown: (m) => m.text,
};

// Most matches are one object per value, shared by thousands of rules (rules/build.ts): each is spelled once.
const spelled = new WeakMap<Match, string>();
const spell = (m: Match): string => onMatch(iptablesMatchHandlers, m);

/** One match as Felix's fragment text. */
export const matchFragment = (m: Match): string => renderedOnce(spelled, m, spell);
