// Reads YAML or JSON text into plain values while remembering where every node came from.
// JSON is parsed as YAML 1.2 (a superset for our purposes), so both get the same positions.
//
// Two readers give the same documents: the fast one (yaml-fast.ts, js-yaml) for files it accepts, and
// the precise one (the `yaml` library, with every node's position and exact syntax errors). A document
// read the fast way knows where its collections start; the positions of all its nodes are computed by
// the precise reader on first use (an issue to report, `positions` of a resource), for that document
// only when it can be read alone, else for its file.

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
} from "yaml";
import type { SourcePos } from "./model.js";
import { error, warning, type Finding } from "./findings.js";
import { positionKey, valueAt, type Path } from "./paths.js";
import { scalarSourceOffset, type ScalarStyle } from "./scalar-offset.js";
import { readFast, type FastDoc } from "./yaml-fast.js";
import { sameData } from "../util/same-data.js";

/** Where one node sits in the file. Offsets are absolute character offsets. */
export interface NodeInfo {
  readonly start: number;
  /** Start of the mapping key, for values inside a mapping. */
  readonly keyStart?: number;
  /** Mappings and sequences are located by their key, when they have one. */
  readonly collection?: boolean;
  /** String scalars keep their raw source so offsets inside the value can be mapped back. */
  readonly scalar?: { readonly style: ScalarStyle; readonly raw: string; readonly value: string };
}

export interface SourceDoc {
  readonly file: string;
  readonly value: unknown;
  /** Node info by positionKey of the path from the document root. */
  readonly nodes: ReadonlyMap<string, NodeInfo>;
  readonly start: number;
  readonly pos: (offset: number) => SourcePos;
  /** Start offset of a mapping or sequence of this document, by identity (documents read fast). */
  readonly startOf?: (node: object) => number | undefined;
  /**
   * The nodes at and under `path` (a list item, such as a resource of a List), keyed from the document
   * root as in `nodes`, read alone (documents read fast): a resource's positions then cost the reading
   * of its own text. Undefined when it cannot be read alone; `nodes` has them all.
   */
  readonly nodesWithin?: (path: Path) => ReadonlyMap<string, NodeInfo> | undefined;
}

export interface ReadResult {
  readonly docs: readonly SourceDoc[];
  /** YAML syntax errors and warnings, each with its position. */
  readonly problems: readonly { readonly finding: Finding; readonly pos: SourcePos }[];
}

const setKey = (obj: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
};

const scalarStyle = (type: string | undefined): ScalarStyle =>
  type === "QUOTE_DOUBLE" || type === "QUOTE_SINGLE" || type === "BLOCK_LITERAL" || type === "BLOCK_FOLDED"
    ? type
    : "PLAIN";

interface WalkContext {
  /** The text parsed: the file, or one document of it starting at `offset` in the file. */
  readonly text: string;
  readonly offset: number;
  readonly doc: Document.Parsed;
  readonly nodes: Map<string, NodeInfo>;
}

/** Where a node starts in the file, when the text parsed starts at `offset` in it. */
const fileStart = (node: Node | null, offset: number): number | undefined => {
  const at = node?.range?.[0];
  return at === undefined ? undefined : at + offset;
};

const walk = (raw: Node | null, path: Path, keyStart: number | undefined, ctx: WalkContext): unknown => {
  const node = isAlias(raw) ? (raw.resolve(ctx.doc) ?? null) : raw;
  const start = fileStart(node, ctx.offset) ?? keyStart ?? 0;
  const base = keyStart === undefined ? { start } : { start, keyStart };
  if (isMap(node)) {
    ctx.nodes.set(positionKey(path), { ...base, collection: true });
    const obj: Record<string, unknown> = {};
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const valueNode = (pair.value ?? null) as Node | null;
      const kStart = fileStart(keyNode, ctx.offset) ?? start;
      setKey(obj, key, walk(valueNode, [...path, key], kStart, ctx));
    }
    return obj;
  }
  if (isSeq(node)) {
    ctx.nodes.set(positionKey(path), { ...base, collection: true });
    return node.items.map((item, i) => walk(item as Node | null, [...path, i], undefined, ctx));
  }
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === "string") {
      const range = node.range;
      const raw = range ? ctx.text.slice(range[0], range[1]) : "";
      const scalar = { style: scalarStyle(node.type), raw, value };
      ctx.nodes.set(positionKey(path), { ...base, scalar });
    } else {
      ctx.nodes.set(positionKey(path), base);
    }
    return value ?? null;
  }
  ctx.nodes.set(positionKey(path), base);
  return null;
};

/** First line of a yaml library message, without its "at line X, column Y" tail and code frame. */
const shortReason = (message: string): string =>
  (message.split("\n")[0] ?? "").replace(/ at line \d+.*$/, "");

/**
 * `text` is the file's, or a part of it starting at `offset`: node offsets are then still the file's,
 * but the documents' `pos` and the problems' positions count from the part's start. Node keys are
 * paths from `root` (where the part sits in its document).
 */
const readPrecise = (file: string, text: string, offset = 0, root: Path = []): ReadResult => {
  const lineCounter = new LineCounter();
  const pos = (at: number): SourcePos => {
    const lp = lineCounter.linePos(at);
    return { file, line: lp.line, col: lp.col };
  };
  const docs: SourceDoc[] = [];
  const problems: { finding: Finding; pos: SourcePos }[] = [];
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  const all = Array.isArray(parsed) ? parsed : [];
  for (const doc of all) {
    for (const w of doc.warnings) {
      const p = w.linePos?.[0];
      problems.push({
        finding: warning([], { code: "yaml_warning", reason: shortReason(w.message) }),
        pos: { file, line: p?.line ?? 1, col: p?.col ?? 1 },
      });
    }
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const p = e.linePos?.[0];
        problems.push({
          finding: error([], { code: "yaml_syntax", reason: shortReason(e.message) }),
          pos: { file, line: p?.line ?? 1, col: p?.col ?? 1 },
        });
      }
      continue;
    }
    const nodes = new Map<string, NodeInfo>();
    const value = walk(doc.contents as Node | null, root, undefined, { text, offset, doc, nodes });
    if (value === null) continue;
    docs.push({ file, value, nodes, start: fileStart(doc.contents as Node | null, offset) ?? 0, pos });
  }
  return { docs, problems };
};

/** 1-based line and column of an offset, as `yaml`'s LineCounter gives them. */
const lineIndex = (file: string, text: string): ((offset: number) => SourcePos) => {
  let starts: number[] | undefined;
  return (offset) => {
    if (starts === undefined) {
      starts = [0];
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", nl + 1)) starts.push(nl + 1);
    }
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (starts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    if (starts[low] === offset) return { file, line: low + 1, col: 1 };
    return { file, line: low, col: offset - starts[low - 1]! + 1 };
  };
};

const NO_NODES: ReadonlyMap<string, NodeInfo> = new Map();

/** "fast" reads with js-yaml when it accepts the file; "precise" always uses the `yaml` library. */
export type YamlReader = "fast" | "precise";

export const readDocuments = (file: string, text: string, reader: YamlReader = "fast"): ReadResult =>
  documentsOf(file, text, reader === "fast" ? readFast(text) : undefined);

/** `---` or `...` at `line`, followed by a space, a line break or the end. */
const isDocumentMarker = (text: string, line: number): boolean =>
  (text.startsWith("---", line) || text.startsWith("...", line)) && /^\s?$/.test(text.charAt(line + 3));

/**
 * Where the block collection starting at `start`, its first line indented `indent`, ends: at the first
 * later line indented less that is not blank or a comment, or at a document marker. Sound inside the
 * fast reader's subset, which has no scalars or flow collections over several lines and no line
 * indented less than its collection.
 */
const blockEnd = (text: string, start: number, indent: number): number => {
  for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", nl + 1)) {
    const line = nl + 1;
    let i = line;
    while (text[i] === " ") i++;
    const c = text[i];
    if (c === undefined) return text.length;
    if (c === "\n" || c === "\r" || c === "#") continue;
    if (i - line < indent) return line;
    if (i === line && isDocumentMarker(text, line)) return line;
  }
  return text.length;
};

/**
 * The nodes of the block collection at `path` of a document, which starts at `start` and holds
 * `value`, read alone by the precise reader and keyed from the document root: one resource's positions
 * then cost the reading of its own text, not of its file's (over half a second for a file of 500
 * policies). The collection is read where it sits, its first line indented as far as it started (after
 * `- ` or `--- `). Undefined when reading it alone finds a problem, or anything but `value` there.
 */
const nodesAlone = (
  file: string,
  text: string,
  start: number,
  path: Path,
  value: unknown,
): ReadonlyMap<string, NodeInfo> | undefined => {
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const indent = start - lineStart;
  const part = " ".repeat(indent) + text.slice(start, blockEnd(text, start, indent));
  const alone = readPrecise(file, part, lineStart, path);
  if (alone.problems.length > 0) return undefined;
  const doc = alone.docs.find((p) => p.start === start);
  return doc !== undefined && sameData(doc.value, value) ? doc.nodes : undefined;
};

/**
 * The document as seen from the resource (or other collection) at `prefix`: holding only that part's
 * nodes when they can be read alone (nodesWithin), which is all a position inside it needs.
 */
export const docWithin = (doc: SourceDoc, prefix: Path): SourceDoc => {
  const nodes = prefix.length === 0 ? undefined : doc.nodesWithin?.(prefix);
  return nodes === undefined
    ? doc
    : { file: doc.file, value: doc.value, start: doc.start, pos: doc.pos, nodes };
};

/**
 * Parts of one document read alone before its whole is read instead: reading every part costs about what
 * reading the whole does, plus a little per part, so a document whose resources are nearly all asked for
 * (every one of them invalid, say) is read whole once.
 */
const MAX_PARTS_READ = 100;

/**
 * The documents of a file from what the fast reader made of its text (possibly in another thread), or
 * from the precise reader when the fast one turned the file down (`fast` undefined).
 */
export const documentsOf = (file: string, text: string, fast: readonly FastDoc[] | undefined): ReadResult => {
  if (fast === undefined) return readPrecise(file, text);
  const pos = lineIndex(file, text);
  let whole: readonly SourceDoc[] | undefined;
  const docs = fast
    .filter((d) => d.value !== null)
    .map((d): SourceDoc => {
      let nodes: ReadonlyMap<string, NodeInfo> | undefined;
      let last: { start: number; nodes: ReadonlyMap<string, NodeInfo> | undefined } | undefined;
      let partsRead = 0;
      return {
        file,
        value: d.value,
        start: d.start,
        pos,
        startOf: (node) => d.starts.get(node),
        get nodes() {
          return (nodes ??=
            nodesAlone(file, text, d.start, [], d.value) ??
            (whole ??= readPrecise(file, text).docs).find((p) => p.start === d.start)?.nodes ??
            NO_NODES);
        },
        nodesWithin: (path) => {
          // Once the whole document is read (many parts asked for, or an issue outside them), it serves.
          if (nodes !== undefined || partsRead >= MAX_PARTS_READ) return undefined;
          const value = valueAt(d.value, path);
          const start = typeof value === "object" && value !== null ? d.starts.get(value) : undefined;
          if (start === undefined) return undefined;
          // Several issues of one resource ask in a row: the last part read is kept.
          if (last?.start !== start) {
            partsRead++;
            last = { start, nodes: nodesAlone(file, text, start, path, value) };
          }
          return last.nodes;
        },
      };
    });
  return { docs, problems: [] };
};

/**
 * Position of a path in a document. Missing paths fall back to the nearest ancestor that exists
 * (pointing at its key when it has one), so "required field missing" lands on the parent field.
 */
export const positionOf = (
  doc: SourceDoc,
  path: Path,
  at: "key" | "value" = "value",
  offset?: number,
): SourcePos => {
  const exact = doc.nodes.get(positionKey(path));
  if (exact !== undefined) {
    if ((at === "key" || exact.collection === true) && exact.keyStart !== undefined)
      return doc.pos(exact.keyStart);
    if (offset !== undefined && exact.scalar !== undefined) {
      return doc.pos(exact.start + scalarSourceOffset(exact.scalar, offset));
    }
    return doc.pos(exact.start);
  }
  for (let n = path.length - 1; n >= 0; n--) {
    const info = doc.nodes.get(positionKey(path.slice(0, n)));
    if (info !== undefined) return doc.pos(info.keyStart ?? info.start);
  }
  return doc.pos(doc.start);
};
