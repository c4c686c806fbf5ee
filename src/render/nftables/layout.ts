// How Felix's nftables mode lays out one IP family: a single table `calico` (family `ip` for IPv4, `ip6` for
// IPv6; felix/dataplane/linux/int_dataplane.go:724, 995, felix/nftables/table.go:391-396 - never `inet`), with the
// iptables tables raw/mangle/nat/filter as "layers" that prefix every chain name and jump target
// (felix/nftables/table_layer.go:54-77), and Felix's fixed base chains (table.go:91-168).

import type { HookChain, IpVersion, TableName } from "../../rules/ir.js";
import { limitChainName } from "../../rules/names.js";
import type { NftChainType, NftHook } from "./schema.js";

/** The table name Felix uses in both families (int_dataplane.go:724, 995). */
export const NFT_TABLE = "calico";

export type NftIpFamily = "ip" | "ip6";

/** felix/nftables/table.go:391-396: IP version 4 → `ip`, 6 → `ip6`. */
export const nftFamily = (v: IpVersion): NftIpFamily => (v === 4 ? "ip" : "ip6");

/** felix/nftables/table.go MaxChainNameLength = knftables.NameLengthMax. */
export const NFT_MAX_CHAIN_NAME = 256;

/** Layer order used for output: the order a packet meets them on a hook. */
export const LAYERS: readonly TableName[] = ["raw", "mangle", "nat", "filter"];

/** knftables priority names (types.go) as the numbers nft needs in JSON (a string prio is silently ignored). */
export const PRIORITY = { raw: -300, mangle: -150, dstnat: -100, filter: 0, srcnatPlus10: 110 } as const;

export interface BaseChainDef {
  readonly layer: TableName;
  readonly hook: HookChain["name"];
  readonly type: NftChainType;
  readonly nftHook: NftHook;
  readonly prio: number;
}

const base = (layer: TableName, hook: HookChain["name"], type: NftChainType, prio: number): BaseChainDef => ({
  layer,
  hook,
  type,
  nftHook: hook.toLowerCase() as NftHook,
  prio,
});

/**
 * felix/nftables/table.go:144-168 baseChains: Felix creates all fourteen, even empty ones (table.go:1309-1319).
 * mangle-OUTPUT is a `route` chain so a mark change re-routes; nat OUTPUT/POSTROUTING use srcnat+10 = 110.
 */
export const BASE_CHAINS: readonly BaseChainDef[] = [
  base("raw", "PREROUTING", "filter", PRIORITY.raw),
  base("raw", "OUTPUT", "filter", PRIORITY.raw),
  base("mangle", "PREROUTING", "filter", PRIORITY.mangle),
  base("mangle", "INPUT", "filter", PRIORITY.mangle),
  base("mangle", "FORWARD", "filter", PRIORITY.mangle),
  base("mangle", "OUTPUT", "route", PRIORITY.mangle),
  base("mangle", "POSTROUTING", "filter", PRIORITY.mangle),
  base("nat", "PREROUTING", "nat", PRIORITY.dstnat),
  base("nat", "INPUT", "nat", PRIORITY.dstnat),
  base("nat", "OUTPUT", "nat", PRIORITY.srcnatPlus10),
  base("nat", "POSTROUTING", "nat", PRIORITY.srcnatPlus10),
  base("filter", "INPUT", "filter", PRIORITY.filter),
  base("filter", "FORWARD", "filter", PRIORITY.filter),
  base("filter", "OUTPUT", "filter", PRIORITY.filter),
];

/**
 * table_layer.go namespaceName (and actions.go Namespace for jump/goto targets): `<layer>-<name>`, unless the
 * name already starts with the layer name (Felix tests the bare prefix, without the dash).
 */
export const layerName = (layer: TableName, name: string): string =>
  name.startsWith(layer) ? name : `${layer}-${name}`;

/**
 * The nft name of an IR chain (or jump target) in a layer: Felix's logical name cut to nft's limit with Felix's
 * hash (rule_defs.go:590-595, endpoints.go:812-818), then namespaced by the layer.
 */
export const nftChainName = (layer: TableName, name: string): string =>
  layerName(layer, limitChainName(name, NFT_MAX_CHAIN_NAME));

/** The base chain of a layer and hook, e.g. filter/INPUT → `filter-INPUT`. */
export const baseChainName = (def: { readonly layer: TableName; readonly hook: HookChain["name"] }): string =>
  `${def.layer}-${def.hook}`;

/** Rules appended to a base chain are hashed with this seed (felix/nftables/table.go:976-1003). */
export const appendsSeed = (chain: string): string => `${chain}*appends*`;

/** felix/nftables/ipsets.go LegalizeSetName: nft set names cannot hold `:`. */
export const nftSetName = (ipsetName: string): string => ipsetName.replaceAll(":", "-");
