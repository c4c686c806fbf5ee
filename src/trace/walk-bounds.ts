// Worst-case cost of walking a compiled ruleset, so a fast verdict walk can prove that trace()'s loop guards
// (its rule budget and stack depth, hook-walk.ts) can never fire for it.

import type { CompiledChain, CompiledRuleset } from "./compile.js";
import { MAX_STACK, WALK_BUDGET } from "./hook-walk.js";

export interface WalkBounds {
  /** Rule evaluations over every hook of every table, each chain walked to its end. */
  readonly evaluations: number;
  /** Deepest chain of jumps / gotos below a kernel chain. */
  readonly depth: number;
}

const LIMIT = 1e12;

/** The bounds, or undefined when the chain graph has a cycle (trace() would stop on its guards). */
export const walkBounds = (c: CompiledRuleset): WalkBounds | undefined => {
  const cost = new Map<CompiledChain, { evals: number; depth: number }>();
  const busy = new Set<CompiledChain>();
  const visit = (ch: CompiledChain): { evals: number; depth: number } | undefined => {
    const hit = cost.get(ch);
    if (hit !== undefined) return hit;
    if (busy.has(ch)) return undefined;
    busy.add(ch);
    // Every loop turn counts against trace()'s budget, the end of the chain included.
    let evals = ch.rules.length + 1;
    let depth = 0;
    for (const r of ch.rules)
      if (r.target !== undefined && r.target !== null) {
        const t = visit(r.target);
        if (t === undefined) return undefined;
        evals = Math.min(LIMIT, evals + t.evals);
        depth = Math.max(depth, t.depth + 1);
      }
    busy.delete(ch);
    const out = { evals, depth };
    cost.set(ch, out);
    return out;
  };
  let evaluations = 0;
  let depth = 0;
  for (const t of c.tables.values())
    for (const h of t.hooks.values()) {
      const b = visit(h);
      if (b === undefined) return undefined;
      evaluations = Math.min(LIMIT, evaluations + b.evals);
      depth = Math.max(depth, b.depth);
    }
  return { evaluations, depth };
};

/**
 * Per packet trace() allows WALK_BUDGET evaluations over all hooks (at most 8 hook walks) and MAX_STACK
 * frames; a ruleset within these bounds is walked by trace() without ever hitting a guard.
 */
export const withinTraceGuards = (c: CompiledRuleset): boolean => {
  const b = walkBounds(c);
  return b !== undefined && b.evaluations * 8 < WALK_BUDGET && b.depth < MAX_STACK;
};
