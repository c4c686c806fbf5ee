// The mutable state of one packet's walk, as the compiled matches and actions see it.

import type { CtState, IpVersion, TableName } from "../rules/ir.js";
import type { Addr } from "./addr.js";
import type { HookName } from "./types.js";

/** Conntrack state bits (xt_conntrack's XT_CONNTRACK_STATE_* plus the DNAT/SNAT status pseudo-states). */
export const CT_BIT: Readonly<Record<CtState, number>> = {
  NEW: 1,
  ESTABLISHED: 2,
  RELATED: 4,
  INVALID: 8,
  UNTRACKED: 16,
  DNAT: 32,
  SNAT: 64,
};

export interface WalkState {
  readonly version: IpVersion;
  readonly src: Addr;
  dst: Addr;
  readonly proto: number;
  readonly sport: number | undefined;
  dport: number | undefined;
  readonly icmpType: number | undefined;
  readonly icmpCode: number | undefined;
  /** The names `-i` / `-o` compare against in the current hook ("" where the kernel has no device). */
  inIface: string;
  outIface: string;
  hook: HookName;
  table: TableName;
  mark: number;
  /** Current conntrack bits (CT_BIT); INVALID before the conntrack lookup, as xt_conntrack sees no ct yet. */
  ctBits: number;
  /** Is the address one of the node's own (for -m addrtype LOCAL)? */
  readonly isLocal: (a: Addr, dir: "src" | "dst") => boolean;
  /** Record a warning or an assumption (deduplicated per trace). */
  readonly note: (kind: "warning" | "assumption", text: string) => void;
}

/** What an action tells the walker to do next. `push` false is a goto (no return frame). */
export type Control =
  | { readonly k: "next" }
  | { readonly k: "call"; readonly chain: string; readonly push: boolean }
  | { readonly k: "return" }
  | { readonly k: "accept" }
  | { readonly k: "drop" };

export type Test = (s: WalkState) => boolean;
export type Act = (s: WalkState) => Control;

/** Protocols whose packets carry ports (the ones xt_multiport and ipset's ip,port accept). */
export const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132, 136]);
