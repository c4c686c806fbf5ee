// One table of trace cases, run against three forms of the same node: the rule IR itself, our
// iptables-restore text parsed back (iptables backend), and our libnftables JSON read back (nft
// backend). The tracer must reach the same verdict on all three.

import test from "ava";
import { dumpToRuleset, parseIpsetSave, parseIptablesSave } from "../../src/dump/index.js";
import { parseNftJson } from "../../src/dump/nft/index.js";
import { renderIpsets } from "../../src/render/ipset/index.js";
import { renderIptables } from "../../src/render/iptables/index.js";
import { renderNftJson } from "../../src/render/nftables/index.js";
import type { IpVersion, Ruleset } from "../../src/rules/ir.js";
import { trace } from "../../src/trace/index.js";
import { CASES, rulesetFor, V4, V6, type Fam } from "../trace/cases.js";

const FAMS: Readonly<Record<IpVersion, Fam>> = { 4: V4, 6: V6 };

const viaIptables = (rs: Ruleset): Ruleset => {
  const dump = parseIptablesSave(renderIptables(rs));
  const sets = parseIpsetSave(renderIpsets(rs));
  if (!dump.ok || !sets.ok) throw new Error("our own rendering does not parse");
  return dumpToRuleset(dump.value, sets.value, { version: rs.version });
};

/** Our batch's `add` commands are what `nft -j list ruleset` lists, less handles. */
const viaNft = (rs: Ruleset): Ruleset => {
  const doc = renderNftJson(rs);
  const seen = new Set<string>();
  const listing = doc.nftables.flatMap((c) => {
    if (!("add" in c)) return [];
    const key = JSON.stringify(c.add);
    if (seen.has(key)) return [];
    seen.add(key);
    return [c.add];
  });
  const parsed = parseNftJson(JSON.stringify({ nftables: listing }), {
    family: rs.version === 4 ? "ip" : "ip6",
  });
  if (!parsed.ok) throw new Error(`our own nft rendering does not parse: ${JSON.stringify(parsed.error)}`);
  return parsed.value.ruleset;
};

for (const c of CASES)
  for (const v of c.families ?? ([4, 6] as const)) {
    test(`IPv${v}: ${c.name}: IR, iptables and nft renderings agree`, (t) => {
      const fam = FAMS[v];
      const rs = rulesetFor(c, fam);
      const packet = c.packet(fam);
      const ir = trace(rs, packet).verdict;
      t.is(trace(viaIptables(rs), packet).verdict, ir, "iptables rendering");
      t.is(trace(viaNft(rs), packet).verdict, ir, "nft rendering");
    });
  }
