// IP sets → `ipset restore` input, with the create options Felix uses (felix/ipsets/ipsets.go writeUpdates:
// `create <name> <type> family <inet|inet6> maxelem <MaxIpsetSize>`, then `add <name> <member>`).

import type { IpSet, IpVersion, Ruleset } from "../../rules/ir.js";
import { compareStrings } from "../../util/compare.js";
import { keptIn } from "../../util/memo.js";
import { distinctSorted } from "../../util/sorted.js";

/** Felix config MaxIpsetSize default (felix/config/config_params.go). */
export const DEFAULT_MAX_IPSET_SIZE = 1048576;

export interface RenderIpsetsOptions {
  /** `maxelem` of every set (Felix MaxIpsetSize). */
  readonly maxElem?: number;
}

/** felix/ipsets/ipset_defs.go IPFamilyV4 / IPFamilyV6. */
export const ipsetFamily = (version: IpVersion): "inet" | "inet6" => (version === 4 ? "inet" : "inet6");

const createLine = (set: IpSet, opts: RenderIpsetsOptions): string =>
  `create ${set.name} ${set.type} family ${ipsetFamily(set.version)} maxelem ${opts.maxElem ?? DEFAULT_MAX_IPSET_SIZE}`;

/**
 * The restore text of one set, lines joined with newlines: its `create` line, then its members sorted. One
 * `join` over the members, not a string per line: a typical node's first render writes about 47,000
 * members, a gateway's 78,000.
 */
const setLinesText = (set: IpSet, opts: RenderIpsetsOptions): string => {
  // Computed sets arrive sorted and distinct (calc/ipsets.ts); only others are sorted here.
  const members = distinctSorted(set.members);
  const add = `add ${set.name} `;
  return members.length === 0
    ? createLine(set, opts)
    : `${createLine(set, opts)}\n${add}${members.join(`\n${add}`)}`;
};

/** The restore lines of one set (for deltas and loading set by set); members never hold a newline. */
export const renderIpsetLines = (set: IpSet, opts: RenderIpsetsOptions = {}): string[] =>
  setLinesText(set, opts).split("\n");

// Sets are computed once per cluster and shared by the nodes that reference them (calc/ipsets.ts), so each is
// rendered once per maxelem. IR sets are never modified.
const rendered = new Map<number, WeakMap<IpSet, string>>();

const setText = (set: IpSet, opts: RenderIpsetsOptions): string => {
  const max = opts.maxElem ?? DEFAULT_MAX_IPSET_SIZE;
  let cache = rendered.get(max);
  if (cache === undefined) {
    cache = new WeakMap();
    rendered.set(max, cache);
  }
  return keptIn(cache, set, () => setLinesText(set, opts));
};

/** All of a ruleset's IP sets, sorted by name, as `ipset restore` input ("" when there are none). */
export const renderIpsets = (ruleset: Ruleset, opts: RenderIpsetsOptions = {}): string => {
  const sets = [...ruleset.sets].sort((a, b) => compareStrings(a.name, b.name));
  for (let i = 1; i < sets.length; i++) {
    if (sets[i]?.name === sets[i - 1]?.name) throw new Error(`bug: IP set ${sets[i]?.name} appears twice`);
  }
  // Concatenated, not joined: V8 then links the cached set texts instead of copying them into one new
  // string per node (a gateway's sets are megabytes). Whoever writes the text out flattens it once.
  let out = "";
  for (const set of sets) out += `${setText(set, opts)}\n`;
  return out;
};
