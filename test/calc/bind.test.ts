// Interface → endpoint binding, table-driven (felix/dataplane/linux/endpoint_mgr.go:1196-1316).

import test from "ava";
import { ANY_INTERFACE, assumeInterfaces, bindEndpoints } from "../../src/calc/bind.js";
import type { HostInterface } from "../../src/calc/interfaces.js";
import { hep } from "../helpers/model.js";

const ifaces: HostInterface[] = [
  { name: "eth0", addresses: ["192.0.2.10"] },
  { name: "eth1", addresses: ["198.51.100.7", "2001:db8::7"] },
  { name: "cali0123456789a", addresses: [] },
];

const CASES: readonly {
  name: string;
  endpoints: ReturnType<typeof hep>[];
  want: Record<string, [endpoint: string, reason: string]>;
  star?: string;
  unbound?: string[];
}[] = [
  {
    name: "named endpoint binds its interface only",
    endpoints: [hep("a", { interfaceName: "eth0" })],
    want: { eth0: ["a", "interfaceName"] },
  },
  {
    name: "expectedIPs-only endpoint binds the interface holding one of its addresses",
    endpoints: [hep("a", { expectedIPs: ["2001:db8:0::7"] })],
    want: { eth1: ["a", "expectedIPs"] },
  },
  {
    name: "the smallest name wins; a name match does not beat an IP match",
    endpoints: [hep("b-named", { interfaceName: "eth1" }), hep("a-by-ip", { expectedIPs: ["198.51.100.7"] })],
    want: { eth1: ["a-by-ip", "expectedIPs"] },
    unbound: ["b-named"],
  },
  {
    name: "a named endpoint is never bound by IP to another interface",
    endpoints: [hep("a", { interfaceName: "eth9", expectedIPs: ["192.0.2.10"] })],
    want: {},
    unbound: ["a"],
  },
  {
    name: "workload interfaces are never host endpoints",
    endpoints: [hep("a", { interfaceName: "cali0123456789a" })],
    want: {},
    unbound: ["a"],
  },
  {
    name: "the * endpoint binds separately; the smallest * name wins",
    endpoints: [
      hep("z-all", { interfaceName: "*" }),
      hep("all", { interfaceName: "*" }),
      hep("e0", { interfaceName: "eth0" }),
    ],
    want: { eth0: ["e0", "interfaceName"] },
    star: "all",
    unbound: ["z-all"],
  },
];

for (const c of CASES)
  test(`bind: ${c.name}`, (t) => {
    const r = bindEndpoints(c.endpoints, ifaces, ["cali"]);
    t.deepEqual(
      Object.fromEntries(r.bindings.map((b) => [b.iface, [b.endpoint.metadata.name, b.reason]])),
      c.want,
    );
    t.is(r.star?.endpoint.metadata.name, c.star);
    if (c.star !== undefined) t.is(r.star?.iface, ANY_INTERFACE);
    t.deepEqual(r.unbound.map((u) => u.endpoint.metadata.name).sort(), (c.unbound ?? []).sort());
    for (const u of r.unbound) t.not(u.why, "");
  });

test("assumed interfaces: named ones with their expectedIPs, a free ethN per expectedIPs-only endpoint", (t) => {
  const { interfaces, notes } = assumeInterfaces([
    hep("a", { interfaceName: "eth0", expectedIPs: ["192.0.2.10"] }),
    hep("b", { expectedIPs: ["198.51.100.7"] }),
    hep("c", { interfaceName: "*" }),
  ]);
  t.deepEqual(interfaces, [
    { name: "eth0", addresses: ["192.0.2.10"] },
    { name: "eth1", addresses: ["198.51.100.7"] },
  ]);
  t.is(notes.length, 1);
  t.regex(notes[0]!, /assumed interface eth1 holds 198.51.100.7 for host endpoint b/);
});
