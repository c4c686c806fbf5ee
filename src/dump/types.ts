// The normalised form of an iptables-save / ip6tables-save dump (or iptables-restore input): tables, chains and
// rules in kernel order, each rule as IR data plus where it came from in the text.

import type { IpVersion, Rule, SetType, TableName } from "../rules/ir.js";

export type Counters = readonly [packets: number, bytes: number];

export interface DumpRule {
  readonly rule: Rule;
  /** The Felix rule id from a `cali:<16 chars>` comment (the first such comment), without the prefix. */
  readonly id?: string;
  readonly counters?: Counters;
  /** 1-based line in the input text. */
  readonly line: number;
  /** The line as written. */
  readonly text: string;
}

export interface DumpChain {
  readonly name: string;
  /** A kernel chain (declared with a policy, or a hook chain name used without declaration). */
  readonly builtin: boolean;
  readonly policy?: "ACCEPT" | "DROP";
  readonly counters?: Counters;
  readonly rules: readonly DumpRule[];
}

export interface DumpTable {
  readonly name: TableName;
  readonly chains: readonly DumpChain[];
}

export interface Dump {
  readonly tables: readonly DumpTable[];
  /** Everything the parser could not model exactly: unknown matches and targets, ignored options, notes. */
  readonly warnings: readonly string[];
}

export interface ParseError {
  /** 1-based line. */
  readonly line: number;
  readonly message: string;
  readonly text: string;
}

export interface ParseIptablesOptions {
  /**
   * What the tracer should assume an unknown match does (`Match.assume`): true = it matches. Default true,
   * so a rule with an unrecognised condition still shows its action in a trace.
   */
  readonly assumeUnknown?: boolean;
}

/** One set from `ipset save` (or `ipset restore` input). */
export interface DumpIpSet {
  readonly name: string;
  /** The kernel type, e.g. "hash:net"; types the IR does not model are kept as written. */
  readonly type: SetType | string;
  readonly family: "inet" | "inet6";
  /** Creation options other than the family, e.g. { maxelem: "1048576", hashsize: "1024" }. */
  readonly options: Readonly<Record<string, string>>;
  readonly members: readonly string[];
  readonly line: number;
}

export const familyVersion = (family: "inet" | "inet6"): IpVersion => (family === "inet" ? 4 : 6);
