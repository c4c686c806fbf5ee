// A small seeded PRNG (sfc32 seeded through splitmix32 from a string or number), so a generated
// cluster depends only on its seed and options — never on Math.random or iteration accidents.

export interface Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  /** Uniform integer in [0, n). */
  readonly int: (n: number) => number;
  /** Uniform integer in [lo, hi]. */
  readonly range: (lo: number, hi: number) => number;
  readonly chance: (p: number) => boolean;
  readonly pick: <T>(items: readonly T[]) => T;
  /** Picks by weight: `[[item, weight], ...]`. */
  readonly weighted: <T>(items: readonly (readonly [T, number])[]) => T;
  /** `k` distinct items in their original order. */
  readonly sample: <T>(items: readonly T[], k: number) => T[];
  /** An independent generator derived from this one's seed and a label (no draws of this one are used). */
  readonly fork: (label: string) => Rng;
}

const hashString = (s: string): number => {
  // FNV-1a, 32 bits.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
};

const splitmix32 = (seed: number): (() => number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
};

export const createRng = (seed: number | string): Rng => {
  const key = String(seed);
  const mix = splitmix32(typeof seed === "number" ? seed >>> 0 : hashString(seed));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const u32 = (): number => {
    // sfc32
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) u32();
  const next = (): number => u32() / 4294967296;
  const int = (n: number): number => Math.floor(next() * n);
  const rng: Rng = {
    next,
    int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error("bug: pick from an empty list");
      return items[int(items.length)]!;
    },
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [item, w] of items) {
        x -= w;
        if (x < 0) return item;
      }
      return items[items.length - 1]![0];
    },
    sample: (items, k) => {
      const idx = items.map((_, i) => i);
      const n = Math.min(k, items.length);
      for (let i = 0; i < n; i++) {
        const j = i + int(idx.length - i);
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      return idx
        .slice(0, n)
        .sort((x, y) => x - y)
        .map((i) => items[i]!);
    },
    fork: (label) => createRng(`${key}/${label}`),
  };
  return rng;
};
