// Rendering one node and, when asked, writing its files (synchronously: the threads of every-node.ts each
// write the nodes they render, and a node's files are complete before its summary is posted).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Cluster } from "../../resources/model.js";
import {
  nodeFileNames,
  renderNodeFiles,
  summarise,
  type EveryNodeOptions,
  type NodeSummary,
} from "./node-files.js";

/** As `calisim render > FILE` writes it: text ending in a newline (none added to empty text). */
export const asFile = (text: string): string => (text === "" || text.endsWith("\n") ? text : `${text}\n`);

export const renderAndWrite = (
  cluster: Cluster,
  node: string,
  options: EveryNodeOptions,
  outDir: string | undefined,
): NodeSummary => {
  const files = renderNodeFiles(cluster, node, options);
  if (outDir !== undefined) {
    const names = nodeFileNames(node);
    writeFileSync(join(outDir, names.v4), asFile(files.iptables[0]));
    writeFileSync(join(outDir, names.v6), asFile(files.iptables[1]));
    writeFileSync(join(outDir, names.ipsets), asFile(files.ipsets));
  }
  return summarise(node, files);
};
