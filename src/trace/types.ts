// The tracer's public data: the packet it walks, the steps it records and the verdict it explains.

import type { ActionKind, Origin, TableName } from "../rules/ir.js";
import type { SourcePos } from "../resources/model.js";

export type HookName = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";
export type PacketState = "new" | "established" | "related" | "invalid";

/**
 * A packet as netfilter sees it. `in` only = arriving for local delivery (PREROUTING → INPUT), `out` only =
 * locally generated (OUTPUT → POSTROUTING), both = forwarded (PREROUTING → FORWARD → POSTROUTING).
 * `state` is what conntrack will find; `dnatTo` is a DNAT (kube-proxy, a NodePort, …) applied at nat
 * PREROUTING / OUTPUT. `mark` is the mark the packet carries into netfilter (default 0).
 */
export interface Packet {
  readonly in?: string;
  readonly out?: string;
  readonly src: string;
  readonly dst: string;
  readonly proto: number;
  readonly sport?: number;
  readonly dport?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly state: PacketState;
  readonly mark?: number;
  readonly dnatTo?: { readonly ip: string; readonly port?: number };
}

export interface TraceOptions {
  /**
   * The node's own addresses, for `-m addrtype --dst-type LOCAL` / `--src-type LOCAL`. When absent the
   * tracer assumes the destination is local exactly when the packet is delivered locally (and the source
   * when it is locally generated), and says so in `assumptions`.
   */
  readonly localAddresses?: readonly string[];
  /** Also record the rules that were evaluated and did not match (`matched: false`). */
  readonly verbose?: boolean;
}

/** One evaluated rule. `ruleIndex` counts from 0 within the chain (for a kernel chain: inserted, others, appended). */
export interface RuleStep {
  readonly kind: "rule";
  readonly table: TableName;
  readonly hook: HookName;
  readonly chain: string;
  readonly ruleIndex: number;
  /** iptables-style summary, e.g. `-m mark --mark 0x10000/0x10000 -j RETURN`. */
  readonly rule: string;
  readonly action: ActionKind;
  readonly matched: boolean;
  readonly origin?: Origin;
  /** The packet mark after the rule ran. */
  readonly markAfter: number;
  /** Chain nesting for display: 0 in the kernel chain, +1 per jump or goto. */
  readonly depth: number;
}

/** Something netfilter did between rules: entering a table's hook, conntrack, NAT, a chain policy. */
export interface EventStep {
  readonly kind: "event";
  readonly event: "hook" | "conntrack" | "nat" | "policy" | "abort";
  readonly hook: HookName;
  readonly table?: TableName;
  readonly text: string;
  readonly markAfter: number;
  readonly depth: number;
}

export type Step = RuleStep | EventStep;

/**
 * What decided the verdict; the kinds are explained in src/trace/explain.ts. `step` is the index in `path`
 * of the deciding rule (or chain-policy event) when there is one.
 */
export type DecidedByKind =
  | "failsafe"
  | "policy"
  | "profile"
  | "default-drop"
  | "default-allow"
  | "conntrack"
  | "no-endpoint"
  | "host-to-workload"
  | "workload-to-host"
  | "untracked"
  | "pre-dnat"
  | "chain-policy"
  | "other-rule"
  | "invalid-packet";

export interface DecidedBy {
  readonly kind: DecidedByKind;
  readonly name?: string;
  readonly ruleIndex?: number;
  readonly tier?: string;
  readonly source?: SourcePos;
  readonly endpoint?: string;
  readonly interface?: string;
  readonly step?: number;
  readonly detail: string;
}

export interface TraceResult {
  readonly verdict: "accept" | "drop";
  readonly decidedBy: DecidedBy;
  readonly warnings: readonly string[];
  readonly path: readonly Step[];
  readonly assumptions: readonly string[];
}
