// One rule of `nft -j list` → an IR rule, its Felix id (`cali:<hash>;` comment), counters and handle. Statements
// before the action are matches; a statement we cannot model becomes an `unknown` match (or action) with a
// warning, never dropped. Read-back rewrites are undone here: the `meta l4proto` match nft removes before a
// transport header match is restored, and an ICMP type match followed by a code match is joined again.

import type { Action, Match, Rule, TableName } from "../../rules/ir.js";
import { nftStatementSchema } from "../../render/nftables/schema-expr.js";
import type { NftStatement } from "../../render/nftables/schema-expr.js";
import { isActionStatement, readAction } from "./action.js";
import { readMatch } from "./match.js";
import type { MatchPart } from "./reader.js";

export type Counters = readonly [packets: number, bytes: number];

export interface NftDumpRule {
  readonly rule: Rule;
  /** Felix's rule id from a `cali:<16 chars>;` comment, without the prefix. */
  readonly id?: string;
  /** The whole comment as nft stores it. */
  readonly comment?: string;
  readonly counters?: Counters;
  readonly handle?: number;
}

export interface RuleReadContext {
  readonly layer: TableName;
  /** What the tracer should assume an unknown match does (true: it matches). */
  readonly assume: boolean;
  readonly warn: (message: string) => void;
  /** `chain #n`, for warnings. */
  readonly where: string;
}

const ID_COMMENT = /^cali:([A-Za-z0-9_-]{16});(?: (.*))?$/s;

/** Joins `icmp type T` + `icmp code C` (how we load a type/code pair) back into one IR match. */
const joinIcmp = (parts: readonly MatchPart[], ctx: RuleReadContext): Match[] => {
  const out: Match[] = [];
  for (const p of parts) {
    if (p.kind !== "icmpCode") {
      out.push(p);
      continue;
    }
    const prev = out[out.length - 1];
    if (
      prev?.kind === "icmp" &&
      prev.code === undefined &&
      !prev.negated &&
      !p.negated &&
      prev.version === p.version
    ) {
      out[out.length - 1] = { ...prev, code: p.code };
    } else {
      const text = `icmp code ${p.negated ? "!= " : ""}${p.code}`;
      ctx.warn(`${ctx.where}: ICMP code match without a type match before it: ${text}`);
      out.push({ kind: "unknown", text, assume: ctx.assume });
    }
  }
  return out;
};

/** Puts back the protocol matches nft dropped as implied by a payload match (reference §2.6 item 4). */
const withImplied = (matches: Match[], implied: readonly number[]): Match[] => {
  const has = (n: number): boolean =>
    matches.some((m) => m.kind === "protocol" && !m.negated && m.protocol === n);
  const missing = [...new Set(implied)].filter((n) => !has(n));
  return [...missing.map((protocol): Match => ({ kind: "protocol", protocol, negated: false })), ...matches];
};

/** A jump/goto target in the rule's own layer, without the layer prefix (table_layer.go namespaceName). */
const unlayer = (a: Action, ctx: RuleReadContext): Action => {
  if (a.kind !== "jump" && a.kind !== "goto") return a;
  const prefix = `${ctx.layer}-`;
  if (a.target.startsWith(prefix)) return { ...a, target: a.target.slice(prefix.length) };
  ctx.warn(`${ctx.where}: ${a.kind} target ${a.target} is not in layer ${ctx.layer}`);
  return a;
};

export const readRule = (
  raw: { readonly expr?: readonly unknown[]; readonly comment?: string; readonly handle?: number },
  ctx: RuleReadContext,
): NftDumpRule => {
  const parts: MatchPart[] = [];
  const implied: number[] = [];
  const actions: { action: Action | undefined; text: string }[] = [];
  let counters: Counters | undefined;
  const unknownMatch = (text: string, why: string): void => {
    ctx.warn(`${ctx.where}: ${why}: ${text}`);
    parts.push({ kind: "unknown", text, assume: ctx.assume });
  };
  for (const st of raw.expr ?? []) {
    const text = JSON.stringify(st);
    const parsed = nftStatementSchema.safeParse(st);
    if (!parsed.success) {
      if (actions.length > 0) actions.push({ action: undefined, text });
      else unknownMatch(text, "statement not modelled");
      continue;
    }
    const s: NftStatement = parsed.data;
    if ("counter" in s) {
      counters = s.counter === null ? undefined : [s.counter.packets, s.counter.bytes];
    } else if ("limit" in s) {
      const l = s.limit;
      if (l.inv === true || l.rate_unit === "bytes")
        unknownMatch(text, "byte or over-rate limit not modelled");
      else
        parts.push({
          kind: "limit",
          rate: `${l.rate}/${l.per}`,
          ...(l.burst === undefined ? {} : { burst: l.burst }),
        });
    } else if ("match" in s) {
      const m = readMatch(s.match);
      if (m === undefined) unknownMatch(text, "match not modelled");
      else {
        parts.push(...m.parts);
        if (m.implies !== undefined) implied.push(m.implies);
      }
    } else if (isActionStatement(s)) {
      actions.push({ action: readAction(s), text });
    } else {
      unknownMatch(text, "statement not modelled");
    }
  }
  let action: Action = { kind: "none" };
  const [only, ...more] = actions;
  if (only !== undefined && more.length === 0 && only.action !== undefined)
    action = unlayer(only.action, ctx);
  else if (only !== undefined) {
    const text = actions.map((a) => a.text).join(" ");
    ctx.warn(`${ctx.where}: action not modelled: ${text}`);
    action = { kind: "unknown", text };
  }
  const idMatch = raw.comment === undefined ? null : ID_COMMENT.exec(raw.comment);
  const human = idMatch === null ? raw.comment : idMatch[2];
  const rule: Rule = {
    kind: "rule",
    matches: withImplied(joinIcmp(parts, ctx), implied),
    action,
    comments: human === undefined || human === "" ? [] : [human],
  };
  return {
    rule,
    ...(idMatch?.[1] === undefined ? {} : { id: idMatch[1] }),
    ...(raw.comment === undefined ? {} : { comment: raw.comment }),
    ...(counters === undefined ? {} : { counters }),
    ...(raw.handle === undefined ? {} : { handle: raw.handle }),
  };
};
