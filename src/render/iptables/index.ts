// Render stage, iptables backend: the rule IR as iptables-restore / ip6tables-restore input, in Felix's exact text
// (long-form fragments, `cali:<hash>` comments) so a rendered line matches the one on a real node.
//
//   import { renderIptables } from "./render/iptables/index.js";
//   const text = renderIptables(ruleset);            // all tables: raw, mangle, nat, filter
//   await execa("iptables-restore", { input: text });

export {
  renderIptables,
  renderTableParts,
  chainUpdateText,
  ruleFragments,
  ruleLine,
  ruleIds,
  appendsSeed,
  escapeComment,
  TABLE_ORDER,
  HASH_COMMENT_PREFIX,
  MAX_CHAIN_NAME_LENGTH,
} from "./render.js";
export type { RenderIptablesOptions } from "./render.js";
export {
  matchFragment,
  iptablesMatchHandlers,
  splitPortList,
  portsText,
  hex,
  MULTIPORT_SLOTS,
} from "./match.js";
export type { PortsMatch, PortsForm } from "./match.js";
export { actionFragment, iptablesActionHandlers } from "./action.js";
export type { ActionTextOptions } from "./action.js";
