// Memoised hook walks. A table's hook walk is a pure function of the packet fields its rules read (and of
// the mark and conntrack state it starts with); its outcome is the verdict code, the mark and the conntrack
// state it leaves. Batches repeat those fields a lot (the same peers, ports and interfaces), so each walk is
// looked up by exactly those fields (verdict-reads.ts) and only run on a miss. A walk that can DNAT changes
// the destination too and is never memoised.

import type { Reads } from "./verdict-reads.js";
import { portClasses } from "./verdict-reads.js";
import type { ChainFn, VerdictState } from "./verdict-state.js";

/** What a hook's key is made of. */
export interface HookKey {
  /** 1-based, so an empty slot (0) never equals a key. */
  readonly id: number;
  readonly src: boolean;
  readonly dst: boolean;
  readonly proto: boolean;
  /** Port → class representative (verdict-reads.ts); "exact": the port; undefined: not read. */
  readonly sp: Int32Array | "exact" | undefined;
  readonly dp: Int32Array | "exact" | undefined;
  readonly icmp: boolean;
  readonly inIface: boolean;
  readonly outIface: boolean;
  readonly local: boolean;
}

/** Every field the generated code can read; a hook reading anything else is not memoised. */
const KNOWN = new Set([
  "s",
  "d",
  "s6",
  "d6",
  "srcA",
  "dstA",
  "p",
  "sp",
  "dp",
  "ih",
  "it",
  "ic",
  "i",
  "o",
  "m",
  "ct",
]);
const has = (r: Reads, ...fields: string[]): boolean => fields.some((f) => r.fields.has(f));

/** The key of a hook reading `r`; undefined when it cannot be memoised. */
export const hookKey = (id: number, r: Reads): HookKey | undefined => {
  for (const f of r.fields) if (!KNOWN.has(f) && f !== "isLocal") return undefined;
  const ports = (read: boolean, cuts: Reads["sp"]): HookKey["sp"] =>
    !read ? undefined : cuts === "exact" ? "exact" : portClasses(cuts);
  return {
    id: id + 1,
    src: has(r, "s", "s6", "srcA"),
    dst: has(r, "d", "d6", "dstA"),
    proto: has(r, "p"),
    sp: ports(has(r, "sp"), r.sp),
    dp: ports(has(r, "dp"), r.dp),
    icmp: has(r, "ih", "it", "ic"),
    inIface: has(r, "i"),
    outIface: has(r, "o"),
    local: has(r, "isLocal"),
  };
};

/** Slots of a key: 8 for IPv4 (see fillKey), 6 more for the rest of IPv6 addresses. */
const widthOf = (version: 4 | 6): number => (version === 4 ? 8 : 14);
/** At most 2^19 slots (of which half are used before the table starts over). */
const MAX_BITS = 19;

/** An open-addressing table from keys (int32s) to outcomes (verdict code, mark, conntrack bits). */
export interface Memo {
  readonly width: number;
  bits: number;
  size: number;
  keys: Int32Array;
  vals: Int32Array;
  readonly key: Int32Array;
  /** Interface names → ids, for keys (-1 past the cap: not memoised). */
  readonly ifaces: Map<string, number>;
}

export const createMemo = (version: 4 | 6): Memo => {
  const width = widthOf(version);
  return {
    width,
    bits: 14,
    size: 0,
    keys: new Int32Array(width << 14),
    vals: new Int32Array(3 << 14),
    key: new Int32Array(width),
    ifaces: new Map([["", 0]]),
  };
};

export const ifaceId = (m: Memo, name: string): number => {
  let id = m.ifaces.get(name);
  if (id === undefined) {
    if (m.ifaces.size >= 65536) return -1;
    id = m.ifaces.size;
    m.ifaces.set(name, id);
  }
  return id;
};

/** The slot holding `k`, or the empty slot where it goes. */
const slotOf = (m: Memo, k: Int32Array): number => {
  const w = m.width;
  let h = 0x3c6ef372;
  for (let i = 0; i < w; i++) {
    h = Math.imul(h ^ k[i]!, 0x85ebca6b);
    h ^= h >>> 15;
  }
  const mask = (1 << m.bits) - 1;
  const keys = m.keys;
  for (let slot = h & mask; ; slot = (slot + 1) & mask) {
    const base = slot * w;
    if (keys[base] === 0) return slot;
    let i = 0;
    while (i < w && keys[base + i] === k[i]) i++;
    if (i === w) return slot;
  }
};

const grow = (m: Memo): void => {
  const { keys, vals, bits, width: w } = m;
  // Past the largest table, start over: the memo is a cache.
  m.bits = Math.min(MAX_BITS, bits + 1);
  m.keys = new Int32Array(w << m.bits);
  m.vals = new Int32Array(3 << m.bits);
  m.size = 0;
  if (m.bits === bits) return;
  const k = new Int32Array(w);
  for (let slot = 0; slot < 1 << bits; slot++) {
    if (keys[slot * w] === 0) continue;
    k.set(keys.subarray(slot * w, slot * w + w));
    const to = slotOf(m, k);
    m.keys.set(k, to * w);
    m.vals.set(vals.subarray(slot * 3, slot * 3 + 3), to * 3);
    m.size++;
  }
};

/**
 * The packet's key for hook `h` in `m.key`; false when the packet cannot be memoised. Slots: 0 the hook id,
 * protocol, local-address bits and conntrack bits; 1, 2 source and destination (IPv4, or the top words of
 * IPv6); 3, 4 the port classes; 5 ICMP type and code; 6 the interface ids; 7 the mark; 8-13 the rest of
 * IPv6 addresses. Fields the hook does not read are 0.
 */
const fillKey = (m: Memo, h: HookKey, s: VerdictState): boolean => {
  const k = m.key;
  let icmp = 0;
  if (h.icmp && s.ih) {
    const t = s.it!;
    const c = s.ic;
    if (!Number.isInteger(t) || t < 0 || t > 255) return false;
    if (c !== undefined && (!Number.isInteger(c) || c < 0 || c > 255)) return false;
    icmp = 1 + t * 257 + (c === undefined ? 256 : c);
  }
  if (s.dp > 65535 || s.ii < 0 || s.oi < 0) return false;
  const local = h.local ? (s.isLocal(s.srcA, "src") ? 1 : 0) | (s.isLocal(s.dstA, "dst") ? 2 : 0) : 0;
  k[0] = h.id | ((h.proto ? s.p : 0) << 8) | (local << 16) | (s.ct << 18);
  const sw = s.sw;
  const dw = s.dw;
  k[1] = h.src ? sw[0]! : 0;
  k[2] = h.dst ? dw[0]! : 0;
  k[3] = h.sp === undefined ? 0 : h.sp === "exact" || s.sp < 0 ? s.sp : h.sp[s.sp]!;
  k[4] = h.dp === undefined ? 0 : h.dp === "exact" || s.dp < 0 ? s.dp : h.dp[s.dp]!;
  k[5] = icmp;
  k[6] = ((h.inIface ? s.ii : 0) << 16) | (h.outIface ? s.oi : 0);
  k[7] = s.m;
  if (m.width > 8)
    for (let i = 1; i < 4; i++) {
      k[7 + i] = h.src ? sw[i]! : 0;
      k[10 + i] = h.dst ? dw[i]! : 0;
    }
  return true;
};

/** Runs hook `run` for the packet in `s`, or replays its memoised outcome. */
export const runMemoised = (m: Memo, h: HookKey, run: ChainFn, s: VerdictState): 0 | 1 | 2 => {
  if (!fillKey(m, h, s)) return run(s);
  const slot = slotOf(m, m.key);
  const v = slot * 3;
  if (m.keys[slot * m.width] !== 0) {
    s.m = m.vals[v + 1]!;
    s.ct = m.vals[v + 2]!;
    return m.vals[v] as 0 | 1 | 2;
  }
  const r = run(s);
  m.keys.set(m.key, slot * m.width);
  m.vals[v] = r;
  m.vals[v + 1] = s.m;
  m.vals[v + 2] = s.ct;
  if (++m.size * 2 > 1 << m.bits) grow(m);
  return r;
};
