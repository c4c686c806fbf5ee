// Timing helpers for the benchmark: wall-clock and CPU time of the calling process, side by side.

import { hash } from "node:crypto";

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

/**
 * A fixed amount of single-threaded work (integer arithmetic, then SHA-224 digests as the renderers take them),
 * in milliseconds. This machine's speed changes from hour to hour, with nothing else running on it: the bench
 * runs this at its start and its end, so that figures of different runs can be set beside how fast the
 * machine was at the time. It measures the machine, not calisim.
 */
export const machineProbeMs = (): number => {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 50_000_000; i++) x = (x + i * 7) % 1_000_003;
  for (let i = 0; i < 50_000; i++) x += hash("sha224", `probe ${i}`, "base64url").length;
  const ms = performance.now() - t0;
  // Keeps the loop's result alive, so that it is not optimised away.
  if (x < 0) throw new Error("unreachable");
  return ms;
};
