// Behaviour cases on traffic to and from the host: default drop, failsafe, profiles, tiers, Log.

import { cluster, felixConfig, gnp, hep, profile, ruleOf, tier } from "../helpers/model.js";
import { c, portsOnly, tcp, type BehaviourCase } from "./case-kit.js";

export const HOST_CASES: readonly BehaviourCase[] = [
  {
    name: "named endpoint: default drop on its interface only, failsafe in and out",
    cluster: cluster(hep("n1-eth0", { interfaceName: "eth0", expectedIPs: ["192.0.2.10"] })),
    checks: [
      c("in", "tcp", 9, "eth0", "drop", "no policy, no profile: default drop"),
      c("in", "icmp", undefined, "eth0", "drop", "default drop"),
      c("in", "tcp", 22, "eth0", "accept", "failsafe inbound tcp:22"),
      c("in", "udp", 68, "eth0", "accept", "failsafe inbound udp:68"),
      c("out", "udp", 53, "eth0", "accept", "failsafe outbound udp:53"),
      c("out", "tcp", 22, "eth0", "drop", "tcp:22 is not an outbound failsafe port"),
      c("in", "tcp", 9, "eth8", "accept", "no endpoint on eth8: not policed (refused by the host)"),
      c("forward", "tcp", 9, "eth8", "accept", "forwarded: no applyOnForward policy, default allow", {
        out: "eth0",
      }),
    ],
  },
  {
    name: "`*` endpoint: default drop on every other interface; workloads unaffected",
    cluster: cluster(
      hep("n1-all", { interfaceName: "*" }),
      felixConfig("default", { defaultEndpointToHostAction: "Accept" }),
    ),
    checks: [
      c("in", "tcp", 9, "eth8", "drop", "`*` default drop"),
      c("in", "icmp", undefined, "eth9", "drop", "`*` default drop"),
      c("in", "tcp", 22, "eth8", "accept", "failsafe"),
      c("out", "udp", 53, "eth9", "accept", "failsafe outbound"),
      c(
        "workload-to-host",
        "tcp",
        22,
        undefined,
        "accept",
        "cali-wl-to-host, not the `*` endpoint; action Accept",
      ),
      c(
        "host-to-workload",
        "tcp",
        9,
        undefined,
        "accept",
        "host to local workload is never policed (refused)",
      ),
      c("forward", "tcp", 9, "eth8", "accept", "forward default allow", { out: "eth9" }),
    ],
  },
  {
    name: "failsafe ports from FelixConfiguration",
    cluster: cluster(
      hep("n1-eth0", { interfaceName: "eth0" }),
      felixConfig("default", {
        failsafeInboundHostPorts: [{ protocol: "tcp", port: 2222 }],
        failsafeOutboundHostPorts: [],
      }),
      portsOnly(22),
    ),
    checks: [
      c("in", "tcp", 2222, "eth0", "accept", "custom inbound failsafe"),
      c("in", "tcp", 22, "eth0", "drop", "22 is no longer failsafe"),
      c("out", "udp", 53, "eth0", "drop", "outbound failsafe list is empty"),
    ],
  },
  {
    name: "profiles: default-allow, a custom profile, a missing profile",
    cluster: cluster(
      hep("n1-eth0", { interfaceName: "eth0", profiles: ["projectcalico-default-allow"] }),
      hep("n1-eth1", { interfaceName: "eth1", profiles: ["web-deny"] }),
      hep("n1-eth2", { interfaceName: "eth2", profiles: ["missing"] }),
      profile("web-deny", {
        ingress: [ruleOf({ action: "Deny", ...tcp(80) }), ruleOf()],
        egress: [ruleOf()],
      }),
    ),
    warnings: ["missing_profile"],
    checks: [
      c("in", "tcp", 80, "eth0", "accept", "projectcalico-default-allow"),
      c("in", "tcp", 9, "eth0", "accept", "default-allow (refused by the host)"),
      c("in", "tcp", 80, "eth1", "drop", "profile web-deny rule 0"),
      c("in", "icmp", undefined, "eth1", "accept", "profile web-deny rule 1"),
      c("out", "tcp", 80, "eth1", "accept", "profile egress allow"),
      c("in", "icmp", undefined, "eth2", "drop", "a missing profile is deny-all"),
    ],
  },
  {
    name: "tiers: end-of-tier drop before profiles, Pass to the profiles",
    cluster: cluster(
      hep("n1-eth0", { interfaceName: "eth0", profiles: ["projectcalico-default-allow"] }, { role: "web" }),
      tier("security", 10),
      gnp("sec", {
        tier: "security",
        order: 1,
        selector: 'role == "web"',
        ingress: [ruleOf(tcp(443)), ruleOf({ action: "Pass", ...tcp(8080) })],
      }),
    ),
    checks: [
      c("in", "tcp", 443, "eth0", "accept", "tier security allows"),
      c("in", "tcp", 9, "eth0", "drop", "end of tier security: profiles are not reached"),
      c("in", "tcp", 8080, "eth0", "accept", "Pass → profile projectcalico-default-allow"),
      c("out", "tcp", 9, "eth0", "accept", "no egress policy in the tier: profile (refused)"),
    ],
  },
  {
    name: "Log rule: logs and goes on",
    cluster: cluster(
      hep("n1-eth0", { interfaceName: "eth0" }),
      gnp("log-web", { ingress: [ruleOf({ action: "Log", ...tcp(80) }), ruleOf(tcp(80))] }),
    ),
    checks: [
      c("in", "tcp", 80, "eth0", "accept", "Log then Allow"),
      c("in", "tcp", 9, "eth0", "drop", "end of tier default"),
    ],
    counted: { probe: { kind: "in", proto: "tcp", dport: 80, via: "eth0" }, origin: /log-web rule 0/ },
  },
];
