// The bench's write floor (scripts/bench/write-floor.ts) writes a node's rendering again, byte for byte, from
// its chains' bodies and its sets' members: the figure it reports is the cost of that exact output.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import { execa } from "execa";
import { clusterFiles, generateCluster } from "../../src/gen/index.js";
import { nodesOf, renderNodeFiles } from "../../src/render/every-node/index.js";
import { parseResources } from "../../src/resources/parse.js";
import { prepareFloor, writeFloor } from "../../scripts/bench/write-floor.js";

const generated = generateCluster({ seed: 5, nodes: 12, policies: 80, profiles: 5 });
const { cluster } = parseResources(clusterFiles(generated));

test("writing a node's output again from its pieces gives the same bytes, for every node", (t) => {
  const nodes = nodesOf(cluster);
  t.true(nodes.includes(generated.gatewayNodes[0]!), "a gateway is among them");
  for (const node of nodes) {
    const r = renderNodeFiles(cluster, node);
    const out = writeFloor(prepareFloor(r.iptables, r.ipsets));
    t.is(out.iptables[0], r.iptables[0], `${node} IPv4`);
    t.is(out.iptables[1], r.iptables[1], `${node} IPv6`);
    t.is(out.ipsets, r.ipsets, `${node} ipsets`);
  }
});

test("a rendering it cannot take apart is an error, not a wrong floor", (t) => {
  t.throws(() => prepareFloor(["*filter", "*filter"], "flush everything\n"), {
    message: /unexpected ipset line "flush everything"/,
  });
  const line = '-A cali-INPUT -m comment --comment "cali:AAAAAAAAAAAAAAAA" --jump ACCEPT';
  t.throws(() => prepareFloor([line, ""], ""), { message: /no known hash seed .* cali-INPUT/ });
});

test("run as a process it reports its time and that it wrote the same bytes", async (t) => {
  const node = generated.gatewayNodes[0]!;
  const r = renderNodeFiles(cluster, node);
  const dir = await mkdtemp(join(tmpdir(), "calisim-write-floor-"));
  try {
    await writeFile(join(dir, "v4.txt"), r.iptables[0]);
    await writeFile(join(dir, "v6.txt"), r.iptables[1]);
    await writeFile(join(dir, "ipsets.txt"), r.ipsets);
    const script = fileURLToPath(new URL("../../scripts/bench/write-floor.ts", import.meta.url));
    const { stdout } = await execa(process.execPath, ["--import", "tsx", script, dir]);
    const out = JSON.parse(stdout) as { ms: number; cpuMs: number; sameBytes: boolean };
    t.true(out.sameBytes);
    t.true(out.ms > 0 && out.cpuMs >= 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
