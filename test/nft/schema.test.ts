// Our zod schemas against the real tool: every `nft -j list ruleset` output in test/golden/nft/readback/ (copied
// from the nftables reference examples, nft 1.0.6) validates as NftListOutput and parses; every reference input
// batch validates as NftDocument when the reference is on this machine. The strict schemas also reject the
// mistakes nft itself would silently accept (reference §3 pitfalls 2 and 11).

import test from "ava";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseNftJson } from "../../src/dump/nft/index.js";
import { nftDocumentSchema, nftListOutputSchema } from "../../src/render/nftables/index.js";
import { NFT_GOLDEN_DIR } from "./helpers.js";

const readbackDir = fileURLToPath(new URL("readback/", NFT_GOLDEN_DIR));
const REFERENCE = "/work/shared/reference/nftables-examples/";

for (const file of readdirSync(readbackDir).filter((f) => f.endsWith(".json"))) {
  test(`schema: nft read-back ${file}`, (t) => {
    const text = readFileSync(`${readbackDir}${file}`, "utf8");
    const r = nftListOutputSchema.safeParse(JSON.parse(text));
    t.true(r.success, r.success ? "" : JSON.stringify(r.error.issues.slice(0, 3)));
    // The inet example has no calico table; every other one parses (unknowns become warnings, not errors).
    const parsed = parseNftJson(text);
    t.is(parsed.ok, !file.startsWith("14-family-inet"), parsed.ok ? "" : JSON.stringify(parsed.error));
  });
}

test("schema: reference input batches validate as documents", (t) => {
  if (!existsSync(REFERENCE)) {
    t.log(`skipped: ${REFERENCE} is not on this machine`);
    t.pass();
    return;
  }
  for (const file of readdirSync(REFERENCE).filter((f) => f.endsWith(".json"))) {
    const { _comment: _, ...doc } = JSON.parse(readFileSync(`${REFERENCE}${file}`, "utf8")) as Record<
      string,
      unknown
    >;
    const r = nftDocumentSchema.safeParse(doc);
    t.true(r.success, `${file}: ${r.success ? "" : JSON.stringify(r.error.issues.slice(0, 3))}`);
  }
});

const chainCmd = (chain: Record<string, unknown>) => ({
  nftables: [{ add: { chain: { family: "ip", table: "calico", name: "filter-INPUT", ...chain } } }],
});

test("schema: rejects what nft would silently turn into something else", (t) => {
  const ok = { type: "filter", hook: "input", prio: 0, policy: "accept" };
  t.true(nftDocumentSchema.safeParse(chainCmd(ok)).success);
  // A string priority, a misspelt key or a missing hook would give a regular chain without any error.
  t.false(nftDocumentSchema.safeParse(chainCmd({ ...ok, prio: "filter" })).success, "string prio");
  t.false(
    nftDocumentSchema.safeParse(chainCmd({ type: "filter", hook: "input", priority: 0 })).success,
    "priority",
  );
  t.false(nftDocumentSchema.safeParse(chainCmd({ type: "filter", prio: 0 })).success, "no hook");
  const rule = (extra: Record<string, unknown>) => ({
    nftables: [
      { add: { rule: { family: "ip", table: "calico", chain: "c", expr: [{ accept: null }], ...extra } } },
    ],
  });
  t.true(nftDocumentSchema.safeParse(rule({ comment: "cali:x;" })).success);
  t.false(nftDocumentSchema.safeParse(rule({ commment: "cali:x;" })).success, "misspelt comment");
  const match = { match: { left: { meta: { key: "iifname" } }, right: "eth0" } };
  t.false(nftDocumentSchema.safeParse(rule({ expr: [match] })).success, "match without op");
});
