// The dataplane-neutral rule IR. Plain data tagged by `kind`, consumed by the iptables and nftables
// renderers and by the tracer. Matches are typed (never pre-rendered strings) so the tracer can
// evaluate them; within a rule, matches are ANDed and kept in the order Felix emits them, which the
// iptables renderer relies on to reproduce Felix's rule text and rule-hash comments.

import type { SourcePos } from "../resources/model.js";

export type IpVersion = 4 | 6;
export type TableName = "raw" | "mangle" | "nat" | "filter";
export type CtState = "NEW" | "ESTABLISHED" | "RELATED" | "INVALID" | "UNTRACKED" | "DNAT" | "SNAT";

/** A protocol by number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, 132 sctp, 136 udplite, ...). */
export type ProtocolNumber = number;

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

export type Match =
  /** `name` is kept when the user wrote a name: Felix renders "-p tcp" for names and "-p 6" for numbers. */
  | {
      readonly kind: "protocol";
      readonly protocol: ProtocolNumber;
      readonly name?: string;
      readonly negated: boolean;
    }
  | { readonly kind: "srcNet"; readonly cidr: string; readonly negated: boolean }
  | { readonly kind: "dstNet"; readonly cidr: string; readonly negated: boolean }
  | { readonly kind: "srcPorts"; readonly ports: readonly PortRange[]; readonly negated: boolean }
  | { readonly kind: "dstPorts"; readonly ports: readonly PortRange[]; readonly negated: boolean }
  /** ipset membership; `dirs` is ["src"], ["dst"], ["src","src"], ["dst","dst"] (ip,port sets). */
  | {
      readonly kind: "set";
      readonly set: string;
      readonly dirs: readonly ("src" | "dst")[];
      readonly negated: boolean;
    }
  /** Interface name; a trailing "+" is a prefix wildcard, as in iptables. */
  | { readonly kind: "inIface"; readonly name: string; readonly negated: boolean }
  | { readonly kind: "outIface"; readonly name: string; readonly negated: boolean }
  /** (packet mark & mask) == value, or != when negated. */
  | { readonly kind: "mark"; readonly value: number; readonly mask: number; readonly negated: boolean }
  | { readonly kind: "ctState"; readonly states: readonly CtState[]; readonly negated: boolean }
  /** ICMP (v4) or ICMPv6 type, optionally code. */
  | {
      readonly kind: "icmp";
      readonly version: IpVersion;
      readonly type: number;
      readonly code?: number;
      readonly negated: boolean;
    }
  | {
      readonly kind: "addrType";
      readonly dir: "src" | "dst";
      readonly type: "LOCAL";
      readonly negated: boolean;
    }
  | { readonly kind: "rpfilterFailed" }
  /** Rate limit (-m limit): the simulator treats it as always matching. */
  | { readonly kind: "limit"; readonly rate: string; readonly burst?: number }
  /** A match the parser does not understand; the tracer says so and states what it assumed. */
  | { readonly kind: "unknown"; readonly text: string; readonly assume: boolean };

export type MatchKind = Match["kind"];

export type Action =
  | { readonly kind: "accept" }
  | { readonly kind: "drop" }
  | { readonly kind: "reject" }
  | { readonly kind: "return" }
  | { readonly kind: "jump"; readonly target: string }
  | { readonly kind: "goto"; readonly target: string }
  /** mark = (mark & ~mask) | value. */
  | { readonly kind: "setMark"; readonly value: number; readonly mask: number }
  /** mark = mark & ~mask (Felix renders this one as "--set-mark 0/<mask>"). */
  | { readonly kind: "clearMark"; readonly mask: number }
  | { readonly kind: "log"; readonly prefix: string; readonly level: number }
  | { readonly kind: "nflog"; readonly group: number; readonly prefix: string; readonly size: number }
  | { readonly kind: "notrack" }
  | { readonly kind: "dnat"; readonly to: string }
  | { readonly kind: "masquerade" }
  /** A rule with no target: counts packets and falls through. */
  | { readonly kind: "none" }
  | { readonly kind: "unknown"; readonly text: string };

export type ActionKind = Action["kind"];

/** Where a rule comes from, so a trace can say what decided a packet. */
export type Origin =
  | {
      readonly kind: "policy";
      readonly policyKind: "GlobalNetworkPolicy" | "NetworkPolicy";
      readonly name: string;
      readonly namespace?: string;
      readonly tier: string;
      readonly direction: "ingress" | "egress";
      /** Index of the rule in spec.ingress / spec.egress; absent for the chain's bookkeeping rules. */
      readonly ruleIndex?: number;
      readonly source?: SourcePos;
    }
  | {
      readonly kind: "profile";
      readonly name: string;
      readonly direction: "ingress" | "egress";
      readonly ruleIndex?: number;
      readonly source?: SourcePos;
    }
  | { readonly kind: "failsafe"; readonly direction: "inbound" | "outbound"; readonly entry: string }
  /** Per-endpoint chain logic: conntrack, tier bookkeeping, end-of-tier / no-profile drops. */
  | {
      readonly kind: "endpoint";
      readonly endpoint: string;
      readonly interface: string;
      readonly role:
        | "conntrack"
        | "failsafe-jump"
        | "clear-marks"
        | "tier-start"
        | "policy-jump"
        | "policy-return"
        | "notrack"
        | "end-of-tier-drop"
        | "profile-jump"
        | "profile-return"
        | "no-profile-drop"
        | "forward-default-allow";
      readonly tier?: string;
      readonly policy?: string;
      readonly profile?: string;
    }
  | { readonly kind: "dispatch"; readonly endpoint?: string; readonly interface?: string }
  | { readonly kind: "host-to-workload" }
  | { readonly kind: "workload-to-host" }
  | { readonly kind: "static"; readonly what: string };

export interface Rule {
  readonly kind: "rule";
  readonly matches: readonly Match[];
  readonly action: Action;
  /** Human comments Felix attaches (without the cali:<hash> id comment). */
  readonly comments: readonly string[];
  readonly origin?: Origin;
}

export interface Chain {
  readonly kind: "chain";
  readonly name: string;
  readonly rules: readonly Rule[];
}

/**
 * A kernel (built-in) chain and the rules Felix hooks into it. Felix inserts its hook rules at the top
 * (or appends them); `inserted` and `appended` keep that distinction for the renderers.
 */
export interface HookChain {
  readonly kind: "hook";
  readonly name: "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";
  readonly inserted: readonly Rule[];
  readonly appended: readonly Rule[];
  /**
   * Rules of other software between Felix's inserted and appended rules (only in parsed dumps), and
   * the chain's policy (ACCEPT when absent, as on a node where nothing else changed it).
   */
  readonly others?: readonly Rule[];
  readonly policy?: "ACCEPT" | "DROP";
}

export interface Table {
  readonly kind: "table";
  readonly name: TableName;
  readonly hooks: readonly HookChain[];
  readonly chains: readonly Chain[];
}

export type SetType = "hash:net" | "hash:ip,port";

/** An IP set. Members are canonical addresses / CIDRs, or "ip,proto:port" for hash:ip,port. */
export interface IpSet {
  readonly kind: "set";
  /** Felix's set id, e.g. "s:lJVGDaqTNzSq4oOWKtH8pYj3zM-u5a8vGYAr8Q". */
  readonly id: string;
  /** Dataplane name, e.g. "cali40s:lJVGDaqTNzSq4oOWKtH8pYj". */
  readonly name: string;
  readonly type: SetType;
  readonly version: IpVersion;
  readonly members: readonly string[];
  /**
   * Known to have no member inside (or equal to) another as addresses: set by calc when every member is a
   * host address in its canonical spelling. A renderer that must not load overlapping members (nft interval
   * sets) then need not check; without it, it checks.
   */
  readonly disjoint?: true;
  /** What the set stands for, e.g. the selector text and named port. */
  readonly description: string;
}

export interface Warning {
  readonly code: string;
  readonly message: string;
  readonly resource?: string;
  readonly endpoint?: string;
}

/** Everything calisim would program for one node and one IP version. */
export interface Ruleset {
  readonly kind: "ruleset";
  readonly version: IpVersion;
  readonly tables: readonly Table[];
  readonly sets: readonly IpSet[];
  readonly warnings: readonly Warning[];
}

/** A handler per kind: adding a kind to the union breaks every consumer that forgot it. */
export type MatchHandlers<R> = { readonly [K in MatchKind]: (m: Extract<Match, { kind: K }>) => R };
export type ActionHandlers<R> = { readonly [K in ActionKind]: (a: Extract<Action, { kind: K }>) => R };

export const onMatch = <R>(handlers: MatchHandlers<R>, m: Match): R =>
  (handlers[m.kind] as (x: Match) => R)(m);
export const onAction = <R>(handlers: ActionHandlers<R>, a: Action): R =>
  (handlers[a.kind] as (x: Action) => R)(a);
