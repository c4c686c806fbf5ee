// What a chain of generated verdict code reads, so a hook's walk can be memoised on exactly those packet
// fields (verdict-memo.ts). Fields are found in the generated conditions and statements (every state access
// there is written `s.<field>` by verdict-match.ts / verdict-code.ts); ports are tracked as the values where
// a port test can change its answer, so ports between two such values share memo entries.

import type { IpSet, Match } from "../rules/ir.js";

/** Port values where a test can change its answer; "exact": the port itself matters. */
export type PortCuts = Set<number> | "exact";

export interface Reads {
  readonly fields: Set<string>;
  sp: PortCuts;
  dp: PortCuts;
}

export const noReads = (): Reads => ({ fields: new Set(), sp: new Set(), dp: new Set() });

const FIELD = /\bs\.([A-Za-z0-9]+)/g;

export const readFields = (r: Reads, code: string): void => {
  for (const m of code.matchAll(FIELD)) r.fields.add(m[1]!);
};

const cut = (c: PortCuts, from: unknown, to: unknown): PortCuts => {
  if (c === "exact" || !Number.isInteger(from) || !Number.isInteger(to)) return "exact";
  c.add(from as number);
  c.add((to as number) + 1);
  return c;
};

/** The port values a match compares against (conservatively: every match of a rule, constant or not). */
export const readPorts = (r: Reads, m: Match, sets: ReadonlyMap<string, IpSet>): void => {
  if (m.kind === "srcPorts") for (const p of m.ports) r.sp = cut(r.sp, p.from, p.to);
  if (m.kind === "dstPorts") for (const p of m.ports) r.dp = cut(r.dp, p.from, p.to);
  if (m.kind === "set" && sets.get(m.set)?.type !== "hash:net") {
    const [ipDir = "src", portDir = ipDir] = m.dirs;
    if (portDir === "src") r.sp = "exact";
    else r.dp = "exact";
  }
};

const mergeCuts = (a: PortCuts, b: PortCuts): PortCuts => {
  if (a === "exact" || b === "exact") return "exact";
  for (const v of b) a.add(v);
  return a;
};

export const addReads = (r: Reads, more: Reads): void => {
  for (const f of more.fields) r.fields.add(f);
  r.sp = mergeCuts(r.sp, more.sp);
  r.dp = mergeCuts(r.dp, more.dp);
};

/**
 * Port → a representative of its class: the largest cut at or below it (0 below every cut). Ports of one
 * class are on the same side of every bound tested, so every port test answers the same for them; the
 * representatives are ports, so never the no-port value -1.
 */
export const portClasses = (cuts: ReadonlySet<number>): Int32Array => {
  const out = new Int32Array(65536);
  const sorted = [...cuts].filter((c) => c > 0 && c < 65536).sort((a, b) => a - b);
  let k = -1;
  for (let p = 0; p < 65536; p++) {
    while (k + 1 < sorted.length && sorted[k + 1]! <= p) k++;
    out[p] = k < 0 ? 0 : sorted[k]!;
  }
  return out;
};

/**
 * portClasses as dense ids for memo keys, indexed by port + 1: index 0 (no port, -1) is 0, a port's class
 * is 1 and up.
 */
export const portClassIds = (cuts: ReadonlySet<number>): Int32Array => {
  const reps = portClasses(cuts);
  const ids = new Int32Array(65537);
  let id = 0;
  for (let p = 0; p < 65536; p++) {
    if (p === 0 || reps[p] !== reps[p - 1]) id++;
    ids[p + 1] = id;
  }
  return ids;
};
