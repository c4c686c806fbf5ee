// Rendering one node and, when asked, writing its files (synchronously: the threads of every-node.ts each
// write the nodes they render, and a node's files are complete before its summary is posted).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Cluster } from "../../resources/model.js";
import {
  buildNodeRulesets,
  nodeFileNames,
  renderNodeTexts,
  summarise,
  type EveryNodeOptions,
  type NodeFormat,
  type NodeSummary,
} from "./node-files.js";

/** As `calisim render > FILE` writes it: text ending in a newline (none added to empty text). */
export const asFile = (text: string): string => (text === "" || text.endsWith("\n") ? text : `${text}\n`);

export const renderAndWrite = (
  cluster: Cluster,
  node: string,
  options: EveryNodeOptions,
  formats: readonly NodeFormat[],
  outDir: string | undefined,
): NodeSummary => {
  const built = buildNodeRulesets(cluster, node, options);
  const texts = renderNodeTexts(built, formats);
  if (outDir !== undefined) {
    const names = nodeFileNames(node);
    const write = (name: string, text: string | undefined): void => {
      if (text !== undefined) writeFileSync(join(outDir, name), asFile(text));
    };
    write(names.v4, texts.iptables?.[0]);
    write(names.v6, texts.iptables?.[1]);
    write(names.ipsets, texts.ipsets);
    write(names.nftV4, texts.nft?.[0]);
    write(names.nftV6, texts.nft?.[1]);
  }
  return summarise(node, { ...built, ...texts });
};
