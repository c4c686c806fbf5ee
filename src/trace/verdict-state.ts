// The state the generated verdict code (verdict-code.ts) reads and writes: the packet unpacked into plain
// numbers once, so each rule compares numbers instead of calling a closure per match.

import type { Addr } from "./addr.js";
import { CT_BIT } from "./state.js";

/** One object reused for every packet of a batch. */
export interface VerdictState {
  /** Source / destination: IPv4 as a uint32 number (0 for IPv6), IPv6 as a bigint (0n for IPv4). */
  s: number;
  d: number;
  s6: bigint;
  d6: bigint;
  srcA: Addr;
  dstA: Addr;
  /** The addresses as four int32 words each (IPv4: the address and three zeros), for memo keys. */
  sw: readonly number[];
  dw: readonly number[];
  p: number;
  /** Source / destination port when the protocol carries ports and the packet has one, else -1. */
  sp: number;
  dp: number;
  /** The packet is of this family's ICMP and has a type (what -m icmp / icmp6 require), its type and code. */
  ih: boolean;
  it: number | undefined;
  ic: number | undefined;
  /** The devices -i / -o compare against in the current hook, and their ids (verdict-memo.ts). */
  i: string;
  o: string;
  ii: number;
  oi: number;
  /** The mark as int32 (same bits as the kernel's u32). */
  m: number;
  ct: number;
  isLocal: (a: Addr, dir: "src" | "dst") => boolean;
}

/** A chain's walk: 0 RETURN or end of chain (for a kernel chain: its policy), 1 ACCEPT, 2 DROP. */
export type ChainFn = (s: VerdictState) => 0 | 1 | 2;

/** Protocols whose packets carry ports (state.ts PORT_PROTOCOLS). */
export const PORT_PROTOS: ReadonlySet<number> = new Set([6, 17, 132, 136]);

const MASK32 = 0xffffffffn;

/** An address as four int32 words, most significant first. */
export const addrWords = (a: Addr): readonly number[] =>
  a.v === 4
    ? [Number(a.n) | 0, 0, 0, 0]
    : [96n, 64n, 32n, 0n].map((shift) => Number((a.n >> shift) & MASK32) | 0);

/** Points the packet at `to` (and `port` unless -1), as DNAT does, marking the flow DNATed. */
export const retarget = (s: VerdictState, to: Addr, port: number): void => {
  s.dstA = to;
  s.dw = addrWords(to);
  if (to.v === 4) s.d = Number(to.n);
  else s.d6 = to.n;
  if (port !== -1) s.dp = PORT_PROTOS.has(s.p) ? port : -1;
  s.ct |= CT_BIT.DNAT;
};
