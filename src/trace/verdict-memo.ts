// Memoised hook walks. A table's hook walk is a pure function of the packet fields its rules read (and of
// the mark and conntrack state it starts with); its outcome is the verdict code, the mark and the conntrack
// state it leaves. Batches repeat those fields a lot (the same peers, ports and interfaces), so each walk is
// looked up by exactly those fields (verdict-reads.ts) and only run on a miss. A walk that can DNAT changes
// the destination too and is never memoised.
//
// Each memoised hook gets its own generated lookup function (memoSource): the fields it reads packed into
// as few int32 words as fit, hashed and probed in an open-addressing table of its own, so a hit costs a few
// integer operations rather than a generic key builder's branches.

import type { Reads } from "./verdict-reads.js";
import { portClassIds } from "./verdict-reads.js";
import { ADDR_ID_BITS, IFACE_ID_BITS } from "./verdict-intern.js";

/** One part of a key: a JavaScript expression over the state `s` with values in [0, 2^bits). */
export interface KeyField {
  readonly expr: string;
  readonly bits: number;
}

const bitsFor = (values: number): number => Math.max(1, Math.ceil(Math.log2(values)));

/**
 * The fields of the key of a hook reading `r` (see VerdictState for each); undefined when it cannot be
 * memoised. `lit` turns a port class table into a reference for the generated code. The mark and the
 * conntrack bits are always part of the key: they are the walk's inputs as well as its outputs.
 */
export const keyFields = (r: Reads, lit: (v: unknown) => string): KeyField[] | undefined => {
  const f = r.fields;
  const known = new Set(["s", "d", "s6", "d6", "srcA", "dstA", "p", "sp", "dp", "ih", "it", "ic"]);
  for (const x of ["i", "o", "m", "ct", "ls", "ld"]) known.add(x);
  for (const x of f) if (!known.has(x)) return undefined;
  const has = (...xs: string[]): boolean => xs.some((x) => f.has(x));
  const out: KeyField[] = [
    { expr: "s.m", bits: 32 },
    { expr: "s.ct", bits: 7 },
  ];
  if (has("s", "s6", "srcA")) out.push({ expr: "s.sid", bits: ADDR_ID_BITS });
  if (has("d", "d6", "dstA")) out.push({ expr: "s.did", bits: ADDR_ID_BITS });
  if (has("p")) out.push({ expr: "s.p", bits: 8 });
  for (const [field, cuts] of [
    ["sp", r.sp],
    ["dp", r.dp],
  ] as const) {
    if (!f.has(field)) continue;
    // -1 (no port) → 0, a port → 1 + its class (or the port itself).
    if (cuts === "exact") out.push({ expr: `(s.${field} + 1)`, bits: 17 });
    else {
      const ids = portClassIds(cuts);
      out.push({ expr: `${lit(ids)}[s.${field} + 1]`, bits: bitsFor(Math.max(...ids) + 1) });
    }
  }
  if (has("ih", "it", "ic")) out.push({ expr: "s.ik", bits: 17 });
  if (has("i")) out.push({ expr: "s.ii", bits: IFACE_ID_BITS });
  if (has("o")) out.push({ expr: "s.oi", bits: IFACE_ID_BITS });
  if (has("ls")) out.push({ expr: "(s.ls ? 1 : 0)", bits: 1 });
  if (has("ld")) out.push({ expr: "(s.ld ? 1 : 0)", bits: 1 });
  return out;
};

/**
 * The key's int32 words: fields packed first-fit, widest first. Word 0 carries a constant 1 bit, so an
 * empty table slot (all zeros) never equals a key.
 */
export const packWords = (fields: readonly KeyField[]): string[] => {
  const words: { parts: string[]; used: number }[] = [{ parts: ["1"], used: 1 }];
  for (const fl of [...fields].sort((a, b) => b.bits - a.bits)) {
    let w = words.find((x) => x.used + fl.bits <= 32);
    if (w === undefined) {
      w = { parts: [], used: 0 };
      words.push(w);
    }
    w.parts.push(w.used === 0 ? fl.expr : `(${fl.expr} << ${w.used})`);
    w.used += fl.bits;
  }
  return words.map((w) => (w.parts.length === 1 ? `${w.parts[0]!} | 0` : w.parts.join(" | ")));
};

/** An open-addressing table from keys (`width` int32s) to outcomes (verdict code, mark, conntrack bits). */
export interface MemoTable {
  readonly width: number;
  bits: number;
  mask: number;
  size: number;
  keys: Int32Array;
  vals: Int32Array;
}

const START_BITS = 10;
/** At most 2^18 slots per table (half of them used before the table starts over). */
const MAX_BITS = 18;

export const createTable = (width: number): MemoTable => ({
  width,
  bits: START_BITS,
  mask: (1 << START_BITS) - 1,
  size: 0,
  keys: new Int32Array(width << START_BITS),
  vals: new Int32Array(3 << START_BITS),
});

export const clearTable = (t: MemoTable): void => {
  t.bits = START_BITS;
  t.mask = (1 << START_BITS) - 1;
  t.size = 0;
  t.keys = new Int32Array(t.width << START_BITS);
  t.vals = new Int32Array(3 << START_BITS);
};

/** The hash of a key; memoSource emits the same steps unrolled. */
const MIX = 0x85ebca6b;
const SEED = 0x3c6ef372;
export const hashKey = (keys: Int32Array, base: number, width: number): number => {
  let h = SEED;
  for (let i = 0; i < width; i++) {
    h = Math.imul(h ^ keys[base + i]!, MIX);
    h ^= h >>> 15;
  }
  return h;
};

/** Doubles the table once half full (keys re-placed); past the largest size it starts over: it is a cache. */
export const grow = (t: MemoTable): void => {
  const { keys, vals, bits, width: w } = t;
  if (bits >= MAX_BITS) {
    clearTable(t);
    return;
  }
  t.bits = bits + 1;
  t.mask = (1 << t.bits) - 1;
  t.keys = new Int32Array(w << t.bits);
  t.vals = new Int32Array(3 << t.bits);
  for (let slot = 0; slot < 1 << bits; slot++) {
    const base = slot * w;
    if (keys[base] === 0) continue;
    let to = hashKey(keys, base, w) & t.mask;
    while (t.keys[to * w] !== 0) to = (to + 1) & t.mask;
    t.keys.set(keys.subarray(base, base + w), to * w);
    t.vals.set(vals.subarray(slot * 3, slot * 3 + 3), to * 3);
  }
};

/**
 * Source of `function <name>(s)`: hook walk `run` memoised in `table` (an expression for a MemoTable) on the
 * key `words`; `icmp`: the key holds `s.ik`, and a packet whose ICMP fields are not bytes is just walked.
 */
export const memoSource = (
  name: string,
  run: string,
  table: string,
  words: readonly string[],
  icmp: boolean,
): string => {
  const w = words.length;
  const ks = words.map((_, i) => `k${i}`);
  const same = ks.map((k, i) => `keys[b + ${i}] === ${k}`).join(" && ");
  return [
    `function ${name}(s) {`,
    ...(icmp ? [`  if (s.ik < 0) return ${run}(s);`] : []),
    ...words.map((expr, i) => `  const k${i} = ${expr};`),
    `  let h = ${SEED};`,
    ...ks.map((k) => `  h = Math.imul(h ^ ${k}, ${MIX}); h ^= h >>> 15;`),
    `  const t = ${table};`,
    "  const keys = t.keys;",
    "  const mask = t.mask;",
    "  let i = h & mask;",
    "  for (;;) {",
    `    const b = i * ${w};`,
    "    if (keys[b] === 0) break;",
    `    if (${same}) {`,
    "      const v = t.vals;",
    "      s.m = v[i * 3 + 1];",
    "      s.ct = v[i * 3 + 2];",
    "      return v[i * 3];",
    "    }",
    "    i = (i + 1) & mask;",
    "  }",
    // The walk does not touch memo tables, so slot i is still empty and still the key's place.
    `  const r = ${run}(s);`,
    ...ks.map((k, j) => `  keys[i * ${w} + ${j}] = ${k};`),
    "  const v = t.vals;",
    "  v[i * 3] = r;",
    "  v[i * 3 + 1] = s.m;",
    "  v[i * 3 + 2] = s.ct;",
    "  if (++t.size * 2 > mask) grow(t);",
    "  return r;",
    "}",
  ].join("\n");
};
