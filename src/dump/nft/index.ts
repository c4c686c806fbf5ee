// Dump stage, nftables: what Felix's nft table on a node really holds. `nft -j list ruleset` (or `nft -j list
// table ip calico`) → the IR, undoing what nft rewrites on read-back, so the tracer can walk it and tests can
// compare it with what we rendered.
//
//   const dump = parseNftJson(await readFile("nft.json", "utf8"));
//   if (!dump.ok) console.error(dump.error);
//   else trace(dump.value.ruleset);

export { parseNftJson } from "./parse.js";
export type { NftDump, NftDumpChain, NftParseError, ParseNftOptions } from "./parse.js";
export { readRule } from "./rule.js";
export type { NftDumpRule, Counters, RuleReadContext } from "./rule.js";
export { readMatch } from "./match.js";
export type { MatchRead, MatchPart, IcmpCodePart, Reader } from "./reader.js";
export { readAction, ACTION_READERS, isActionStatement } from "./action.js";
export { readSet } from "./sets.js";
export { splitLayer, baseChainHook, ipsetNameOf, layerOfPriority, LAYER_NAMES } from "./names.js";
export { markPair, portRanges, cidrOf, flagWords, protocolNumber, prefixMask } from "./values.js";
