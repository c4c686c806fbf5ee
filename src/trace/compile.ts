// A Ruleset compiled once for tracing: chains indexed by name, jump targets resolved to chain objects, each
// rule's matches turned into one predicate (CIDRs parsed, port lists into sets), IP sets into lookup
// structures, and kernel chains flattened to inserted + others + appended with their policy. A chain's
// rules and an IP set are compiled when first used. Compiled forms are cached per Ruleset object, so
// trace(), traceBatch() and traceVerdicts() share them.

import type {
  ActionHandlers,
  HookChain,
  IpSet,
  IpVersion,
  Match,
  MatchHandlers,
  Rule,
  Ruleset,
  TableName,
} from "../rules/ir.js";
import { onAction } from "../rules/ir.js";
import { actionHandlers } from "./action.js";
import { compileMatches, matchCompiler } from "./match.js";
import { ruleText } from "./rule-text.js";
import { lazyLookup } from "../util/lazy-lookup.js";
import { compileSet, type SetLookup } from "./sets.js";
import type { Act, Test } from "./state.js";
import type { HookName } from "./types.js";

export interface MarkWrite {
  readonly mask: number;
  readonly value: number;
}

export interface CompiledRule {
  readonly index: number;
  readonly rule: Rule;
  readonly text: string;
  readonly test: Test;
  readonly act: Act;
  /** Bits a positive `-m mark --mark v/m` requires set (v & m); used to find who set them. */
  readonly markBits: number;
  /** The mark bits the action writes (`mask`) and to what (`value`), so the walker knows who set each bit. */
  readonly markWrite?: MarkWrite;
  /** The jump / goto target, resolved in the rule's table (null: no such chain). */
  readonly target?: CompiledChain | null;
}

export interface CompiledChain {
  readonly name: string;
  readonly rules: readonly CompiledRule[];
  readonly kernel: boolean;
  readonly policy: "ACCEPT" | "DROP";
  /** A per-endpoint chain (cali-fh-, cali-th-, cali-fhfw-, cali-thfw-): Calico policing an interface. */
  readonly endpoint: boolean;
}

export interface CompiledTable {
  readonly name: TableName;
  readonly hooks: ReadonlyMap<HookName, CompiledChain>;
  readonly chains: ReadonlyMap<string, CompiledChain>;
}

export interface CompiledRuleset {
  readonly source: Ruleset;
  readonly version: IpVersion;
  readonly tables: ReadonlyMap<TableName, CompiledTable>;
  /** The ruleset's IP sets by name (the last of a repeated name, as the matches see them). */
  readonly sets: SetLookup;
}

const ENDPOINT_CHAIN = /^cali-(fh|th|fhfw|thfw)-/;

const positiveMarkBits = (matches: readonly Match[]): number =>
  matches.reduce(
    (bits, m) => (m.kind === "mark" && !m.negated ? (bits | (m.value & m.mask)) >>> 0 : bits),
    0,
  );

type Effect = { readonly write?: MarkWrite; readonly target?: string };
const plain = (): Effect => ({});
/** xt_MARK --set-mark v/m writes the bits of m|v; Felix's "clear" is --set-mark 0/m. */
const effects: ActionHandlers<Effect> = {
  setMark: (a) => ({ write: { mask: (a.mask | a.value) >>> 0, value: a.value >>> 0 } }),
  clearMark: (a) => ({ write: { mask: a.mask >>> 0, value: 0 } }),
  jump: (a) => ({ target: a.target }),
  goto: (a) => ({ target: a.target }),
  accept: plain,
  drop: plain,
  reject: plain,
  return: plain,
  log: plain,
  nflog: plain,
  notrack: plain,
  dnat: plain,
  masquerade: plain,
  none: plain,
  unknown: plain,
};

/**
 * A chain whose rules are compiled when first read: one packet's walk reaches a few dozen chains of a
 * node's thousands, and compiling them all took a one-packet trace of a 10,000-rule ruleset from under a
 * millisecond to about 70 ms. `compile` runs after every chain of the table exists (jump targets).
 */
const lazyChain = (
  name: string,
  source: readonly Rule[],
  kernel: boolean,
  policy: "ACCEPT" | "DROP",
  compile: (source: readonly Rule[]) => CompiledRule[],
): CompiledChain => {
  let rules: readonly CompiledRule[] | undefined;
  return {
    name,
    kernel,
    policy,
    endpoint: !kernel && ENDPOINT_CHAIN.test(name),
    get rules() {
      return (rules ??= compile(source));
    },
  };
};

const compileRules = (
  source: readonly Rule[],
  handlers: MatchHandlers<Test>,
  chains: ReadonlyMap<string, CompiledChain>,
): CompiledRule[] =>
  source.map((rule, index): CompiledRule => {
    const e = onAction(effects, rule.action);
    return {
      index,
      rule,
      text: ruleText(rule),
      test: compileMatches(rule.matches, handlers),
      act: onAction(actionHandlers, rule.action),
      markBits: positiveMarkBits(rule.matches),
      ...(e.write === undefined ? {} : { markWrite: e.write }),
      ...(e.target === undefined ? {} : { target: chains.get(e.target) ?? null }),
    };
  });

/**
 * The ruleset's IP sets by name, each compiled on first lookup (a packet consults a few of hundreds); the
 * last of a repeated name, as the kernel would have it after restoring them in order.
 */
const lazySets = (sets: readonly IpSet[]): SetLookup =>
  lazyLookup(
    sets.map((s) => [s.name, s] as const),
    compileSet,
  );

const hookRules = (h: HookChain): Rule[] => [...h.inserted, ...(h.others ?? []), ...h.appended];

const compileUncached = (rs: Ruleset): CompiledRuleset => {
  const sets = lazySets(rs.sets);
  const handlers = matchCompiler({ version: rs.version, sets });
  const tables = new Map<TableName, CompiledTable>();
  for (const t of rs.tables) {
    const chains = new Map<string, CompiledChain>();
    const compile = (source: readonly Rule[]): CompiledRule[] => compileRules(source, handlers, chains);
    // iptables-restore rejects a duplicate chain; keep the first, as the IR builders never emit two.
    for (const c of t.chains)
      if (!chains.has(c.name)) chains.set(c.name, lazyChain(c.name, c.rules, false, "ACCEPT", compile));
    const hooks = new Map<HookName, CompiledChain>(
      t.hooks.map((h) => [h.name, lazyChain(h.name, hookRules(h), true, h.policy ?? "ACCEPT", compile)]),
    );
    tables.set(t.name, { name: t.name, hooks, chains });
  }
  return { source: rs, version: rs.version, tables, sets };
};

const cache = new WeakMap<Ruleset, CompiledRuleset>();

export const compileRuleset = (rs: Ruleset): CompiledRuleset => {
  let c = cache.get(rs);
  if (c === undefined) {
    c = compileUncached(rs);
    cache.set(rs, c);
  }
  return c;
};

// Verdict-only batch tracing lives in verdicts.ts; re-exported here, where callers have imported it from.
export { traceVerdicts } from "./verdicts.js";
