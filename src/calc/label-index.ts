// An inverted index from labels to the items (host endpoints, network sets) carrying them, and
// selector evaluation over it: a selector becomes a bitset of matching items, computed from posting
// lists with set operations instead of testing the selector against every item's labels.
//
// The result is exactly matchesSelector()'s for every item (test/bench/index.test.ts checks it on
// random selectors): `has(k)` is the items with own key k; `k == v` the posting list of (k, v);
// `!=` and `not in` are complements (so an item without the label matches, as in Felix); contains /
// starts with / ends with take the union over the key's distinct values that satisfy them.

import type { Selector } from "../selector/index.js";

/** A fixed-size bitset over item positions 0..size-1. */
export type Bits = Uint32Array;

export const wordsFor = (size: number): number => (size + 31) >>> 5;

export const hasBit = (bits: Bits, i: number): boolean => ((bits[i >>> 5]! >>> (i & 31)) & 1) === 1;

/** Calls `fn` with every set position, ascending. */
export const forEachBit = (bits: Bits, fn: (i: number) => void): void => {
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const low = word & -word;
      fn((w << 5) + (31 - Math.clz32(low)));
      word ^= low;
    }
  }
};

export const countBits = (bits: Bits): number => {
  let n = 0;
  for (let w = 0; w < bits.length; w++) {
    let v = bits[w]!;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) as number;
  }
  return n;
};

interface KeyPostings {
  /** Items that have the key (any value). */
  readonly all: number[];
  readonly byValue: Map<string, number[]>;
}

export class LabelIndex {
  readonly size: number;
  private readonly words: number;
  private readonly keys = new Map<string, KeyPostings>();
  private readonly cache = new WeakMap<Selector, Bits>();

  /** `labels[i]` are item i's labels (own enumerable entries are what selectors see). */
  constructor(labels: readonly Readonly<Record<string, string>>[]) {
    this.size = labels.length;
    this.words = wordsFor(labels.length);
    labels.forEach((l, i) => {
      for (const [k, v] of Object.entries(l)) {
        let p = this.keys.get(k);
        if (p === undefined) {
          p = { all: [], byValue: new Map() };
          this.keys.set(k, p);
        }
        p.all.push(i);
        const list = p.byValue.get(v);
        if (list === undefined) p.byValue.set(v, [i]);
        else list.push(i);
      }
    });
  }

  private empty(): Bits {
    return new Uint32Array(this.words);
  }

  private full(): Bits {
    const b = new Uint32Array(this.words).fill(0xffffffff);
    const rem = this.size & 31;
    if (rem !== 0) b[this.words - 1] = (1 << rem) - 1;
    return b;
  }

  private fromList(list: readonly number[] | undefined, into = this.empty()): Bits {
    if (list !== undefined) for (const i of list) into[i >>> 5]! |= 1 << (i & 31);
    return into;
  }

  private complement(b: Bits): Bits {
    const f = this.full();
    for (let w = 0; w < this.words; w++) f[w] = f[w]! & ~b[w]!;
    return f;
  }

  private valuesWhere(key: string, pred: (v: string) => boolean): Bits {
    const out = this.empty();
    const p = this.keys.get(key);
    if (p !== undefined) for (const [v, list] of p.byValue) if (pred(v)) this.fromList(list, out);
    return out;
  }

  private inSet(key: string, values: readonly string[]): Bits {
    const out = this.empty();
    const p = this.keys.get(key);
    if (p !== undefined) for (const v of values) this.fromList(p.byValue.get(v), out);
    return out;
  }

  /** A fresh bitset of the items `sel` matches (the caller may modify it). */
  private compute(sel: Selector): Bits {
    switch (sel.kind) {
      case "all":
      case "global":
        return this.full();
      case "has":
        return this.fromList(this.keys.get(sel.label)?.all);
      case "not":
        return this.complement(this.compute(sel.operand));
      case "and": {
        const out = this.compute(sel.operands[0]);
        for (let k = 1; k < sel.operands.length; k++) {
          const b = this.compute(sel.operands[k]!);
          for (let w = 0; w < this.words; w++) out[w] = out[w]! & b[w]!;
        }
        return out;
      }
      case "or": {
        const out = this.compute(sel.operands[0]);
        for (let k = 1; k < sel.operands.length; k++) {
          const b = this.compute(sel.operands[k]!);
          for (let w = 0; w < this.words; w++) out[w] = out[w]! | b[w]!;
        }
        return out;
      }
      case "eq":
        return this.fromList(this.keys.get(sel.label)?.byValue.get(sel.value));
      case "ne":
        return this.complement(this.fromList(this.keys.get(sel.label)?.byValue.get(sel.value)));
      case "contains":
        return this.valuesWhere(sel.label, (v) => v.includes(sel.value));
      case "startsWith":
        return this.valuesWhere(sel.label, (v) => v.startsWith(sel.value));
      case "endsWith":
        return this.valuesWhere(sel.label, (v) => v.endsWith(sel.value));
      case "in":
        return this.inSet(sel.label, sel.values);
      case "notIn":
        return this.complement(this.inSet(sel.label, sel.values));
    }
  }

  /** The items `sel` matches; cached per selector object (parsed selectors are shared), not to be modified. */
  evaluate(sel: Selector): Bits {
    let b = this.cache.get(sel);
    if (b === undefined) {
      b = this.compute(sel);
      this.cache.set(sel, b);
    }
    return b;
  }

  /** An empty bitset of this index's size (for "matches nothing"). */
  none(): Bits {
    return this.empty();
  }
}
