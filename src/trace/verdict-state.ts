// The state the generated verdict code (verdict-code.ts) reads and writes: the packet unpacked into plain
// numbers once, so each rule compares numbers instead of calling a closure per match.

import type { Addr } from "./addr.js";
import { CT_BIT } from "./state.js";
import type { AddrEntry } from "./verdict-intern.js";

/** One object reused for every packet of a batch. */
export interface VerdictState {
  /** Source / destination: IPv4 as a uint32 number (0 for IPv6), IPv6 as a bigint (0n for IPv4). */
  s: number;
  d: number;
  s6: bigint;
  d6: bigint;
  srcA: Addr;
  dstA: Addr;
  /** The addresses' ids (verdict-intern.ts), for memo keys. */
  sid: number;
  did: number;
  /** Are the source / destination local (-m addrtype LOCAL, as trace()'s isLocal answers)? */
  ls: boolean;
  ld: boolean;
  p: number;
  /** Source / destination port when the protocol carries ports and the packet has one, else -1. */
  sp: number;
  dp: number;
  /** The packet is of this family's ICMP and has a type (what -m icmp / icmp6 require), its type and code. */
  ih: boolean;
  it: number | undefined;
  ic: number | undefined;
  /** ICMP type and code for memo keys: 0 without `ih`, -1 when they are not bytes (not memoised). */
  ik: number;
  /** The devices -i / -o compare against in the current hook, and their ids (verdict-intern.ts). */
  i: string;
  o: string;
  ii: number;
  oi: number;
  /** The mark as int32 (same bits as the kernel's u32). */
  m: number;
  ct: number;
  /** The entry of an address (a DNAT target), and whether it is local as a destination. */
  entryOf: (a: Addr) => AddrEntry;
  localDst: (e: AddrEntry) => boolean;
}

/** A chain's walk: 0 RETURN or end of chain (for a kernel chain: its policy), 1 ACCEPT, 2 DROP. */
export type ChainFn = (s: VerdictState) => 0 | 1 | 2;

/** Protocols whose packets carry ports (state.ts PORT_PROTOCOLS). */
export const PORT_PROTOS: ReadonlySet<number> = new Set([6, 17, 132, 136]);

/** ICMP type and code as one number for memo keys (see `ik`). */
export const icmpKey = (type: number, code: number | undefined): number => {
  const byte = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 255;
  if (!byte(type) || (code !== undefined && !byte(code))) return -1;
  return 1 + type * 257 + (code === undefined ? 256 : code);
};

/** Points the packet at the address of `to` (and `port` unless -1), as DNAT does, marking the flow DNATed. */
export const retargetEntry = (s: VerdictState, to: AddrEntry, port: number): void => {
  s.dstA = to.a;
  s.did = to.id;
  s.ld = s.localDst(to);
  if (to.a.v === 4) s.d = to.n;
  else s.d6 = to.a.n;
  if (port !== -1) s.dp = PORT_PROTOS.has(s.p) ? port : -1;
  s.ct |= CT_BIT.DNAT;
};

/** retargetEntry for an address (the generated code's DNAT targets). */
export const retarget = (s: VerdictState, to: Addr, port: number): void =>
  retargetEntry(s, s.entryOf(to), port);
