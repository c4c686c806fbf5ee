// Workload endpoints are outside calisim's model (it simulates host endpoints), but Felix's filter
// chains send every packet from or to a `cali…` interface through workload dispatch, which drops
// unknown interfaces. For each workload interface the node has, we render Felix's dispatch entry and
// a workload chain that allows — an assumption, reported as a warning — so host-endpoint behaviour
// (host → workload, workload → host, forwarding to workloads) can be simulated and kernel-checked.

import type { Action, Chain } from "./ir.js";
import type { MarkBits } from "../calc/config.js";
import { action, match, rule } from "./build.js";
import { dispatchChains } from "./dispatch.js";
import { CHAIN } from "./names.js";

const unknown = (deny: Action) =>
  rule([], deny, {
    comments: ["Unknown interface"],
    origin: { kind: "static", what: "unknown workload interface" },
  });

const assumedAllow = (name: string, marks: MarkBits, deny: Action): Chain => ({
  kind: "chain",
  name,
  rules: [
    // Felix's workload chains open with the same conntrack rules as endpoint chains (endpoints.go E2).
    rule([match.ctState(["RELATED", "ESTABLISHED"])], action.accept, {
      origin: { kind: "static", what: "workload conntrack: established flow" },
    }),
    rule([match.ctState(["INVALID"])], deny, {
      origin: { kind: "static", what: "workload conntrack: invalid" },
    }),
    rule([], action.setMark(marks.accept), {
      origin: { kind: "static", what: "workload policy not modelled: assumed allow" },
    }),
    rule([], action.return, {
      origin: { kind: "static", what: "workload policy not modelled: assumed allow" },
    }),
  ],
});

export const workloadChains = (workloads: readonly string[], deny: Action, marks: MarkBits): Chain[] => {
  const names = new Map(workloads.map((w) => [w, w]));
  return [
    ...dispatchChains({
      chain: CHAIN.fromWlDispatch,
      direction: "in",
      interfaces: names,
      endpointPrefix: "cali-fw-",
      endRules: [unknown(deny)],
    }),
    ...dispatchChains({
      chain: CHAIN.toWlDispatch,
      direction: "out",
      interfaces: names,
      endpointPrefix: "cali-tw-",
      endRules: [unknown(deny)],
    }),
    ...workloads.flatMap((w) => [
      assumedAllow(`cali-fw-${w}`, marks, deny),
      assumedAllow(`cali-tw-${w}`, marks, deny),
    ]),
  ];
};
