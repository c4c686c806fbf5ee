// The progress line's text (src/cli/progress.ts): durations, the estimate, and what is left out.

import test from "ava";
import { durationText, progressText } from "../../src/cli/progress.js";

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
