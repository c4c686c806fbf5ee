// One table's kernel chain for one hook, walked as ipt_do_table does (net/ipv4/netfilter/ip_tables.c): a jump
// pushes a return point, a goto does not, RETURN (or the end of a user chain) pops one, and with nothing to
// pop the kernel chain's policy ("underflow") decides. ACCEPT ends this table's hook only; DROP ends the walk.

import type { TableName } from "../rules/ir.js";
import type { CompiledChain, CompiledRule, CompiledTable } from "./compile.js";
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
}

interface Frame {
  readonly chain: CompiledChain;
  readonly next: number;
  readonly depth: number;
}

/** iptables-restore refuses loops (ELOOP); a cap keeps a hand-built cyclic ruleset from hanging us. */
const MAX_STACK = 1024;

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

/** Takes over a known step after this walk evaluated the same rule: it must have gone the same way. */
const takeOver = (w: Walker, ks: Step, matched: boolean): number => {
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
  for (let bit = 0; bit < 32; bit++) {
    if ((bits & (2 ** bit)) === 0) continue;
    const s = w.setters[bit];
    if (s === undefined) return null;
    latest = Math.max(latest, s);
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

export const walkHook = (w: Walker, table: CompiledTable, hook: HookName): "accept" | "drop" => {
  const kernel = table.hooks.get(hook);
  if (kernel === undefined) return "accept";
  const s = w.state;
  s.table = table.name;
  s.hook = hook;
  recordEvent(w, "hook", `${table.name} ${hook}`, 0);
  const trav: Traversal = { table: table.name, hook, enteredEndpoint: false };
  w.traversals.push(trav);

  let chain = kernel;
  let i = 0;
  let depth = 0;
  let returnedBy: { step: number; setter?: number | null } | undefined;
  const stack: Frame[] = [];
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
      if (w.verbose) {
        if (ks === undefined) recordRule(w, chain, r, depth, false);
        else takeOver(w, ks, false);
      }
      i++;
      continue;
    }
    const ctl = r.act(s);
    const step = ks === undefined ? recordRule(w, chain, r, depth, true) : takeOver(w, ks, true);
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
