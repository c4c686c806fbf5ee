// Shared pieces of the nft tests: the rulesets behind the golden files, and "same meaning" views of a ruleset as
// we emit it and as parseNftJson reads it back, so the two can be compared chain by chain, rule by rule.

import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { canonicalCidr, ruleMeaning } from "../../src/dump/index.js";
import type { NftDump } from "../../src/dump/nft/index.js";
import { loadCluster } from "../../src/resources/index.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { limitChainName } from "../../src/rules/names.js";
import {
  BASE_CHAINS,
  NFT_MAX_CHAIN_NAME,
  appendsSeed,
  baseChainName,
  nftChainName,
  nftComment,
  nftRuleIds,
  withoutOverlaps,
} from "../../src/render/nftables/index.js";
import type { IpVersion, Match, PortRange, Rule, Ruleset, TableName } from "../../src/rules/ir.js";
import { goldenCases } from "../helpers/golden.js";
import { workedExample } from "../helpers/model.js";

export const NFT_GOLDEN_DIR = new URL("../golden/nft/", import.meta.url);

export interface NftGolden {
  /** `<case>` for IPv4, `<case>.ip6` for IPv6. */
  readonly name: string;
  readonly version: IpVersion;
  readonly ruleset: Ruleset;
}

/** Every golden case of test/golden/render (per IP version) plus the worked example. */
export const nftGoldens = async (): Promise<NftGolden[]> => {
  const out: NftGolden[] = [];
  for (const c of goldenCases()) {
    const { cluster } = await loadCluster([`${c.dir}input.yaml`]);
    const model = resolveNode(cluster, {
      node: c.node,
      ...(c.calicoVersion === undefined ? {} : { calicoVersion: c.calicoVersion }),
      ...(c.interfaces === undefined ? {} : { interfaces: c.interfaces }),
    });
    for (const version of c.ipVersions) {
      out.push({
        name: version === 4 ? c.name : `${c.name}.ip6`,
        version,
        ruleset: buildRuleset(model, { version }),
      });
    }
  }
  const we = buildRuleset(resolveNode(workedExample(), { node: "myhost" }), { version: 4 });
  out.push({ name: "worked-example", version: 4, ruleset: we });
  return out;
};

/** Port ranges sorted and merged where they touch: nft auto-merges anonymous interval sets (22,23 → 22-23). */
const mergedPorts = (ports: readonly PortRange[]): PortRange[] => {
  const out: PortRange[] = [];
  for (const p of [...ports].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last !== undefined && p.from <= last.to + 1)
      out[out.length - 1] = { from: last.from, to: Math.max(last.to, p.to) };
    else out.push({ from: p.from, to: p.to });
  }
  return out;
};

/**
 * A rule's meaning for comparison: port sets merged as nft merges them, log level info (nft mode logs at level
 * info whatever the IR says), and jump targets as nft chain names without the layer (the parser strips it; the IR
 * holds Felix's logical name).
 */
const meaning = (r: Rule): string => {
  const matches = r.matches.map((m): Match =>
    m.kind === "srcPorts" || m.kind === "dstPorts" ? { ...m, ports: mergedPorts(m.ports) } : m,
  );
  const a = r.action;
  const action =
    a.kind === "log"
      ? { ...a, level: 6 }
      : a.kind === "jump" || a.kind === "goto"
        ? { ...a, target: limitChainName(a.target, NFT_MAX_CHAIN_NAME) }
        : a;
  return ruleMeaning({ ...r, matches, action, comments: [] });
};

/** nft chain name → `<comment> | <meaning>` per rule, in order. */
export type ChainView = Map<string, string[]>;

const line = (comment: string | undefined, r: Rule): string => `${comment ?? "-"} | ${meaning(r)}`;

/** What we emit for a ruleset, chain by chain, with the `cali:` comments we compute. */
export const emittedView = (rs: Ruleset): ChainView => {
  const view: ChainView = new Map();
  for (const def of BASE_CHAINS) view.set(baseChainName(def), []);
  for (const t of rs.tables) {
    const ctx = { version: rs.version, layer: t.name };
    const lines = (seed: string, rules: readonly Rule[], hashed = true): string[] => {
      const ids = hashed ? nftRuleIds(seed, rules, ctx) : [];
      return rules.map((r, i) => line(nftComment(ids[i], r.comments), r));
    };
    for (const h of t.hooks) {
      const name = baseChainName({ layer: t.name, hook: h.name });
      view.set(name, [
        ...lines(name, h.inserted),
        ...lines(name, h.others ?? [], false),
        ...lines(appendsSeed(name), h.appended),
      ]);
    }
    for (const c of t.chains) {
      const name = nftChainName(t.name, c.name);
      view.set(name, lines(name, c.rules));
    }
  }
  return view;
};

/** What parseNftJson read, in the same form. */
export const parsedView = (dump: NftDump): ChainView =>
  new Map(dump.chains.map((c) => [c.name, c.rules.map((r) => line(r.comment, r.rule))]));

const canonicalMembers = (type: string, members: readonly string[]): string[] =>
  (type === "hash:net" ? withoutOverlaps(members).map((m) => canonicalCidr(m) ?? m) : [...members]).sort();

/** IR set name → `<type> <members>`; emitted sets lose overlapping members, as nft needs. */
export const emittedSets = (rs: Ruleset): Map<string, string> =>
  new Map(rs.sets.map((s) => [s.name, `${s.type} ${canonicalMembers(s.type, s.members).join(" ")}`]));

export const parsedSets = (dump: NftDump): Map<string, string> =>
  new Map(
    dump.sets.map((s) => [
      s.name,
      `${s.type} ${s.members
        .map((m) => canonicalCidr(m) ?? m)
        .sort()
        .join(" ")}`,
    ]),
  );

/** Layers present in the ruleset (for messages). */
export const layers = (rs: Ruleset): TableName[] => rs.tables.map((t) => t.name);

/**
 * The nftables `nft`, never node_modules/.bin/nft: ava depends on @vercel/nft, whose CLI is also called `nft` and
 * comes first on PATH under npm/npx. Undefined when no executable nftables `nft` is found.
 */
export const nftBinary = (): string | undefined => {
  const dirs = ["/usr/sbin", "/sbin", "/usr/local/sbin", ...(process.env["PATH"] ?? "").split(delimiter)];
  for (const dir of dirs.filter((d) => d !== "" && !d.includes("node_modules"))) {
    const path = join(dir, "nft");
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
};
