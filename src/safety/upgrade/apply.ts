// Applying a migration's label patches to a loaded cluster in memory, so `upgrade-check --apply-migration`
// can show what the cluster does once the runbook has been followed (the policy file is loaded as a
// resource file like any other).

import { parse } from "yaml";
import type { Cluster } from "../../resources/model.js";
import { labelKeyProblems, labelValueProblems } from "../label/validate.js";
import type { Result } from "../flowspace/index.js";

export interface LabelPatch {
  readonly file: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A merge patch `{metadata: {name, labels}}` as the migration writes it. */
export const parseLabelPatch = (file: string, text: string): Result<LabelPatch> => {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    return { ok: false, error: `${file}: not YAML: ${(e as Error).message}` };
  }
  const meta = isRecord(doc) ? doc.metadata : undefined;
  const name = isRecord(meta) ? meta.name : undefined;
  const labels = isRecord(meta) ? meta.labels : undefined;
  if (typeof name !== "string" || !isRecord(labels))
    return { ok: false, error: `${file}: expected a label patch {metadata: {name, labels}}` };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    const value = v === null ? "" : v;
    const problems = [
      ...labelKeyProblems(k),
      ...(typeof value === "string" ? labelValueProblems(value) : ["not a string"]),
    ];
    if (problems.length > 0) return { ok: false, error: `${file}: label ${k}: ${problems.join("; ")}` };
    out[k] = value as string;
  }
  return { ok: true, value: { file, name, labels: out } };
};

/** The cluster with each patch's labels merged into its host endpoint; an unknown endpoint is an error. */
export const applyLabelPatches = (cluster: Cluster, patches: readonly LabelPatch[]): Result<Cluster> => {
  const names = new Set(cluster.hostEndpoints.map((e) => e.metadata.name));
  for (const p of patches)
    if (!names.has(p.name))
      return { ok: false, error: `${p.file}: no HostEndpoint named ${p.name} was loaded` };
  const hostEndpoints = cluster.hostEndpoints.map((e) => {
    const mine = patches.filter((p) => p.name === e.metadata.name);
    if (mine.length === 0) return e;
    const labels = Object.assign({}, e.metadata.labels, ...mine.map((p) => p.labels)) as Record<
      string,
      string
    >;
    return { ...e, metadata: { ...e.metadata, labels } };
  });
  return { ok: true, value: { ...cluster, hostEndpoints } };
};
