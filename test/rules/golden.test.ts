// Golden tests: each small fixture renders to exactly the checked-in iptables-restore and
// ipset-restore text, per IP version, plus the warnings it raises.

import test from "ava";
import { loadCluster } from "../../src/resources/index.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { renderIptables } from "../../src/render/iptables/index.js";
import { renderIpsets } from "../../src/render/ipset/index.js";
import { checkGolden, goldenCases } from "../helpers/golden.js";

for (const c of goldenCases()) {
  test(`golden render: ${c.name}`, async (t) => {
    const { cluster, issues } = await loadCluster([`${c.dir}input.yaml`]);
    t.deepEqual(
      issues.filter((i) => i.severity === "error"),
      [],
      "fixture must be valid",
    );
    const model = resolveNode(cluster, {
      node: c.node,
      ...(c.calicoVersion === undefined ? {} : { calicoVersion: c.calicoVersion }),
      ...(c.interfaces === undefined ? {} : { interfaces: c.interfaces }),
    });
    for (const v of c.ipVersions) {
      const rs = buildRuleset(model, { version: v });
      const suffix = v === 4 ? "" : "6";
      checkGolden(t, `${c.dir}iptables${suffix}.txt`, renderIptables(rs));
      checkGolden(t, `${c.dir}ipset${suffix}.txt`, renderIpsets(rs));
    }
    checkGolden(t, `${c.dir}warnings.txt`, model.warnings.map((w) => `${w.code}: ${w.message}\n`).join(""));
  });
}
