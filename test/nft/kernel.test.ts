// Kernel round trip, nft: every golden output (and every case of the IR → nft table) is loaded into a throwaway
// namespace with `nft -j -f` and with `nft -f`, each twice (the batch must be idempotent), read back with
// `nft -j list ruleset`, validated with our zod schema, parsed with parseNftJson and compared by meaning with what
// we emitted: rules per chain in order (matches, action, `cali:` comment), sets and members.

import test from "ava";
import type { ExecutionContext } from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseNftJson } from "../../src/dump/nft/index.js";
import type { NftDump } from "../../src/dump/nft/index.js";
import {
  formatNftJson,
  nftListOutputSchema,
  renderNft,
  renderNftJson,
} from "../../src/render/nftables/index.js";
import type { NftStatement } from "../../src/render/nftables/index.js";
import type {
  Action,
  Chain,
  IpSet,
  IpVersion,
  Match,
  Rule,
  Ruleset,
  Table,
  TableName,
} from "../../src/rules/ir.js";
import { inNetns, requireRoot, withNetns } from "../helpers/netns.js";
import { ACTION_CASES, CASE_SETS, MATCH_CASES } from "./cases.js";
import type { NftCase } from "./cases.js";
import {
  NFT_GOLDEN_DIR,
  emittedSets,
  emittedView,
  nftBinary,
  nftGoldens,
  parsedSets,
  parsedView,
} from "./helpers.js";

const NFT = nftBinary();

/** Root, `ip netns` and the nftables `nft`: else fail in CI (CI=true), or log why and skip elsewhere. */
const requireNft = async (t: ExecutionContext): Promise<boolean> => {
  if (NFT !== undefined) return requireRoot(t);
  const reason = "missing nft (nftables; node_modules/.bin/nft is another program)";
  if (process.env["CI"] === "true") t.fail(`kernel test cannot run in CI: ${reason}`);
  else {
    t.log(`skipped: ${reason}`);
    t.pass();
  }
  return false;
};

const listRuleset = async (ns: string): Promise<string> =>
  String((await inNetns(ns, NFT ?? "nft", ["-j", "list", "ruleset"])).stdout);

const load = async (ns: string, file: string, json: boolean): Promise<string> => {
  await inNetns(ns, NFT ?? "nft", [...(json ? ["-j"] : []), "-f", file]);
  return listRuleset(ns);
};

/** A listing without what changes between loads: metainfo, handles, counter values; set elements sorted. */
const stable = (text: string): unknown => {
  const doc = JSON.parse(text, (key, value: unknown) => {
    if (key === "handle") return undefined;
    if (key === "counter" && value !== null) return null;
    if (key === "elem" && Array.isArray(value))
      return [...value].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    return value;
  }) as { nftables: Record<string, unknown>[] };
  return doc.nftables.filter((o) => o["metainfo"] === undefined);
};

const asObject = (m: Map<string, unknown>): Record<string, unknown> => Object.fromEntries([...m].sort());

interface ReadBack {
  readonly dump: NftDump;
  /** `nft -j list ruleset` after loading the JSON batch. */
  readonly listing: string;
}

/** Loads, reloads, reads back and compares; returns the read-back for extra checks. */
const roundTrip = async (
  t: ExecutionContext,
  rs: Ruleset,
  jsonFile: string,
  textFile: string,
): Promise<ReadBack | undefined> => {
  if (!(await requireNft(t))) return undefined;
  return withNetns(t, async (ns) => {
    const first = await load(ns, jsonFile, true);
    const again = await load(ns, jsonFile, true);
    t.deepEqual(stable(again), stable(first), "loading the JSON batch twice gives the same ruleset");
    const valid = nftListOutputSchema.safeParse(JSON.parse(first));
    t.true(
      valid.success,
      valid.success ? "" : `read-back fails our schema: ${JSON.stringify(valid.error.issues.slice(0, 5))}`,
    );
    const dump = parseNftJson(first);
    if (!dump.ok) {
      t.fail(`read-back does not parse: ${JSON.stringify(dump.error)}`);
      return undefined;
    }
    t.deepEqual(dump.value.warnings, [], "nothing unknown in our own table");
    t.deepEqual(asObject(parsedView(dump.value)), asObject(emittedView(rs)), "chains and rules by meaning");
    t.deepEqual(asObject(parsedSets(dump.value)), asObject(emittedSets(rs)), "sets and members");
    const text = await load(ns, textFile, false);
    const textAgain = await load(ns, textFile, false);
    t.deepEqual(stable(textAgain), stable(text), "loading the text batch twice gives the same ruleset");
    t.deepEqual(stable(text), stable(first), "text and JSON batches load the same ruleset");
    return { dump: dump.value, listing: first };
  });
};

const goldens = await nftGoldens();
const goldenDir = fileURLToPath(NFT_GOLDEN_DIR);

for (const g of goldens) {
  test(`nft kernel round trip: ${g.name}`, async (t) => {
    await roundTrip(t, g.ruleset, `${goldenDir}${g.name}.json`, `${goldenDir}${g.name}.nft`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The case table as one ruleset per IP version: match cases as `<prefix> <case> accept` rules, action cases as
// `<action>` rules, in chain `cali-cases` of their layer, reached from a hook.

const appliesTo = <T>(c: NftCase<T>, v: IpVersion, layer: TableName): boolean =>
  (c.versions ?? [4, 6]).includes(v) && (c.layer ?? "filter") === layer;

const rule = (matches: readonly Match[], action: Action): Rule => ({
  kind: "rule",
  matches,
  action,
  comments: [],
});

const set = (name: string, type: IpSet["type"], version: IpVersion, members: string[]): IpSet => ({
  kind: "set",
  id: name.slice(6),
  name,
  type,
  version,
  members,
  description: "test",
});

const casesRuleset = (v: IpVersion): Ruleset => {
  const table = (name: TableName, hook: "INPUT" | "PREROUTING"): Table => {
    const chains: Chain[] = [
      {
        kind: "chain",
        name: "cali-cases",
        rules: [
          ...MATCH_CASES.filter((c) => appliesTo(c, v, name)).map((c) =>
            rule([...(c.prefix ?? []), c.ir], { kind: "accept" }),
          ),
          ...ACTION_CASES.filter((c) => appliesTo(c, v, name)).map((c) => rule([], c.ir)),
        ],
      },
      ...(name === "filter" ? [{ kind: "chain" as const, name: "cali-target", rules: [] }] : []),
    ];
    const hooks = [
      {
        kind: "hook" as const,
        name: hook,
        inserted: [rule([], { kind: "jump", target: "cali-cases" })],
        appended: [],
      },
    ];
    return { kind: "table", name, chains, hooks };
  };
  return {
    kind: "ruleset",
    version: v,
    tables: [table("raw", "PREROUTING"), table("filter", "INPUT")],
    sets: [
      // The /32 inside the /24 is left out of the nft set (overlapping intervals do not load).
      set(
        CASE_SETS[v].net,
        "hash:net",
        v,
        v === 4 ? ["192.0.2.0/24", "192.0.2.7/32", "198.51.100.7/32"] : ["2001:db8::/48"],
      ),
      set(
        CASE_SETS[v].ipPort,
        "hash:ip,port",
        v,
        v === 4 ? ["192.0.2.1,tcp:80", "203.0.113.9,udp:53"] : ["2001:db8::1,tcp:80"],
      ),
    ],
    warnings: [],
  };
};

const withoutCounters = (expr: readonly NftStatement[]): NftStatement[] =>
  expr.filter((s) => !("counter" in s));

for (const v of [4, 6] as const) {
  test(`nft kernel round trip: IR → nft case table, IPv${v}`, async (t) => {
    const rs = casesRuleset(v);
    const dir = mkdtempSync(join(tmpdir(), "calisim-nft-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "cases.json"), formatNftJson(renderNftJson(rs)));
    writeFileSync(join(dir, "cases.nft"), renderNft(rs));
    const back = await roundTrip(t, rs, join(dir, "cases.json"), join(dir, "cases.nft"));
    if (back === undefined) return;
    const listing = JSON.parse(back.listing) as {
      nftables: { rule?: { chain: string; expr?: NftStatement[] } }[];
    };
    // What nft prints back for each case is what the case table says (its `readback`, else its `json`).
    for (const layer of ["raw", "filter"] as const) {
      const rules = back.dump.chains.find((c) => c.name === `${layer}-cali-cases`)?.rules ?? [];
      const cases = [...MATCH_CASES, ...ACTION_CASES].filter((c) =>
        appliesTo(c as NftCase<unknown>, v, layer),
      );
      t.is(rules.length, cases.length, `${layer}-cali-cases rule count`);
      const exprs = listing.nftables.flatMap((o) =>
        o.rule?.chain === `${layer}-cali-cases` ? [o.rule.expr ?? []] : [],
      );
      cases.forEach((c, i) => {
        const want = c.readback ?? c.json;
        const got = withoutCounters(exprs[i] ?? []);
        const isMatch = MATCH_CASES.includes(c as NftCase<Match>);
        t.deepEqual(
          isMatch ? got.slice(-(want.length + 1), -1) : got.slice(-want.length),
          want,
          `read-back of ${c.name}`,
        );
      });
    }
  });
}
