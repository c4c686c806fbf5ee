// Render stage, IP sets: the ruleset's sets as `ipset restore` input (Felix's create options; sets and members
// sorted so the text is deterministic).
//
//   import { renderIpsets } from "./render/ipset/index.js";
//   await execa("ipset", ["restore"], { input: renderIpsets(ruleset) });

export { renderIpsets, renderIpsetLines, ipsetFamily, DEFAULT_MAX_IPSET_SIZE } from "./render.js";
export type { RenderIpsetsOptions } from "./render.js";
