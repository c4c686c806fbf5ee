// Dump stage: what a node really has. iptables-save / ip6tables-save text (legacy or nft, with or without
// counters, or iptables-restore input) and `ipset save` text → normalised IR data the tracer can walk.
//
//   const dump = parseIptablesSave(await readFile("node.txt", "utf8"));
//   if (!dump.ok) console.error(dump.error);
//   else trace(dumpToRuleset(dump.value, sets));

export { parseIptablesSave, BUILTIN_CHAINS } from "./save.js";
export { parseIpsetSave } from "./ipset-save.js";
export { dumpToRuleset, chainPolicies, splitHookRules } from "./to-ruleset.js";
export type { DumpToRulesetOptions } from "./to-ruleset.js";
export { parseRuleOptions, FELIX_ID_COMMENT } from "./rule.js";
export type { ParsedRule, RuleContext } from "./rule.js";
export { tokenize, groupOptions, quoteWord } from "./tokens.js";
export type { Token, Opt } from "./tokens.js";
export { xmarkAction, readTarget, TARGETS } from "./targets.js";
export { MODULES, readModule } from "./modules.js";
export { ruleMeaning, sameMeaning, normaliseMatch, normaliseAction } from "./meaning.js";
export { protocolNumber, icmpTypeCode, PROTOCOL_NUMBERS } from "./protocols.js";
export { canonicalCidr, parsePortRange, parsePortList, parseValueMask } from "./values.js";
export type {
  Dump,
  DumpTable,
  DumpChain,
  DumpRule,
  DumpIpSet,
  Counters,
  ParseError,
  ParseIptablesOptions,
} from "./types.js";
