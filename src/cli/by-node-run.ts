// What the commands that report node by node (preflight, upgrade-check, diff) share besides loading: their
// --jobs option, and how their nodes are checked (threads, the progress line, a failed worker's warning).

import type { ByNodeOptions } from "../safety/by-node/index.js";
import { jobsOption } from "./common.js";
import { nodeProgress } from "./progress.js";

export const BY_NODE_JOBS = jobsOption(
  "threads checking nodes (default: the machine's cores, as many as the free memory holds, for a cluster of 2 MB of YAML or more; else 1); each extra one loads its own copy",
);

/**
 * partsByNode's options but `onPart`: `jobs` as parseJobs gave it, a progress line when stderr is a
 * terminal, and a warning when a worker thread fails (the report is whole; it only took longer).
 */
export const byNodeRun = (what: string, jobs: number | undefined): Omit<ByNodeOptions, "onPart"> => ({
  ...(jobs === undefined ? {} : { jobs }),
  ...nodeProgress(what),
  onWorkerFailed: (e) =>
    void process.stderr.write(
      `warning: a worker thread failed (${e.message}); its nodes were checked on the main thread\n`,
    ),
});
