// traceBatch() must give exactly what trace() gives, packet for packet, on the example clusters.

import test from "ava";
import fc from "fast-check";
import type { IpVersion, Ruleset } from "../../src/rules/ir.js";
import { trace, traceBatch } from "../../src/trace/index.js";
import { CASES, rulesetFor, V4, V6 } from "./cases.js";
import { packetArb } from "./packet-arb.js";

const EXAMPLES = [
  "Pass goes to the next tier",
  "pre-DNAT deny sees the port before DNAT",
  "untracked allow: NOTRACK, then every table accepts on the mark",
  "selector set: a HEP on another node with expectedIPs is a source",
  "named port: the endpoint's expectedIPs x port",
  "workload to host: DefaultEndpointToHostAction Accept",
  "forward: an applyOnForward deny drops it",
  "failsafe with net: an allowed source",
];

for (const v of [4, 6] as const satisfies readonly IpVersion[]) {
  const a = v === 4 ? V4 : V6;
  test(`IPv${v}: traceBatch equals trace on random packets`, (t) => {
    const rulesets = EXAMPLES.map((name) => {
      const c = CASES.find((x) => x.name === name);
      if (c === undefined) throw new Error(`no case named ${name}`);
      const rs = rulesetFor(c, a);
      // A separate copy, so trace() compiles its own form rather than reusing the batch's cached one.
      return [rs, structuredClone(rs)] as [Ruleset, Ruleset];
    });
    fc.assert(
      fc.property(
        fc.nat(rulesets.length - 1),
        fc.array(packetArb(a), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (k, packets, verbose) => {
          const [batchRs, singleRs] = rulesets[k]!;
          const batch = traceBatch(batchRs, packets, { verbose });
          const single = packets.map((p) => trace(singleRs, p, { verbose }));
          t.deepEqual(batch, single);
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
}
