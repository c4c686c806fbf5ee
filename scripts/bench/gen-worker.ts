// Worker-thread entry of the benchmark's generator: generates and writes the cluster in its own heap, so
// the thread that measures loading starts from a heap without the generator's objects, as `calisim` does
// when run on a directory. Posts the names and counts the benchmark needs.

import { parentPort, workerData } from "node:worker_threads";
import { generateCluster, writeCluster, type GenOptions } from "../../src/gen/index.js";

const { scale, dir } = workerData as { scale: GenOptions; dir: string };
const started = performance.now();
const v = generateCluster(scale);
// No top-level await: from source, workers load as CommonJS (src/util/worker.ts).
void writeCluster(v, dir).then((files) =>
  parentPort!.postMessage({
    gen: { nodeNames: v.nodeNames, gatewayNodes: v.gatewayNodes, counts: v.counts, options: v.options },
    ms: performance.now() - started,
    files: files.length,
  }),
);
