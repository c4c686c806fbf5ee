// Preflight: critical flows through every host endpoint. It must catch the classic trap — a Log-only (or
// narrow) policy selecting an automatic "*" endpoint gives it a tier, so the end-of-tier drop applies and
// projectcalico-default-allow is never reached — and say which flows only a failsafe port still saves.

import test from "ava";
import type { Cluster } from "../../src/resources/model.js";
import { preflight, preflightByNode, type FlowCheck } from "../../src/safety/preflight/check.js";
import {
  BUILTIN_CRITICAL,
  parseCriticalFile,
  type CriticalFlow,
} from "../../src/safety/preflight/critical.js";
import {
  preflightJson,
  preflightJsonWriter,
  preflightLines,
  preflightSummaryLines,
  preflightText,
  tallyOf,
} from "../../src/safety/preflight/format.js";
import { cluster, gnp, hep, ruleOf } from "../helpers/model.js";

const auto = hep(
  "node-2-auto",
  { node: "node-2", interfaceName: "*", profiles: ["projectcalico-default-allow"] },
  { "projectcalico.org/created-by": "calico-kube-controllers" },
);
const logOnly = gnp("log-everything", {
  selector: 'projectcalico.org/created-by == "calico-kube-controllers"',
  ingress: [ruleOf({ action: "Log" })],
  egress: [ruleOf({ action: "Log" })],
});

const run = (
  c: Cluster,
  flows: readonly CriticalFlow[] = BUILTIN_CRITICAL,
  against?: Cluster,
): FlowCheck[] => {
  const r = preflight(c, { flows, ...(against === undefined ? {} : { against }) });
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const status = (checks: readonly FlowCheck[], name: string): string =>
  checks
    .filter((c) => c.flow.name === name)
    .map((c) => `${c.status}${c.fail ? " FAIL" : ""}`)
    .join(",");

test("an auto host endpoint with only projectcalico-default-allow passes", (t) => {
  const checks = run(cluster(auto));
  t.true(
    checks.every((c) => c.status === "ok"),
    preflightText(checks, true),
  );
});

test("the Log-only trap: kubelet and DNS over TCP are dropped; SSH survives only through a failsafe port", (t) => {
  const checks = run(cluster(auto, logOnly));
  t.is(status(checks, "kubelet"), "dropped FAIL");
  t.is(status(checks, "dns (tcp)"), "dropped FAIL");
  t.is(status(checks, "ssh"), "failsafe-only");
  const kubelet = checks.find((c) => c.flow.name === "kubelet")!;
  t.is(kubelet.dropped[0]!.outcomes[0]!.decidedBy.kind, "default-drop");
  const text = preflightText(checks, false);
  t.regex(text, /FAIL kubelet \(ingress tcp 10250\): dropped — default-drop node-2-auto \(tier default\)/);
  t.regex(
    text,
    /ssh \(ingress tcp 22\): allowed; only a failsafe port keeps it open \(failsafe tcp:22 .*\); without failsafe ports: default-drop node-2-auto/,
  );
  t.regex(text, /result: 2 of 15 critical flow checks fail/);
});

test("--against: the change that adds the Log-only policy cuts kubelet off", (t) => {
  const checks = run(cluster(auto), BUILTIN_CRITICAL, cluster(auto, logOnly));
  t.is(status(checks, "kubelet"), "cut-off FAIL");
  t.is(status(checks, "ssh"), "failsafe-only");
  const k = checks.find((c) => c.flow.name === "kubelet")!;
  t.deepEqual(
    k.cut[0]!.outcomes.slice(0, 2).map((o) => `${o.verdict}/${o.decidedBy.kind}`),
    ["accept/profile", "drop/default-drop"],
  );
});

test("a narrow policy: flows with a peer fail when any of the peer is dropped; without a peer, partial is a warning", (t) => {
  const narrow = gnp("admin-only", {
    selector: "all()",
    ingress: [
      ruleOf({
        action: "Allow",
        protocol: "TCP",
        source: { nets: ["198.51.100.0/24"] },
        destination: { ports: [{ kind: "range", from: 9100, to: 9100 }] },
      }),
    ],
  });
  const parsed = parseCriticalFile(
    "flows.yaml",
    [
      "flows:",
      "  - {name: metrics-admin, direction: ingress, protocol: tcp, port: 9100, peer: 198.51.100.0/24}",
      "  - {name: metrics-lan, direction: ingress, protocol: tcp, port: 9100, peer: 192.0.2.0/24}",
      "  - {name: metrics, direction: ingress, protocol: tcp, port: 9100}",
    ].join("\n"),
  );
  if (!parsed.ok) return t.fail(parsed.error);
  const checks = run(cluster(hep("n1-eth0", { node: "n1", interfaceName: "eth0" }), narrow), parsed.value);
  t.is(status(checks, "metrics-admin"), "ok");
  t.is(status(checks, "metrics-lan"), "dropped FAIL");
  t.is(status(checks, "metrics"), "partial");
});

test("critical flow files: every problem is reported with its entry", (t) => {
  const r = parseCriticalFile(
    "flows.yaml",
    [
      "- {name: a, direction: up, port: 1}",
      "- {name: b, direction: ingress, protocol: tcp}",
      "- {name: c, direction: egress, protocol: udp, port: 70000}",
      "- {name: d, direction: egress, port: 53, peer: nowhere}",
    ].join("\n"),
  );
  t.false(r.ok);
  const lines = r.ok ? [] : r.error.split("\n");
  t.deepEqual(lines, [
    "flows.yaml: flows[0] (a): direction must be ingress or egress",
    "flows.yaml: flows[1] (b): port is required for tcp",
    "flows.yaml: flows[2] (c): port 70000 is not within 1-65535 (from ≤ to)",
    'flows.yaml: flows[3] (d): peer "nowhere" is not an IPv4 or IPv6 CIDR',
  ]);
});

test("the example cluster: nothing fails, the kubelet is reachable only from the workers", async (t) => {
  const { loadCluster } = await import("../../src/resources/index.js");
  const { cluster: c } = await loadCluster(["fixtures/example-cluster"]);
  const checks = run(c);
  t.false(checks.some((x) => x.fail));
  t.true(checks.filter((x) => x.flow.name === "kubelet").every((x) => x.status === "partial"));
  t.true(checks.filter((x) => x.flow.name === "host → pod probes").every((x) => x.status === "ok"));
});

test("onNode is told of each node before it is checked, then once when all are; onTrace of each packet traced", async (t) => {
  const { loadCluster } = await import("../../src/resources/index.js");
  const { cluster: c } = await loadCluster(["fixtures/example-cluster"]);
  const calls: [number, number, string?][] = [];
  const nodes = [...new Set(c.hostEndpoints.map((e) => e.spec.node))].sort().slice(0, 2);
  let traced = 0;
  const r = preflight(c, {
    flows: BUILTIN_CRITICAL.slice(0, 1),
    nodes,
    onNode: (...a) => calls.push(a),
    onTrace: () => void traced++,
  });
  if (!r.ok) return t.fail(r.error);
  t.deepEqual(calls, [
    [0, 2, nodes[0]],
    [1, 2, nodes[1]],
    [2, 2],
  ]);
  t.true(traced > 0);
});

test("node by node: each node's checks in turn, which together are preflight's, and its reports in parts are the whole reports", async (t) => {
  const { loadCluster } = await import("../../src/resources/index.js");
  const { cluster: c } = await loadCluster(["fixtures/example-cluster"]);
  const nodes = [...new Set(c.hostEndpoints.map((e) => e.spec.node))].sort();
  t.true(nodes.length >= 2);
  // A node that fails makes the tally and `pass` count.
  const withTrap = cluster(auto, logOnly);
  for (const [cl, ns] of [
    [c, nodes],
    [withTrap, undefined],
  ] as const) {
    const parts = [
      ...preflightByNode(cl, { flows: BUILTIN_CRITICAL, ...(ns === undefined ? {} : { nodes: ns }) }),
    ];
    const checks = parts.flatMap((r) => (r.ok ? r.value : []));
    t.true(parts.every((r) => r.ok));
    t.deepEqual(
      parts.map((r) => (r.ok ? [...new Set(r.value.map((x) => x.node))] : [])),
      (ns ?? ["node-2"]).map((n) => [n]),
      "one part per node, in order",
    );
    // Each run makes its own interface universes (with their functions): compared as the report sees them.
    const expected = run(cl, BUILTIN_CRITICAL).filter((x) => ns === undefined || ns.includes(x.node));
    t.is(JSON.stringify(preflightJson(checks)), JSON.stringify(preflightJson(expected)));
    const json = preflightJsonWriter();
    let tally = { checks: 0, failed: 0 };
    const text: string[] = [];
    let out = "";
    for (const r of parts) {
      if (!r.ok) continue;
      out += json.next(r.value);
      const x = tallyOf(r.value);
      tally = { checks: tally.checks + x.checks, failed: tally.failed + x.failed };
      text.push(...preflightLines(r.value, true));
    }
    out += json.end();
    t.is(out, JSON.stringify(preflightJson(checks), null, 2));
    t.is((JSON.parse(out) as { pass: boolean }).pass, cl === c, "the example passes, the trap fails");
    t.is([...text, ...preflightSummaryLines(tally)].join("\n"), preflightText(checks, true));
  }
});

test("the JSON report written in parts, with no checks at all, is still JSON.stringify's", (t) => {
  const json = preflightJsonWriter();
  t.is(json.next([]) + json.end(), JSON.stringify(preflightJson([]), null, 2));
  t.deepEqual(JSON.parse(JSON.stringify(preflightJson([]))), { checks: [], pass: true });
});
