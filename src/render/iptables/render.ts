// Ruleset → iptables-restore input, laid out as Felix writes it (felix/iptables/table.go applyUpdates,
// felix/iptables/renderer.go). Chains are sorted by name so the output is deterministic; Felix walks a Go map
// and its chain order is random, but the order of rules inside each chain is exact.

import type { Chain, HookChain, Rule, Ruleset, Table, TableName } from "../../rules/ir.js";
import { takenFrom, textKeyOf } from "../../rules/endpoint-chains.js";
import { limitChainName } from "../../rules/names.js";
import { bodyDigestSequence, bodyIdSequence } from "../rule-hash.js";
import { actionFragment } from "./action.js";
import type { ActionTextOptions } from "./action.js";
import { matchFragment } from "./match.js";
import { compareStrings } from "../../util/compare.js";
import { keptIn, memoByString } from "../../util/memo.js";

export interface RenderIptablesOptions extends ActionTextOptions {
  /** Only these tables (default: all). */
  readonly tables?: readonly TableName[];
  /**
   * Felix ChainInsertMode (default "insert"): "append" writes the hook rules meant for the top of a kernel chain
   * with `-A`, in order, after any existing rules (felix/iptables/table.go applyUpdates). Hashes are the same.
   */
  readonly chainInsertMode?: "insert" | "append";
  /**
   * Whether endpoint chains' texts are kept, by chain and by content, for later renderings (default true).
   * A delta after an order edit writes endpoint chains that are new with every edit: keeping their texts
   * gains nothing, and on Node 20 it costs, since an old WeakMap keeps the values of young keys alive
   * through young-generation collections, which then copy them into the old generation.
   */
  readonly keepEndpointTexts?: boolean;
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

// The same comments recur on every node ("Return if policy accepted", "<Kind> <name> <direction>").
const escapedComment = memoByString(escapeComment, 100_000);

/** Comments, matches and action of a rule, each as Felix's fragment text (no hash comment). */
export const ruleFragments = (rule: Rule, opts: ActionTextOptions = {}): string[] => {
  const comments = rule.comments.map((c) => `-m comment --comment "${escapedComment(c)}"`);
  const matches = rule.matches.map(matchFragment);
  return [...comments, ...matches, actionFragment(rule.action, opts)].filter((f) => f !== "");
};

/** ruleFragments joined with spaces, built without the intermediate arrays ("" for a bare rule). */
const ruleBody = (rule: Rule, opts: ActionTextOptions): string => {
  let body = "";
  const add = (f: string): void => {
    if (f !== "") body = body === "" ? f : `${body} ${f}`;
  };
  // Indexed loops, as in rules/node-ruleset.ts: no iterator results while this runs unoptimised.
  const { comments, matches } = rule;
  for (let i = 0; i < comments.length; i++) add(`-m comment --comment "${escapedComment(comments[i]!)}"`);
  for (let i = 0; i < matches.length; i++) add(matchFragment(matches[i]!));
  add(actionFragment(rule.action, opts));
  return body;
};

const idComment = (hash: string): string => `-m comment --comment "${HASH_COMMENT_PREFIX}${hash}"`;

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
  const id = hash === "HASH" || hash === "" ? hash : idComment(hash);
  return [verb, chain, id, ruleBody(rule, opts)].filter((f) => f !== "").join(" ");
};

/** The `cali:` ids of a chain's rules; `seed` is the chain name, or `<chain>*appends*` for kernel appends. */
export const ruleIds = (seed: string, rules: readonly Rule[], opts: ActionTextOptions = {}): string[] => {
  const next = bodyIdSequence(seed);
  return rules.map((r) => next(ruleBody(r, opts)));
};

/** The hash seed (and chain name in the hashed text) Felix uses for rules appended to a kernel chain. */
export const appendsSeed = (kernelChain: string): string => `${kernelChain}*appends*`;

const byName = (a: { name: string }, b: { name: string }): number => compareStrings(a.name, b.name);

/** A rule's body with its jump or goto target spelled by `target` (the backend's chain name limit). */
const spelledBody = (r: Rule, opts: ActionTextOptions, target: (name: string) => string): string => {
  const a = r.action;
  const to = a.kind === "jump" || a.kind === "goto" ? target(a.target) : undefined;
  const spelled =
    to !== undefined && to !== (a as { target: string }).target
      ? { ...r, action: { ...a, target: to } as typeof a }
      : r;
  return ruleBody(spelled, opts);
};

/** Each rule's body, spelled as spelledBody does. */
const ruleBodies = (
  rules: readonly Rule[],
  opts: ActionTextOptions,
  target: (name: string) => string,
): string[] => {
  const bodies = new Array<string>(rules.length);
  for (let i = 0; i < rules.length; i++) bodies[i] = spelledBody(rules[i]!, opts, target);
  return bodies;
};

// The bodies of each endpoint chain rendered, while the chain lives: a chain rebuilt from it after an
// order edit (rules/endpoint-chains.ts takenFrom) holds mostly the same rule objects, whose bodies are
// taken over. Per flavour, as the bodies depend on it (and on nothing else: IR chains are never modified).
const endpointBodies = { size: new WeakMap<Chain, string[]>(), range: new WeakMap<Chain, string[]>() };

const bodiesOfEndpointChain = (
  chain: Chain,
  opts: ActionTextOptions,
  target: (name: string) => string,
  flavour: "size" | "range",
): string[] => {
  // A chain rendered before (the old side of an iptables-legacy update) has them already.
  const known = endpointBodies[flavour].get(chain);
  if (known !== undefined) return known;
  const from = takenFrom(chain);
  const earlier = from === undefined ? undefined : endpointBodies[flavour].get(from.previous);
  let bodies: string[];
  if (earlier === undefined) bodies = ruleBodies(chain.rules, opts, target);
  else {
    const { index } = from!;
    bodies = new Array<string>(chain.rules.length);
    for (let i = 0; i < bodies.length; i++) {
      const j = index[i]!;
      bodies[i] = j >= 0 ? earlier[j]! : spelledBody(chain.rules[i]!, opts, target);
    }
  }
  endpointBodies[flavour].set(chain, bodies);
  return bodies;
};

/**
 * Rule i's digest, given its body, for rules taken in order: one of the first `kept` in `digests` (rules whose
 * ids are known), or hashed with `seed`, chained from the one before. Each is written to `digests` when given.
 */
const digestSequence = (
  seed: string,
  digests: string[] | undefined,
  kept: number,
): ((i: number, body: string) => string) => {
  const next = bodyDigestSequence(seed, kept > 0 ? digests![kept - 1] : undefined);
  return (i, body) => {
    const digest = i < kept ? digests![i]! : next(body);
    if (digests !== undefined) digests[i] = digest;
    return digest;
  };
};

/**
 * The lines of rules with these bodies (no trailing newline), hashed with `seed`; `reversed` writes them
 * last-first. One string per chain, not one per rule: a chain is copied into the output once. `digests`, if
 * given, gets each rule's digest; its first `kept` are there already (rules whose ids are known).
 */
const linesText = (
  verb: "-A" | "-I",
  chain: string,
  seed: string,
  bodies: readonly string[],
  reversed = false,
  digests?: string[],
  kept = 0,
): string => {
  // Felix hashes `-A <seed> HASH <body>` (bodyDigestSequence); each line is `<head><id>" <body>`. The
  // pieces of all lines are joined at once: a string per line would be three cons strings copied again.
  const digestOf = digestSequence(seed, digests, kept);
  const head = `${verb} ${chain} -m comment --comment "${HASH_COMMENT_PREFIX}`;
  const n = bodies.length;
  if (n === 0) return "";
  const pieces = new Array<string>(5 * n);
  for (let i = 0; i < n; i++) {
    const body = bodies[i]!;
    const digest = digestOf(i, body);
    const at = 5 * (reversed ? n - 1 - i : i);
    pieces[at] = head;
    pieces[at + 1] = digest.slice(0, 16);
    pieces[at + 2] = body === "" ? '"' : '" ';
    pieces[at + 3] = body;
    pieces[at + 4] = "\n";
  }
  // No newline after the last line.
  pieces.length = 5 * n - 1;
  return pieces.join("");
};

// The rule digests of each endpoint chain rendered, while the chain lives. A chain rebuilt from it after an
// order edit has the same rules, with the same ids, up to the first one the edit changed: those are taken
// over, and the chain of hashes goes on from there (for a move within a tier, about a third of the rules).
const endpointDigests = { size: new WeakMap<Chain, string[]>(), range: new WeakMap<Chain, string[]>() };

/**
 * An endpoint chain's digests before it is written, as linesText fills them: those of the rules it shares,
 * from its first, with the chain it was rebuilt from (`kept` of them), and room for the rest. Kept for the
 * chain's own successors.
 */
const digestsOfEndpointChain = (
  chain: Chain,
  name: string,
  bodies: readonly string[],
  flavour: "size" | "range",
): { digests: string[]; kept: number } => {
  const digests = new Array<string>(bodies.length);
  const from = takenFrom(chain);
  const earlier = from === undefined ? undefined : endpointDigests[flavour].get(from.previous);
  const earlierBodies = from === undefined ? undefined : endpointBodies[flavour].get(from.previous);
  let kept = 0;
  // The same name is the same hash seed.
  if (earlier !== undefined && earlierBodies !== undefined && limitName(from!.previous.name) === name) {
    const n = Math.min(bodies.length, earlierBodies.length);
    while (kept < n && bodies[kept] === earlierBodies[kept]) kept++;
    for (let i = 0; i < kept; i++) digests[i] = earlier[i]!;
  }
  endpointDigests[flavour].set(chain, digests);
  return { digests, kept };
};

const rulesText = (
  verb: "-A" | "-I",
  chain: string,
  seed: string,
  rules: readonly Rule[],
  opts: ActionTextOptions,
  target: (name: string) => string,
  reversed = false,
): string => linesText(verb, chain, seed, ruleBodies(rules, opts, target), reversed);

// Chains rendered by content: endpoint and dispatch chains are built for each node, but nodes whose
// interfaces have the same names and policies get the same text (hence the same ids). Endpoint chains are
// found by their text key, others by their rule bodies (cheap next to the hashes). Bounded by the text held.
const byContent = { size: new Map<string, string>(), range: new Map<string, string>() };
let contentChars = 0;
const MAX_CONTENT_CHARS = 16 * 2 ** 20;

const remember = (flavour: "size" | "range", key: string, render: () => string): string => {
  const cache = byContent[flavour];
  let text = cache.get(key);
  if (text === undefined) {
    text = render();
    if (contentChars > MAX_CONTENT_CHARS) {
      byContent.size.clear();
      byContent.range.clear();
      contentChars = 0;
    }
    cache.set(key, text);
    contentChars += key.length + text.length;
  }
  return text;
};

/**
 * An endpoint chain's text, its rule bodies, and the ids of its rules up to the first changed one, taken
 * over where it was rebuilt from a rendered chain.
 */
const endpointChainText = (
  name: string,
  chain: Chain,
  opts: ActionTextOptions,
  target: (name: string) => string,
  flavour: "size" | "range",
): string => {
  const bodies = bodiesOfEndpointChain(chain, opts, target, flavour);
  const { digests, kept } = digestsOfEndpointChain(chain, name, bodies, flavour);
  return linesText("-A", name, name, bodies, false, digests, kept);
};

/** A chain's text, found by what it renders from: its text key (rules/endpoint-chains.ts) or its rule bodies. */
const chainByContent = (
  name: string,
  chain: Chain,
  opts: ActionTextOptions,
  target: (name: string) => string,
  flavour: "size" | "range",
): string => {
  const textKey = textKeyOf(chain);
  if (textKey !== undefined)
    return remember(flavour, `k\n${textKey}`, () => endpointChainText(name, chain, opts, target, flavour));
  const bodies = ruleBodies(chain.rules, opts, target);
  return remember(flavour, `c\n${name}\n${bodies.join("\n")}`, () => linesText("-A", name, name, bodies));
};

const checkChains = (table: TableName, names: readonly string[]): void => {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (seen.has(name)) throw new Error(`bug: chain ${name} appears twice in table ${table}`);
    if (name.length > MAX_CHAIN_NAME_LENGTH) {
      throw new Error(`bug: chain name ${name} is longer than ${MAX_CHAIN_NAME_LENGTH} characters`);
    }
    seen.add(name);
  }
};

// Rendered chains by object identity: policy, profile and static chains are shared by every node that has
// them (rules/node-ruleset.ts), so each is spelled and hashed once. IR chains are never modified.
const chainCache = { size: new WeakMap<Chain, string>(), range: new WeakMap<Chain, string>() };
const insertCache = {
  size: { insert: new WeakMap<HookChain, string>(), append: new WeakMap<HookChain, string>() },
  range: { insert: new WeakMap<HookChain, string>(), append: new WeakMap<HookChain, string>() },
};
const appendCache = { size: new WeakMap<HookChain, string>(), range: new WeakMap<HookChain, string>() };

/**
 * One table of logical (IR) chain names as pieces of iptables-restore text, `*table` to `COMMIT`, each to
 * be followed by a newline (none when it holds nothing; the caller puts the pieces together at once).
 * Names are limited to 28 characters; chain texts are cached and shared with every rendering, so a delta
 * of a few chains gets exactly the text the full rendering has.
 */
export const renderTableParts = (table: Table, opts: RenderIptablesOptions = {}): string[] => {
  const hookRules = table.hooks.reduce((n, h) => n + h.inserted.length + h.appended.length, 0);
  if (table.chains.length === 0 && hookRules === 0) return [];
  const named = table.chains.map((c) => ({ name: limitName(c.name), chain: c }));
  checkChains(
    table.name,
    named.map((n) => n.name),
  );
  named.sort(byName);
  const flavour = opts.nflogSize === false ? "range" : "size";
  const mode = opts.chainInsertMode === "append" ? "append" : "insert";
  const parts: string[] = [`*${table.name}`];
  for (let i = 0; i < named.length; i++) parts.push(`:${named[i]!.name} - -`);
  for (let i = 0; i < named.length; i++) {
    const n = named[i]!;
    if (n.chain.rules.length === 0) continue;
    if (opts.keepEndpointTexts === false && textKeyOf(n.chain) !== undefined)
      parts.push(endpointChainText(n.name, n.chain, opts, limitName, flavour));
    else
      parts.push(
        keptIn(chainCache[flavour], n.chain, () => chainByContent(n.name, n.chain, opts, limitName, flavour)),
      );
  }
  // Each `-I` pushes onto the top of the chain, so inserts are written last-first to end up in order.
  for (const h of table.hooks) {
    if (h.inserted.length === 0) continue;
    parts.push(
      keptIn(insertCache[flavour][mode], h, () =>
        mode === "append"
          ? rulesText("-A", h.name, h.name, h.inserted, opts, limitName)
          : rulesText("-I", h.name, h.name, h.inserted, opts, limitName, true),
      ),
    );
  }
  for (const h of table.hooks) {
    if (h.appended.length === 0) continue;
    parts.push(
      keptIn(appendCache[flavour], h, () =>
        rulesText("-A", h.name, appendsSeed(h.name), h.appended, opts, limitName),
      ),
    );
  }
  parts.push("COMMIT");
  return parts;
};

// iptables chain names are at most 28 characters; Felix hashes longer ones (GetLengthLimitedID).
const limitName = memoByString((name) => limitChainName(name, MAX_CHAIN_NAME_LENGTH), 100_000);

/**
 * The lines that take a chain from `before` to `after` as Felix writes them in iptables-legacy mode
 * (felix/iptables/table.go applyUpdates; in iptables-nft mode it rewrites the whole chain): a rule whose id is
 * unchanged is left alone, the others are replaced in place (`-R <chain> <n>`), new ones appended and the
 * surplus deleted one past the new end (`-D <chain> <n>`, repeated). Ids are chained, so every rule from the
 * first one whose text changed has a new id, and none before it does: the lines start there. "" when the two
 * render the same. No newline after the last line.
 */
export const chainUpdateText = (before: Chain, after: Chain, opts: RenderIptablesOptions = {}): string => {
  const name = limitName(after.name);
  if (limitName(before.name) !== name) throw new Error(`bug: ${before.name} is not updated to ${after.name}`);
  const flavour = opts.nflogSize === false ? "range" : "size";
  const endpoint = textKeyOf(after) !== undefined;
  const bodiesOf = (c: Chain): readonly string[] =>
    textKeyOf(c) === undefined
      ? ruleBodies(c.rules, opts, limitName)
      : bodiesOfEndpointChain(c, opts, limitName, flavour);
  const old = bodiesOf(before);
  const now = bodiesOf(after);
  let first = 0;
  while (first < old.length && first < now.length && old[first] === now[first]) first++;
  if (first === old.length && first === now.length) return "";
  // An endpoint chain rebuilt from `before` has its first rules' digests already: only the rest is hashed.
  const { digests, kept } = endpoint
    ? digestsOfEndpointChain(after, name, now, flavour)
    : { digests: undefined, kept: 0 };
  const digestOf = digestSequence(name, digests, kept);
  const lines: string[] = [];
  for (let i = Math.min(kept, first); i < now.length; i++) {
    const body = now[i]!;
    // Every id from `kept` on is hashed: each chains the one before.
    const digest = digestOf(i, body);
    if (i < first) continue;
    const verb = i < old.length ? `-R ${name} ${i + 1}` : `-A ${name}`;
    lines.push(`${verb} ${idComment(digest.slice(0, 16))}${body === "" ? "" : ` ${body}`}`);
  }
  for (let i = now.length; i < old.length; i++) lines.push(`-D ${name} ${now.length + 1}`);
  return lines.join("\n");
};

/** The whole ruleset as iptables-restore (or ip6tables-restore) input. */
export const renderIptables = (ruleset: Ruleset, opts: RenderIptablesOptions = {}): string => {
  const wanted = opts.tables ?? TABLE_ORDER;
  const parts: string[] = [];
  for (const name of TABLE_ORDER) {
    if (!wanted.includes(name)) continue;
    const tables = ruleset.tables.filter((t) => t.name === name);
    if (tables.length > 1)
      throw new Error(`bug: table ${name} appears ${tables.length} times in the ruleset`);
    if (tables[0] !== undefined) {
      const table = renderTableParts(tables[0], opts);
      for (let i = 0; i < table.length; i++) parts.push(table[i]!);
    }
  }
  // Concatenated, not joined: the chain texts are cached and shared by nodes, and V8 links them instead of
  // copying them into one new string per node. Whoever writes the text out flattens it once.
  let out = "";
  for (let i = 0; i < parts.length; i++) out += `${parts[i]!}\n`;
  return out;
};
