// Which host endpoint governs which interface (felix/dataplane/linux/endpoint_mgr.go:1196-1316).

import type { HostEndpoint } from "../resources/model.js";
import { canonicalIp, type HostInterface } from "./interfaces.js";
import { compareStrings } from "../util/compare.js";

/** Felix's internal interface name for the all-interfaces (`*`) endpoint (endpoint_mgr.go:1738). */
export const ANY_INTERFACE = "any-interface-at-all";

export interface Binding {
  readonly iface: string;
  readonly endpoint: HostEndpoint;
  readonly reason: "interfaceName" | "expectedIPs" | "star";
  /** The address that bound an expectedIPs-only endpoint. */
  readonly matchedIp?: string;
  /** Other endpoints that also matched this interface and lost to `endpoint` (smallest name wins). */
  readonly losers: readonly string[];
}

export interface BindResult {
  readonly bindings: readonly Binding[];
  readonly star?: Binding;
  /** Endpoints of this node that govern nothing, with why. */
  readonly unbound: readonly { readonly endpoint: HostEndpoint; readonly why: string }[];
}

const byName = (a: HostEndpoint, b: HostEndpoint): number => compareStrings(a.metadata.name, b.metadata.name);

const isWorkloadIface = (name: string, prefixes: readonly string[]): boolean =>
  prefixes.some((p) => name.startsWith(p));

export const bindEndpoints = (
  endpoints: readonly HostEndpoint[],
  interfaces: readonly HostInterface[],
  workloadPrefixes: readonly string[],
): BindResult => {
  const hostIfaces = interfaces.filter((i) => !isWorkloadIface(i.name, workloadPrefixes));
  const bindings: Binding[] = [];
  const used = new Set<string>();

  for (const iface of [...hostIfaces].sort((a, b) => compareStrings(a.name, b.name))) {
    const addrs = new Set(iface.addresses);
    const candidates: { ep: HostEndpoint; reason: Binding["reason"]; ip?: string }[] = [];
    for (const ep of endpoints) {
      const name = ep.spec.interfaceName;
      if (name === iface.name) candidates.push({ ep, reason: "interfaceName" });
      else if (name === "") {
        // A name match does not beat an IP match; only the smallest endpoint name counts (1212-1243).
        const ip = ep.spec.expectedIPs.map(canonicalIp).find((a) => a !== undefined && addrs.has(a));
        if (ip !== undefined) candidates.push({ ep, reason: "expectedIPs", ip });
      }
    }
    candidates.sort((a, b) => byName(a.ep, b.ep));
    const [winner, ...rest] = candidates;
    if (winner === undefined) continue;
    used.add(winner.ep.metadata.name);
    bindings.push({
      iface: iface.name,
      endpoint: winner.ep,
      reason: winner.reason,
      ...(winner.ip === undefined ? {} : { matchedIp: winner.ip }),
      losers: rest.map((c) => c.ep.metadata.name),
    });
  }

  const stars = endpoints.filter((e) => e.spec.interfaceName === "*").sort(byName);
  const [starEp, ...otherStars] = stars;
  const star: Binding | undefined =
    starEp === undefined
      ? undefined
      : {
          iface: ANY_INTERFACE,
          endpoint: starEp,
          reason: "star",
          losers: otherStars.map((e) => e.metadata.name),
        };
  if (starEp !== undefined) used.add(starEp.metadata.name);

  const ifaceNames = new Set(hostIfaces.map((i) => i.name));
  const unbound = endpoints
    .filter((e) => !used.has(e.metadata.name))
    .map((endpoint) => {
      const n = endpoint.spec.interfaceName;
      const why =
        n === "*"
          ? `another "*" endpoint (${starEp?.metadata.name ?? "?"}) has a smaller name and wins`
          : n !== "" && !ifaceNames.has(n)
            ? `interface ${n} does not exist on the node`
            : n !== ""
              ? `interface ${n} is governed by an endpoint with a smaller name`
              : `no interface holds any of its expectedIPs (${endpoint.spec.expectedIPs.join(", ")}) or a smaller-named endpoint won`;
      return { endpoint, why };
    });
  return { bindings, ...(star === undefined ? {} : { star }), unbound };
};

/**
 * Interfaces to assume when the user gives none: every named endpoint's interface with its
 * expectedIPs, and for each expectedIPs-only endpoint a free ethN holding its addresses.
 */
export const assumeInterfaces = (
  endpoints: readonly HostEndpoint[],
): { interfaces: HostInterface[]; notes: string[] } => {
  const byIface = new Map<string, Set<string>>();
  const notes: string[] = [];
  const add = (name: string, ips: readonly string[]): void => {
    const set = byIface.get(name) ?? new Set<string>();
    for (const ip of ips.map(canonicalIp)) if (ip !== undefined) set.add(ip);
    byIface.set(name, set);
  };
  for (const ep of endpoints)
    if (ep.spec.interfaceName !== "" && ep.spec.interfaceName !== "*")
      add(ep.spec.interfaceName, ep.spec.expectedIPs);
  for (const ep of [...endpoints].sort(byName)) {
    if (ep.spec.interfaceName !== "") continue;
    let n = 0;
    while (byIface.has(`eth${n}`)) n++;
    add(`eth${n}`, ep.spec.expectedIPs);
    notes.push(
      `assumed interface eth${n} holds ${ep.spec.expectedIPs.join(", ")} for host endpoint ${ep.metadata.name} (pass --interfaces with the node's "ip -j addr" to use its real interfaces)`,
    );
  }
  const interfaces = [...byIface].map(([name, addrs]) => ({ name, addresses: [...addrs] }));
  return { interfaces, notes };
};
