// IR Match → Felix's nft match text (felix/nftables/match_builder.go at 87c15906f2), the nft text we load, and the
// libnftables JSON statements (reference §1.5). Felix's text is what the rule hash is computed over, so it is
// reproduced exactly; the loadable text and JSON differ from it only where Felix's text does not say what the IR
// means or does not load (ICMP type+code, negated multi-state conntrack), as noted at each handler.

import { onMatch } from "../../rules/ir.js";
import type { CtState, IpVersion, Match, MatchHandlers, PortRange } from "../../rules/ir.js";
import { renderedOnce } from "../../rules/build.js";
import { addressExpr, goHex, meta, nftMatch, parseRate, payload, same } from "./expr.js";
import type { NftFragment } from "./expr.js";
import { nftSetName } from "./layout.js";
import type { NftExpr, NftMatchOp } from "./schema-expr.js";

export interface NftMatchContext {
  readonly version: IpVersion;
  /**
   * The rule's transport protocol for port matches (match_builder.go transportProto: tcp, udp or sctp from the
   * rule's Protocol/ProtocolNum match). Undefined falls back to `th`, which Felix never writes (it panics).
   */
  readonly transport?: "tcp" | "udp" | "sctp";
}

const ipProto = (v: IpVersion): "ip" | "ip6" => (v === 4 ? "ip" : "ip6");
const eqOp = (negated: boolean): NftMatchOp => (negated ? "!=" : "==");
const neq = (negated: boolean): string => (negated ? "!= " : "");
/** The IR's "src"/"dst" as nft's field letter: saddr, dport, ... */
const sd = (dir: "src" | "dst"): "s" | "d" => (dir === "src" ? "s" : "d");

/** Transport protocols Felix can write port matches for (match_builder.go transportProto). */
const TRANSPORT: Readonly<Record<number, "tcp" | "udp" | "sctp">> = { 6: "tcp", 17: "udp", 132: "sctp" };

/** The rule's transport protocol, from its first positive protocol match. */
export const transportOf = (matches: readonly Match[]): NftMatchContext["transport"] => {
  // An indexed loop, not find() with a closure or a `for…of` (whose iterator results unoptimised code
  // allocates): this runs for every rule rendered.
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i]!;
    if (m.kind === "protocol" && !m.negated) return TRANSPORT[m.protocol];
  }
  return undefined;
};

/** PortRangesToMultiport: always an anonymous set, even for one port (match_builder.go:567-588). */
const portsFelix = (ports: readonly PortRange[]): string =>
  `{ ${ports.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(", ")} }`;
const portsExpr = (ports: readonly PortRange[]): NftExpr => ({
  set: ports.map((p): NftExpr => (p.from === p.to ? p.from : { range: [p.from, p.to] })),
});

type PortsMatch = Extract<Match, { kind: "srcPorts" | "dstPorts" }> & {
  readonly form?: "multiport" | "single";
};

const portsFragment = (m: PortsMatch, ctx: NftMatchContext): NftFragment => {
  const proto = ctx.transport ?? "th";
  const field = m.kind === "srcPorts" ? "sport" : "dport";
  const [only] = m.ports;
  // DestPort(port): a bare value, no braces (match_builder.go:457-459); the IR marks it with form "single".
  if (m.form === "single" && only !== undefined && m.ports.length === 1 && only.from === only.to) {
    return same(`${proto} ${field} ${neq(m.negated)}${only.from}`, [
      nftMatch(payload(proto, field), only.from, eqOp(m.negated)),
    ]);
  }
  return same(`${proto} ${field} ${neq(m.negated)}${portsFelix(m.ports)}`, [
    nftMatch(payload(proto, field), portsExpr(m.ports), eqOp(m.negated)),
  ]);
};

/** iptables writes `cali+`; nft's wildcard is a trailing `*` (match_builder.go:31). */
export const nftIfaceName = (name: string): string => {
  if (name === "+") throw new Error("bug: nft has no match-any interface name (a bare * is rejected)");
  return name.endsWith("+") ? `${name.slice(0, -1)}*` : name;
};

const ifaceFragment = (key: "iifname" | "oifname", name: string, negated: boolean): NftFragment => {
  const n = nftIfaceName(name);
  return {
    // InInterface/OutInterface write the name unquoted; nft prints it quoted, which also loads any name.
    felix: `${key} ${neq(negated)}${n}`,
    text: `${key} ${neq(negated)}${JSON.stringify(n)}`,
    expr: [nftMatch(meta(key), n, eqOp(negated))],
  };
};

/** ct status bits among the IR's conntrack states (iptables --ctstate DNAT/SNAT). */
const STATUS: ReadonlySet<CtState> = new Set<CtState>(["DNAT", "SNAT"]);

const ctFragment = (m: Extract<Match, { kind: "ctState" }>): NftFragment => {
  const words = m.states.map((st) => st.toLowerCase());
  const status = m.states.filter((st) => STATUS.has(st)).length;
  if (status > 0 && status < m.states.length) {
    throw new Error(`bug: conntrack states ${m.states.join(",")} mix nft ct state and ct status`);
  }
  const ct = { ct: { key: status > 0 ? "status" : "state" } } as const;
  const felix = `ct ${ct.ct.key} ${neq(m.negated)}${words.join(",")}`;
  const [first] = words;
  if (first === undefined) throw new Error("bug: empty conntrack state match");
  const value: NftExpr = words.length === 1 ? first : words;
  // ConntrackState/Status: a flag test, op "in" (an "==" with a list is an exact compare that never matches).
  if (!m.negated) return same(felix, [nftMatch(ct, value, "in")]);
  // NotConntrackStatus ("ct status != dnat", static.go:855-861) is an exact compare of the status word on
  // nft 1.0.6 (reference §3 pitfall 7); kept as Felix writes it. A single ct state works as != too, as a
  // connection has exactly one state.
  if (words.length === 1 || status > 0) return same(felix, [nftMatch(ct, value, "!=")]);
  // `ct state != a,b` compiles to `cmp neq 0x6`, which every packet passes; the set lookup means "neither".
  return {
    felix,
    text: `ct state != { ${words.join(", ")} }`,
    expr: [nftMatch(ct, { set: words }, "!=")],
  };
};

const icmpFragment = (m: Extract<Match, { kind: "icmp" }>): NftFragment => {
  const p = m.version === 4 ? "icmp" : "icmpv6";
  const type = payload(p, "type");
  if (m.code === undefined) {
    return same(`${p} type ${neq(m.negated)}${m.type}`, [nftMatch(type, m.type, eqOp(m.negated))]);
  }
  const code = payload(p, "code");
  // ICMPTypeAndCode writes `icmp type T code C` (match_builder.go:507-510), which nft 1.0.6 rejects ("No symbol
  // type information"; reference §3 pitfall 8). Felix's text is kept for the hash; we load two matches.
  const felix = `${p} type ${neq(m.negated)}${m.type} code ${neq(m.negated)}${m.code}`;
  if (!m.negated) {
    return {
      felix,
      text: `${p} type ${m.type} ${p} code ${m.code}`,
      expr: [nftMatch(type, m.type), nftMatch(code, m.code)],
    };
  }
  // Negated, the IR (iptables `! --icmp-type T/C`) means "not (type T and code C)"; two != matches would mean
  // "type differs and code differs", so the pair is compared as one concatenation.
  return {
    felix,
    text: `${p} type . ${p} code != { ${m.type} . ${m.code} }`,
    expr: [nftMatch({ concat: [type, code] }, { set: [{ concat: [m.type, m.code] }] }, "!=")],
  };
};

const limitFragment = (m: Extract<Match, { kind: "limit" }>): NftFragment => {
  const r = parseRate(m.rate);
  const burst = m.burst === undefined ? "" : ` burst ${m.burst} packets`;
  return {
    felix: `limit rate ${m.rate}${burst}`,
    text: `limit rate ${r.rate}/${r.per}${burst}`,
    expr: [{ limit: { rate: r.rate, per: r.per, ...(m.burst === undefined ? {} : { burst: m.burst }) } }],
  };
};

const setFragment = (m: Extract<Match, { kind: "set" }>, v: IpVersion): NftFragment => {
  const name = nftSetName(m.set);
  const [dir, port, ...rest] = m.dirs;
  if (dir === undefined || rest.length > 0 || (port !== undefined && port !== dir)) {
    throw new Error(`bug: set match directions ${m.dirs.join(",")} have no nft form`);
  }
  const addr = payload(ipProto(v), `${sd(dir)}addr`);
  if (port === undefined) {
    // SourceIPSet / DestIPSet (match_builder.go:378-412).
    return same(`${ipProto(v)} ${sd(dir)}addr ${neq(m.negated)}@${name}`, [
      nftMatch(addr, `@${name}`, eqOp(m.negated)),
    ]);
  }
  // SourceIPPortSet / DestIPPortSet: address . protocol . port against an ip,port set (match_builder.go:414-428).
  return same(`${ipProto(v)} ${sd(dir)}addr . meta l4proto . th ${sd(dir)}port ${neq(m.negated)}@${name}`, [
    nftMatch(
      { concat: [addr, meta("l4proto"), payload("th", `${sd(dir)}port`)] },
      `@${name}`,
      eqOp(m.negated),
    ),
  ]);
};

export const nftMatchHandlers = (ctx: NftMatchContext): MatchHandlers<NftFragment> => ({
  // Protocol(name) writes the name, ProtocolNum(n) the number (match_builder.go:318-356; policy.go:779-794).
  protocol: (m) => {
    const spelling = (m as { readonly spelling?: string }).spelling;
    const word: string | number =
      m.name !== undefined && spelling !== "number" ? m.name.toLowerCase() : m.protocol;
    return same(`meta l4proto ${neq(m.negated)}${word}`, [nftMatch(meta("l4proto"), word, eqOp(m.negated))]);
  },
  srcNet: (m) =>
    same(`${ipProto(ctx.version)} saddr ${neq(m.negated)}${m.cidr}`, [
      nftMatch(payload(ipProto(ctx.version), "saddr"), addressExpr(m.cidr), eqOp(m.negated)),
    ]),
  dstNet: (m) =>
    same(`${ipProto(ctx.version)} daddr ${neq(m.negated)}${m.cidr}`, [
      nftMatch(payload(ipProto(ctx.version), "daddr"), addressExpr(m.cidr), eqOp(m.negated)),
    ]),
  srcPorts: (m) => portsFragment(m, ctx),
  dstPorts: (m) => portsFragment(m, ctx),
  set: (m) => setFragment(m, ctx.version),
  inIface: (m) => ifaceFragment("iifname", m.name, m.negated),
  outIface: (m) => ifaceFragment("oifname", m.name, m.negated),
  // MarkClear / MarkNotClear write a literal 0, MarkMatchesWithMask `%#x` (match_builder.go:191-245).
  mark: (m) =>
    same(`meta mark & ${goHex(m.mask)} ${m.negated ? "!=" : "=="} ${m.value === 0 ? "0" : goHex(m.value)}`, [
      nftMatch({ "&": [meta("mark"), m.mask >>> 0] }, m.value >>> 0, eqOp(m.negated)),
    ]),
  ctState: (m) => ctFragment(m),
  icmp: (m) => icmpFragment(m),
  // DestAddrType / SrcAddrType (match_builder.go:270-296).
  addrType: (m) =>
    same(`fib ${sd(m.dir)}addr type ${neq(m.negated)}${m.type.toLowerCase()}`, [
      nftMatch(
        { fib: { result: "type", flags: [`${sd(m.dir)}addr`] } },
        m.type.toLowerCase(),
        eqOp(m.negated),
      ),
    ]),
  // RPFCheckFailed (match_builder.go:257-260): no route back out of any interface.
  rpfilterFailed: () =>
    same("fib saddr . mark . iif oif 0", [
      nftMatch({ fib: { result: "oif", flags: ["saddr", "mark", "iif"] } }, 0),
    ]),
  limit: (m) => limitFragment(m),
  unknown: (m) => {
    throw new Error(`cannot render an unknown match as nft: ${m.text}`);
  },
});

/** One IR match as nft fragments. */
export const matchFragment = (m: Match, ctx: NftMatchContext): NftFragment =>
  matchRenderer(ctx.version, ctx.transport)(m);

// Handlers are built once per (version, transport), not once per match. Most matches are one object per
// value, shared by thousands of rules (rules/build.ts): each is rendered once per context, and its
// statements, shared in turn, have their JSON written once (render.ts).
type Transport = NftMatchContext["transport"];
const TRANSPORTS: readonly Transport[] = [undefined, "tcp", "udp", "sctp"];
// By version, then by transport's position in TRANSPORTS: looked up for every rule, so no key is built.
const renderers: Record<IpVersion, ((m: Match) => NftFragment)[]> = { 4: [], 6: [] };

/** Renders a match as nft fragments in a context, kept per match object where the IR shares them. */
export const matchRenderer = (version: IpVersion, transport: Transport): ((m: Match) => NftFragment) => {
  const at = TRANSPORTS.indexOf(transport);
  let render = renderers[version][at];
  if (render === undefined) {
    const handlers = nftMatchHandlers(transport === undefined ? { version } : { version, transport });
    const fragments = new WeakMap<Match, NftFragment>();
    const make = (m: Match): NftFragment => onMatch(handlers, m);
    render = (m) => renderedOnce(fragments, m, make);
    renderers[version][at] = render;
  }
  return render;
};
