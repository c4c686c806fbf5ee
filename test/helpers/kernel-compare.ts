// Loads a rendering into a throwaway namespace with the real tools and compares what the kernel
// reports (iptables-save) with what we rendered, by meaning and cali: id, never by spelling.

import type { ExecutionContext } from "ava";
import { parseIptablesSave, ruleMeaning } from "../../src/dump/index.js";
import type { Dump } from "../../src/dump/index.js";
import { inNetns, requireRoot, withNetns } from "./netns.js";

/** "table/chain" → rules as `<cali id> <meaning>`. */
export const meanings = (dump: Dump): Map<string, string[]> =>
  new Map(
    dump.tables.flatMap((t) =>
      t.chains.map(
        (c) => [`${t.name}/${c.name}`, c.rules.map((r) => `${r.id ?? "-"} ${ruleMeaning(r.rule)}`)] as const,
      ),
    ),
  );

export const parsedDump = (t: ExecutionContext, text: string, what: string): Dump | undefined => {
  const r = parseIptablesSave(text);
  if (!r.ok) {
    t.fail(`${what} does not parse: ${JSON.stringify(r.error, null, 1)}\n${text}`);
    return undefined;
  }
  return r.value;
};

/**
 * ipset restore + `<family>-<backend>-restore` (after a `--test` dry run) in a fresh namespace, then
 * `-save -c`, parsed and compared chain by chain with the parse of `iptablesText`.
 */
export const loadAndCompare = async (
  t: ExecutionContext,
  opts: {
    readonly version: 4 | 6;
    readonly backend: "nft" | "legacy";
    readonly iptablesText: string;
    readonly ipsetText: string;
    readonly restoreArgs?: readonly string[];
  },
): Promise<void> => {
  const family = opts.version === 4 ? "iptables" : "ip6tables";
  const restore = `${family}-${opts.backend}-restore`;
  const save = `${family}-${opts.backend}-save`;
  if (!(await requireRoot(t, ["ipset", restore, save]))) return;
  await withNetns(t, async (ns) => {
    if (opts.ipsetText.trim() !== "") await inNetns(ns, "ipset", ["restore"], opts.ipsetText);
    await inNetns(ns, restore, ["--test", ...(opts.restoreArgs ?? [])], opts.iptablesText);
    await inNetns(ns, restore, [...(opts.restoreArgs ?? [])], opts.iptablesText);
    const saved = String((await inNetns(ns, save, ["-c"])).stdout);
    const ours = parsedDump(t, opts.iptablesText, "our render");
    const kernel = parsedDump(t, saved, `${save} output`);
    if (ours === undefined || kernel === undefined) return;
    const unknowns = (d: Dump): string[] =>
      d.warnings
        .filter((w) => !w.includes("Warning:"))
        .map((w) => w.replace(/^line \d+: /, ""))
        .sort();
    t.deepEqual(unknowns(kernel), unknowns(ours), "same unknown matches both ways");
    const want = meanings(ours);
    const got = meanings(kernel);
    for (const [chain, rules] of want) t.deepEqual(got.get(chain), rules, `${chain} (${save})`);
    for (const [chain, rules] of got)
      if (!want.has(chain)) t.deepEqual(rules, [], `untouched kernel chain ${chain}`);
  });
};
