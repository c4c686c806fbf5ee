// formatTrace: verdict line, deciding rule, indented path, provenance, warnings; colour only on request.

import test from "ava";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { formatTrace, trace, type Packet } from "../../src/trace/index.js";
import { cluster, gnp, hep, ruleOf } from "../helpers/model.js";

const rs = buildRuleset(
  resolveNode(
    cluster(
      hep("web", { interfaceName: "eth0" }),
      gnp("allow-web", {
        ingress: [ruleOf({ protocol: "TCP", destination: { ports: [{ kind: "range", from: 80, to: 80 }] } })],
      }),
    ),
    { node: "node-1" },
  ),
  { version: 4 },
);
const packet: Packet = {
  in: "eth0",
  src: "198.51.100.7",
  dst: "192.0.2.10",
  proto: 6,
  sport: 40000,
  dport: 80,
  state: "new",
};

test("plain text: verdict, decider with provenance, deciding rule marked, indented path", (t) => {
  const text = formatTrace(trace(rs, packet), { color: false }, packet);
  const lines = text.split("\n");
  t.is(lines[0], "ACCEPT  tcp 198.51.100.7:40000 -> 192.0.2.10:80 in eth0 (new)");
  t.regex(lines[1]!, /^decided by: policy \(allow-web, rule 0, tier default\) test\.yaml:1:1$/);
  t.true(
    text.includes(
      "=> cali-pi-gnp/allow-web #0: -p tcp -m multiport --dports 80 -j MARK --set-mark 0x10000/0x10000",
    ),
  );
  t.true(text.includes("<- GlobalNetworkPolicy allow-web rule 0 (ingress, tier default) test.yaml:1:1"));
  // cali-fh-eth0 is reached by INPUT → cali-INPUT → cali-from-host-endpoint → goto: four levels in.
  t.true(
    lines.some((l) =>
      l.startsWith("          cali-fh-eth0 #5: -m mark --mark 0x0/0x20000 -j cali-pi-gnp/allow-web"),
    ),
  );
  t.false(text.includes("\x1b["));
});

test("colour only when asked", (t) => {
  const r = trace(rs, { ...packet, dport: 81 });
  t.true(formatTrace(r, { color: true }).includes("\x1b[1;31mDROP\x1b[0m"));
  t.false(formatTrace(r, { color: false }).includes("\x1b["));
});

test("warnings and assumptions are listed", (t) => {
  const r = trace(rs, { ...packet, src: "2001:db8::1", dst: "2001:db8::2" });
  const text = formatTrace(r, { color: false });
  t.true(text.includes("warnings:\n  - no IPv6 ruleset was given"));
});
