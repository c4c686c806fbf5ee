// `nft -j list ruleset` (or `list table`) → Felix's nft table as IR: layer-prefixed chains back into tables
// raw/mangle/nat/filter, base chains into HookChains (all their rules as `inserted`, plus the policy), named sets
// into IP sets. Handles and counter values are kept beside the IR, never compared. Other tables (iptables-nft's,
// kube-proxy's) are skipped with a warning: they may hold `xt` expressions nft cannot even restore.

import { z } from "zod";
import type { Chain, HookChain, IpSet, IpVersion, Ruleset, Table, TableName } from "../../rules/ir.js";
import type { Result } from "../../util/result.js";
import { err, ok } from "../../util/result.js";
import { nftListEnvelopeSchema, nftSetSchema } from "../../render/nftables/schema.js";
import { LAYER_NAMES, baseChainHook, layerOfPriority, splitLayer } from "./names.js";
import { readRule } from "./rule.js";
import type { NftDumpRule } from "./rule.js";
import { readSet } from "./sets.js";

export interface ParseNftOptions {
  /** Table to read (default `calico`). */
  readonly table?: string;
  /** Family to read; default `ip`, or `ip6` when only that table is present. */
  readonly family?: "ip" | "ip6";
  /** What the tracer should assume an unknown match does (`Match.assume`); default true. */
  readonly assumeUnknown?: boolean;
}

export interface NftDumpChain {
  /** The nft name, e.g. `filter-cali-fh-eth0`. */
  readonly name: string;
  readonly layer: TableName;
  /** The IR name: without the layer prefix (`cali-fh-eth0`), or the hook (`INPUT`) of a base chain. */
  readonly irName: string;
  readonly base?: {
    readonly type: string;
    readonly hook: string;
    readonly prio: number;
    readonly policy: "accept" | "drop";
  };
  readonly rules: readonly NftDumpRule[];
}

export interface NftDump {
  readonly family: "ip" | "ip6";
  readonly table: string;
  readonly version: IpVersion;
  readonly chains: readonly NftDumpChain[];
  readonly sets: readonly IpSet[];
  /** The same content as an IR ruleset the tracer can walk. */
  readonly ruleset: Ruleset;
  /** Everything not modelled exactly: unknown expressions, skipped tables, maps, odd names. */
  readonly warnings: readonly string[];
}

export interface NftParseError {
  readonly message: string;
  /** Where in the document, e.g. `nftables[3].rule`. */
  readonly path?: string;
}

const chainEnvelope = z.object({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  type: z.string().optional(),
  hook: z.string().optional(),
  prio: z.number().optional(),
  policy: z.enum(["accept", "drop"]).optional(),
});
const ruleEnvelope = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  handle: z.number().optional(),
  comment: z.string().optional(),
  expr: z.array(z.unknown()).optional(),
});
const tableEnvelope = z.object({ family: z.string(), name: z.string() });
/** Any object of a table (set, map, flowtable, …). */
const ownerEnvelope = z.object({ family: z.string(), table: z.string(), name: z.string() });

type ChainEnvelope = z.infer<typeof chainEnvelope>;

/** A chain's layer and IR name: base chains by Felix's name (else by priority), others by their layer prefix. */
const chainDef = (c: ChainEnvelope, warn: (m: string) => void): Omit<NftDumpChain, "rules"> => {
  const { hook, type, prio } = c;
  if (hook !== undefined && type !== undefined && prio !== undefined) {
    const named = baseChainHook(c.name);
    const layer = named?.layer ?? layerOfPriority(prio, type);
    if (named === undefined) warn(`base chain ${c.name} is not one of Felix's; read as ${layer} ${hook}`);
    const base = { type, hook, prio, policy: c.policy ?? "accept" };
    return { name: c.name, layer, irName: named?.hook ?? hook.toUpperCase(), base };
  }
  const s = splitLayer(c.name);
  if (s === undefined) warn(`chain ${c.name} has no layer prefix; read as a filter chain`);
  return { name: c.name, layer: s?.layer ?? "filter", irName: s?.rest ?? c.name };
};

const issues = (e: z.ZodError, at: string): NftParseError[] =>
  e.issues.map((i) => ({ message: i.message, path: [at, ...i.path.map(String)].join(".") }));

const pickFamily = (
  tables: readonly { family: string; name: string }[],
  name: string,
  want?: "ip" | "ip6",
) => {
  const has = (f: string): boolean => tables.some((t) => t.family === f && t.name === name);
  if (want !== undefined) return has(want) ? want : undefined;
  return has("ip") ? "ip" : has("ip6") ? "ip6" : undefined;
};

export const parseNftJson = (text: string, opts: ParseNftOptions = {}): Result<NftDump, NftParseError[]> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return err([{ message: `not JSON: ${(e as Error).message}` }]);
  }
  const env = nftListEnvelopeSchema.safeParse(json);
  if (!env.success) return err(issues(env.error, "$"));
  const objects = env.data.nftables;
  const name = opts.table ?? "calico";
  const tables = objects.flatMap((o) => {
    const t = tableEnvelope.safeParse(o["table"]);
    return t.success ? [t.data] : [];
  });
  const family = pickFamily(tables, name, opts.family);
  if (family === undefined) {
    return err([{ message: `no table ${opts.family ?? "ip/ip6"} ${name} in the listing` }]);
  }
  const warnings: string[] = [];
  const warn = (m: string): void => void warnings.push(m);
  for (const t of tables)
    if (t.family !== family || t.name !== name) warn(`table ${t.family} ${t.name} ignored`);
  const mine = (o: { family: string; table: string }): boolean => o.family === family && o.table === name;

  const errors: NftParseError[] = [];
  const chains = new Map<string, { def: Omit<NftDumpChain, "rules">; rules: NftDumpRule[] }>();
  const sets: IpSet[] = [];
  const assume = opts.assumeUnknown ?? true;
  // One reader per object kind of the listing; each skips objects of other tables.
  const readers: Readonly<Record<string, (body: unknown, at: string) => void>> = {
    metainfo: () => undefined,
    table: () => undefined,
    chain: (body, at) => {
      const c = chainEnvelope.safeParse(body);
      if (!c.success) return void errors.push(...issues(c.error, at));
      if (mine(c.data)) chains.set(c.data.name, { def: chainDef(c.data, warn), rules: [] });
    },
    rule: (body, at) => {
      const r = ruleEnvelope.safeParse(body);
      if (!r.success) return void errors.push(...issues(r.error, at));
      if (!mine(r.data)) return;
      const chain = chains.get(r.data.chain);
      if (chain === undefined)
        return void errors.push({ message: `rule of unknown chain ${r.data.chain}`, path: at });
      const where = `${r.data.chain} #${chain.rules.length + 1}`;
      chain.rules.push(readRule(r.data, { layer: chain.def.layer, assume, warn, where }));
    },
    set: (body) => {
      const ref = ownerEnvelope.safeParse(body);
      if (!ref.success || !mine(ref.data)) return;
      const s = nftSetSchema.safeParse(body);
      if (!s.success) return warn(`set ${ref.data.name} not modelled: ${s.error.issues[0]?.message ?? ""}`);
      const set = readSet(s.data, warn);
      if (set !== undefined) sets.push(set);
    },
  };
  objects.forEach((o, i) => {
    for (const [kind, body] of Object.entries(o)) {
      const reader = readers[kind];
      if (reader !== undefined) reader(body, `nftables[${i}].${kind}`);
      else {
        const ref = ownerEnvelope.safeParse(body);
        if (ref.success && mine(ref.data)) warn(`${kind} ${ref.data.name} not modelled`);
      }
    }
  });
  if (errors.length > 0) return err(errors);

  const all: NftDumpChain[] = [...chains.values()].map((c) => ({ ...c.def, rules: c.rules }));
  const version: IpVersion = family === "ip" ? 4 : 6;
  const toTable = (layer: TableName): Table => ({
    kind: "table",
    name: layer,
    hooks: all
      .filter((c) => c.layer === layer && c.base !== undefined)
      .map((c): HookChain => ({
        kind: "hook",
        name: c.irName as HookChain["name"],
        inserted: c.rules.map((r) => r.rule),
        appended: [],
        policy: c.base?.policy === "drop" ? "DROP" : "ACCEPT",
      })),
    chains: all
      .filter((c) => c.layer === layer && c.base === undefined)
      .map((c): Chain => ({ kind: "chain", name: c.irName, rules: c.rules.map((r) => r.rule) })),
  });
  const ruleset: Ruleset = {
    kind: "ruleset",
    version,
    tables: LAYER_NAMES.filter((l) => all.some((c) => c.layer === l)).map(toTable),
    sets,
    warnings: warnings.map((message) => ({ code: "nft_dump", message })),
  };
  return ok({ family, table: name, version, chains: all, sets, ruleset, warnings });
};
