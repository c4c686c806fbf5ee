// Rendering every node on several threads (src/render/every-node) gives, node for node, what rendering
// each node in turn gives: the same summaries, and byte-identical files.

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { clusterFiles, generateCluster } from "../../src/gen/index.js";
import { formatNftJson, renderNftJson } from "../../src/render/nftables/index.js";
import {
  asFile,
  MIN_WORKER_HEAP_MB,
  nodeFileNames,
  nodesOf,
  renderEveryNode,
  renderNodeFiles,
  summarise,
  workerBytes,
} from "../../src/render/every-node/index.js";
import { parseResources } from "../../src/resources/parse.js";

const files = clusterFiles(generateCluster({ seed: 9, nodes: 24, policies: 60, profiles: 5 }));
const { cluster } = parseResources(files);
const nodes = nodesOf(cluster);

test("every node on three threads: the same summaries and files as one node at a time", async (t) => {
  t.true(nodes.length >= 20);
  const dir = await mkdtemp(join(tmpdir(), "calisim-every-node-"));
  try {
    const threads: string[] = [];
    const summaries = await renderEveryNode(files, cluster, nodes, {
      jobs: 3,
      outDir: dir,
      onNode: (_, thread) => void threads.push(thread),
    });
    t.is(threads.length, nodes.length, "each node rendered once");
    t.log(`${threads.filter((x) => x === "worker").length} of ${nodes.length} nodes rendered by workers`);
    t.is(summaries.length, nodes.length);
    for (const [i, node] of nodes.entries()) {
      const expected = renderNodeFiles(cluster, node);
      t.deepEqual(summaries[i], summarise(node, expected), node);
      const names = nodeFileNames(node);
      t.is(await readFile(join(dir, names.v4), "utf8"), asFile(expected.iptables[0]), node);
      t.is(await readFile(join(dir, names.v6), "utf8"), asFile(expected.iptables[1]), node);
      t.is(await readFile(join(dir, names.ipsets), "utf8"), asFile(expected.ipsets), node);
    }
    t.true(summaries.some((s) => s.rules.v4 > 0 && s.sets > 0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("with the caller only collecting, two workers render every node, as the caller would", async (t) => {
  const threads: string[] = [];
  const summaries = await renderEveryNode(files, cluster, nodes, {
    jobs: 2,
    callerRenders: false,
    onNode: (_, thread) => void threads.push(thread),
  });
  t.deepEqual(
    threads,
    nodes.map(() => "worker"),
  );
  t.deepEqual(
    summaries,
    nodes.map((n) => summarise(n, renderNodeFiles(cluster, n))),
  );
});

test("a worker that runs out of its heap is reported, and the caller renders its nodes", async (t) => {
  const failures: Error[] = [];
  const summaries = await renderEveryNode(files, cluster, nodes.slice(0, 6), {
    jobs: 1,
    callerRenders: false, // the worker must load the cluster before anything is rendered
    // A worker needs about 20 MB to load our modules and this cluster (Node 20 and 22).
    workerHeapMb: MIN_WORKER_HEAP_MB,
    onWorkerFailed: (e) => void failures.push(e),
  });
  t.is(failures.length, 1);
  t.regex(String((failures[0] as { code?: string }).code), /ERR_WORKER_OUT_OF_MEMORY/);
  t.deepEqual(
    summaries,
    nodes.slice(0, 6).map((n) => summarise(n, renderNodeFiles(cluster, n))),
  );
});

test("a worker heap below MIN_WORKER_HEAP_MB is refused before any worker starts", async (t) => {
  // Node 22 aborts the whole process when a worker's heap cannot hold its start-up snapshot.
  for (const workerHeapMb of [0, 1, MIN_WORKER_HEAP_MB - 1, 20.5])
    await t.throwsAsync(renderEveryNode(files, cluster, nodes.slice(0, 2), { jobs: 2, workerHeapMb }), {
      instanceOf: RangeError,
      message: `workerHeapMb ${workerHeapMb}: expected a whole number of MB, ${MIN_WORKER_HEAP_MB} or more`,
    });
});

test("nft JSON beside iptables, or alone: the files and sizes rendering each node gives", async (t) => {
  const some = nodes.slice(0, 8);
  const dir = await mkdtemp(join(tmpdir(), "calisim-every-node-"));
  try {
    const both = await renderEveryNode(files, cluster, some, {
      jobs: 2,
      outDir: dir,
      formats: ["iptables", "nft-json"],
    });
    const nftOnly = await renderEveryNode(files, cluster, some, { jobs: 2, formats: ["nft-json"] });
    for (const [i, node] of some.entries()) {
      const expected = renderNodeFiles(cluster, node);
      const nft = [
        formatNftJson(renderNftJson(expected.rulesets[0])),
        formatNftJson(renderNftJson(expected.rulesets[1])),
      ] as const;
      const names = nodeFileNames(node);
      t.is(await readFile(join(dir, names.nftV4), "utf8"), nft[0], node);
      t.is(await readFile(join(dir, names.nftV6), "utf8"), nft[1], node);
      t.is(await readFile(join(dir, names.ipsets), "utf8"), asFile(expected.ipsets), node);
      const sizes = { nft: nft[0].length + nft[1].length };
      t.deepEqual(both[i]!.chars, { ...summarise(node, expected).chars, ...sizes }, node);
      t.deepEqual(nftOnly[i], { ...summarise(node, expected), chars: sizes }, node);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("one job renders on the calling thread alone, with the same result", async (t) => {
  const one = await renderEveryNode(files, cluster, nodes.slice(0, 5), { jobs: 1 });
  t.deepEqual(
    one,
    nodes.slice(0, 5).map((n) => summarise(n, renderNodeFiles(cluster, n))),
  );
});

test("node names that cannot name a file are refused", async (t) => {
  await t.throwsAsync(renderEveryNode(files, cluster, ["../x"], { jobs: 1 }), {
    message: /cannot name a file/,
  });
});

test("workerBytes: a worker's heap limit and 100 MB, or without one 100 bytes a character of the texts", (t) => {
  const chars = files.reduce((n, f) => n + f.text.length, 0);
  t.is(workerBytes(files), 100 * chars);
  t.is(workerBytes(files, 300), 400 * 2 ** 20);
});
