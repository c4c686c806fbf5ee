// Interning for batch verdicts: each distinct address and interface text is parsed once per program and
// given a small id, so a packet costs a Map lookup per field instead of a parse, and memo keys
// (verdict-memo.ts) are a few packed integers instead of strings and 128-bit addresses. Ids persist across
// batches (as the memo tables do, whose keys hold them); when they would outgrow their bits in a key, they
// start over in a new epoch, and memo tables filled in an older epoch are cleared before use.

import { addrKey, isLoopback, parseAddr, type Addr } from "./addr.js";

export interface AddrEntry {
  /** 1-based id, below 2^ADDR_ID_BITS. */
  readonly id: number;
  readonly a: Addr;
  /** The IPv4 address as a uint32 (0 for IPv6). */
  readonly n: number;
  /** addrKey(a), for `localAddresses` lookups. */
  readonly key: string;
  readonly loopback: boolean;
  /** Whether the address is among the batch's `localAddresses`, valid while `batch` is the batch's number. */
  batch: number;
  listed: boolean;
}

export const ADDR_ID_BITS = 20;
export const IFACE_ID_BITS = 16;
/** Room left for the ids a single packet can add (source, destination, DNAT target, interfaces). */
const SLACK = 8;
// Limits as plain numbers: makeRoom runs once per packet.
const MAX_ADDRS = 2 ** ADDR_ID_BITS - 1 - SLACK;
const MAX_IFACES = 2 ** IFACE_ID_BITS - SLACK;
const MAX_TEXTS = 2 ** (ADDR_ID_BITS + 1);

export interface Interner {
  /** Address text → entry (null: not an address). */
  readonly texts: Map<string, AddrEntry | null>;
  /** addrKey → entry, so texts of one address (and DNAT targets) share an id. */
  readonly addrs: Map<string, AddrEntry>;
  /** Interface name → id ("" is 0: no device). */
  readonly ifaces: Map<string, number>;
  /** Bumped whenever the ids start over: whatever holds ids of an older epoch must drop them. */
  epoch: number;
}

export const createInterner = (): Interner => ({
  texts: new Map(),
  addrs: new Map(),
  ifaces: new Map([["", 0]]),
  epoch: 0,
});

/** Starts the ids over if a packet could overflow them; call before interning a packet's fields. */
export const makeRoom = (t: Interner): void => {
  // Texts that are not addresses take no id, but must not pile up either.
  if (t.addrs.size < MAX_ADDRS && t.ifaces.size < MAX_IFACES && t.texts.size < MAX_TEXTS) return;
  t.texts.clear();
  t.addrs.clear();
  t.ifaces.clear();
  t.ifaces.set("", 0);
  t.epoch++;
};

export const entryOfAddr = (t: Interner, a: Addr): AddrEntry => {
  const key = addrKey(a);
  let e = t.addrs.get(key);
  if (e === undefined) {
    e = {
      id: t.addrs.size + 1,
      a,
      n: a.v === 4 ? Number(a.n) : 0,
      key,
      loopback: isLoopback(a),
      batch: -1,
      listed: false,
    };
    t.addrs.set(key, e);
  }
  return e;
};

/** The entry of an address text; undefined when the text is not an address. */
export const entryOfText = (t: Interner, text: string): AddrEntry | undefined => {
  let e = t.texts.get(text);
  if (e === undefined) {
    const a = parseAddr(text);
    e = a === undefined ? null : entryOfAddr(t, a);
    t.texts.set(text, e);
  }
  return e ?? undefined;
};

export const ifaceId = (t: Interner, name: string): number => {
  let id = t.ifaces.get(name);
  if (id === undefined) {
    id = t.ifaces.size;
    t.ifaces.set(name, id);
  }
  return id;
};
