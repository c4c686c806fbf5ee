// Render stage, nftables backend: the rule IR as Felix's nftables-mode ruleset, as a libnftables JSON batch
// (`nft -j -f`) or the same batch as nft text (`nft -f`), with Felix's `cali:<hash>;` rule ids.
//
//   import { renderNftJson, renderNft, formatNftJson } from "./render/nftables/index.js";
//   const doc = renderNftJson(ruleset);                       // table ip calico (ip6 calico for IPv6)
//   await execa("nft", ["-j", "-f", "-"], { input: formatNftJson(doc) });
//   renderNftJsonText(ruleset) === formatNftJson(renderNftJson(ruleset)), made without the document (faster).

export {
  renderNftJson,
  renderNftJsonText,
  renderNft,
  formatNftJson,
  ruleFragment,
  nftRuleIds,
  nftComment,
  NFT_HASH_COMMENT_PREFIX,
  NFT_MAX_COMMENT_LENGTH,
} from "./render.js";
export type { RenderNftOptions, RuleContext } from "./render.js";
export {
  NFT_TABLE,
  NFT_MAX_CHAIN_NAME,
  LAYERS,
  PRIORITY,
  BASE_CHAINS,
  nftFamily,
  layerName,
  nftChainName,
  baseChainName,
  appendsSeed,
  nftSetName,
} from "./layout.js";
export type { BaseChainDef, NftIpFamily } from "./layout.js";
export { matchFragment, nftMatchHandlers, transportOf, nftIfaceName } from "./match.js";
export type { NftMatchContext } from "./match.js";
export { addressExpr, parseRate, goHex, nftMatch, meta, payload } from "./expr.js";
export type { NftFragment } from "./expr.js";
export { actionFragment, nftActionHandlers } from "./action.js";
export type { NftActionContext } from "./action.js";
export { setPlan, withoutOverlaps } from "./sets.js";
export type { NftSetPlan } from "./sets.js";
export {
  nftTableSchema,
  nftChainRefSchema,
  nftBaseChainSchema,
  nftChainSchema,
  nftRuleSchema,
  nftSetSchema,
  nftMapSchema,
  nftElementSchema,
  nftObjectSchema,
  nftMetainfoSchema,
  nftCommandSchema,
  nftDocumentSchema,
  nftListOutputSchema,
  nftListEnvelopeSchema,
} from "./schema.js";
export type {
  NftFamily,
  NftChainType,
  NftHook,
  NftKeyType,
  NftSetFlag,
  NftTable,
  NftChainRef,
  NftBaseChain,
  NftChain,
  NftRule,
  NftSet,
  NftMap,
  NftElement,
  NftObject,
  NftMetainfo,
  NftCommand,
  NftDocument,
  NftListOutput,
} from "./schema.js";
export { nftExprSchema, nftStatementSchema, nftVerdictSchema } from "./schema-expr.js";
export type {
  NftExpr,
  NftStatement,
  NftVerdict,
  NftMatch,
  NftMatchOp,
  NftLog,
  NftLogLevel,
  NftLimit,
  NftRatePer,
  NftReject,
  NftNat,
  NftPayloadProtocol,
  NftMetaKey,
  NftCtKey,
  NftFibResult,
  NftFibFlag,
} from "./schema-expr.js";
