// Minimal text edits to one resource's `metadata.labels`, located with the yaml Document API's source
// ranges, so every other byte of the file (comments, order, quoting, indentation, flow style) stays
// as it was. Returns undefined where the layout is too unusual; the caller then falls back to
// re-printing the document.

import { isMap, isScalar, stringify, type Node, type Pair, type YAMLMap } from "yaml";

export interface Splice {
  readonly from: number;
  readonly to: number;
  readonly insert: string;
}

export const applySplice = (text: string, s: Splice): string =>
  text.slice(0, s.from) + s.insert + text.slice(s.to);

const lineStart = (text: string, i: number): number => text.lastIndexOf("\n", i - 1) + 1;
const lineEnd = (text: string, i: number): number => {
  const j = text.indexOf("\n", i);
  return j < 0 ? text.length : j;
};
const column = (text: string, i: number): number => i - lineStart(text, i);

/** A scalar as YAML writes it: plain when it reads back as the same string, quoted otherwise. */
export const scalarText = (v: string): string => stringify(v).trimEnd();

const keyOf = (p: Pair): unknown => (isScalar(p.key) ? p.key.value : p.key);
const startOf = (n: unknown): number | undefined => (n as Node | null)?.range?.[0];
const endOf = (n: unknown): number | undefined => (n as Node | null)?.range?.[1];

/** Where a pair's text ends: its value's end, or its key's for `key:` with nothing after it. */
const pairEnd = (p: Pair): number | undefined => {
  const v = endOf(p.value);
  const k = endOf(p.key);
  return v !== undefined && v > (k ?? -1) ? v : k;
};

/** The offset just after the line holding the last character before `end`. */
const afterLine = (text: string, end: number): number => lineEnd(text, Math.max(0, end - 1));

const entry = (key: string, value: string): string => `${scalarText(key)}: ${scalarText(value)}`;

/** Set (value) or remove (undefined) one label inside a block or flow labels map. */
const inLabels = (
  text: string,
  labels: YAMLMap,
  key: string,
  value: string | undefined,
): Splice | undefined => {
  const pair = labels.items.find((p) => keyOf(p) === key);
  if (labels.flow === true) {
    const start = startOf(labels);
    const end = endOf(labels);
    if (start === undefined || end === undefined) return undefined;
    const parts: string[] = [];
    for (const p of labels.items) {
      const ks = startOf(p.key);
      const pe = pairEnd(p);
      if (ks === undefined || pe === undefined) return undefined;
      if (p === pair) {
        if (value !== undefined) parts.push(entry(key, value));
      } else parts.push(text.slice(ks, pe));
    }
    if (pair === undefined && value !== undefined) parts.push(entry(key, value));
    return { from: start, to: end, insert: parts.length === 0 ? "{}" : `{ ${parts.join(", ")} }` };
  }
  if (pair !== undefined) {
    const ks = startOf(pair.key);
    const pe = pairEnd(pair);
    if (ks === undefined || pe === undefined) return undefined;
    if (value === undefined) {
      const from = lineStart(text, ks);
      return { from, to: Math.min(text.length, afterLine(text, pe) + 1), insert: "" };
    }
    const vs = startOf(pair.value);
    const ve = endOf(pair.value);
    if (isScalar(pair.value) && vs !== undefined && ve !== undefined && ve > vs)
      return { from: vs, to: ve, insert: scalarText(value) };
    return { from: ks, to: pe, insert: entry(key, value) };
  }
  if (value === undefined) return undefined;
  const first = labels.items[0];
  const last = labels.items[labels.items.length - 1];
  const ks = startOf(first?.key);
  const pe = last === undefined ? undefined : pairEnd(last);
  if (ks === undefined || pe === undefined) return undefined;
  const at = afterLine(text, pe);
  return { from: at, to: at, insert: `\n${" ".repeat(column(text, ks))}${entry(key, value)}` };
};

/**
 * The splice that sets or removes a label in a resource's block `metadata` map. `step` is the file's
 * indentation step, for a `labels:` map that must be created.
 */
export const labelSplice = (
  text: string,
  resource: YAMLMap,
  key: string,
  value: string | undefined,
): Splice | undefined => {
  const meta = resource.get("metadata", true);
  if (!isMap(meta) || meta.flow === true || meta.items.length === 0) return undefined;
  const labelsPair = meta.items.find((p) => keyOf(p) === "labels");
  const metaKey = startOf(meta.items[0]!.key);
  const resKey = startOf(resource.items[0]?.key);
  if (metaKey === undefined) return undefined;
  const indent = column(text, metaKey);
  const step = Math.max(2, resKey === undefined ? 2 : indent - column(text, resKey));
  const block = (at: number, lead: string): Splice => ({
    from: at,
    to: at,
    insert: `${lead}${" ".repeat(indent)}labels:\n${" ".repeat(indent + step)}${entry(key, value!)}`,
  });
  if (labelsPair === undefined) {
    if (value === undefined) return undefined;
    const last = meta.items[meta.items.length - 1]!;
    const pe = pairEnd(last);
    return pe === undefined ? undefined : block(afterLine(text, pe), "\n");
  }
  const labels = labelsPair.value;
  if (isMap(labels)) {
    // Removing the only label of a block map removes the `labels:` key with it.
    if (
      value === undefined &&
      labels.flow !== true &&
      labels.items.length === 1 &&
      keyOf(labels.items[0]!) === key
    ) {
      const ks = startOf(labelsPair.key);
      const pe = pairEnd(labelsPair);
      if (ks === undefined || pe === undefined) return undefined;
      return { from: lineStart(text, ks), to: Math.min(text.length, afterLine(text, pe) + 1), insert: "" };
    }
    return inLabels(text, labels, key, value);
  }
  // `labels:` with no value (null): replace the key line with a map holding the label.
  if (value === undefined || !(labels === null || (isScalar(labels) && labels.value === null)))
    return undefined;
  const ks = startOf(labelsPair.key);
  const pe = pairEnd(labelsPair);
  if (ks === undefined || pe === undefined) return undefined;
  const s = block(ks, "");
  return { ...s, from: lineStart(text, ks), to: afterLine(text, pe) };
};
