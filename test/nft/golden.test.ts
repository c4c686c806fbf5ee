// Golden files: every fixture of test/golden/render (per IP version) and the worked example render to exactly the
// checked-in libnftables JSON (test/golden/nft/<case>.json) and nft text (<case>.nft). UPDATE_GOLDEN=1 rewrites
// them. The JSON must satisfy our strict schema, rendering is deterministic, and the worked example carries the
// rule ids of a real Felix nft dump.

import test from "ava";
import { fileURLToPath } from "node:url";
import {
  formatNftJson,
  nftDocumentSchema,
  renderNft,
  renderNftJson,
} from "../../src/render/nftables/index.js";
import { checkGolden } from "../helpers/golden.js";
import { NFT_GOLDEN_DIR, nftGoldens } from "./helpers.js";

const goldens = await nftGoldens();
const dir = fileURLToPath(NFT_GOLDEN_DIR);

for (const g of goldens) {
  test(`nft golden: ${g.name}`, (t) => {
    const doc = renderNftJson(g.ruleset);
    const parsed = nftDocumentSchema.safeParse(doc);
    t.true(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues.slice(0, 5), null, 1));
    checkGolden(t, `${dir}${g.name}.json`, formatNftJson(doc));
    checkGolden(t, `${dir}${g.name}.nft`, renderNft(g.ruleset));
    t.is(formatNftJson(renderNftJson(g.ruleset)), formatNftJson(doc), "deterministic");
  });
}

test("nft golden: one table per family, all fourteen base chains with numeric priorities", (t) => {
  const g = goldens.find((x) => x.name.endsWith(".ip6"));
  if (g === undefined) return t.fail("no IPv6 golden case");
  const doc = renderNftJson(g.ruleset);
  const [first, second, third] = doc.nftables;
  t.deepEqual(
    [first, second, third],
    [
      { add: { table: { family: "ip6", name: "calico" } } },
      { delete: { table: { family: "ip6", name: "calico" } } },
      { add: { table: { family: "ip6", name: "calico" } } },
    ],
  );
  const base = doc.nftables.flatMap((c) =>
    "add" in c && "chain" in c.add && "hook" in c.add.chain ? [c.add.chain] : [],
  );
  t.is(base.length, 14);
  t.true(base.every((c) => typeof c.prio === "number" && c.policy === "accept"));
});

/**
 * Rule ids the worked example shares with a real Felix nftables dump (calico 87c15906f2,
 * felix/fv/cali-nftables-dump.txt): the static chains are identical, so their `cali:` hashes must be too.
 */
const FELIX_DUMP_IDS: Readonly<Record<string, readonly string[]>> = {
  "raw-PREROUTING": ["K8JBn-S_RLieKm3n"],
  "raw-OUTPUT": ["VPZUYaZDz-FnULU0"],
  "mangle-PREROUTING": ["jmRVmI9bNZO24-SX"],
  "mangle-POSTROUTING": ["JB8QlG6bRG3vqMJh"],
  "filter-INPUT": ["H0S9z2pOh43UL0cc"],
  "filter-FORWARD": ["dpfqBgJrpRwlrqw1", "yp7iNUYNEhDmKF6E", "fXaqbwKfGHq5dvHP"],
  "filter-OUTPUT": ["cxN7yDysHHPQSuUC"],
  "raw-cali-PREROUTING": ["_m5XxTROnUC3kwU9"],
  "raw-cali-OUTPUT": ["e2BVX_cHZ6ITRbRX", "VWMOize4AGqDOd8U"],
  "mangle-cali-PREROUTING": ["hRS28YpQh4sf7lSw", "IwtMN-rc3DmNzBzY", "3IqyhzcAvEfc5ghM", "pt2vpkSdeEEZuFJW"],
  "filter-cali-FORWARD": [
    "DjLNGAdnReheqqCp",
    "nYRf9HAGIu4qv2zI",
    "otxs2Q4D05BNLIsQ",
    "j573pOiV4ETpv7o4",
    "spaMQnRTjqphyAAs",
    "gPO_isDuaIy0xfd5",
  ],
  "filter-cali-OUTPUT": ["98uiW9xxCe92G9L3", "XeexzRpdwsnmqftJ"],
  "filter-cali-wl-to-host": ["Ny8jNeS1ncqmgkwL"],
};

test("nft golden: worked example reproduces Felix's rule ids from a real nft dump", (t) => {
  const g = goldens.find((x) => x.name === "worked-example");
  if (g === undefined) return t.fail("no worked example");
  const ids = new Map<string, string[]>();
  for (const c of renderNftJson(g.ruleset).nftables) {
    if (!("add" in c) || !("rule" in c.add)) continue;
    const id = /^cali:([^;]+);/.exec(c.add.rule.comment ?? "")?.[1];
    ids.set(c.add.rule.chain, [...(ids.get(c.add.rule.chain) ?? []), id ?? ""]);
  }
  for (const [chain, want] of Object.entries(FELIX_DUMP_IDS)) {
    const have = ids.get(chain) ?? [];
    for (const id of want)
      t.true(have.includes(id), `${chain} has Felix's rule id ${id} (ours: ${have.join(", ")})`);
  }
});
