// Timing helpers for the benchmark: wall-clock and CPU time of the calling process, side by side.

export interface Timing {
  /** Elapsed wall-clock milliseconds. */
  readonly ms: number;
  /** CPU milliseconds (user + system) this process used meanwhile (children not included). */
  readonly cpuMs: number;
}

export const time = <T>(fn: () => T): Timing & { readonly value: T } => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms, cpuMs: (c.user + c.system) / 1000 };
};

export const timeAsync = async <T>(fn: () => Promise<T>): Promise<Timing & { readonly value: T }> => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, ms, cpuMs: (c.user + c.system) / 1000 };
};

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const percentile = (xs: readonly number[], p: number): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export const round = (n: number | null, digits = 1): number | null =>
  n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

export const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

/** How long fixed work took: arithmetic alone, and loads that miss the caches. */
export interface MachineProbe {
  readonly cpuMs: number;
  readonly memoryMs: number;
}

/**
 * Fixed single-threaded work, timed: this machine's speed changes from hour to hour with nothing else running
 * on it, and memory far more than arithmetic (its neighbours share the caches and the memory bus), so the bench
 * runs this at its start and its end and figures of different runs can be set beside how fast the machine was
 * at the time. It measures the machine, not calisim: rendering and tracing are mostly memory-bound.
 */
export const machineProbe = (): MachineProbe => {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x + i * 7) % 1_000_003;
  const cpuMs = performance.now() - t0;
  // One cycle through 4 Mi slots (16 MB) in a scrambled order (Sattolo's shuffle driven by a fixed LCG), then
  // 2 Mi loads each of which needs the one before: each misses the caches.
  const n = 1 << 22;
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % i;
    const t = next[i]!;
    next[i] = next[j]!;
    next[j] = t;
  }
  const t1 = performance.now();
  let at = 0;
  for (let k = 0; k < 1 << 21; k++) at = next[at]!;
  const memoryMs = performance.now() - t1;
  // Keeps both results alive, so that neither loop is optimised away.
  if (x < 0 || at < 0) throw new Error("unreachable");
  return { cpuMs, memoryMs };
};
