// Reads resource files and builds the cluster: loadResourceFiles then parseResources.

import type { Issue } from "../util/issue.js";
import type { Cluster } from "./model.js";
import { loadResourceFiles } from "./files.js";
import { parseResources } from "./parse.js";

export const loadCluster = async (
  paths: readonly string[],
): Promise<{ cluster: Cluster; issues: Issue[] }> => {
  const loaded = await loadResourceFiles(paths);
  const parsed = parseResources(loaded.files);
  return { cluster: parsed.cluster, issues: [...loaded.issues, ...parsed.issues] };
};
