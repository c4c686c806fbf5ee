// Behaviour cases on the other paths: pre-DNAT NodePort, untracked, forwarding, workloads, selectors, IPv6.

import { cluster, felixConfig, gnp, hep, ruleOf } from "../helpers/model.js";
import { c, storageUntracked, tcp, type BehaviourCase } from "./case-kit.js";

export const PATH_CASES: readonly BehaviourCase[] = [
  {
    name: "pre-DNAT policy on a DNAT'd NodePort",
    cluster: cluster(
      hep(
        "n1-eth0",
        { interfaceName: "eth0", expectedIPs: ["192.0.2.10"], profiles: ["projectcalico-default-allow"] },
        { role: "worker" },
      ),
      gnp("nodeport-guard", {
        selector: 'role == "worker"',
        preDNAT: true,
        applyOnForward: true,
        ingress: [
          ruleOf({
            action: "Deny",
            protocol: "TCP",
            source: { nets: ["203.0.113.0/24"] },
            destination: { ports: [{ kind: "range", from: 30000, to: 32767 }] },
          }),
        ],
      }),
    ),
    checks: [
      c("nodeport", "tcp", 30080, "eth0", "drop", "pre-DNAT deny on the original port", {
        src: "203.0.113.1",
      }),
      c("nodeport", "tcp", 30080, "eth0", "accept", "pre-DNAT policy does not match this source", {
        src: "198.51.100.200",
      }),
      c("nodeport", "udp", 30080, "eth0", "accept", "the pre-DNAT rule is TCP only", { src: "203.0.113.1" }),
    ],
  },
  {
    name: "untracked policy with its reply path (UDP) and without (TCP)",
    cluster: cluster(hep("n1-eth1", { interfaceName: "eth1" }, { role: "storage" }), storageUntracked(true)),
    checks: [
      c("in", "udp", 2049, "eth1", "accept", "untracked both ways", { src: "198.51.100.1" }),
      c("in", "tcp", 2049, "eth1", "drop", "SYN untracked-allowed, SYN-ACK has no flow: INVALID", {
        src: "198.51.100.1",
        known: {
          backends: ["nft"],
          issue:
            "nft: `ct status != dnat` does not match a packet without a conntrack entry (nft_ct_get_eval breaks on a NULL ct), so the INVALID SYN-ACK skips cali-to-host-endpoint in filter cali-OUTPUT and leaves; the tracer evaluates the IR match as iptables' `-m conntrack ! --ctstate DNAT`, which does match it",
        },
      }),
      c("in", "tcp", 22, "eth1", "accept", "failsafe"),
    ],
  },
  {
    name: "untracked policy without its reply path (UDP): the answer meets normal policy",
    cluster: cluster(hep("n1-eth1", { interfaceName: "eth1" }, { role: "storage" }), storageUntracked(false)),
    checks: [
      c("in", "udp", 2049, "eth1", "drop", "the answer is NEW in OUTPUT, default drop", {
        src: "198.51.100.1",
      }),
    ],
  },
  {
    name: "untracked policy on a `*` endpoint is ignored, with a warning",
    cluster: cluster(hep("n1-all", { interfaceName: "*" }, { role: "storage" }), storageUntracked(true)),
    warnings: ["untracked_on_star_endpoint"],
    checks: [
      c("in", "udp", 2049, "eth8", "drop", "ignored untracked policy; `*` default drop", {
        src: "198.51.100.1",
      }),
      c("in", "tcp", 22, "eth8", "accept", "failsafe"),
    ],
  },
  {
    name: "applyOnForward policy",
    cluster: cluster(
      hep("n1-eth0", { interfaceName: "eth0", profiles: ["projectcalico-default-allow"] }, { role: "gw" }),
      gnp("fwd", {
        selector: 'role == "gw"',
        applyOnForward: true,
        ingress: [ruleOf({ action: "Deny", ...tcp(80) }), ruleOf(tcp(443))],
      }),
    ),
    checks: [
      c("forward", "tcp", 80, "eth0", "drop", "AOF ingress deny", { out: "eth8" }),
      c("forward", "tcp", 443, "eth0", "accept", "AOF ingress allow", { out: "eth8" }),
      c("forward", "tcp", 9, "eth0", "drop", "end of tier for forwarded traffic", { out: "eth8" }),
      c("forward", "tcp", 80, "eth8", "accept", "egress side of eth0 has no AOF policy", { out: "eth0" }),
      c("to-workload", "tcp", 80, "eth0", "drop", "AOF applies to traffic forwarded to workloads"),
      c("in", "tcp", 80, "eth0", "drop", "AOF policy is normal policy too"),
      c("in", "tcp", 443, "eth0", "accept", "AOF policy is normal policy too"),
    ],
  },
  {
    name: "host ↔ workload with DefaultEndpointToHostAction Drop",
    cluster: cluster(hep("n1-eth0", { interfaceName: "eth0" })),
    checks: [
      c("host-to-workload", "tcp", 22, undefined, "accept", "host to local workload: always allowed"),
      c("workload-to-host", "tcp", 22, undefined, "drop", "DefaultEndpointToHostAction Drop"),
      c("from-workload", "tcp", 9, undefined, "accept", "forwarded to eth0: no AOF policy (refused)", {
        out: "eth0",
      }),
    ],
  },
  {
    name: "named ports and selectors through expectedIPs",
    cluster: cluster(
      hep(
        "n1-eth0",
        {
          interfaceName: "eth0",
          expectedIPs: ["192.0.2.10"],
          ports: [{ name: "http-alt", port: 8080, protocol: "TCP" }],
        },
        { role: "web" },
      ),
      hep("n2-db", { node: "node-2", expectedIPs: ["198.51.100.20"] }, { role: "db" }),
      hep("n2-cache", { node: "node-2", interfaceName: "eth0" }, { role: "cache" }),
      gnp("db-to-web", {
        selector: 'role == "web"',
        ingress: [
          ruleOf({
            protocol: "TCP",
            source: { selector: 'role == "db"' },
            destination: { ports: [{ kind: "named", name: "http-alt" }] },
          }),
          ruleOf({ ...tcp(443), source: { selector: 'role == "cache"' } }),
        ],
      }),
    ),
    checks: [
      c("in", "tcp", 8080, "eth0", "accept", "db's expectedIP in the named-port set's selector", {
        src: "198.51.100.20",
      }),
      c("in", "tcp", 8080, "eth0", "drop", "not a db address", { src: "198.51.100.200" }),
      c("in", "tcp", 443, "eth0", "drop", "cache has no expectedIPs: its set is empty", {
        src: "198.51.100.200",
      }),
    ],
  },
  {
    name: "an expectedIPs-only endpoint binds the interface holding its address",
    cluster: cluster(hep("by-ip", { expectedIPs: ["192.0.2.50"] })),
    checks: [
      c("in", "tcp", 9, "eth0", "drop", "by-ip governs eth0: default drop"),
      c("in", "tcp", 9, "eth8", "accept", "eth8 is not governed (refused)"),
    ],
  },
  {
    name: "iptablesFilterDenyAction Reject: a denied probe is refused",
    cluster: cluster(
      hep("n1-eth0", { interfaceName: "eth0" }),
      felixConfig("default", { iptablesFilterDenyAction: "Reject" }),
      gnp("deny-80", { ingress: [ruleOf({ action: "Deny", ...tcp(80) }), ruleOf()] }),
    ),
    checks: [
      c("in", "tcp", 80, "eth0", "drop", "policy Deny → REJECT (tcp: ICMP port unreachable → refused)", {
        known: {
          backends: ["iptables-nft", "iptables-legacy", "nft"],
          issue:
            "the rendering does not load: the deny action REJECT is also used in raw (the workload RPF check, untracked Deny) and mangle (pre-DNAT Deny), where the kernel accepts REJECT nowhere (xt_REJECT: filter INPUT/FORWARD/OUTPUT only; nft reject: input/forward/output)",
        },
      }),
    ],
  },
  {
    name: "IPv6",
    cluster: cluster(
      hep("n1-eth0", { interfaceName: "eth0", expectedIPs: ["192.0.2.10", "2001:db8::10"] }),
      gnp("v6-web", { ingress: [ruleOf({ ...tcp(80), source: { nets: ["2001:db8:feed::/48"] } })] }),
    ),
    checks: [
      c("in", "tcp", 80, "eth0", "accept", "source in 2001:db8:feed::/48", { src: "2001:db8:feed::1" }),
      c("in", "tcp", 80, "eth0", "drop", "other source: end of tier", {
        v6: true,
        src: "2001:db8:ca11:2::1",
      }),
      c("in", "icmp", undefined, "eth0", "drop", "no ICMPv6 allowance for host endpoints", {
        v6: true,
        src: "2001:db8:ca11:2::1",
      }),
      c("out", "udp", 53, "eth0", "accept", "failsafe outbound, IPv6", { v6: true }),
    ],
  },
];
