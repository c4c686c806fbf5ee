// The fast way to read a resource file: js-yaml (about ten times the speed of the `yaml` library on
// calicoctl/kubectl output) with the YAML 1.2 core schema exactly as `yaml` resolves it, so both
// readers produce the same values. Only what valid resources need eagerly is located here: where every
// mapping and sequence starts (a resource's own position, each rule's position). Everything else —
// syntax errors, positions of fields for issues — comes from the precise reader (yaml-source.ts),
// which runs on the whole file if js-yaml refuses it, or lazily on one document when a position of a
// field is asked for.

import jsyaml from "js-yaml";

/**
 * The scalars of `yaml`'s YAML 1.2 core schema (null, bool, int in base 8/10/16, float, .inf/.nan),
 * with the same patterns and conversions, so that `port: 0o17` or `order: 1e3` read the same either
 * way. js-yaml's own schemas differ in corners (e.g. `0b` integers, `_` separators).
 */
const coreTypes = (): jsyaml.Type[] => {
  // `first` lists the characters a match can start with: most scalars (names, selectors) are turned
  // away by one lookup instead of a regular expression.
  const scalar = (tag: string, first: string, test: RegExp, construct: (s: string) => unknown): jsyaml.Type =>
    new jsyaml.Type(`tag:yaml.org,2002:${tag}`, {
      kind: "scalar",
      resolve: (data: unknown) =>
        typeof data === "string" &&
        (data === "" ? test.test(data) : first.includes(data[0]!) && test.test(data)),
      construct: (data: string) => construct(data),
    });
  return [
    scalar("null", "~nN", /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar("bool", "tTfF", /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === "t" || s[0] === "T"),
    scalar("int", "0123456789+-", /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) =>
      s.startsWith("0o")
        ? parseInt(s.slice(2), 8)
        : s.startsWith("0x")
          ? parseInt(s.slice(2), 16)
          : parseInt(s, 10),
    ),
    scalar(
      "float",
      "0123456789+-.",
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
      (s) =>
        /nan$/i.test(s)
          ? Number.NaN
          : /inf$/i.test(s)
            ? s.startsWith("-")
              ? Number.NEGATIVE_INFINITY
              : Number.POSITIVE_INFINITY
            : parseFloat(s),
    ),
  ];
};

const CORE_1_2 = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: coreTypes() });

export interface FastDoc {
  readonly value: unknown;
  /** Offset of the document's contents (its first token). */
  readonly start: number;
  /** Where each mapping and sequence without a key of its own starts (the root, list items), by identity. */
  readonly starts: ReadonlyMap<object, number>;
}

/** Skips spaces, line breaks and comments: js-yaml reports a node where its separator starts. */
const skipSeparation = (text: string, at: number): number => {
  let i = at;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl + 1;
    } else return i;
  }
};

/**
 * Constructs where js-yaml is more lenient than the YAML spec (and `yaml`), or reads differently:
 * such files go to the precise reader, so the fast one never accepts what `yaml` would refuse
 * (test/resources/yaml-readers.test.ts damages documents at random to check this). calicoctl and
 * kubectl print none of these, except block scalars with an indentation indicator now and then.
 * - directives: `%YAML 1.1` switches `yaml` to 1.1 scalars (yes/no booleans); js-yaml ignores it;
 * - tabs anywhere (js-yaml accepts some as indentation);
 * - anchors, aliases and tags, i.e. `&`, `*` or `!` where a node starts (js-yaml accepts them glued to
 *   the next token); `&&` or `!=` inside a selector are not at a node start;
 * - `#` right after other text (a comment must follow white space);
 * - explicit keys (`? `) and flow collections as mapping keys (js-yaml turns them into other strings);
 * - block scalars with an indentation indicator (`|2`: js-yaml accepts less indented lines after it);
 * - anything after `---` or `...` on its line (js-yaml also takes `----` for a document marker).
 * Flow collections and quoted or plain scalars over several lines, and lines indented less than the
 * collection they sit in, are caught while reading (see readFast).
 */
const outsideFastSubset = (text: string): boolean =>
  /^%/m.test(text) ||
  text.includes("\t") ||
  /(?:^[ ]*|[:?-][ ]+|[[{,][ ]*)(?:[&*!]|\?(?:\s|$))/m.test(text) ||
  /\S#/.test(text) ||
  /^[ -]*[[{].*[\]}]\s*:(?:\s|$)/m.test(text) ||
  /[|>][-+]?[1-9]/.test(text) ||
  /^(?:---|\.\.\.)(?:\S|[ ]+[^\s#])/m.test(text);

const column = (text: string, at: number): number => at - text.lastIndexOf("\n", at - 1) - 1;

/**
 * Whether some line inside a block collection (from `start` to `end`) is indented less than the
 * collection: not valid YAML, but js-yaml folds such lines into the collection or a scalar. Blank lines
 * and comment lines may sit anywhere.
 */
const hasOutdentedLine = (text: string, start: number, end: number): boolean => {
  const col = column(text, start);
  if (col === 0) return false;
  for (let nl = text.indexOf("\n", start); nl !== -1 && nl < end; nl = text.indexOf("\n", nl + 1)) {
    let i = nl + 1;
    while (text.charCodeAt(i) === 0x20) i++;
    if (i >= end) return false;
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x23 /* # */) continue;
    if (i - nl - 1 < col) return true;
  }
  return false;
};

/**
 * Whether the node at `at` is the value of a mapping key (the text before it, past white space, is the
 * key's `:`). Only collections without a key of their own are looked up by start (a document's root,
 * list items such as rules), so the others are not recorded: a large cluster has a million of them.
 */
const isMappingValue = (text: string, at: number): boolean => {
  let i = at - 1;
  for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d; c = text.charCodeAt(--i));
  return text.charCodeAt(i) === 0x3a;
};

/**
 * The documents of a file, or undefined when js-yaml does not accept it (a syntax error, a duplicate
 * key, a tag outside the core schema, ...) or when it is outside the subset where js-yaml is known to
 * read exactly like `yaml`: the precise reader then reports exactly what is wrong.
 */
export const readFast = (text: string): FastDoc[] | undefined => {
  if (outsideFastSubset(text)) return undefined;
  // js-yaml calls the listener while it parses and hands out documents only at the end: each close
  // of a root node ends one document's record.
  const roots: { start: number; starts: Map<object, number> }[] = [];
  let starts = new Map<object, number>();
  const open: number[] = [];
  let lenient = false;
  const listener = (event: "open" | "close", state: { position: number; result: unknown }): void => {
    if (event === "open") {
      open.push(skipSeparation(text, state.position));
      return;
    }
    const at = open.pop();
    if (at === undefined) return;
    const end = state.position;
    const result = state.result;
    const c = text.charCodeAt(at);
    const multiLine = text.lastIndexOf("\n", end - 1) >= at;
    if (typeof result === "object" && result !== null) {
      if (!starts.has(result) && !isMappingValue(text, at)) starts.set(result, at);
      // Flow collections over several lines have indentation rules js-yaml does not enforce.
      if (multiLine && (c === 0x5b || c === 0x7b || hasOutdentedLine(text, at, end))) lenient = true;
    } else if (multiLine && c !== 0x7c && c !== 0x3e /* | > */) lenient = true; // scalar over lines
    if (open.length === 0) {
      roots.push({ start: at, starts });
      starts = new Map();
    }
  };
  let values: unknown[];
  try {
    values = jsyaml.loadAll(text, null, { schema: CORE_1_2, listener: listener as never });
  } catch {
    return undefined;
  }
  if (lenient || values.length !== roots.length) return undefined;
  const docs = values.map((value, i): FastDoc => ({ value: value ?? null, ...roots[i]! }));
  return docs;
};
