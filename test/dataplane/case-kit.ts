// The behaviour matrix's vocabulary: a case is a small cluster, probes and the verdict Calico documents for them.
// Node node-1; its plan: the named interfaces, eth8 (no endpoint; and eth9 with a `*` endpoint), a
// workload behind cali0000000001, peers at allocated documentation addresses.

import type { ProbeSpec } from "./kit.js";
import type { Backend } from "../../src/dataplane/apply.js";
import type { Cluster } from "../../src/resources/model.js";
import { gnp, ruleOf } from "../helpers/model.js";

export interface Check extends ProbeSpec {
  readonly expect: "accept" | "drop";
  readonly why: string;
  /**
   * A known disagreement (kernel ≠ tracer, or both ≠ Felix), reported to the lead: the check runs as its
   * own `test.failing` on these backends, so it shows in every run and flips when fixed.
   */
  readonly known?: { readonly backends: readonly Backend[]; readonly issue: string };
}

export interface BehaviourCase {
  readonly name: string;
  readonly cluster: Cluster;
  readonly checks: readonly Check[];
  /** Warning codes the model must carry. */
  readonly warnings?: readonly string[];
  /** Policies whose rule `rule` must move a kernel counter when `probe` runs (Log rules). */
  readonly counted?: { readonly probe: ProbeSpec; readonly origin: RegExp };
}

export const tcp = (port: number) => ({
  protocol: "TCP",
  destination: { ports: [{ kind: "range" as const, from: port, to: port }] },
});
export const udp = (port: number) => ({
  protocol: "UDP",
  destination: { ports: [{ kind: "range" as const, from: port, to: port }] },
});
export const c = (
  kind: Check["kind"],
  proto: Check["proto"],
  dport: number | undefined,
  via: string | undefined,
  expect: Check["expect"],
  why: string,
  more: Partial<ProbeSpec> & Pick<Check, "known"> = {},
): Check => ({
  kind,
  proto,
  ...(dport === undefined ? {} : { dport }),
  ...(via === undefined ? {} : { via }),
  expect,
  why,
  ...more,
});

export const storageUntracked = (withReplyPath: boolean) =>
  gnp("nfs-untracked", {
    selector: 'role == "storage"',
    doNotTrack: true,
    applyOnForward: true,
    ingress: [
      ruleOf({ ...udp(2049), source: { nets: ["198.51.100.0/24"] } }),
      ruleOf({ ...tcp(2049), source: { nets: ["198.51.100.0/24"] } }),
    ],
    egress: withReplyPath
      ? [
          ruleOf({
            protocol: "UDP",
            source: { ports: [{ kind: "range", from: 2049, to: 2049 }] },
            destination: { nets: ["198.51.100.0/24"] },
          }),
        ]
      : [],
  });
// A policy selecting nothing, so its ports are probed.
export const portsOnly = (...ports: number[]) =>
  gnp("ports-only", {
    selector: 'role == "nobody"',
    ingress: ports.map((p) => ruleOf(tcp(p))),
    egress: [ruleOf(udp(53))],
  });
