// Ruleset → one libnftables JSON batch (and the same batch as `nft -f` text), laid out as Felix's nftables mode:
// table `ip calico` / `ip6 calico`, layer-prefixed chains, Felix's fourteen base chains, `<matches> counter
// <action>` rules with `cali:<hash>;` comments hashed over Felix's rule text (felix/nftables/renderer.go,
// felix/generictables/rules.go RuleHashes). The batch replaces the table atomically: add, delete, add the table,
// then sets, chains and rules (what Felix does on a full resync, felix/nftables/table.go:1285-1291), so loading
// it twice gives the same ruleset (reference §3 pitfalls 12-13). Output order is fixed, so it is deterministic.

import type { HookChain, IpVersion, Match, Rule, Ruleset, TableName } from "../../rules/ir.js";
import { textKeyOf } from "../../rules/endpoint-chains.js";
import { pieceIdSequence, ruleIdSequence } from "../rule-hash.js";
import { actionFragment, actionFragmentKept } from "./action.js";
import { isSharedKind } from "../../rules/build.js";
import {
  BASE_CHAINS,
  LAYERS,
  NFT_TABLE,
  appendsSeed,
  baseChainName,
  nftChainName,
  nftFamily,
} from "./layout.js";
import type { BaseChainDef, NftIpFamily } from "./layout.js";
import { matchRenderer, transportOf } from "./match.js";
import type { NftFragment } from "./expr.js";
import type { NftStatement } from "./schema-expr.js";
import type { NftCommand, NftDocument } from "./schema.js";
import { setPlan } from "./sets.js";
import type { NftSetPlan } from "./sets.js";
import { compareStrings } from "../../util/compare.js";
import { keptIn, keptInBounded, memoByString } from "../../util/memo.js";

/** felix/rules/rulesdefs: the rule id comment is `cali:<hash>;`. */
export const NFT_HASH_COMMENT_PREFIX = "cali:";
/** knftables CommentLengthMax (renderer.go:100-116). */
export const NFT_MAX_COMMENT_LENGTH = 128;
// renderer.go shellUnsafe: everything else becomes "_" (one per code point, as Go's regexp works on runes).
const SHELL_UNSAFE = /[^\w @%+=:,./-]/gu;

export interface RuleContext {
  readonly version: IpVersion;
  readonly layer: TableName;
}

// A rule's fragments, in order: its matches, then a counter and its action when it has one (a rule with no
// action is rendered without a counter); a rule with no statement at all is `continue` (renderer.go
// renderRule). Both the planned path (ruleFragment) and the JSON text writer walk a rule through these.
const COUNTER: NftFragment = { felix: "counter", text: "counter", expr: [{ counter: null }] };
const CONTINUE: NftFragment = { felix: "continue", text: "continue", expr: [{ continue: null }] };

/** How many fragments a rule renders to (see fragmentOf). */
const fragmentCount = (rule: Rule): number =>
  rule.action.kind === "none" ? rule.matches.length : rule.matches.length + 2;

/** A rule's fragment `k` (0 ≤ k < fragmentCount), its matches rendered by `render`. */
const fragmentOf = (
  rule: Rule,
  k: number,
  render: (m: Match) => NftFragment,
  ctx: RuleContext,
): NftFragment => {
  const n = rule.matches.length;
  return k < n ? render(rule.matches[k]!) : k === n ? COUNTER : actionFragment(rule.action, ctx);
};

/** A rule as `<matches> counter <action>` (renderer.go renderRule): Felix's text, loadable text and JSON. */
export const ruleFragment = (rule: Rule, ctx: RuleContext): NftFragment => {
  const render = matchRenderer(ctx.version, transportOf(rule.matches));
  let felix = "";
  // The loadable text is Felix's text until a fragment spells them apart (most never do): only then is it
  // built as a string of its own.
  let text: string | undefined;
  const expr: NftStatement[] = [];
  for (let k = 0, n = fragmentCount(rule); k < n; k++) {
    const f = fragmentOf(rule, k, render, ctx);
    if (text === undefined && f.text !== f.felix) text = felix;
    if (f.felix !== "") felix = felix === "" ? f.felix : `${felix} ${f.felix}`;
    if (text !== undefined && f.text !== "") text = text === "" ? f.text : `${text} ${f.text}`;
    for (const e of f.expr) expr.push(e);
  }
  if (expr.length === 0) return CONTINUE;
  return { felix, text: text ?? felix, expr };
};

/** The `cali:` ids of a chain's rules; `seed` is the nft chain name, or `<chain>*appends*` for base-chain appends. */
export const nftRuleIds = (seed: string, rules: readonly Rule[], ctx: RuleContext): string[] =>
  rules.map(
    (
      (next) => (r: Rule) =>
        next(ruleFragment(r, ctx).felix)
    )(ruleIdSequence(seed)),
  );

const escapeComment = (c: string): string => c.replace(SHELL_UNSAFE, "_");

// The same comments recur on every rule of a kind ("Return if policy accepted", "<Kind> <name> <direction>").
const escapedComment = memoByString(escapeComment, 100_000);

/** renderer.go comment(): `cali:<hash>;` then each comment escaped and cut to an equal share of 128 characters. */
export const nftComment = (hash: string | undefined, comments: readonly string[]): string | undefined => {
  const head = hash === undefined || hash === "" ? undefined : `${NFT_HASH_COMMENT_PREFIX}${hash};`;
  // Most rules have no comment of their own: the id alone, which fits.
  if (comments.length === 0) return head?.slice(0, NFT_MAX_COMMENT_LENGTH);
  const share = Math.max(Math.trunc((NFT_MAX_COMMENT_LENGTH - (head?.length ?? 0)) / comments.length), 0);
  // The head and the cut comments joined by spaces (as Array.join: an empty one still takes its space).
  let all = head;
  for (const c of comments) {
    const e = escapedComment(c).slice(0, share);
    all = all === undefined ? e : `${all} ${e}`;
  }
  const cut = all!.slice(0, NFT_MAX_COMMENT_LENGTH);
  return cut === "" ? undefined : cut;
};

interface PlannedRule {
  readonly chain: string;
  readonly fragment: NftFragment;
  readonly comment: string | undefined;
}

/**
 * A list of rules as the batch writes it: a chain's rules, or one part of a base chain's (inserted, other
 * software's, appended). `seed` is what the ids are hashed with; `hashed` is false for other software's rules,
 * which keep their own comments. `textKey` is an endpoint chain's content key (rules/endpoint-chains.ts).
 */
interface RuleGroup {
  readonly chain: string;
  readonly seed: string;
  readonly rules: readonly Rule[];
  readonly ctx: RuleContext;
  readonly hashed: boolean;
  readonly textKey: string | undefined;
}

interface NftLayout {
  readonly family: NftIpFamily;
  readonly table: string;
  readonly sets: readonly NftSetPlan[];
  readonly baseChains: readonly { readonly def: BaseChainDef; readonly policy: "accept" | "drop" }[];
  readonly chains: readonly string[];
  /** The rules, in order, by the lists they are cached in; empty lists are left out. */
  readonly groups: readonly RuleGroup[];
}

const planRules = (g: RuleGroup): PlannedRule[] => {
  const next = g.hashed ? ruleIdSequence(g.seed) : undefined;
  return g.rules.map((r) => {
    // One fragment per rule, for both its id and its text.
    const fragment = ruleFragment(r, g.ctx);
    return { chain: g.chain, fragment, comment: nftComment(next?.(fragment.felix), r.comments) };
  });
};

/**
 * A value per rule group, kept: policy, profile and static chains (and their rule arrays) are shared by every
 * node that has them (rules/node-ruleset.ts), so each is made once, by the rule array and what else the value
 * depends on (`extra`). Endpoint chains are built for each node, but those with the same text key make the same
 * value: kept by that key, in a map bounded by entry count. IR rules are never modified.
 */
const groupCache = <V>(make: (g: RuleGroup, extra: string) => V) => {
  // By rule array, the entry first made for it (almost every array is rendered in one way only), then the
  // others by a key naming what they differ in: no key is built for the first.
  interface Entry {
    readonly chain: string;
    readonly seed: string;
    readonly ctx: RuleContext;
    readonly hashed: boolean;
    readonly extra: string;
    readonly value: V;
    others?: Map<string, V>;
  }
  const byRules = new WeakMap<readonly Rule[], Entry>();
  const byTextKey = new Map<string, V>();
  return (g: RuleGroup, extra = ""): V => {
    const { chain, ctx } = g;
    if (g.textKey !== undefined) {
      const key = `${chain} ${ctx.version} ${ctx.layer} ${g.textKey} ${extra}`;
      return keptInBounded(byTextKey, key, 50_000, () => make(g, extra));
    }
    const first = byRules.get(g.rules);
    if (first === undefined) {
      const value = make(g, extra);
      byRules.set(g.rules, { chain, seed: g.seed, ctx, hashed: g.hashed, extra, value });
      return value;
    }
    if (
      first.chain === chain &&
      first.seed === g.seed &&
      first.ctx.version === ctx.version &&
      first.ctx.layer === ctx.layer &&
      first.hashed === g.hashed &&
      first.extra === extra
    )
      return first.value;
    const key = `${chain} ${g.seed} ${ctx.version} ${ctx.layer} ${g.hashed} ${extra}`;
    first.others ??= new Map();
    let v = first.others.get(key);
    if (v === undefined) {
      v = make(g, extra);
      first.others.set(key, v);
    }
    return v;
  };
};

const plannedRules = groupCache(planRules);

const layout = (ruleset: Ruleset, table: string): NftLayout => {
  const family = nftFamily(ruleset.version);
  const hooks = new Map<string, HookChain>();
  const chains: { layer: TableName; name: string; rules: readonly Rule[]; textKey: string | undefined }[] =
    [];
  for (const layer of LAYERS) {
    const tables = ruleset.tables.filter((t) => t.name === layer);
    if (tables.length > 1)
      throw new Error(`bug: table ${layer} appears ${tables.length} times in the ruleset`);
    for (const h of tables[0]?.hooks ?? []) {
      const name = baseChainName({ layer, hook: h.name });
      if (!BASE_CHAINS.some((d) => baseChainName(d) === name))
        throw new Error(`bug: Felix has no base chain ${name}`);
      if (hooks.has(name)) throw new Error(`bug: hook chain ${name} appears twice`);
      hooks.set(name, h);
    }
    const named = (tables[0]?.chains ?? []).map((c) => ({
      layer,
      name: nftChainName(layer, c.name),
      rules: c.rules,
      textKey: textKeyOf(c),
    }));
    chains.push(...named.sort((a, b) => compareStrings(a.name, b.name)));
  }
  const seen = new Set(BASE_CHAINS.map(baseChainName));
  for (const c of chains) {
    if (seen.has(c.name))
      throw new Error(`bug: nft chain ${c.name} appears twice in table ${family} ${table}`);
    seen.add(c.name);
  }
  for (const s of ruleset.sets) {
    if (s.version !== ruleset.version)
      throw new Error(`bug: IPv${s.version} set ${s.name} in an IPv${ruleset.version} ruleset`);
  }
  const group = (
    chain: string,
    seed: string,
    rules: readonly Rule[],
    layer: TableName,
    hashed = true,
    textKey?: string,
  ): RuleGroup => ({ chain, seed, rules, ctx: { version: ruleset.version, layer }, hashed, textKey });
  const baseGroups = BASE_CHAINS.flatMap((def) => {
    const name = baseChainName(def);
    const h = hooks.get(name);
    if (h === undefined) return [];
    return [
      group(name, name, h.inserted, def.layer),
      group(name, name, h.others ?? [], def.layer, false),
      group(name, appendsSeed(name), h.appended, def.layer),
    ];
  });
  return {
    family,
    table,
    sets: [...ruleset.sets]
      .sort((a, b) => compareStrings(a.name, b.name))
      .map((s) => setPlan(s, family, table)),
    baseChains: BASE_CHAINS.map((def) => ({
      def,
      policy: hooks.get(baseChainName(def))?.policy === "DROP" ? "drop" : "accept",
    })),
    chains: chains.map((c) => c.name),
    groups: [
      ...baseGroups,
      ...chains.map((c) => group(c.name, c.name, c.rules, c.layer, true, c.textKey)),
    ].filter((g) => g.rules.length > 0),
  };
};

export interface RenderNftOptions {
  /** Table name (default `calico`, as Felix). */
  readonly table?: string;
}

const setCommands = new WeakMap<NftSetPlan, NftCommand>();

/** The `add set` command of a planned set, shared like the plan (its JSON holds every member). */
const setCommand = (s: NftSetPlan): NftCommand => {
  let c = setCommands.get(s);
  if (c === undefined) {
    c = { add: { set: s.set } };
    setCommands.set(s, c);
  }
  return c;
};

/** The commands before the rules: the table (added, deleted, added), its sets, base chains and chains. */
const headCommands = (p: NftLayout): NftCommand[] => {
  const t = { family: p.family, name: p.table };
  const ref = { family: p.family, table: p.table };
  return [
    { add: { table: t } },
    { delete: { table: t } },
    { add: { table: t } },
    ...p.sets.map(setCommand),
    ...p.baseChains.map(({ def, policy }): NftCommand => ({
      add: {
        chain: {
          ...ref,
          name: baseChainName(def),
          type: def.type,
          hook: def.nftHook,
          prio: def.prio,
          policy,
        },
      },
    })),
    ...p.chains.map((name): NftCommand => ({ add: { chain: { family: p.family, table: p.table, name } } })),
  ];
};

/** The ruleset as one atomic, idempotent `nft -j -f` batch. */
export const renderNftJson = (ruleset: Ruleset, opts: RenderNftOptions = {}): NftDocument => {
  const p = layout(ruleset, opts.table ?? NFT_TABLE);
  const commands = headCommands(p);
  for (const g of p.groups) for (const r of plannedRules(g)) commands.push(ruleCommand(r, p.family, p.table));
  return { nftables: commands };
};

// JSON per command object: rule and set commands are shared across nodes (ruleCommand, setCommand).
const commandJsonCache = new WeakMap<NftCommand, string>();

// A shared planned rule gives a shared command, so formatNftJson can reuse its JSON.
const commands = new WeakMap<PlannedRule, { readonly table: string; readonly command: NftCommand }>();

const ruleCommand = (r: PlannedRule, family: NftIpFamily, table: string): NftCommand => {
  const hit = commands.get(r);
  if (hit !== undefined && hit.table === table) return hit.command;
  // Spelled out, not `{ ...ref, chain }`: adding properties after a spread is slow in V8 11.
  const command: NftCommand = {
    add: {
      rule:
        r.comment === undefined
          ? { family, table, chain: r.chain, expr: r.fragment.expr }
          : { family, table, chain: r.chain, expr: r.fragment.expr, comment: r.comment },
    },
  };
  commands.set(r, { table, command });
  return command;
};

// ---- the batch as text, without the document ------------------------------------------------------------
// renderNftJsonText writes what formatNftJson(renderNftJson(…)) writes, from texts cached per rule group (a
// chain's rules, shared by every node that has the chain, as the iptables renderer's chain texts are) and per
// fragment (most are shared by many rules: match and action fragments are made once per value). It makes no
// command objects and no planned rules: each rule's Felix text is hashed and its JSON written as pieces of the
// group's text. Planning (a fragment, expression list and loadable text per rule) and the objects kept for it
// were most of what the collector copied on a gateway's first nft rendering.

const stringify = (value: object): string => JSON.stringify(value);

/** A fragment as the JSON text writer uses it: its statements' JSON, comma-separated, and Felix's text. */
interface FragmentText {
  readonly json: string;
  /** As UTF-8 bytes when the fragment is kept (copied into the hash's input as they are). */
  readonly felix: Uint8Array | string;
}
const fragmentJson = (f: NftFragment): string => f.expr.map((st) => JSON.stringify(st)).join(",");
const fragmentTexts = new WeakMap<NftFragment, FragmentText>();
/**
 * The texts of a fragment, kept by fragment when `kept` (one object stands for every equal match or action):
 * a fragment made for one rule is written once, and a cache entry with a young key would keep its value
 * alive through young-generation collections on Node 20.
 */
const textOfFragment = (f: NftFragment, kept: boolean): FragmentText =>
  kept
    ? keptIn(fragmentTexts, f, (x) => ({ json: fragmentJson(x), felix: Buffer.from(x.felix, "utf8") }))
    : { json: fragmentJson(f), felix: f.felix };

const ID_COMMENT_OPEN = `],"comment":"${NFT_HASH_COMMENT_PREFIX}`;
const ID_COMMENT_CLOSE = ';"}}}';

/**
 * The `add rule` commands of a group, one per line (no newline after the last), as JSON.stringify writes
 * ruleCommand's object (the same keys in the same order); `head` is each command's start up to the chain
 * name. One string per group: a chain is copied into the output once.
 */
const writeGroupJson = (g: RuleGroup, head: string): string => {
  const { rules, ctx } = g;
  const ids = g.hashed ? pieceIdSequence(g.seed) : undefined;
  const start = `${head}${JSON.stringify(g.chain)},"expr":[`;
  // Pieces are pushed as they are (a separator is a piece of its own), and Felix's text is hashed from its
  // fragments' bytes: nothing is concatenated per rule.
  const pieces: string[] = [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (i > 0) pieces.push(",\n");
    pieces.push(start);
    ids?.start();
    // As ruleFragment: Felix's text is the fragments' texts joined by spaces, and the statements are theirs.
    const render = matchRenderer(ctx.version, transportOf(r.matches));
    let statements = 0;
    for (let k = 0, n = fragmentCount(r); k < n; k++) {
      const f = fragmentOf(r, k, render, ctx);
      const m = k < r.matches.length ? r.matches[k] : undefined;
      // COUNTER is one object; matches and actions are kept where the fragments are shared.
      const kept =
        m !== undefined ? isSharedKind(m.kind) : k === r.matches.length || actionFragmentKept(r.action);
      const text = textOfFragment(f, kept);
      if (f.felix !== "") ids?.piece(text.felix);
      if (f.expr.length > 0) {
        if (statements > 0) pieces.push(",");
        pieces.push(text.json);
        statements += f.expr.length;
      }
    }
    if (statements === 0) {
      const text = textOfFragment(CONTINUE, true);
      ids?.start();
      ids?.piece(text.felix);
      pieces.push(text.json);
    }
    const id = ids?.id();
    // The id alone (most rules): `cali:<id>;`, whose characters (base64url) JSON writes as they are.
    if (r.comments.length === 0 && id !== undefined && id !== "")
      pieces.push(ID_COMMENT_OPEN, id, ID_COMMENT_CLOSE);
    else {
      const comment = nftComment(id, r.comments);
      if (comment === undefined) pieces.push("]}}}");
      else pieces.push('],"comment":', JSON.stringify(comment), "}}}");
    }
  }
  return pieces.join("");
};

/** writeGroupJson, kept per group and head. */
const groupJson = groupCache(writeGroupJson);

/** formatNftJson(renderNftJson(ruleset, opts)), written from cached texts without the document. */
export const renderNftJsonText = (ruleset: Ruleset, opts: RenderNftOptions = {}): string => {
  const p = layout(ruleset, opts.table ?? NFT_TABLE);
  const head = `{"add":{"rule":{"family":${JSON.stringify(p.family)},"table":${JSON.stringify(p.table)},"chain":`;
  // Concatenated, not joined, as formatNftJson does: the cached texts are linked, not copied. Set commands are
  // shared and so is their JSON (commandJson); the others are made anew for each rendering, so theirs is not kept.
  let out = "";
  for (const c of headCommands(p)) {
    const text = "add" in c && "set" in c.add ? commandJson(c) : JSON.stringify(c);
    out += out === "" ? text : `,\n${text}`;
  }
  for (const g of p.groups) out += `,\n${groupJson(g, head)}`;
  return `{"nftables": [\n${out}\n]}\n`;
};

/** The same batch as `nft -f` text. */
export const renderNft = (ruleset: Ruleset, opts: RenderNftOptions = {}): string => {
  const p = layout(ruleset, opts.table ?? NFT_TABLE);
  const at = `${p.family} ${p.table}`;
  const lines = [
    `add table ${at}`,
    `delete table ${at}`,
    `add table ${at}`,
    ...p.sets.map((s) => s.text),
    ...p.baseChains.map(
      ({ def, policy }) =>
        `add chain ${at} ${baseChainName(def)} { type ${def.type} hook ${def.nftHook} priority ${def.prio}; policy ${policy}; }`,
    ),
    ...p.chains.map((name) => `add chain ${at} ${name}`),
    ...p.groups
      .flatMap((g) => plannedRules(g))
      .map(
        (r) =>
          `add rule ${at} ${r.chain} ${r.fragment.text}${r.comment === undefined ? "" : ` comment "${r.comment}"`}`,
      ),
  ];
  return `${lines.join("\n")}\n`;
};

const commandJson = (c: NftCommand): string => keptIn(commandJsonCache, c, stringify);

/** A document as stable text, one command per line (for golden files and `nft -j -f`). */
export const formatNftJson = (doc: NftDocument): string => {
  // Concatenated, not joined: rule and set texts are cached and shared by nodes, and V8 links them instead
  // of copying them into one new string (megabytes for a gateway). Whoever writes the text flattens it once.
  let out = `{"nftables": [\n`;
  doc.nftables.forEach((c, i) => {
    out += i === 0 ? commandJson(c) : `,\n${commandJson(c)}`;
  });
  return `${out}\n]}\n`;
};
