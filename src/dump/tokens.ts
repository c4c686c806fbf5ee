// Splitting an iptables-save / iptables-restore line into words and options, the way iptables-restore does
// (iptables/xshared.c add_param_to_argv): words split on blanks, double quotes group, a backslash escapes the next
// character (iptables-save writes `"weird \"quote\" x"`).

import { err, ok } from "../util/result.js";
import type { Result } from "../util/result.js";

export interface Token {
  readonly text: string;
  /** Any part was quoted: never an option name or `!`, even if it starts with "-". */
  readonly quoted: boolean;
}

export const tokenize = (line: string): Result<Token[], string> => {
  const out: Token[] = [];
  let cur = "";
  let inWord = false;
  let quoted = false;
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === '"') {
      inQuotes = !inQuotes;
      quoted = true;
      inWord = true;
    } else if (!inQuotes && (c === " " || c === "\t")) {
      if (inWord) out.push({ text: cur, quoted });
      cur = "";
      inWord = false;
      quoted = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inQuotes) return err("unterminated double quote");
  if (inWord) out.push({ text: cur, quoted });
  return ok(out);
};

/** An option and its arguments, e.g. `! --match-set NAME src,dst` → {name "--match-set", negated, args}. */
export interface Opt {
  readonly name: string;
  negated: boolean;
  readonly args: string[];
}

const isOptionToken = (t: Token): boolean => !t.quoted && /^--?[A-Za-z]/.test(t.text);
const isBang = (t: Token | undefined): boolean => t !== undefined && !t.quoted && t.text === "!";

/**
 * Group tokens into options. `!` before an option negates it; the old form `-p ! tcp` (a `!` straight after an
 * option name, before its argument) negates that option too.
 */
export const groupOptions = (tokens: readonly Token[]): Result<Opt[], string> => {
  const opts: Opt[] = [];
  let pendingNot = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const last = opts[opts.length - 1];
    const next = tokens[i + 1];
    if (isBang(t)) {
      if (pendingNot) return err("two '!' in a row");
      const oldStyle =
        last !== undefined && last.args.length === 0 && next !== undefined && !isOptionToken(next);
      if (oldStyle && !isBang(next)) last.negated = true;
      else pendingNot = true;
    } else if (isOptionToken(t)) {
      opts.push({ name: t.text, negated: pendingNot, args: [] });
      pendingNot = false;
    } else if (last === undefined || pendingNot) {
      return err(`unexpected word ${JSON.stringify(t.text)}`);
    } else {
      last.args.push(t.text);
    }
  }
  if (pendingNot) return err("'!' at the end of the line");
  return ok(opts);
};

/** Quote a word the way iptables-save does when it has to (blanks, quotes, backslashes, empty). */
export const quoteWord = (w: string): string =>
  w === "" || /[\s"\\]/.test(w) ? `"${w.replace(/(["\\])/g, "\\$1")}"` : w;

/** The text of options, for unknown-match / unknown-target records. */
export const optsText = (opts: readonly Opt[]): string =>
  opts.map((o) => [...(o.negated ? ["!"] : []), o.name, ...o.args.map(quoteWord)].join(" ")).join(" ");
