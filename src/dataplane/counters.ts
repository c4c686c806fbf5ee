// Which kernel rules a probe hit: rule counters read before and after (`<family>-save -c`, or
// `nft -j list table` where every Felix rule carries `counter`), the rules whose packet count moved, mapped
// back to their origin by the `cali:` rule id, the chained hash over chain name and rule text that both
// Felix and our renderers write (felix/generictables/rules.go RuleHashes), as src/rules/annotate.ts does.

import { parseIptablesSave } from "../dump/index.js";
import { parseNftJson } from "../dump/nft/index.js";
import { appendsSeed, ruleIds } from "../render/iptables/index.js";
import {
  appendsSeed as nftAppendsSeed,
  baseChainName,
  nftChainName,
  nftRuleIds,
} from "../render/nftables/index.js";
import type { IpVersion, Origin, Ruleset } from "../rules/ir.js";
import { limitChainName, MAX_CHAIN_NAME } from "../rules/names.js";
import { originText } from "../trace/origin-text.js";
import type { Backend } from "./apply.js";
import { inNetns } from "./netns.js";
import { runOrThrow, type Runner } from "./runner.js";

export interface CounterRow {
  readonly version: IpVersion;
  readonly table: string;
  readonly chain: string;
  readonly index: number;
  readonly id?: string;
  readonly packets: number;
}

export interface MovedRule extends Omit<CounterRow, "packets"> {
  readonly packets: number;
  readonly origin?: string;
}

const key = (r: Omit<CounterRow, "packets" | "id">): string =>
  `${r.version}/${r.table}/${r.chain}/${r.index}`;

/** `table/id` → origin, for the rules rendered from resources (iptables or nft hashing). */
export const originsById = (rulesets: readonly Ruleset[], backend: Backend): Map<string, Origin> => {
  const map = new Map<string, Origin>();
  const put = (
    v: IpVersion,
    table: string,
    ids: readonly string[],
    origins: readonly (Origin | undefined)[],
  ) =>
    ids.forEach((id, i) => {
      const o = origins[i];
      if (o !== undefined) map.set(`${v}/${table}/${id}`, o);
    });
  for (const rs of rulesets)
    for (const t of rs.tables) {
      const ctx = { version: rs.version, layer: t.name };
      for (const c of t.chains) {
        const ids =
          backend === "nft"
            ? nftRuleIds(nftChainName(t.name, c.name), c.rules, ctx)
            : ruleIds(limitChainName(c.name, MAX_CHAIN_NAME), c.rules);
        put(
          rs.version,
          t.name,
          ids,
          c.rules.map((r) => r.origin),
        );
      }
      for (const h of t.hooks) {
        const nftName = baseChainName({ layer: t.name, hook: h.name });
        const ins = backend === "nft" ? nftRuleIds(nftName, h.inserted, ctx) : ruleIds(h.name, h.inserted);
        const app =
          backend === "nft"
            ? nftRuleIds(nftAppendsSeed(nftName), h.appended, ctx)
            : ruleIds(appendsSeed(h.name), h.appended);
        put(
          rs.version,
          t.name,
          ins,
          h.inserted.map((r) => r.origin),
        );
        put(
          rs.version,
          t.name,
          app,
          h.appended.map((r) => r.origin),
        );
      }
    }
  return map;
};

const iptablesRows = (text: string, version: IpVersion, what: string): CounterRow[] => {
  const d = parseIptablesSave(text);
  if (!d.ok)
    throw new Error(
      `${what}: cannot parse: ${d.error.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`,
    );
  return d.value.tables.flatMap((t) =>
    t.chains.flatMap((c) =>
      c.rules.map((r, index) => ({
        version,
        table: t.name,
        chain: c.name,
        index,
        ...(r.id === undefined ? {} : { id: r.id }),
        packets: r.counters?.[0] ?? 0,
      })),
    ),
  );
};

const nftRows = (text: string, version: IpVersion): CounterRow[] => {
  const d = parseNftJson(text, { family: version === 4 ? "ip" : "ip6" });
  if (!d.ok) return [];
  return d.value.chains.flatMap((c) =>
    c.rules.map((r, index) => ({
      version,
      table: c.layer,
      chain: c.irName,
      index,
      ...(r.id === undefined ? {} : { id: r.id }),
      packets: r.counters?.[0] ?? 0,
    })),
  );
};

/** Every rule's packet counter in the namespace, for the backend's tables. */
export const readCounters = async (run: Runner, ns: string, backend: Backend): Promise<CounterRow[]> => {
  const rows: CounterRow[] = [];
  for (const version of [4, 6] as const) {
    if (backend === "nft") {
      const [f, a] = inNetns(ns, "nft", ["-j", "list", "table", version === 4 ? "ip" : "ip6", "calico"]);
      const r = await run(f, a);
      if (r.exitCode === 0) rows.push(...nftRows(r.stdout, version));
      continue;
    }
    const bin = `${version === 4 ? "iptables" : "ip6tables"}-${backend === "iptables-nft" ? "nft" : "legacy"}-save`;
    const [f, a] = inNetns(ns, bin, ["-c"]);
    const r = await runOrThrow(run, f, a, { what: `${bin} -c (in ${ns})` });
    rows.push(...iptablesRows(r.stdout, version, bin));
  }
  return rows;
};

/** The rules whose packet counters moved between two readings, in kernel order, with their origins. */
export const movedRules = (
  before: readonly CounterRow[],
  after: readonly CounterRow[],
  origins: ReadonlyMap<string, Origin>,
): MovedRule[] => {
  const was = new Map(before.map((r) => [key(r), r.packets]));
  return after.flatMap((r) => {
    const packets = r.packets - (was.get(key(r)) ?? 0);
    if (packets <= 0) return [];
    const o = r.id === undefined ? undefined : origins.get(`${r.version}/${r.table}/${r.id}`);
    return [{ ...r, packets, ...(o === undefined ? {} : { origin: originText(o) }) }];
  });
};
