// The bench's cold render (scripts/bench/cold-render.ts): in a process of its own, a node's first rendering,
// as iptables or as nft, of the cluster the bench wrote; the bench checks its digest against its own
// rendering, so the figure it reports is of those exact bytes.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import { execa } from "execa";
import { generateCluster, writeCluster } from "../../src/gen/index.js";
import { nftTexts, renderNodeFiles } from "../../src/render/every-node/index.js";
import { loadCluster } from "../../src/resources/load.js";
import { digestOf, type ColdRender } from "../../scripts/bench/cold-render.js";

test("run as a process it times a node's first rendering and digests the bytes, as rendered here", async (t) => {
  const generated = generateCluster({ seed: 5, nodes: 12, policies: 80, profiles: 5 });
  const node = generated.gatewayNodes[0]!;
  const dir = await mkdtemp(join(tmpdir(), "calisim-cold-render-"));
  try {
    await writeCluster(generated, dir);
    const { cluster } = await loadCluster([dir]);
    const r = renderNodeFiles(cluster, node);
    const script = fileURLToPath(new URL("../../scripts/bench/cold-render.ts", import.meta.url));
    const run = async (format: string): Promise<ColdRender> =>
      JSON.parse((await execa(process.execPath, ["--import", "tsx", script, dir, node, format])).stdout);
    const iptables = await run("iptables");
    t.is(iptables.digest, digestOf([...r.iptables, r.ipsets]));
    const nft = await run("nft");
    t.is(nft.digest, digestOf(nftTexts(r.rulesets)));
    for (const timing of [iptables, nft]) t.true(timing.ms > 0 && timing.cpuMs >= 0);
    await t.throwsAsync(run("json"), { message: /usage: cold-render.js DIR NODE iptables\|nft/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("digestOf hashes its texts one after the other", (t) => {
  t.is(digestOf(["ab", "c"]), digestOf(["abc"]));
  t.not(digestOf(["ab"]), digestOf(["abc"]));
});
