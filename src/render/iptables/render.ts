// Ruleset → iptables-restore input, laid out as Felix writes it (felix/iptables/table.go applyUpdates,
// felix/iptables/renderer.go). Chains are sorted by name so the output is deterministic; Felix walks a Go map
// and its chain order is random, but the order of rules inside each chain is exact.

import type { Chain, HookChain, Rule, Ruleset, Table, TableName } from "../../rules/ir.js";
import { felixRuleHashes } from "../../util/hash.js";
import { limitRulesetNames } from "../../rules/names.js";
import { actionFragment } from "./action.js";
import type { ActionTextOptions } from "./action.js";
import { matchFragment } from "./match.js";

export interface RenderIptablesOptions extends ActionTextOptions {
  /** Only these tables (default: all). */
  readonly tables?: readonly TableName[];
  /**
   * Felix ChainInsertMode (default "insert"): "append" writes the hook rules meant for the top of a kernel chain
   * with `-A`, in order, after any existing rules (felix/iptables/table.go applyUpdates). Hashes are the same.
   */
  readonly chainInsertMode?: "insert" | "append";
}

/** iptables-restore table order used here (raw is traversed first, filter last). */
export const TABLE_ORDER: readonly TableName[] = ["raw", "mangle", "nat", "filter"];

/** felix/rules/rulesdefs: the hash comment is `cali:<hash>`. */
export const HASH_COMMENT_PREFIX = "cali:";

/** felix/iptables/table.go: chain names are at most 28 characters. */
export const MAX_CHAIN_NAME_LENGTH = 28;

const MAX_COMMENT_LENGTH = 256;
// renderer.go shellUnsafe = `[^\w @%+=:,./-]`: iptables-restore has no quoting Felix can rely on, so
// anything else becomes "_" (one per code point, as Go's regexp works on runes).
const SHELL_UNSAFE = /[^\w @%+=:,./-]/gu;

/** renderer.go escapeComment + truncateComment. */
export const escapeComment = (comment: string): string =>
  comment.replace(SHELL_UNSAFE, "_").slice(0, MAX_COMMENT_LENGTH);

/** Comments, matches and action of a rule, each as Felix's fragment text (no hash comment). */
export const ruleFragments = (rule: Rule, opts: ActionTextOptions = {}): string[] => {
  const comments = rule.comments.map((c) => `-m comment --comment "${escapeComment(c)}"`);
  const matches = rule.matches.map(matchFragment);
  return [...comments, ...matches, actionFragment(rule.action, opts)].filter((f) => f !== "");
};

/**
 * One line of iptables-restore text. `hash` "HASH" gives the text Felix hashes (renderer.go commentFrag);
 * "" leaves the hash comment out.
 */
export const ruleLine = (
  verb: "-A" | "-I",
  chain: string,
  hash: string,
  rule: Rule,
  opts: ActionTextOptions = {},
): string => {
  const id = hash === "HASH" || hash === "" ? hash : `-m comment --comment "${HASH_COMMENT_PREFIX}${hash}"`;
  return [verb, chain, id, ...ruleFragments(rule, opts)].filter((f) => f !== "").join(" ");
};

/** The `cali:` ids of a chain's rules; `seed` is the chain name, or `<chain>*appends*` for kernel appends. */
export const ruleIds = (seed: string, rules: readonly Rule[], opts: ActionTextOptions = {}): string[] =>
  felixRuleHashes(
    seed,
    rules.map((r) => ruleLine("-A", seed, "HASH", r, opts)),
  );

/** The hash seed (and chain name in the hashed text) Felix uses for rules appended to a kernel chain. */
export const appendsSeed = (kernelChain: string): string => `${kernelChain}*appends*`;

const byName = (a: { name: string }, b: { name: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

const chainLines = (chain: Chain, opts: ActionTextOptions): string[] => {
  const ids = ruleIds(chain.name, chain.rules, opts);
  return chain.rules.map((r, i) => ruleLine("-A", chain.name, ids[i] ?? "", r, opts));
};

// Each `-I` pushes onto the top of the chain, so inserts are written last-first to end up in order.
const insertLines = (hook: HookChain, opts: RenderIptablesOptions): string[] => {
  const ids = ruleIds(hook.name, hook.inserted, opts);
  if (opts.chainInsertMode === "append") {
    return hook.inserted.map((r, i) => ruleLine("-A", hook.name, ids[i] ?? "", r, opts));
  }
  return hook.inserted.map((r, i) => ruleLine("-I", hook.name, ids[i] ?? "", r, opts)).reverse();
};

const appendLines = (hook: HookChain, opts: ActionTextOptions): string[] => {
  const ids = ruleIds(appendsSeed(hook.name), hook.appended, opts);
  return hook.appended.map((r, i) => ruleLine("-A", hook.name, ids[i] ?? "", r, opts));
};

const checkChains = (table: Table): void => {
  const seen = new Set<string>();
  for (const c of table.chains) {
    if (seen.has(c.name)) throw new Error(`bug: chain ${c.name} appears twice in table ${table.name}`);
    if (c.name.length > MAX_CHAIN_NAME_LENGTH) {
      throw new Error(`bug: chain name ${c.name} is longer than ${MAX_CHAIN_NAME_LENGTH} characters`);
    }
    seen.add(c.name);
  }
};

/** The iptables-restore lines of one table, `*table` to `COMMIT`; empty when the table holds nothing. */
export const renderTableLines = (table: Table, opts: RenderIptablesOptions = {}): string[] => {
  const hookRules = table.hooks.reduce((n, h) => n + h.inserted.length + h.appended.length, 0);
  if (table.chains.length === 0 && hookRules === 0) return [];
  checkChains(table);
  const chains = [...table.chains].sort(byName);
  // Inserts for every kernel chain, then appends, as in the reference layout (section 14.3).
  return [
    `*${table.name}`,
    ...chains.map((c) => `:${c.name} - -`),
    ...chains.flatMap((c) => chainLines(c, opts)),
    ...table.hooks.flatMap((h) => insertLines(h, opts)),
    ...table.hooks.flatMap((h) => appendLines(h, opts)),
    "COMMIT",
  ];
};

/** The whole ruleset as iptables-restore (or ip6tables-restore) input. */
export const renderIptables = (logical: Ruleset, opts: RenderIptablesOptions = {}): string => {
  // iptables chain names are at most 28 characters; Felix hashes longer ones (GetLengthLimitedID).
  const ruleset = limitRulesetNames(logical, MAX_CHAIN_NAME_LENGTH);
  const wanted = opts.tables ?? TABLE_ORDER;
  const lines = TABLE_ORDER.filter((name) => wanted.includes(name)).flatMap((name) => {
    const tables = ruleset.tables.filter((t) => t.name === name);
    if (tables.length > 1)
      throw new Error(`bug: table ${name} appears ${tables.length} times in the ruleset`);
    return tables[0] === undefined ? [] : renderTableLines(tables[0], opts);
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
};
