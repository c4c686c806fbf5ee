// A compiled ruleset turned into JavaScript for verdict-only walks: each rule an `if` over plain numbers
// (verdict-state.ts, verdict-match.ts), jumps and gotos inlined as labelled blocks (RETURN is a `break`) or,
// for chains too big to inline, calls. Built with `new Function` once per ruleset, so V8 compiles the rules
// to machine code instead of calling a closure per match.
//
// The code mirrors hook-walk.ts rule for rule, except that it leaves out what cannot change a verdict: rules
// whose matches can never hold, rules whose target does nothing (LOG, NFLOG, no target, a missing chain, a
// chain none of whose rules has an effect), notes and the path. It relies on the chain graph being acyclic
// (walk-bounds.ts), as calls and inlining follow jumps the way the kernel's jump stack does.

import type { ActionHandlers, IpSet, TableName } from "../rules/ir.js";
import { onAction, onMatch } from "../rules/ir.js";
import { parseDnat } from "./action.js";
import { parseAddr } from "./addr.js";
import type { CompiledChain, CompiledRule, CompiledRuleset } from "./compile.js";
import { CT_BIT } from "./state.js";
import type { HookName } from "./types.js";
import { createTable, grow, keyFields, memoSource, packWords, type MemoTable } from "./verdict-memo.js";
import { byCost, conditionHandlers, type Cond } from "./verdict-match.js";
import { addReads, noReads, readFields, readPorts, type Reads } from "./verdict-reads.js";
import { retarget, type ChainFn } from "./verdict-state.js";

export interface HookProgram {
  /** The hook's walk, memoised where that pays (verdict-memo.ts). */
  readonly run: ChainFn;
  readonly policy: "accept" | "drop";
  /** The walk is memoised. */
  readonly memoised: boolean;
}

export interface VerdictProgram {
  readonly hooks: ReadonlyMap<TableName, ReadonlyMap<HookName, HookProgram>>;
  /** The memo tables, whose keys hold interned ids: cleared when the ids start over. */
  readonly tables: readonly MemoTable[];
}

/**
 * What a matching rule does. `stmt`: a statement (`leaves`: control never goes on after it); `return`;
 * `jump` / `goto` to a chain (for a goto, undefined: a chain that does nothing).
 */
type Op =
  | { readonly kind: "stmt"; readonly cond: Cond; readonly code: string; readonly leaves: boolean }
  | { readonly kind: "return"; readonly cond: Cond }
  | { readonly kind: "jump"; readonly cond: Cond; readonly target: ChainPlan }
  | { readonly kind: "goto"; readonly cond: Cond; readonly target: ChainPlan | undefined };

/** A chain reduced to the rules that can matter. */
interface ChainPlan {
  readonly id: number;
  readonly name: string;
  readonly ops: readonly Op[];
  /** No rule of the chain can change the packet or the control flow beyond returning. */
  readonly inert: boolean;
  /** Statements the chain takes when inlined (its callees included). */
  readonly size: number;
  /** What the chain and the chains it goes to read; "dnat" among the fields if one can DNAT. */
  readonly reads: Reads;
}

/** The action's op for a matching rule; undefined: it does nothing. */
type OpOf = (cond: Cond) => Op | undefined;

const stmt =
  (code: string, leaves = false): OpOf =>
  (cond) => ({ kind: "stmt", cond, code, leaves });
const nothing: OpOf = () => undefined;

const actionOps = (
  table: TableName,
  target: ChainPlan | undefined,
  dnatTo: (to: string) => string | undefined,
): ActionHandlers<OpOf> => ({
  accept: () => stmt("return 1;", true),
  drop: () => stmt("return 2;", true),
  reject: () => stmt("return 2;", true),
  return: () => (cond) => ({ kind: "return", cond }),
  jump: () => (target === undefined || target.inert ? nothing : (cond) => ({ kind: "jump", cond, target })),
  goto: () =>
    target === undefined
      ? nothing
      : (cond) => ({ kind: "goto", cond, target: target.inert ? undefined : target }),
  setMark: (a) => stmt(`s.m = (s.m & ${~a.mask}) | ${a.value | 0};`),
  clearMark: (a) => stmt(`s.m &= ${~a.mask};`),
  log: () => nothing,
  nflog: () => nothing,
  none: () => nothing,
  notrack: () => (table === "raw" ? stmt(`s.ct = ${CT_BIT.UNTRACKED};`) : nothing),
  dnat: (a) => {
    const code = table === "nat" ? dnatTo(a.to) : undefined;
    return code === undefined ? nothing : stmt(`${code} return 1;`, true);
  },
  masquerade: () => (table === "nat" ? stmt(`s.ct |= ${CT_BIT.SNAT}; return 1;`, true) : nothing),
  unknown: () => nothing,
});

/** Inline a callee of at most this many statements... */
const INLINE_MAX = 16;
/** ...while the function stays this small (V8 does not optimize functions with very large bytecode). */
const FUNCTION_MAX = 400;
/** Memoise hooks of at least this many statements; smaller walks are cheaper than a lookup. */
const MEMO_MIN = 24;

/** Plans each reachable chain once, bottom-up. */
const planner = (c: CompiledRuleset, lit: (v: unknown) => string): ((ch: CompiledChain) => ChainPlan) => {
  const sets = new Map<string, IpSet>(c.source.sets.map((s) => [s.name, s]));
  const conds = conditionHandlers({ version: c.version, sets, compiled: c.sets, lit });
  const tableOf = new Map<CompiledChain, TableName>();
  for (const t of c.tables.values())
    for (const ch of [...t.chains.values(), ...t.hooks.values()]) tableOf.set(ch, t.name);
  const dnatTo = (text: string): string | undefined => {
    const to = parseDnat(text);
    const ip = parseAddr(to.ip);
    if (ip === undefined || ip.v !== c.version) return undefined;
    return `retarget(s, ${lit(ip)}, ${to.port === undefined ? -1 : lit(to.port)});`;
  };
  const plans = new Map<CompiledChain, ChainPlan | null>();
  let ids = 0;

  const ruleOp = (cr: CompiledRule, table: TableName, reads: Reads): Op | undefined => {
    const parts: string[] = [];
    for (const m of [...cr.rule.matches].sort(byCost)) {
      const one = onMatch(conds, m);
      if (one === false) return undefined;
      if (one !== true) parts.push(one);
    }
    const target = cr.target === undefined || cr.target === null ? undefined : planOf(cr.target);
    const op = onAction(
      actionOps(table, target, dnatTo),
      cr.rule.action,
    )(parts.length === 0 ? true : parts.join(" && "));
    if (op === undefined) return undefined;
    for (const m of cr.rule.matches) readPorts(reads, m, sets);
    if (typeof op.cond === "string") readFields(reads, op.cond);
    if (op.kind === "stmt") {
      readFields(reads, op.code);
      if (op.code.startsWith("retarget(")) reads.fields.add("dnat");
    }
    if ((op.kind === "jump" || op.kind === "goto") && op.target !== undefined)
      addReads(reads, op.target.reads);
    return op;
  };

  const planOf = (ch: CompiledChain): ChainPlan => {
    const hit = plans.get(ch);
    if (hit === null) throw new Error("bug: verdictProgram() given a cyclic ruleset");
    if (hit !== undefined) return hit;
    plans.set(ch, null);
    const table = tableOf.get(ch)!;
    const ops: Op[] = [];
    const reads = noReads();
    let size = 0;
    for (const cr of ch.rules) {
      const op = ruleOp(cr, table, reads);
      if (op === undefined) continue;
      ops.push(op);
      size += 1 + (op.kind === "jump" || op.kind === "goto" ? (op.target?.size ?? 0) : 0);
      // Nothing after an unconditional exit runs.
      if (op.cond === true && (op.kind === "stmt" ? op.leaves : op.kind !== "jump")) break;
    }
    // Returning early only skips rules: a chain whose rules at most return does nothing for its caller.
    const inert = ops.every((op) => op.kind === "return" || (op.kind === "goto" && op.target === undefined));
    const plan: ChainPlan = { id: ids++, name: ch.name, ops, inert, size, reads };
    plans.set(ch, plan);
    return plan;
  };
  return planOf;
};

/** The source of a function per plan in `queue` (which grows as calls to chains not inlined are emitted). */
const emitFunctions = (queue: ChainPlan[]): string[] => {
  const named = new Set<ChainPlan>(queue);
  const fn = (p: ChainPlan): string => {
    if (!named.has(p)) {
      named.add(p);
      queue.push(p);
    }
    return `c${p.id}`;
  };
  let labels = 0;
  const emit = (p: ChainPlan, ret: string, out: string[], budget: { left: number }): void => {
    for (const op of p.ops) {
      const guard = op.cond === true ? "" : `if (${op.cond}) `;
      if (op.kind === "stmt") out.push(`${guard}{ ${op.code} }`);
      else if (op.kind === "return") out.push(`${guard}{ ${ret} }`);
      else {
        // A goto returns from this chain once the target returns.
        const t = op.target;
        const after = op.kind === "goto" ? ` ${ret}` : "";
        if (t === undefined) out.push(`${guard}{${after} }`);
        else if (t.size <= INLINE_MAX && t.size <= budget.left) {
          budget.left -= t.size;
          const label = `L${labels++}`;
          out.push(`${guard}{ ${label}: {`);
          emit(t, `break ${label};`, out, budget);
          out.push(`}${after} }`);
        } else if (op.kind === "goto" && ret === "return 0;") out.push(`${guard}{ return ${fn(t)}(s); }`);
        else out.push(`${guard}{ if ((r = ${fn(t)}(s)) !== 0) return r;${after} }`);
      }
    }
  };
  const code: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const p = queue[i]!;
    const out: string[] = [];
    emit(p, "return 0;", out, { left: FUNCTION_MAX });
    // The name as a comment, for reading the code; line terminators would end the comment.
    code.push(
      `// ${JSON.stringify(p.name).replace(/[\u2028\u2029]/g, "?")}`,
      `function c${p.id}(s) {`,
      "  let r;",
      ...out.map((l) => `  ${l}`),
      "  return 0;",
      "}",
    );
  }
  return code;
};

/** Generates and instantiates the program for an acyclic compiled ruleset (see walk-bounds.ts). */
export const verdictProgram = (c: CompiledRuleset): VerdictProgram => {
  const consts: unknown[] = [];
  const lit = (v: unknown): string => {
    if (typeof v === "number") return Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v);
    consts.push(v);
    return `K[${consts.length - 1}]`;
  };
  const planOf = planner(c, lit);
  const hooks: { table: TableName; hook: HookName; plan: ChainPlan; policy: "accept" | "drop" }[] = [];
  for (const t of c.tables.values())
    for (const [hook, ch] of t.hooks)
      hooks.push({
        table: t.name,
        hook,
        plan: planOf(ch),
        policy: ch.policy === "ACCEPT" ? "accept" : "drop",
      });
  const roots = [...new Set(hooks.map((h) => h.plan))];
  const tables: MemoTable[] = [];
  // One memoised entry point per hook worth it (a hook's id is its index in `hooks`).
  const memo = hooks.map((h, k) => {
    if (h.plan.size < MEMO_MIN || h.plan.reads.fields.has("dnat")) return undefined;
    const fields = keyFields(h.plan.reads, lit);
    if (fields === undefined) return undefined;
    const words = packWords(fields);
    tables.push(createTable(words.length));
    const icmp = fields.some((f) => f.expr === "s.ik");
    return {
      name: `m${k}`,
      code: memoSource(`m${k}`, `c${h.plan.id}`, `T[${tables.length - 1}]`, words, icmp),
    };
  });
  const entries = hooks.map((h, k) => memo[k]?.name ?? `c${h.plan.id}`);
  const body = [
    '"use strict";',
    ...emitFunctions([...roots]),
    ...memo.flatMap((m) => (m === undefined ? [] : [m.code])),
    `return [${entries.join(", ")}];`,
  ].join("\n");
  const fns = new Function("K", "retarget", "T", "grow", body)(consts, retarget, tables, grow) as ChainFn[];
  const out = new Map<TableName, Map<HookName, HookProgram>>();
  hooks.forEach((h, k) => {
    const m = out.get(h.table) ?? new Map<HookName, HookProgram>();
    m.set(h.hook, { run: fns[k]!, policy: h.policy, memoised: memo[k] !== undefined });
    out.set(h.table, m);
  });
  return { hooks: out, tables };
};
