// `calisim label` editing: the file stays byte for byte the same except for the label (golden files),
// in the List form, single documents, the crd form's metadata annotation and JSON; it refuses unknown
// endpoints and silent overwrites, and the result still loads with the new labels.

import test, { type ExecutionContext } from "ava";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCluster } from "../../src/resources/index.js";
import { labelFileText, type LabelRequest } from "../../src/safety/label/edit.js";
import { parseLabelArg } from "../../src/safety/label/validate.js";

const GOLDEN = new URL("./golden/", import.meta.url);
const HEPS = "fixtures/example-cluster/hostendpoints.yaml";

const req = (name: string, arg: string, overwrite = false): LabelRequest => {
  const label = parseLabelArg(arg);
  if (!label.ok) throw new Error(label.error);
  return { kind: "HostEndpoint", name, label: label.value, overwrite };
};

/** Compares with test/safety/golden/<name>; UPDATE_GOLDEN=1 rewrites it. */
const golden = (t: ExecutionContext, name: string, text: string): void => {
  const file = new URL(name, GOLDEN);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, text);
  if (!existsSync(file)) return t.fail(`missing golden file ${name} (run with UPDATE_GOLDEN=1)`);
  t.is(text, readFileSync(file, "utf8"));
};

/** The lines that differ, as "-old" / "+new". */
const changedLines = (a: string, b: string): string[] => {
  const x = a.split("\n");
  const y = b.split("\n");
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  let j = 0;
  while (j < x.length - i && j < y.length - i && x[x.length - 1 - j] === y[y.length - 1 - j]) j++;
  return [...x.slice(i, x.length - j).map((l) => `-${l}`), ...y.slice(i, y.length - j).map((l) => `+${l}`)];
};

const cases: [string, string, string, string][] = [
  [
    "a List item (calicoctl HostEndpointList)",
    "node-2-auto",
    "host-endpoint-upgrade=",
    "label-list-item.yaml",
  ],
  ["a single document", "node-3-all", "host-endpoint-upgrade=", "label-single.yaml"],
  ["a value that needs quotes", "node-1-eth1", "tier=123", "label-quoted.yaml"],
  ["a removal", "node-1-eth0", "env-", "label-remove.yaml"],
];

for (const [what, name, arg, file] of cases)
  test(`label keeps comments and order: ${what}`, (t) => {
    const text = readFileSync(HEPS, "utf8");
    const r = labelFileText(HEPS, text, req(name, arg));
    if (!r.ok) return t.fail(r.error);
    t.false(r.value.reprinted);
    t.is(changedLines(text, r.value.text).filter((l) => l.startsWith("-") || l.startsWith("+")).length, 1);
    golden(t, file, r.value.text);
  });

test("labels: creates the map when the endpoint has none, and removing the last label removes it", (t) => {
  const text = [
    "# a comment",
    "apiVersion: projectcalico.org/v3",
    "kind: HostEndpoint",
    "metadata:",
    "  name: h  # trailing",
    "spec:",
    "  node: n",
    '  interfaceName: "*"',
    "",
  ].join("\n");
  const added = labelFileText("h.yaml", text, req("h", "host-endpoint-upgrade="));
  if (!added.ok) return t.fail(added.error);
  t.deepEqual(changedLines(text, added.value.text), ["+  labels:", '+    host-endpoint-upgrade: ""']);
  const removed = labelFileText("h.yaml", added.value.text, req("h", "host-endpoint-upgrade-"));
  t.true(removed.ok && removed.value.text === text);
});

test("labels: a flow map stays a flow map", (t) => {
  const text =
    "kind: HostEndpoint\napiVersion: projectcalico.org/v3\nmetadata: {name: h, labels: {a: b}}\nspec: {node: n}\n";
  const r = labelFileText("h.yaml", text, req("h", "c=d"));
  if (!r.ok) return t.fail(r.error);
  t.true(r.value.text.includes("labels:") && r.value.text.includes("c: d"));
});

test("the crd form: the label goes into the projectcalico.org/metadata annotation Calico reads", (t) => {
  const file = "fixtures/forms/crd/resources.yaml";
  const text = readFileSync(file, "utf8");
  const r = labelFileText(file, text, req("worker-eth0", "host-endpoint-upgrade="));
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(changedLines(text, r.value.text), [
    `-      projectcalico.org/metadata: '{"labels":{"role":"k8s-worker"},"creationTimestamp":"2024-05-01T10:00:00Z"}'`,
    `+      projectcalico.org/metadata: '{"labels":{"role":"k8s-worker","host-endpoint-upgrade":""},"creationTimestamp":"2024-05-01T10:00:00Z"}'`,
  ]);
});

test("JSON files are edited as JSON", (t) => {
  const file = "fixtures/forms/json/resources.json";
  const r = labelFileText(file, readFileSync(file, "utf8"), req("worker-any", "host-endpoint-upgrade="));
  if (!r.ok) return t.fail(r.error);
  const items = (
    JSON.parse(r.value.text) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] }
  ).items;
  t.deepEqual(
    items.find((i) => i.metadata.name === "worker-any")!.metadata.labels?.["host-endpoint-upgrade"],
    "",
  );
});

test("refuses an unknown endpoint, naming the file and the endpoints it has", (t) => {
  const r = labelFileText(HEPS, readFileSync(HEPS, "utf8"), req("node-9-all", "a="));
  t.false(r.ok);
  t.regex(
    r.ok ? "" : r.error,
    /hostendpoints\.yaml: no HostEndpoint named node-9-all \(HostEndpoints in the file: node-1-eth0, .*node-3-all\)/,
  );
});

test("changes an existing label only with overwrite (as calicoctl label)", (t) => {
  const text = readFileSync(HEPS, "utf8");
  const r = labelFileText(HEPS, text, req("node-3-all", "role=jump"));
  t.false(r.ok);
  t.regex(
    r.ok ? "" : r.error,
    /HostEndpoint\/node-3-all: label role is already set to "bastion"; pass --overwrite/,
  );
  const o = labelFileText(HEPS, text, req("node-3-all", "role=jump", true));
  t.true(
    o.ok &&
      o.value.change === "changed" &&
      changedLines(text, o.value.text).join("|") === "-    role: bastion|+    role: jump",
  );
  const same = labelFileText(HEPS, text, req("node-3-all", "role=bastion"));
  t.true(same.ok && same.value.change === "unchanged" && same.value.text === text);
});

test("bad label arguments and YAML errors are reported", (t) => {
  t.false(parseLabelArg("no_equals").ok);
  t.false(parseLabelArg("-bad=x").ok);
  t.false(parseLabelArg("k=bad value").ok);
  const r = labelFileText("bad.yaml", "kind: HostEndpoint\nmetadata: [\n", req("h", "a="));
  t.regex(r.ok ? "" : r.error, /^bad\.yaml:\d+:\d+: /);
});

test("the edited file loads, with the new label", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "calisim-label-"));
  try {
    const r = labelFileText(HEPS, readFileSync(HEPS, "utf8"), req("node-2-auto", "host-endpoint-upgrade="));
    if (!r.ok) return t.fail(r.error);
    await writeFile(join(dir, "hostendpoints.yaml"), r.value.text);
    const { cluster, issues } = await loadCluster([join(dir, "hostendpoints.yaml")]);
    t.deepEqual(
      issues.filter((i) => i.severity === "error"),
      [],
    );
    t.deepEqual(cluster.hostEndpoints.find((e) => e.metadata.name === "node-2-auto")!.metadata.labels, {
      "projectcalico.org/created-by": "calico-kube-controllers",
      role: "auto",
      "host-endpoint-upgrade": "",
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
