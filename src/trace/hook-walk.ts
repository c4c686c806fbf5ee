// One table's kernel chain for one hook, walked as ipt_do_table does (net/ipv4/netfilter/ip_tables.c): a jump
// pushes a return point, a goto does not, RETURN (or the end of a user chain) pops one, and with nothing to
// pop the kernel chain's policy ("underflow") decides. ACCEPT ends this table's hook only; DROP ends the walk.

import type { TableName } from "../rules/ir.js";
import type { CompiledChain, CompiledRule, CompiledRuleset, CompiledTable } from "./compile.js";
import { neutralStep } from "./neutral.js";
import type { WalkState } from "./state.js";
import type { HookName, Step } from "./types.js";

/** How one table's hook ended; step indexes point into the path. */
export type HookOutcome =
  /** `setter`: who set the mark bits the ACCEPT rule tested (null: they came with the packet). */
  | { readonly kind: "accept"; readonly step: number; readonly setter?: number | null }
  | { readonly kind: "drop"; readonly step: number }
  | {
      readonly kind: "policy";
      readonly policy: "ACCEPT" | "DROP";
      readonly step: number;
      /** The explicit RETURN that sent control back to the kernel chain last, if any, and its mark setter. */
      readonly returnedBy?: { readonly step: number; readonly setter?: number | null };
    }
  | { readonly kind: "abort"; readonly step: number };

export interface Traversal {
  readonly table: TableName;
  readonly hook: HookName;
  /** Did the packet enter a per-endpoint chain (Calico policing an interface) in this table's hook? */
  enteredEndpoint: boolean;
  outcome?: HookOutcome;
}

/** Shared by all hooks of one packet: the path, who set each mark bit, and a loop guard. */
export interface Walker {
  readonly state: WalkState;
  readonly path: Step[];
  readonly traversals: Traversal[];
  readonly verbose: boolean;
  /** Step index of the rule that last set each mark bit (undefined: set before netfilter, or clear). */
  readonly setters: (number | undefined)[];
  budget: number;
  /**
   * A walk already made by another packet that is known to take the same first `knownLength` steps as
   * this one (flow-space analysis: the parent box's path up to where it was split). Those steps are
   * taken over instead of recorded anew; each rule is still evaluated and must agree.
   */
  readonly known: readonly Step[];
  readonly knownLength: number;
  /** Take a checkpoint (to resume another packet's walk from) every so many steps; 0: none. */
  readonly checkpointEvery: number;
  readonly checkpoints: Checkpoint[];
  /**
   * Where this walk starts, instead of at the first hook: a checkpoint of a known walk. The hooks before
   * its hook are passed over (they let the known packet through) and none of their events is recorded;
   * cleared once its hook is reached.
   */
  resume: Checkpoint | undefined;
  /** How many table hooks the walk has come to, walked or passed over. */
  segment: number;
  /** The warnings and assumptions noted so far, in order. */
  readonly noted: Note[];
}

export type Note = readonly ["warning" | "assumption", string];

/** Rule evaluations per packet, over all its hooks, before the walk is declared a loop. */
export const WALK_BUDGET = 1_000_000;

/**
 * A walker at the start of a packet's walk: no steps, no mark setters, the whole budget. `more` is for a
 * verbose walk, one that takes over or resumes a known walk, or takes checkpoints.
 */
export const newWalker = (
  state: WalkState,
  more: Partial<
    Pick<Walker, "path" | "verbose" | "known" | "knownLength" | "checkpointEvery" | "resume" | "noted">
  > = {},
): Walker => ({
  state,
  path: more.path ?? [],
  traversals: [],
  verbose: more.verbose ?? false,
  setters: new Array<number | undefined>(32),
  budget: WALK_BUDGET,
  known: more.known ?? [],
  knownLength: more.knownLength ?? 0,
  checkpointEvery: more.checkpointEvery ?? 0,
  checkpoints: [],
  resume: more.resume,
  segment: 0,
  noted: more.noted ?? [],
});

/**
 * Everything a walk holds at the top of its loop, before a rule: a packet that is known to walk the same
 * steps up to there can go on from it instead of walking them again.
 */
export interface Checkpoint {
  /** Steps recorded before it. */
  readonly steps: number;
  readonly segment: number;
  readonly table: TableName;
  readonly budget: number;
  readonly mark: number;
  readonly ctBits: number;
  readonly setters: readonly (number | undefined)[];
  /** The traversals of the hooks before this one, which are over. */
  readonly traversals: readonly Traversal[];
  readonly enteredEndpoint: boolean;
  readonly chain: CompiledChain;
  readonly next: number;
  readonly depth: number;
  readonly stack: readonly Frame[];
  readonly returnedBy: { readonly step: number; readonly setter?: number | null } | undefined;
  readonly noted: readonly Note[];
}

export interface Frame {
  readonly chain: CompiledChain;
  readonly next: number;
  readonly depth: number;
}

/**
 * The checkpoint of a walk through another ruleset, as a checkpoint of ruleset `c`: its chain and return
 * points are the chains of the same names in `c`. undefined when `c` lacks one. Only for a packet known to
 * walk `c` exactly as it walked the other ruleset up to the checkpoint (flow-space analysis: a box coming
 * to the next version of its node's rules, whose walk so far met only rules the two share).
 */
export const checkpointIn = (cp: Checkpoint, c: CompiledRuleset): Checkpoint | undefined => {
  const t = c.tables.get(cp.table);
  if (t === undefined) return undefined;
  const find = (ch: CompiledChain): CompiledChain | undefined =>
    ch.kernel ? t.hooks.get(ch.name as HookName) : t.chains.get(ch.name);
  const chain = find(cp.chain);
  const stack: Frame[] = [];
  for (const f of cp.stack) {
    const fc = find(f.chain);
    if (fc === undefined) return undefined;
    stack.push({ ...f, chain: fc });
  }
  return chain === undefined ? undefined : { ...cp, chain, stack };
};

/** iptables-restore refuses loops (ELOOP); a cap keeps a hand-built cyclic ruleset from hanging us. */
export const MAX_STACK = 1024;

const recordRule = (
  w: Walker,
  chain: CompiledChain,
  r: CompiledRule,
  depth: number,
  matched: boolean,
): number => {
  const s = w.state;
  const origin = r.rule.origin;
  // Two literals, not a conditional spread: every rule a verbose walk meets is recorded (flow-space
  // analysis records millions), and on Node 20 the spread costs microseconds each.
  w.path.push(
    origin === undefined
      ? {
          kind: "rule",
          table: s.table,
          hook: s.hook,
          chain: chain.name,
          ruleIndex: r.index,
          rule: r.text,
          action: r.rule.action.kind,
          matched,
          markAfter: s.mark,
          depth,
        }
      : {
          kind: "rule",
          table: s.table,
          hook: s.hook,
          chain: chain.name,
          ruleIndex: r.index,
          rule: r.text,
          action: r.rule.action.kind,
          matched,
          origin,
          markAfter: s.mark,
          depth,
        },
  );
  return w.path.length - 1;
};

/** The known step at `k`, which must be this rule of this chain (a different one is a bug in the caller). */
const knownRule = (w: Walker, k: number, chain: CompiledChain, r: CompiledRule): Step => {
  const ks = w.known[k]!;
  if (ks.kind !== "rule" || ks.ruleIndex !== r.index || ks.chain !== chain.name || ks.table !== w.state.table)
    throw new Error(`bug: the known walk's step ${k} is not ${w.state.table} ${chain.name} #${r.index}`);
  return ks;
};

/**
 * Records this walk's step for a rule it evaluated: the known step when there is one. That must have gone
 * the same way, unless which way makes no difference (a neutral rule, such as a policy's Log rule, on
 * which flow-space analysis lets a box's packets differ); then this walk's own step is recorded.
 */
const recordOrTakeOver = (
  w: Walker,
  ks: Step | undefined,
  chain: CompiledChain,
  r: CompiledRule,
  depth: number,
  matched: boolean,
): number => {
  if (ks === undefined) return recordRule(w, chain, r, depth, matched);
  if (ks.kind === "rule" && ks.matched !== matched && neutralStep(ks))
    return recordRule(w, chain, r, depth, matched);
  if (ks.kind !== "rule" || ks.matched !== matched || ks.markAfter !== w.state.mark)
    throw new Error(
      `bug: the known walk's step ${w.path.length} (${ks.kind === "rule" ? ks.rule : ks.text}) went another way`,
    );
  w.path.push(ks);
  return w.path.length - 1;
};

const recordEvent = (w: Walker, event: "hook" | "policy" | "abort", text: string, depth: number): number => {
  const s = w.state;
  w.path.push({ kind: "event", event, hook: s.hook, table: s.table, text, markAfter: s.mark, depth });
  return w.path.length - 1;
};

/** The latest rule that set any of `bits`; null when one of them was set before netfilter saw the packet. */
const setterOf = (w: Walker, bits: number): number | null | undefined => {
  if (bits === 0) return undefined;
  let latest = -1;
  // Only the set bits, lowest first, as noteWrites visits them (b: the lowest set bit, as an int32).
  for (let m = bits | 0; m !== 0;) {
    const b = m & -m;
    const s = w.setters[31 - Math.clz32(b)];
    if (s === undefined) return null;
    if (s > latest) latest = s;
    m ^= b;
  }
  return latest;
};

const noteWrites = (w: Walker, r: CompiledRule, step: number): void => {
  const wr = r.markWrite;
  if (wr === undefined) return;
  // Only the mask's bits, lowest first (b: the lowest set bit, as an int32).
  for (let m = wr.mask | 0; m !== 0;) {
    const b = m & -m;
    w.setters[31 - Math.clz32(b)] = (wr.value & b) !== 0 ? step : undefined;
    m ^= b;
  }
};

const NO_NOTES: readonly Note[] = [];

export const walkHook = (w: Walker, table: CompiledTable, hook: HookName): "accept" | "drop" => {
  const kernel = table.hooks.get(hook);
  if (kernel === undefined) return "accept";
  const segment = w.segment++;
  const from = w.resume;
  // A hook before the checkpoint's let the known packet through, as it lets this one.
  if (from !== undefined && segment < from.segment) return "accept";
  const s = w.state;
  s.table = table.name;
  s.hook = hook;
  if (from === undefined) recordEvent(w, "hook", `${table.name} ${hook}`, 0);
  const trav: Traversal = { table: table.name, hook, enteredEndpoint: false };

  let chain = kernel;
  let i = 0;
  let depth = 0;
  let returnedBy: { step: number; setter?: number | null } | undefined;
  const stack: Frame[] = [];
  if (from !== undefined) {
    w.resume = undefined;
    w.traversals.push(...from.traversals);
    trav.enteredEndpoint = from.enteredEndpoint;
    w.budget = from.budget;
    s.mark = from.mark;
    s.ctBits = from.ctBits;
    for (let b = 0; b < 32; b++) w.setters[b] = from.setters[b];
    w.noted.push(...from.noted);
    chain = from.chain;
    i = from.next;
    depth = from.depth;
    stack.push(...from.stack);
    returnedBy = from.returnedBy;
  }
  w.traversals.push(trav);
  let nextCheckpoint = w.checkpointEvery === 0 ? Infinity : w.path.length;
  const finish = (o: HookOutcome): "accept" | "drop" => {
    trav.outcome = o;
    return o.kind === "accept" || (o.kind === "policy" && o.policy === "ACCEPT") ? "accept" : "drop";
  };
  const underflow = (): "accept" | "drop" => {
    const step = recordEvent(w, "policy", `${hook} policy ${kernel.policy}`, 0);
    return finish({
      kind: "policy",
      policy: kernel.policy,
      step,
      ...(returnedBy === undefined ? {} : { returnedBy }),
    });
  };
  /** RETURN or the end of a user chain: back to the last return point, or to the policy. */
  const pop = (by: typeof returnedBy): boolean => {
    const f = stack.pop();
    if (f === undefined) {
      returnedBy = by;
      return false;
    }
    if (f.chain.kernel) returnedBy = by;
    chain = f.chain;
    i = f.next;
    depth = f.depth;
    return true;
  };

  for (;;) {
    if (w.path.length >= nextCheckpoint) {
      w.checkpoints.push({
        steps: w.path.length,
        segment,
        table: table.name,
        budget: w.budget,
        mark: s.mark,
        ctBits: s.ctBits,
        setters: w.setters.slice(),
        traversals: w.traversals.slice(0, -1),
        enteredEndpoint: trav.enteredEndpoint,
        chain,
        next: i,
        depth,
        stack: stack.slice(),
        returnedBy,
        noted: w.noted.length === 0 ? NO_NOTES : w.noted.slice(),
      });
      nextCheckpoint = w.path.length + w.checkpointEvery;
    }
    if (--w.budget < 0 || stack.length > MAX_STACK) {
      const step = recordEvent(w, "abort", `trace aborted in ${chain.name}: the chains loop`, depth);
      return finish({ kind: "abort", step });
    }
    const r = chain.rules[i];
    if (r === undefined) {
      // The end of a kernel chain is its policy; the end of a user chain is an implicit RETURN.
      if (chain.kernel || !pop(undefined)) return underflow();
      continue;
    }
    const k = w.path.length;
    const ks = k < w.knownLength ? knownRule(w, k, chain, r) : undefined;
    if (!r.test(s)) {
      if (w.verbose) recordOrTakeOver(w, ks, chain, r, depth, false);
      i++;
      continue;
    }
    const ctl = r.act(s);
    const step = recordOrTakeOver(w, ks, chain, r, depth, true);
    noteWrites(w, r, step);
    switch (ctl.k) {
      case "next":
        i++;
        break;
      case "accept": {
        const setter = setterOf(w, r.markBits);
        return finish({ kind: "accept", step, ...(setter === undefined ? {} : { setter }) });
      }
      case "drop":
        return finish({ kind: "drop", step });
      case "return": {
        const setter = setterOf(w, r.markBits);
        const by = { step, ...(setter === undefined ? {} : { setter }) };
        if (chain.kernel || !pop(by)) {
          returnedBy = by;
          return underflow();
        }
        break;
      }
      case "call": {
        const target = r.target;
        if (target === undefined || target === null) {
          s.note(
            "warning",
            `${table.name} ${chain.name} rule ${r.index} targets chain ${ctl.chain}, which does not exist; ignored`,
          );
          i++;
          break;
        }
        if (ctl.push) stack.push({ chain, next: i + 1, depth });
        if (target.endpoint) trav.enteredEndpoint = true;
        chain = target;
        i = 0;
        depth++;
        break;
      }
    }
  }
};
