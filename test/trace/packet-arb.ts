// Random packets over a trace case family's addresses, interfaces, protocols, ports, states, marks and
// DNAT targets: shared by the tests that compare batch tracing with trace().

import fc from "fast-check";
import type { Packet } from "../../src/trace/index.js";
import type { Fam } from "./cases.js";

export const packetArb = (a: Fam): fc.Arbitrary<Packet> => {
  const addr = fc.constantFrom(a.host, a.host2, a.backend, a.remote, a.other, a.pod);
  const iface = fc.constantFrom("eth0", "eth1", "cali1234", "lo", "bond0");
  const port = fc.constantFrom(22, 53, 68, 80, 179, 443, 2049, 2222, 8080, 30080, 40000);
  return fc
    .record({
      dir: fc.constantFrom("in", "out", "both"),
      i: iface,
      o: iface,
      src: addr,
      dst: addr,
      proto: fc.constantFrom(6, 17, a.icmpProto, 132, 47, 0),
      sport: port,
      dport: port,
      icmpType: fc.constantFrom(0, 3, a.icmpEcho),
      state: fc.constantFrom("new", "established", "related", "invalid"),
      mark: fc.constantFrom(0, 0x10000, 0x20000, 0x80000),
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
      state: r.state as Packet["state"],
      mark: r.mark,
      ...(r.dnat === undefined
        ? {}
        : { dnatTo: r.dnat.port === undefined ? { ip: r.dnat.ip } : { ip: r.dnat.ip, port: r.dnat.port } }),
    }));
};
