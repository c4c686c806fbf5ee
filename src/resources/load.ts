// Reads resource files and builds the cluster: loadResourceFiles then parseResources (in parallel when large).

import type { Issue } from "../util/issue.js";
import type { Cluster } from "./model.js";
import { loadResourceFiles } from "./files.js";
import type { SourceFile } from "./parse.js";
import { parseResourcesParallel, type ParallelReadOptions } from "./read-parallel.js";

/**
 * Large inputs are read on two cores (read-parallel.ts); the result is the same either way. `files` are the
 * texts read, for work that rebuilds the cluster in worker threads (render/every-node).
 */
export const loadCluster = async (
  paths: readonly string[],
  options: ParallelReadOptions = {},
): Promise<{ cluster: Cluster; issues: Issue[]; files: readonly SourceFile[] }> => {
  const loaded = await loadResourceFiles(paths);
  const parsed = await parseResourcesParallel(loaded.files, options);
  return { cluster: parsed.cluster, issues: [...loaded.issues, ...parsed.issues], files: loaded.files };
};
