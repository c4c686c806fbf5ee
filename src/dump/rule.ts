// One rule specification (everything after `-A chain`) → an IR Rule. Spelling is normalised: `-s`/`--source`,
// `-j`/`--jump`, `! -p tcp`/`-p ! tcp`, `--dports`/`--destination-ports`, `-m tcp --dport`/`--dport` all give the
// same IR. Options are attributed to modules the way iptables' getopt does: to the latest `-m` block that takes
// them, else to the module `-p` loads implicitly; options after `-j` belong to the target.

import type { Action, Match, Rule } from "../rules/ir.js";
import { err, ok } from "../util/result.js";
import type { Result } from "../util/result.js";
import { IMPLICIT_MODULE, moduleAccepts, readModule } from "./modules.js";
import type { Piece } from "./modules.js";
import { protocolNumber } from "./protocols.js";
import { readTarget, TARGETS } from "./targets.js";
import type { Opt } from "./tokens.js";
import { optsText } from "./tokens.js";
import type { Counters } from "./types.js";
import { canonicalCidr } from "./values.js";

export interface RuleContext {
  /** Is this a chain of the table being parsed (so `-j NAME` is a jump)? */
  readonly isChain: (name: string) => boolean;
  readonly assume: boolean;
  readonly warn: (message: string) => void;
}

export interface ParsedRule {
  readonly rule: Rule;
  readonly id?: string;
  readonly counters?: Counters;
}

/** Felix's hash comment: `cali:` + 16 base64url characters (felix/rules/rulesdefs, generictables.HashLength). */
export const FELIX_ID_COMMENT = /^cali:([A-Za-z0-9_-]{16})$/;

type Base = "protocol" | "source" | "destination" | "in" | "out" | "fragment" | "jump" | "goto" | "match";
type Meta = "counters" | "family";

const BASE: Readonly<Record<string, Base | Meta>> = {
  "-p": "protocol",
  "--protocol": "protocol",
  "-s": "source",
  "--source": "source",
  "--src": "source",
  "-d": "destination",
  "--destination": "destination",
  "--dst": "destination",
  "-i": "in",
  "--in-interface": "in",
  "-o": "out",
  "--out-interface": "out",
  "-f": "fragment",
  "--fragment": "fragment",
  "-j": "jump",
  "--jump": "jump",
  "-g": "goto",
  "--goto": "goto",
  "-m": "match",
  "--match": "match",
  "-c": "counters",
  "--set-counters": "counters",
  "-4": "family",
  "--ipv4": "family",
  "-6": "family",
  "--ipv6": "family",
};

interface Block {
  readonly module: string;
  readonly at: number;
  readonly opts: Opt[];
}

interface State {
  readonly pieces: { at: number; piece: Piece }[];
  readonly blocks: Block[];
  protocol?: number;
  target?: { name: string; opts: Opt[] };
  goto?: string;
  counters?: Counters;
}

const one = (o: Opt): Result<string, string> =>
  o.args.length === 1 ? ok(o.args[0] as string) : err(`${o.name} takes one argument`);

const addr = (o: Opt, kind: "srcNet" | "dstNet", ctx: RuleContext): Result<Match, string> => {
  const a = one(o);
  if (!a.ok) return a;
  if (a.value.includes(","))
    return err(`${o.name} ${a.value}: address lists expand to several rules; not supported`);
  const cidr = canonicalCidr(a.value);
  return ok(cidr === undefined ? unknown(optsText([o]), ctx) : { kind, cidr, negated: o.negated });
};

const unknown = (text: string, ctx: RuleContext): Match => {
  ctx.warn(`unknown match: ${text} (assumed ${ctx.assume ? "to match" : "not to match"})`);
  return { kind: "unknown", text, assume: ctx.assume };
};

/** Base options, one reader each; each returns the pieces it adds (or an error). */
const BASE_READERS: Readonly<
  Record<Base | Meta, (o: Opt, s: State, ctx: RuleContext, at: number) => Result<void, string>>
> = {
  protocol: (o, s, ctx, at) => {
    const a = one(o);
    if (!a.ok) return a;
    const n = protocolNumber(a.value);
    if (n === 0 && !o.negated) return ok(undefined); // `-p all`: any protocol
    if (n === undefined || n === 0) s.pieces.push({ at, piece: unknown(optsText([o]), ctx) });
    else {
      if (!o.negated) s.protocol = n;
      // A name is kept as written (lower-cased), so the rule re-renders as `-p <name>` (IR Match.protocol.name).
      const name = /^\d+$/.test(a.value) ? {} : { name: a.value.toLowerCase() };
      s.pieces.push({ at, piece: { kind: "protocol", protocol: n, ...name, negated: o.negated } });
    }
    return ok(undefined);
  },
  source: (o, s, ctx, at) => push(s, at, addr(o, "srcNet", ctx)),
  destination: (o, s, ctx, at) => push(s, at, addr(o, "dstNet", ctx)),
  in: (o, s, _ctx, at) => push(s, at, ifaceMatch(o, "inIface")),
  out: (o, s, _ctx, at) => push(s, at, ifaceMatch(o, "outIface")),
  fragment: (o, s, ctx, at) => push(s, at, ok(unknown(optsText([o]), ctx))),
  jump: (o, s) => {
    const a = one(o);
    if (!a.ok) return a;
    if (s.target !== undefined || s.goto !== undefined || o.negated) return err("more than one target");
    s.target = { name: a.value, opts: [] };
    return ok(undefined);
  },
  goto: (o, s) => {
    const a = one(o);
    if (!a.ok) return a;
    if (s.target !== undefined || s.goto !== undefined || o.negated) return err("more than one target");
    s.goto = a.value;
    return ok(undefined);
  },
  match: (o, s, _ctx, at) => {
    const a = one(o);
    if (!a.ok) return a;
    if (o.negated) return err(`'!' before ${o.name}`);
    s.blocks.push({ module: a.value, at, opts: [] });
    return ok(undefined);
  },
  counters: (o, s) => {
    const [p, b] = o.args.map(Number);
    if (o.args.length !== 2 || !Number.isSafeInteger(p) || !Number.isSafeInteger(b))
      return err("bad -c counters");
    s.counters = [p as number, b as number];
    return ok(undefined);
  },
  family: () => ok(undefined),
};

const push = (s: State, at: number, m: Result<Match, string>): Result<void, string> => {
  if (!m.ok) return m;
  s.pieces.push({ at, piece: m.value });
  return ok(undefined);
};

const ifaceMatch = (o: Opt, kind: "inIface" | "outIface"): Result<Match, string> => {
  const a = one(o);
  return a.ok ? ok({ kind, name: a.value, negated: o.negated }) : a;
};

/** Which block takes a module option: the latest that accepts it, the implicit protocol module, or the latest. */
const blockFor = (o: Opt, s: State, at: number): Block | undefined => {
  for (let i = s.blocks.length - 1; i >= 0; i--) {
    const b = s.blocks[i] as Block;
    if (moduleAccepts(b.module, o.name)) return b;
  }
  const implicit = s.protocol === undefined ? undefined : IMPLICIT_MODULE[s.protocol];
  if (implicit !== undefined && moduleAccepts(implicit, o.name)) {
    const block = { module: implicit, at, opts: [] };
    s.blocks.push(block);
    return block;
  }
  return s.blocks[s.blocks.length - 1];
};

const finishAction = (s: State, ctx: RuleContext): Result<Action, string> => {
  if (s.goto !== undefined) return ok({ kind: "goto", target: s.goto });
  const t = s.target;
  if (t === undefined) return ok({ kind: "none" });
  if (TARGETS[t.name] === undefined && ctx.isChain(t.name)) {
    return t.opts.length === 0
      ? ok({ kind: "jump", target: t.name })
      : err(`options after jump to chain ${t.name}`);
  }
  return ok(readTarget(t.name, t.opts, ctx));
};

/** The options of one rule (after the chain name) → IR rule, Felix id and counters. */
export const parseRuleOptions = (opts: readonly Opt[], ctx: RuleContext): Result<ParsedRule, string> => {
  const s: State = { pieces: [], blocks: [] };
  for (const [at, o] of opts.entries()) {
    const base = BASE[o.name];
    if (base !== undefined) {
      const r = BASE_READERS[base](o, s, ctx, at);
      if (!r.ok) return r;
    } else if (s.target !== undefined) {
      s.target.opts.push(o);
    } else {
      const block = blockFor(o, s, at);
      if (block === undefined) s.pieces.push({ at, piece: unknown(optsText([o]), ctx) });
      else block.opts.push(o);
    }
  }
  for (const b of s.blocks) {
    for (const piece of readModule(b.module, b.opts, ctx.assume)) {
      if ("kind" in piece && piece.kind === "unknown") {
        ctx.warn(`unknown match: ${piece.text} (assumed ${piece.assume ? "to match" : "not to match"})`);
      }
      s.pieces.push({ at: b.at, piece });
    }
  }
  const action = finishAction(s, ctx);
  if (!action.ok) return action;
  const ordered = [...s.pieces].sort((a, b) => a.at - b.at).map((p) => p.piece);
  let id: string | undefined;
  const comments: string[] = [];
  const matches: Match[] = [];
  for (const p of ordered) {
    if (!("comment" in p)) matches.push(p);
    else if (id === undefined && FELIX_ID_COMMENT.test(p.comment)) id = p.comment.slice("cali:".length);
    else comments.push(p.comment);
  }
  return ok({
    rule: { kind: "rule", matches, action: action.value, comments },
    ...(id === undefined ? {} : { id }),
    ...(s.counters === undefined ? {} : { counters: s.counters }),
  });
};
