// The progress line's text (src/cli/progress.ts): durations, the estimate, and what is left out.

import test from "ava";
import { durationText, nodeProgress, progressText, ttyProgress } from "../../src/cli/progress.js";

for (const [ms, text] of [
  [0, "0s"],
  [44_600, "45s"],
  [59_499, "59s"],
  [60_000, "1m00s"],
  [200_000, "3m20s"],
  [3_599_000, "59m59s"],
  [3_600_000, "1h00m"],
  [7_500_000, "2h05m"],
  [-5, "0s"],
] as const)
  test(`durationText(${ms}) is ${text}`, (t) => t.is(durationText(ms), text));

test("progressText: counts, percentage, current item, time so far and an estimate of the rest", (t) => {
  t.is(
    progressText("preflight", {
      done: 12,
      total: 5000,
      unit: "nodes",
      elapsedMs: 80_000,
      current: "node-00012",
    }),
    "preflight: 12/5000 nodes (0%), node-00012, 1m20s so far, about 9h14m left",
  );
  // 80 s / 12 nodes × 4,988 left = 33,253 s. Nothing done yet: no estimate. All done: none either.
  t.is(
    progressText("diff", { done: 0, total: 3, unit: "nodes", elapsedMs: 0, current: "node-a" }),
    "diff: 0/3 nodes (0%), node-a, 0s so far",
  );
  t.is(
    progressText("diff", { done: 3, total: 3, unit: "nodes", elapsedMs: 5_000 }),
    "diff: 3/3 nodes (100%), 5s so far",
  );
  t.is(
    progressText("x", { done: 0, total: 0, unit: "probes", elapsedMs: 0 }),
    "x: 0/0 probes (100%), 0s so far",
  );
});

/** nodeProgress on a fake terminal and clock: what it wrote, as lines (the \r\x1b[K redraws split). */
const fake = (columns?: number) => {
  let t = 0;
  const writes: string[] = [];
  return {
    out: {
      write: (s: string) => void writes.push(s),
      now: () => t,
      ...(columns === undefined ? {} : { columns }),
    },
    at: (ms: number) => void (t = ms),
    writes,
  };
};

test("nodeProgress: quiet for the first second, then the node and the packets traced, at most 4 times a second; cleared at the end", (t) => {
  const f = fake();
  const p = nodeProgress("upgrade-check", f.out)!;
  p.onNode(0, 1, "node-02500");
  f.at(500);
  for (let i = 0; i < 64; i++) p.onTrace();
  t.deepEqual(f.writes, []);
  f.at(1200);
  for (let i = 0; i < 64; i++) p.onTrace();
  t.deepEqual(f.writes, [
    "\r\x1b[Kupgrade-check: 0/1 nodes (0%), node-02500 (128 packets traced), 1s so far",
  ]);
  f.at(1300);
  for (let i = 0; i < 64; i++) p.onTrace();
  t.is(f.writes.length, 1);
  f.at(1500);
  for (let i = 0; i < 64; i++) p.onTrace();
  t.is(f.writes[1], "\r\x1b[Kupgrade-check: 0/1 nodes (0%), node-02500 (256 packets traced), 2s so far");
  p.onNode(1, 1);
  t.is(f.writes[2], "\r\x1b[K");
  t.is(f.writes.length, 3);
});

test("nodeProgress: a run done within the first second writes nothing; the next node starts its count again", (t) => {
  const f = fake(40);
  const p = nodeProgress("preflight", f.out)!;
  p.onNode(0, 2, "node-a");
  for (let i = 0; i < 640; i++) p.onTrace();
  f.at(900);
  p.onNode(1, 2, "node-b");
  t.deepEqual(f.writes, []);
  f.at(3000);
  p.onNode(1, 2, "node-b"); // drawn on reaching a node after the first second, cut to the width
  t.deepEqual(f.writes, ["\r\x1b[Kpreflight: 1/2 nodes (50%), node-b (0 p"]);
  p.onNode(2, 2);
  t.is(f.writes.at(-1), "\r\x1b[K");
  // Not a terminal: no progress at all.
  t.is(nodeProgress("diff", undefined), undefined);
});

test("ttyProgress (conformance): redrawn at every call, cleared when all are done", (t) => {
  const f = fake();
  const tick = ttyProgress("conformance", "probes", f.out)!;
  f.at(2_000);
  tick(240, 480, "iptables");
  tick(480, 480, "iptables");
  t.deepEqual(f.writes, [
    "\r\x1b[Kconformance: 240/480 probes (50%), iptables, 2s so far, about 2s left",
    "\r\x1b[Kconformance: 480/480 probes (100%), iptables, 2s so far",
    "\r\x1b[K",
  ]);
});

test("nodeProgress: a worker's node done while the caller checks one moves the count, not the caller's packets", (t) => {
  const f = fake();
  const p = nodeProgress("preflight", f.out)!;
  p.onNode(0, 4, "node-gw");
  for (let i = 0; i < 128; i++) p.onTrace();
  f.at(2000);
  p.onNode(1, 4, "node-gw");
  p.onNode(2, 4, "node-gw");
  f.at(2300);
  for (let i = 0; i < 64; i++) p.onTrace();
  t.deepEqual(f.writes, [
    "\r\x1b[Kpreflight: 1/4 nodes (25%), node-gw (128 packets traced), 2s so far, about 6s left",
    "\r\x1b[Kpreflight: 2/4 nodes (50%), node-gw (192 packets traced), 2s so far, about 2s left",
  ]);
});
