// Reading on two cores (src/resources/read-parallel.ts) must give exactly what parseResources gives:
// the same cluster, positions (rules located through the worker's record of collection starts) and issues,
// whichever thread read which file.

import { availableParallelism } from "node:os";
import test from "ava";
import { filesUnder } from "./source-files.js";
import { clusterFiles, generateCluster } from "../../src/gen/index.js";
import { fromTransfer, toTransfer } from "../../src/resources/fast-transfer.js";
import { parseResources, type SourceFile } from "../../src/resources/parse.js";
import {
  parseResourcesParallel,
  PARALLEL_MIN_CHARS,
  wantsWorker,
} from "../../src/resources/read-parallel.js";
import { readFast } from "../../src/resources/yaml-fast.js";

/** A parse as plain data, every lazy `positions` map read. */
const plain = (parsed: unknown): unknown => JSON.parse(JSON.stringify(parsed));

test("with a worker: the same cluster, positions and issues as parseResources", async (t) => {
  const generated = clusterFiles(generateCluster({ seed: 5, nodes: 40, policies: 80, profiles: 6 }));
  const odd: SourceFile[] = [
    { path: "odd/tabs.yaml", text: "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n\tname: x\n" },
    { path: "odd/broken.yaml", text: "a: [1, 2\n" },
    { path: "odd/anchors.yaml", text: "x: &a 1\ny: *a\n" },
  ];
  // Every fixture (valid and invalid) is in, so duplicates across files and bad input are covered too.
  const files = [...(await filesUnder("fixtures")), ...generated, ...odd];
  const expected = plain(parseResources(files));
  // The caller reading too (how loadCluster runs: who reads what depends on timing), then the worker
  // reading every file (its path exercised whatever the timing).
  for (const callerReads of [true, true, false]) {
    const threads = new Map<string, string>();
    const parsed = await parseResourcesParallel(files, {
      worker: true,
      callerReads,
      onRead: (path, thread) => void threads.set(path, thread),
    });
    t.deepEqual(plain(parsed), expected);
    t.is(threads.size, files.length, "every file read once");
    const byWorker = [...threads.values()].filter((x) => x === "worker").length;
    if (callerReads) t.log(`${byWorker} of ${files.length} files read by the worker`);
    else t.is(byWorker, files.length, "the worker read every file");
  }
});

test("a worker only for large inputs on more than one core, unless forced", (t) => {
  const small = [
    { path: "a.yaml", text: "x" },
    { path: "b.yaml", text: "y" },
  ];
  t.false(wantsWorker(small));
  t.true(wantsWorker(small, true));
  const large = [
    { path: "a.yaml", text: "x".repeat(PARALLEL_MIN_CHARS / 2) },
    { path: "b.yaml", text: "y".repeat(PARALLEL_MIN_CHARS / 2) },
  ];
  t.false(wantsWorker(large, false));
  t.false(
    wantsWorker([{ path: "a.yaml", text: "x".repeat(PARALLEL_MIN_CHARS) }]),
    "one file: nothing to share",
  );
  // On a one-core machine "auto" stays on one thread.
  t.is(wantsWorker(large), availableParallelism() > 1);
});

test("collection starts survive a structured clone (what postMessage does)", (t) => {
  const text = [
    "kind: A\nitems:\n  - a: 1\n    rules:\n      - {x: 1}\n      - y: [1, 2]\n  - b: {c: [{d: 1}]}\n",
    "---\n- [1, [2, {e: 3}]]\n- {}\n- []\n",
    "---\n__proto__: {f: 1}\ng:\n  - h\n",
  ].join("");
  const docs = readFast(text)!;
  t.is(docs.length, 3);
  const copied = fromTransfer(structuredClone(toTransfer(docs)));
  // Compare by path: every recorded start is found at the same place in the copy.
  const starts = (d: (typeof docs)[number]): [string, number][] => {
    const out: [string, number][] = [];
    const visit = (v: unknown, path: string): void => {
      if (typeof v !== "object" || v === null) return;
      const at = d.starts.get(v);
      if (at !== undefined) out.push([path, at]);
      for (const [k, c] of Object.entries(v)) visit(c, `${path}/${k}`);
    };
    visit(d.value, "");
    return out;
  };
  for (let i = 0; i < docs.length; i++) {
    t.true(docs[i]!.starts.size > 0);
    t.deepEqual(starts(copied[i]!), starts(docs[i]!));
    t.is(copied[i]!.start, docs[i]!.start);
    t.deepEqual(copied[i]!.value, docs[i]!.value);
  }
});
