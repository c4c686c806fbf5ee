// traceBatch() must give exactly what trace() gives, packet for packet, on the example clusters.

import test from "ava";
import fc from "fast-check";
import type { IpVersion, Ruleset } from "../../src/rules/ir.js";
import { trace, traceBatch, type Packet } from "../../src/trace/index.js";
import { CASES, rulesetFor, V4, V6, type Fam } from "./cases.js";

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

const packetArb = (a: Fam): fc.Arbitrary<Packet> => {
  const addr = fc.constantFrom(a.host, a.host2, a.backend, a.remote, a.other, a.pod);
  const iface = fc.constantFrom("eth0", "eth1", "cali1234", "lo");
  const dir = fc.constantFrom("in", "out", "both");
  const proto = fc.constantFrom(6, 17, a.icmpProto, 132, 47);
  const port = fc.constantFrom(22, 53, 80, 443, 2222, 8080, 30080, 40000);
  return fc
    .record({
      dir,
      i: iface,
      o: iface,
      src: addr,
      dst: addr,
      proto,
      sport: port,
      dport: port,
      icmpType: fc.constantFrom(0, a.icmpEcho),
      state: fc.constantFrom("new", "established", "related", "invalid"),
      mark: fc.constantFrom(0, 0x10000, 0x80000),
      dnat: fc.option(fc.record({ ip: addr, port: fc.option(port, { nil: undefined }) }), { nil: undefined }),
    })
    .map((r): Packet => ({
      ...(r.dir === "out" ? {} : { in: r.i }),
      ...(r.dir === "in" ? {} : { out: r.o }),
      src: r.src,
      dst: r.dst,
      proto: r.proto,
      ...(r.proto === a.icmpProto
        ? { icmpType: r.icmpType, icmpCode: 0 }
        : { sport: r.sport, dport: r.dport }),
      state: r.state,
      mark: r.mark,
      ...(r.dnat === undefined
        ? {}
        : { dnatTo: r.dnat.port === undefined ? { ip: r.dnat.ip } : { ip: r.dnat.ip, port: r.dnat.port } }),
    }));
};

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
