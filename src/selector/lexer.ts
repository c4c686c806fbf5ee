// Tokenizer following libcalico-go lib/selector/tokenizer/tokenizer.go. Felix tokenizes the whole
// input before parsing; we do the same but, instead of failing, end the token list with a `bad` or
// `error` token so the parser can report whichever problem comes first in the text.

import type { SelectorError } from "./ast.js";

export type TokenKind =
  | "label"
  | "string"
  | "lbrace"
  | "rbrace"
  | "comma"
  | "eq"
  | "ne"
  | "in"
  | "notIn"
  | "not"
  | "contains"
  | "startsWith"
  | "endsWith"
  | "all"
  | "global"
  | "has"
  | "lparen"
  | "rparen"
  | "and"
  | "or"
  /** End of input. Always the last token unless `bad` or `error` is. */
  | "eof"
  /** Text no token can start with (e.g. a lone `=`); the parser says what it expected instead. */
  | "bad"
  /** A malformed token (unterminated string, `has(` without `)`, ...) with its own error. */
  | "error";

export interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  /** The raw text of the token, for error messages. */
  readonly raw: string;
  /** Label name, string literal contents, or `has()` argument. */
  readonly value: string;
  readonly error?: SelectorError;
}

/** tokenizer.go MaxLabelLength (bytes; identifiers are ASCII so bytes = characters). */
export const MAX_LABEL_LENGTH = 512;

/** tokenizer.go identifierChar: ASCII letters, digits and `_ . / -`. */
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9_./-]$/.test(c);

/** Only space and tab are whitespace (tokenizer.go trimWhitespace); a newline is a syntax error. */
const skipWs = (text: string, i: number): number => {
  while (text[i] === " " || text[i] === "\t") i++;
  return i;
};

const identEnd = (text: string, i: number): number => {
  while (isIdentChar(text[i])) i++;
  return i;
};

/** True if `label` is a label key the tokenizer would accept (tokenizer.go ValidLabel). */
export const isValidLabelKey = (label: string): boolean =>
  label.length > 0 && label.length <= MAX_LABEL_LENGTH && identEnd(label, 0) === label.length;

const describeAt = (text: string, i: number): string => {
  if (i >= text.length) return "end of input";
  return JSON.stringify(String.fromCodePoint(text.codePointAt(i) ?? 0));
};

interface Lexed {
  readonly token: Token;
  readonly next: number;
}

const tok = (kind: TokenKind, text: string, start: number, end: number, value = ""): Lexed => ({
  token: { kind, start, raw: text.slice(start, end), value },
  next: end,
});

const fail = (start: number, error: SelectorError): Lexed => ({
  token: { kind: "error", start, raw: "", value: "", error },
  next: start,
});

/** A word of identifier characters, or else one code point: what the user will recognise. */
const bad = (text: string, i: number): Lexed => {
  const end = isIdentChar(text[i]) ? identEnd(text, i) : i + ((text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1);
  return tok("bad", text, i, end);
};

/** tokenizer.go isWordBoundary: end of input or a non-identifier character. */
const atBoundary = (text: string, i: number): boolean => !isIdentChar(text[i]);

/**
 * Match an operator's words at `i`, returning the end of the last word and the position where the
 * word boundary is required. A single word (cutPrefixCheckBreak) needs the boundary straight after
 * it; several words (cutMultiWordPrefixCheckBreak) may be separated by any whitespace, even none
 * ("notin", "startswith"), and the boundary is checked after the whitespace following the last.
 */
const cutWords = (
  text: string,
  i: number,
  words: readonly string[],
): { end: number; boundary: number } | undefined => {
  let boundary = i;
  let end = i;
  for (const w of words) {
    if (!text.startsWith(w, boundary)) return undefined;
    end = boundary + w.length;
    boundary = words.length === 1 ? end : skipWs(text, end);
  }
  return { end, boundary };
};

// Checked in tokenizer.go's order; "not in" must precede "in". The last column is what must follow.
const OPERATORS: readonly (readonly [TokenKind, readonly string[], string])[] = [
  ["contains", ["contains"], "string literal"],
  ["startsWith", ["starts", "with"], "string literal"],
  ["endsWith", ["ends", "with"], "string literal"],
  ["notIn", ["not", "in"], '"{"'],
  ["in", ["in"], '"{"'],
];

const lexOperator = (text: string, i: number): Lexed => {
  for (const [kind, words, next] of OPERATORS) {
    const cut = cutWords(text, i, words);
    if (cut === undefined) continue;
    if (atBoundary(text, cut.boundary)) return tok(kind, text, i, cut.end);
    // Felix rejects "starts with x" as a whole (the boundary test runs after the whitespace); the
    // helpful complaint is about the "x" where a literal belongs, not about "starts".
    if (cut.boundary > cut.end) {
      const found = JSON.stringify(text.slice(cut.boundary, identEnd(text, cut.boundary)));
      return fail(cut.boundary, { offset: cut.boundary, message: `unexpected ${found}`, expected: next });
    }
  }
  return bad(text, i);
};

const lexLabel = (text: string, i: number): Lexed => {
  const end = identEnd(text, i);
  if (end === i) return bad(text, i);
  if (end - i > MAX_LABEL_LENGTH) {
    return fail(i, { offset: i, message: `label too long (${end - i} > ${MAX_LABEL_LENGTH} characters)` });
  }
  return tok("label", text, i, end, text.slice(i, end));
};

/** `has(`, `all(` and `global(` take optional whitespace inside the parentheses. */
const lexCall = (text: string, i: number, kind: "has" | "all" | "global"): Lexed => {
  let j = skipWs(text, i + kind.length + 1);
  let arg = "";
  if (kind === "has") {
    const label = lexLabel(text, j);
    if (label.token.kind === "error") return label;
    if (label.token.kind !== "label") {
      return fail(j, { offset: j, message: `unexpected ${describeAt(text, j)} in has()`, expected: "label" });
    }
    arg = label.token.value;
    j = skipWs(text, label.next);
  }
  if (text[j] !== ")") {
    return fail(j, { offset: j, message: `unexpected ${describeAt(text, j)} in ${kind}()`, expected: '")"' });
  }
  return tok(kind, text, i, j + 1, arg);
};

const lexString = (text: string, i: number): Lexed => {
  const quote = text[i] ?? '"';
  // No escapes: a string runs to the next matching quote, so '"' and "'" are both expressible
  // but no single literal can contain both kinds of quote.
  const close = text.indexOf(quote, i + 1);
  if (close < 0) return fail(i, { offset: i, message: "unterminated string", expected: `closing ${quote}` });
  return tok("string", text, i, close + 1, text.slice(i + 1, close));
};

const PUNCT: Readonly<Record<string, TokenKind>> = {
  "(": "lparen",
  ")": "rparen",
  "{": "lbrace",
  "}": "rbrace",
  ",": "comma",
};
const PAIRS: readonly (readonly [string, TokenKind])[] = [
  ["==", "eq"],
  ["!=", "ne"],
  ["&&", "and"],
  ["||", "or"],
];

/** Lex one token at `i` (after whitespace). `afterLabel` switches to operator words, as Felix does. */
const lexOne = (text: string, i: number, afterLabel: boolean): Lexed => {
  const c = text[i] ?? "";
  const punct = PUNCT[c];
  if (punct !== undefined) return tok(punct, text, i, i + 1);
  if (c === '"' || c === "'") return lexString(text, i);
  for (const [pair, kind] of PAIRS) if (text.startsWith(pair, i)) return tok(kind, text, i, i + 2);
  if (c === "!") return tok("not", text, i, i + 1);
  if (afterLabel) return lexOperator(text, i);
  for (const kind of ["has", "all", "global"] as const) {
    if (text.startsWith(`${kind}(`, i)) return lexCall(text, i, kind);
  }
  return lexLabel(text, i);
};

/** Tokenize the whole input. The last token is always `eof`, `bad` or `error`. */
export const tokenize = (text: string): readonly Token[] => {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    i = skipWs(text, i);
    if (i >= text.length) {
      tokens.push({ kind: "eof", start: text.length, raw: "", value: "" });
      return tokens;
    }
    const { token, next } = lexOne(text, i, tokens.at(-1)?.kind === "label");
    tokens.push(token);
    if (token.kind === "bad" || token.kind === "error") return tokens;
    i = next;
  }
};
