// Trace cases: Forwarded traffic, host ↔ workload, and host egress that was DNAT'd.

import { cluster, felixConfig, gnp, hep, profile } from "../helpers/model.js";
import { DEFAULT_ALLOW, denyAll, out, star, tcp, tcpIn, web, type TraceCase } from "./case-kit.js";
import { withWorkload } from "./rulesets.js";

export const PATHS_CASES: readonly TraceCase[] = [
  // Forwarded traffic.
  {
    name: "forward: allowed by default without applyOnForward policy",
    cluster: () => cluster(web(), hep("lan", { interfaceName: "eth1" })),
    packet: (a) => tcpIn(a, "eth0", 80, { out: "eth1", dst: a.other }),
    expect: { verdict: "accept", kind: "default-allow", name: "lan" },
  },
  {
    name: "forward: an applyOnForward deny drops it",
    cluster: () =>
      cluster(
        web(),
        hep("lan", { interfaceName: "eth1" }),
        gnp("no-forward", { applyOnForward: true, ingress: [denyAll] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80, { out: "eth1", dst: a.other }),
    expect: { verdict: "drop", kind: "policy", name: "no-forward", ruleIndex: 0 },
  },
  {
    name: "forward: profiles are not consulted",
    cluster: () =>
      cluster(
        web({ profiles: ["deny-everything"] }),
        profile("deny-everything", { ingress: [denyAll], egress: [denyAll] }),
      ),
    packet: (a) => tcpIn(a, "eth0", 80, { out: "eth1", dst: a.other }),
    expect: { verdict: "accept", kind: "default-allow", name: "web" },
  },
  {
    name: "forward: no host endpoints at all",
    cluster: () => cluster(),
    packet: (a) => tcpIn(a, "eth0", 80, { out: "eth1", dst: a.other }),
    expect: { verdict: "accept", kind: "no-endpoint" },
  },
  // Workloads.
  {
    name: "host to workload is always allowed, even with a deny-all * endpoint",
    cluster: () =>
      cluster(
        star(),
        gnp("deny-all", { ingress: [denyAll], egress: [denyAll], types: ["Ingress", "Egress"] }),
      ),
    packet: (a) => out(a, "cali1234", 6, 8080, { dst: a.pod }),
    expect: { verdict: "accept", kind: "host-to-workload", name: "cali1234" },
  },
  {
    name: "workload to host: DefaultEndpointToHostAction Drop",
    cluster: () => cluster(star(), felixConfig("default", { defaultEndpointToHostAction: "Drop" })),
    patch: withWorkload("cali1234"),
    packet: (a) => tcpIn(a, "cali1234", 8080, { src: a.pod }),
    expect: { verdict: "drop", kind: "workload-to-host", name: "cali1234" },
  },
  {
    name: "workload to host: DefaultEndpointToHostAction Accept",
    cluster: () =>
      cluster(
        star(),
        gnp("deny-all", { ingress: [denyAll] }),
        felixConfig("default", { defaultEndpointToHostAction: "Accept" }),
      ),
    patch: withWorkload("cali1234"),
    packet: (a) => tcpIn(a, "cali1234", 8080, { src: a.pod }),
    expect: { verdict: "accept", kind: "workload-to-host", name: "cali1234" },
  },
  {
    name: "workload to host: DefaultEndpointToHostAction Return hands it back to INPUT",
    cluster: () => cluster(star(), felixConfig("default", { defaultEndpointToHostAction: "Return" })),
    patch: withWorkload("cali1234"),
    packet: (a) => tcpIn(a, "cali1234", 8080, { src: a.pod }),
    expect: { verdict: "accept", kind: "workload-to-host", name: "cali1234" },
  },
  {
    name: "workload to host: no workload endpoint is modelled, so Felix's Unknown interface rule drops it",
    cluster: () => cluster(felixConfig("default", { defaultEndpointToHostAction: "Drop" })),
    packet: (a) => tcpIn(a, "cali1234", 8080, { src: a.pod }),
    expect: { verdict: "drop", kind: "workload-to-host", name: "cali1234" },
  },
  {
    name: "workload to host from resources alone: Accept should accept",
    knownBug:
      "src/rules/static-chains.ts models no workload endpoints, so cali-from-wl-dispatch drops every cali+ packet and DefaultEndpointToHostAction Accept/Return is unreachable",
    cluster: () => cluster(felixConfig("default", { defaultEndpointToHostAction: "Accept" })),
    packet: (a) => tcpIn(a, "cali1234", 8080, { src: a.pod }),
    expect: { verdict: "accept", kind: "workload-to-host", name: "cali1234" },
  },
  // Host egress that was DNAT'd is policed in mangle POSTROUTING.
  {
    name: "DNAT'd host egress: denied in mangle POSTROUTING",
    cluster: () =>
      cluster(
        web({ profiles: [DEFAULT_ALLOW] }),
        gnp("deny-8080", { egress: [tcp(8080, { action: "Deny" })] }),
      ),
    packet: (a) => out(a, "eth0", 6, 80, { dst: a.other, dnatTo: { ip: a.remote, port: 8080 } }),
    expect: { verdict: "drop", kind: "policy", name: "deny-8080", ruleIndex: 0 },
  },
  {
    name: "DNAT'd host egress: allowed in mangle POSTROUTING",
    cluster: () => cluster(web(), gnp("allow-8080", { egress: [tcp(8080)] })),
    packet: (a) => out(a, "eth0", 6, 80, { dst: a.other, dnatTo: { ip: a.remote, port: 8080 } }),
    expect: { verdict: "accept", kind: "policy", name: "allow-8080", ruleIndex: 0 },
  },
];
