// `calisim label`: set or remove one label of one resource in a resource file, in place. YAML files are
// edited by splicing the text at the yaml Document API's source ranges (comments and order kept), and the
// result is checked against the same edit made through the Document API; JSON files are re-printed.
// Like `calicoctl label`, an existing label is only changed with `overwrite`.

import { isDeepStrictEqual } from "node:util";
import { LineCounter, parseAllDocuments, type Document } from "yaml";
import type { Result } from "../flowspace/index.js";
import { CRD_API, METADATA_ANNOTATION, jsonResourcesIn, resourcesIn, storedMetadata } from "./locate.js";
import { applySplice, labelSplice, type Splice } from "./splice.js";
import type { LabelArg } from "./validate.js";

export interface LabelRequest {
  readonly kind: string;
  readonly name: string;
  readonly label: LabelArg;
  readonly overwrite: boolean;
}

export type LabelChange = "added" | "changed" | "removed" | "unchanged";

export interface LabelResult {
  readonly text: string;
  readonly change: LabelChange;
  /** True when the document had to be re-printed (formatting outside the label may have changed). */
  readonly reprinted: boolean;
}

type Labels = Readonly<Record<string, string>>;

/** The labels after the edit, or why not. */
export const editLabelMap = (
  labels: Labels,
  req: LabelRequest,
  where: string,
): Result<{ labels: Labels; change: LabelChange }> => {
  const { key, value } = req.label;
  const old = labels[key];
  if (value === undefined) {
    if (old === undefined) return { ok: true, value: { labels, change: "unchanged" } };
    const rest = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== key));
    return { ok: true, value: { labels: rest, change: "removed" } };
  }
  if (old === value) return { ok: true, value: { labels, change: "unchanged" } };
  if (old !== undefined && !req.overwrite)
    return {
      ok: false,
      error: `${where}: label ${key} is already set to ${JSON.stringify(old)}; pass --overwrite to change it`,
    };
  return {
    ok: true,
    value: { labels: { ...labels, [key]: value }, change: old === undefined ? "added" : "changed" },
  };
};

const asLabels = (v: unknown): Labels =>
  typeof v === "object" && v !== null && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? "" : String(x)]))
    : {};

const notFound = (file: string, req: LabelRequest, names: readonly string[]): Result<never> => ({
  ok: false,
  error: `${file}: no ${req.kind} named ${req.name}${names.length === 0 ? ` (the file has no ${req.kind})` : ` (${req.kind}s in the file: ${names.join(", ")})`}`,
});

const editJson = (file: string, text: string, req: LabelRequest): Result<LabelResult> => {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${file}: not JSON: ${(e as Error).message}` };
  }
  const all = jsonResourcesIn(root).filter((r) => r.kind === req.kind);
  const hits = all.filter((r) => r.name === req.name);
  if (hits.length === 0)
    return notFound(
      file,
      req,
      all.map((r) => r.name),
    );
  if (hits.length > 1)
    return { ok: false, error: `${file}: ${req.kind} ${req.name} is declared ${hits.length} times` };
  const meta = (hits[0]!.obj.metadata ?? {}) as Record<string, unknown>;
  const e = editLabelMap(asLabels(meta.labels), req, `${file}: ${req.kind}/${req.name}`);
  if (!e.ok) return e;
  if (e.value.change === "unchanged")
    return { ok: true, value: { text, change: "unchanged", reprinted: false } };
  meta.labels = e.value.labels;
  const indent = /\n( +)"/.exec(text)?.[1]?.length ?? 2;
  const out = JSON.stringify(root, null, indent) + (text.endsWith("\n") ? "\n" : "");
  return { ok: true, value: { text: out, change: e.value.change, reprinted: true } };
};

const parseErrors = (file: string, text: string, docs: readonly Document[]): string | undefined => {
  const lc = new LineCounter();
  parseAllDocuments(text, { lineCounter: lc });
  const errs = docs.flatMap((d) => d.errors);
  if (errs.length === 0) return undefined;
  return errs
    .map((e) => {
      const p = lc.linePos(e.pos[0]);
      return `${file}:${p.line}:${p.col}: ${e.message.split("\n")[0]}`;
    })
    .join("\n");
};

const quoteLike = (original: string, value: string): string =>
  original.startsWith('"') ? JSON.stringify(value) : `'${value.replace(/'/g, "''")}'`;

export const labelFileText = (file: string, text: string, req: LabelRequest): Result<LabelResult> => {
  if (file.toLowerCase().endsWith(".json")) return editJson(file, text, req);
  const parsed = parseAllDocuments(text);
  const docs: Document[] = Array.isArray(parsed) ? parsed : [];
  const bad = parseErrors(file, text, docs);
  if (bad !== undefined) return { ok: false, error: bad };
  const found = docs.flatMap((doc, d) => resourcesIn(doc).map((r, i) => ({ ...r, d, i })));
  const all = found.filter((r) => r.kind === req.kind);
  const hits = all.filter((r) => r.name === req.name);
  if (hits.length === 0)
    return notFound(
      file,
      req,
      all.map((r) => r.name),
    );
  if (hits.length > 1)
    return { ok: false, error: `${file}: ${req.kind} ${req.name} is declared ${hits.length} times` };
  const hit = hits[0]!;
  const where = `${file}: ${req.kind}/${req.name}`;
  // The crd form's v3 labels live in the metadata annotation when there is one (they win over the CRD's).
  const stored = hit.apiVersion === CRD_API ? storedMetadata(hit.node) : undefined;
  const current =
    stored !== undefined
      ? asLabels(stored.labels)
      : asLabels((hit.node.toJSON() as { metadata?: { labels?: unknown } }).metadata?.labels);
  const e = editLabelMap(current, req, where);
  if (!e.ok) return e;
  if (e.value.change === "unchanged")
    return { ok: true, value: { text, change: "unchanged", reprinted: false } };

  // The same edit through the Document API, on a copy: the reference the splice must agree with.
  const expected = docs.map((d) => d.clone());
  const target = resourcesIn(expected[hit.d]!)[hit.i]!.node;
  const annotation = ["metadata", "annotations", METADATA_ANNOTATION];
  let splice: Splice | undefined;
  if (stored !== undefined) {
    const json = JSON.stringify({ ...stored, labels: e.value.labels });
    target.setIn(annotation, json);
    const node = hit.node.getIn(annotation, true) as { range?: [number, number, number] } | undefined;
    const r = node?.range;
    if (r !== undefined) splice = { from: r[0], to: r[1], insert: quoteLike(text.slice(r[0], r[1]), json) };
  } else {
    const { key, value } = req.label;
    const labels = target.getIn(["metadata", "labels"], true) as
      { flow?: boolean; items?: unknown[] } | undefined;
    if (value !== undefined) target.setIn(["metadata", "labels", key], value);
    else if (labels?.flow !== true && Object.keys(e.value.labels).length === 0)
      target.deleteIn(["metadata", "labels"]);
    else target.deleteIn(["metadata", "labels", key]);
    splice = labelSplice(text, hit.node, key, value);
  }
  const want = expected.map((d) => d.toJS() as unknown);
  if (splice !== undefined) {
    const out = applySplice(text, splice);
    const again = parseAllDocuments(out);
    const got = Array.isArray(again) ? again.map((d) => d.toJS() as unknown) : [];
    if (isDeepStrictEqual(got, want))
      return { ok: true, value: { text: out, change: e.value.change, reprinted: false } };
  }
  return {
    ok: true,
    value: { text: expected.map((d) => d.toString()).join(""), change: e.value.change, reprinted: true },
  };
};
