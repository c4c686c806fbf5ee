// Names in Felix's nft table back to the IR's: layer-prefixed chains (`filter-cali-fh-eth0`) to table + chain
// (felix/nftables/table_layer.go:54-62), base chains (`raw-PREROUTING`) to kernel hooks (table.go:144-168), and
// legalised set names (`cali40s-…`) to ipset names (`cali40s:…`, ipsets.go:565-567).

import type { HookChain, TableName } from "../../rules/ir.js";

export const LAYER_NAMES: readonly TableName[] = ["raw", "mangle", "nat", "filter"];
const HOOK_NAMES: readonly HookChain["name"][] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/** The layer a chain name starts with, and the name without it. */
export const splitLayer = (
  name: string,
): { readonly layer: TableName; readonly rest: string } | undefined => {
  for (const layer of LAYER_NAMES) {
    if (name.startsWith(`${layer}-`)) return { layer, rest: name.slice(layer.length + 1) };
  }
  return undefined;
};

/** `filter-INPUT` → filter / INPUT. */
export const baseChainHook = (
  name: string,
): { readonly layer: TableName; readonly hook: HookChain["name"] } | undefined => {
  const s = splitLayer(name);
  const hook = HOOK_NAMES.find((h) => h === s?.rest);
  return s === undefined || hook === undefined ? undefined : { layer: s.layer, hook };
};

/** Layer a base chain belongs to by its priority when its name does not say (knftables priority names). */
export const layerOfPriority = (prio: number, type: string): TableName =>
  type === "nat" ? "nat" : prio <= -200 ? "raw" : prio < -100 ? "mangle" : "filter";

/**
 * Felix set ids are `<type letter>:<hash>` (s: selector, n: named port, …) or plain words (`this-host`); the
 * name is `cali40`/`cali60` + id, and nft names turn `:` into `-`. Only the separator after a one-letter type
 * is restored, as the hash itself may hold `-`.
 */
export const ipsetNameOf = (nftName: string): string => nftName.replace(/^(cali[46]0[a-z])-/, "$1:");
