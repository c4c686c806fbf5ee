// runConformanceInContainers end to end (what `calisim conformance --containers` runs), and parseProbe.

import test from "ava";
import {
  formatConformance,
  parseNodeSpec,
  parseProbe,
  runConformanceInContainers,
} from "../../src/containers/index.js";
import { loadFixture, requireDocker } from "./helpers.js";

test("parseProbe reads FROM->TO:PORT[/4|/6][=accept|drop]", (t) => {
  t.deepEqual(parseProbe("node-b->node-a:8080"), { from: "node-b", to: "node-a", dport: 8080 });
  t.deepEqual(parseProbe(" node-c->node-a:8080/6=drop "), {
    from: "node-c",
    to: "node-a",
    dport: 8080,
    ipVersion: 6,
    expect: "drop",
  });
  t.true("error" in parseProbe("node-b->node-a"));
  t.true("error" in parseProbe("node-b->node-a:70000"));
  t.true("error" in parseProbe("node-b->node-a:80=maybe"));
});

test("parseNodeSpec reads NAME[=ADDR,...]", (t) => {
  t.deepEqual(parseNodeSpec("node-a"), { name: "node-a" });
  t.deepEqual(parseNodeSpec("node-b=192.0.2.12, 2001:db8::12"), {
    name: "node-b",
    addresses: ["192.0.2.12", "2001:db8::12"],
  });
  t.true("error" in parseNodeSpec("node-b=192.0.2.300"));
  t.true("error" in parseNodeSpec("-x"));
});

test("runConformanceInContainers: nodes from the resources, probes compared, everything removed", async (t) => {
  if (!(await requireDocker(t))) return;
  const cluster = await loadFixture("expected-ips");
  const lines: string[] = [];
  const report = await runConformanceInContainers({
    cluster,
    probes: [
      { from: "node-b", to: "node-a", dport: 8080, expect: "accept" },
      { from: "node-c", to: "node-a", dport: 8080, ipVersion: 6, expect: "drop" },
    ],
    log: (l) => lines.push(l),
  });
  t.log(formatConformance(report));
  t.true(report.ok);
  t.deepEqual(
    report.nodes.map((n) => [n.node, n.addresses]),
    [
      ["node-a", ["192.0.2.11", "2001:db8::11"]],
      ["node-b", ["192.0.2.12", "2001:db8::12"]],
      ["node-c", ["203.0.113.13", "2001:db8::13"]],
    ],
  );
  t.deepEqual(
    report.outcomes.map((o) => [o.kernel, o.predicted]),
    [
      ["accept", "accept"],
      ["drop", "drop"],
    ],
  );
  t.true(lines.length >= 3);
});
