// Reports that go node by node, made on several threads (src/safety/by-node), read byte for byte as made on
// one: the same parts in the same order, whichever thread checked which node, and the same as each
// analysis's own one-node-at-a-time report.

import { fileURLToPath } from "node:url";
import test from "ava";
import { loadResourceFiles } from "../../src/resources/files.js";
import { parseResources, type SourceFile } from "../../src/resources/parse.js";
import {
  defaultJobs,
  nodePart,
  partsByNode,
  WORKER_BYTES_PER_CHAR,
  type ClusterSources,
  type NodePart,
  type NodeTask,
  type TaskClusters,
} from "../../src/safety/by-node/index.js";
import { diffNode } from "../../src/safety/diff/index.js";
import { diffNodeLines } from "../../src/safety/diff/format.js";
import { policedNodes } from "../../src/safety/node-flows.js";
import { BUILTIN_CRITICAL, preflightByNode, preflightLines } from "../../src/safety/preflight/index.js";
import {
  applyLabelPatches,
  migrationFiles,
  parseLabelPatch,
  upgradeByNode,
  upgradeCheck,
  upgradeFrame,
  upgradeNodeLines,
} from "../../src/safety/upgrade/index.js";
import { PATCH_DIR, POLICY_FILE } from "../../src/safety/upgrade/migration.js";
import { threadsFor } from "../../src/util/threads.js";

const { files } = await loadResourceFiles([
  fileURLToPath(new URL("../../fixtures/example-cluster", import.meta.url)),
]);
// The proposed change: a security-tier policy that denies SSH and kubelet to every host endpoint.
const block: SourceFile = {
  path: "block.yaml",
  text: `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: security.calisim-block
spec:
  tier: security
  order: 1
  selector: all()
  types: [Ingress]
  ingress:
    - action: Deny
      protocol: TCP
      destination:
        ports: [22, 10250]
`,
};
const proposed = [...files, block];
const clusters: TaskClusters = {
  cluster: parseResources(files).cluster,
  against: parseResources(proposed).cluster,
};
const sources: ClusterSources = { files, against: proposed };
const nodes = policedNodes(clusters.cluster);
const v = (minor: number) => ({ major: 3, minor });

// Each kind once as text and once as JSON items, across the tasks.
const TASKS: readonly NodeTask[] = [
  { kind: "preflight", flows: BUILTIN_CRITICAL, verbose: true, json: false },
  { kind: "upgrade-check", from: v(13), to: v(29), json: true },
  { kind: "diff", rules: true, flows: true, json: false },
  { kind: "preflight", flows: BUILTIN_CRITICAL, verbose: false, json: true },
  { kind: "upgrade-check", from: v(13), to: v(29), json: false },
  { kind: "diff", rules: false, flows: true, calicoVersion: v(13), json: true },
];

const label = (task: NodeTask): string => `${task.kind}${task.json ? " -o json" : ""}`;

const collect = async (
  task: NodeTask,
  options: { jobs: number; callerChecks?: boolean },
): Promise<{ parts: [string, NodePart][]; threads: string[] }> => {
  const parts: [string, NodePart][] = [];
  const threads: string[] = [];
  const progress: number[] = [];
  const r = await partsByNode(task, clusters, sources, nodes, {
    ...options,
    onPart: (node, part) => void parts.push([node, part]),
    onChecked: (_, thread) => void threads.push(thread),
    onNode: (done, total) => void progress.push(done, total),
  });
  if (!r.ok) throw new Error(r.error);
  // The progress line's counts only go up, and end with every node done.
  for (let i = 2; i < progress.length; i += 2) {
    if (progress[i]! < progress[i - 2]! || progress[i + 1] !== nodes.length)
      throw new Error(`progress ${progress.join(",")}`);
  }
  if (progress.at(-2) !== nodes.length) throw new Error(`progress ends ${progress.join(",")}`);
  return { parts, threads };
};

test("the example nodes have something to report", (t) => {
  t.true(nodes.length >= 3);
  const parts = (task: NodeTask) =>
    nodes.map((n) => {
      const r = nodePart(task, clusters, n);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    });
  t.true(
    parts(TASKS[0]!).some((p) => p.failed > 0),
    "preflight: the proposed change cuts flows off somewhere",
  );
  t.true(
    parts(TASKS[2]!).some((p) => p.drops),
    "diff: the proposed change drops flows somewhere",
  );
  t.true(
    parts(TASKS[1]!).some((p) => p.changed),
    "upgrade-check: some node's flows change",
  );
});

for (const task of TASKS) {
  test(`${label(task)}: workers make the parts the caller makes, handed on in node order`, async (t) => {
    const alone = await collect(task, { jobs: 1 });
    t.deepEqual(
      alone.threads,
      nodes.map(() => "caller"),
    );
    t.deepEqual(
      alone.parts.map(([n]) => n),
      nodes,
    );
    const workers = await collect(task, { jobs: 2, callerChecks: false });
    t.deepEqual(
      workers.threads,
      nodes.map(() => "worker"),
      "with the caller only collecting, workers check every node",
    );
    t.deepEqual(workers.parts, alone.parts);
    const mixed = await collect(task, { jobs: 2 });
    t.is(mixed.threads.length, nodes.length, "each node checked once");
    t.deepEqual(mixed.parts, alone.parts);
  });
}

test("parts are the analyses' own reports, node by node", async (t) => {
  const pf = await collect(TASKS[0]!, { jobs: 1 });
  t.deepEqual(
    pf.parts.map(([, p]) => p.out),
    [...preflightByNode(clusters.cluster, { flows: BUILTIN_CRITICAL, against: clusters.against! })].map(
      (r) => {
        if (!r.ok) throw new Error(r.error);
        return preflightLines(r.value, true);
      },
    ),
  );
  const uc = await collect(TASKS[4]!, { jobs: 1 });
  const opts = { from: v(13), to: v(29) };
  const frame = upgradeFrame(clusters.cluster, opts);
  t.deepEqual(
    uc.parts.map(([, p]) => p.out),
    [...upgradeByNode(clusters.cluster, opts, frame)].map((r) => {
      if (!r.ok) throw new Error(r.error);
      return upgradeNodeLines(r.value);
    }),
  );
  const df = await collect(TASKS[2]!, { jobs: 1 });
  t.deepEqual(
    df.parts.map(([, p]) => p.out),
    nodes.map((n) => {
      const d = diffNode(
        n,
        { cluster: clusters.cluster },
        { cluster: clusters.against! },
        { rules: true, flows: true },
      );
      if (!d.ok) throw new Error(d.error);
      return diffNodeLines(d.value);
    }),
  );
});

test("upgrade-check --apply-migration: a worker applies the same label patches to its copy", async (t) => {
  const up = await loadResourceFiles([fileURLToPath(new URL("../../fixtures/upgrade", import.meta.url))]);
  const opts = { from: v(13), to: v(29) };
  const report = upgradeCheck(parseResources(up.files).cluster, opts);
  if (!report.ok) throw new Error(report.error);
  t.true(report.value.affected.length > 0);
  const migration = migrationFiles(parseResources(up.files).cluster, report.value);
  const policy = migration.find((f) => f.path === POLICY_FILE)!;
  const patches = migration
    .filter((f) => f.path.startsWith(`${PATCH_DIR}/`))
    .map((f) => {
      const p = parseLabelPatch(f.path, f.content);
      if (!p.ok) throw new Error(p.error);
      return p.value;
    });
  const files = [...up.files, { path: POLICY_FILE, text: policy.content }];
  const patched = applyLabelPatches(parseResources(files).cluster, patches);
  if (!patched.ok) throw new Error(patched.error);
  const task: NodeTask = { kind: "upgrade-check", ...opts, json: true };
  const nodes = policedNodes(patched.value);
  const run = async (sources: ClusterSources, callerChecks: boolean) => {
    const parts: NodePart[] = [];
    const r = await partsByNode(task, { cluster: patched.value }, sources, nodes, {
      jobs: callerChecks ? 1 : 2,
      callerChecks,
      onPart: (_, p) => void parts.push(p),
    });
    if (!r.ok) throw new Error(r.error);
    return parts;
  };
  const caller = await run({ files, patches }, true);
  t.false(
    caller.some((p) => p.drops),
    "with the migration applied, nothing is dropped",
  );
  t.deepEqual(await run({ files, patches }, false), caller);
  // Without the patches a worker's copy differs: so the equality above is the patches' doing.
  t.notDeepEqual(await run({ files }, false), caller);
});

test("defaultJobs: one thread below 2 MB of resources; above, the cores as far as free memory holds workers", (t) => {
  const text = (chars: number): SourceFile[] => [{ path: "big.yaml", text: " ".repeat(chars) }];
  t.is(defaultJobs({ files: text(1_000) }), 1);
  // Split between the resources and the proposed change, which a worker loads too.
  const big = 3 * 2 ** 20;
  t.is(
    defaultJobs({ files: text(big / 2), against: text(big / 2) }),
    threadsFor(WORKER_BYTES_PER_CHAR * big),
  );
});
