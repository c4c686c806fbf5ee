// Maps an offset inside a string scalar's value back to an offset in its YAML source, so a selector
// error at value offset N points at the right column even when the value is quoted or escaped.

export type ScalarStyle = "PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE" | "BLOCK_LITERAL" | "BLOCK_FOLDED";

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  t: "\t",
  "\t": "\t",
  n: "\n",
  v: "\v",
  f: "\f",
  r: "\r",
  e: "\x1b",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
};

const HEX_LENGTHS: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** Decoded text and source length of the double-quoted escape starting at raw[j] === "\\". */
const decodeEscape = (raw: string, j: number): { text: string; length: number } => {
  const c = raw[j + 1] ?? "";
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { text: simple, length: 2 };
  const hex = HEX_LENGTHS[c];
  if (hex !== undefined) {
    const code = Number.parseInt(raw.slice(j + 2, j + 2 + hex), 16);
    return { text: Number.isNaN(code) ? "" : String.fromCodePoint(code), length: 2 + hex };
  }
  return { text: "", length: 2 };
};

/** Where the content of a scalar starts in its raw source (after the quote or the block header). */
const contentStart = (style: ScalarStyle, raw: string): number => {
  if (style === "QUOTE_DOUBLE" || style === "QUOTE_SINGLE") return 1;
  if (style === "BLOCK_LITERAL" || style === "BLOCK_FOLDED") {
    const nl = raw.indexOf("\n");
    return nl < 0 ? raw.length : nl + 1;
  }
  return 0;
};

/**
 * Source offset (relative to the scalar's first character) of value character `offset`.
 * Characters are matched greedily; escapes in double-quoted scalars are decoded, and folded
 * whitespace simply advances. An offset at the end of the value maps just past its last character.
 */
export const scalarSourceOffset = (
  scalar: { readonly style: ScalarStyle; readonly raw: string; readonly value: string },
  offset: number,
): number => {
  const { style, raw, value } = scalar;
  let j = contentStart(style, raw);
  for (let i = 0; i < value.length && j < raw.length; i++) {
    const want = value[i] ?? "";
    while (j < raw.length) {
      if (style === "QUOTE_DOUBLE" && raw[j] === "\\") {
        const esc = decodeEscape(raw, j);
        if (esc.text !== "" && esc.text.startsWith(want)) break;
        j += esc.length;
        continue;
      }
      if (raw[j] === want) break;
      j++;
    }
    if (i === offset) return j;
    if (style === "QUOTE_DOUBLE" && raw[j] === "\\") j += decodeEscape(raw, j).length;
    else if (style === "QUOTE_SINGLE" && want === "'" && raw[j + 1] === "'") j += 2;
    else j++;
  }
  return Math.min(j, raw.length);
};
