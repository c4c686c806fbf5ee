// Host-endpoint dispatch chains (felix/rules/dispatch.go:174-345, 509-677): one goto per interface,
// grouped into a prefix tree when several names share the next character, then the end rules that
// send every other interface to the `*` endpoint's chains (when there is one).

import type { Chain, Rule } from "./ir.js";
import { action, match, rule } from "./build.js";
import { endpointChainName, type EndpointPrefix } from "./names.js";

type DispatchPrefix = EndpointPrefix | "cali-fw-" | "cali-tw-";

export interface DispatchSpec {
  readonly chain: string;
  readonly direction: "in" | "out";
  /** Interface name → endpoint name, for the interfaces this table dispatches. */
  readonly interfaces: ReadonlyMap<string, string>;
  readonly endpointPrefix: DispatchPrefix;
  readonly endRules: readonly Rule[];
}

const commonPrefix = (names: readonly string[]): string => {
  if (names.length === 0) return "";
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
};

export const dispatchChains = (s: DispatchSpec): Chain[] => {
  const names = [...new Set(s.interfaces.keys())].sort();
  const common = commonPrefix(names);
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const key = n.length > common.length ? n.slice(0, common.length + 1) : common;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const ifaceMatch = (n: string) => (s.direction === "in" ? match.inIface(n) : match.outIface(n));
  const toEndpoint = (n: string): Rule =>
    rule([ifaceMatch(n)], action.goto(`${s.endpointPrefix}${n}`), {
      origin: { kind: "dispatch", endpoint: s.interfaces.get(n)!, interface: n },
    });
  const children: Chain[] = [];
  const root: Rule[] = [];
  for (const [prefix, members] of groups) {
    if (members.length === 1) {
      root.push(toEndpoint(members[0]!));
      continue;
    }
    const child = `${s.chain}-${prefix.slice(common.length)}`;
    root.push(rule([ifaceMatch(`${prefix}+`)], action.goto(child), { origin: { kind: "dispatch" } }));
    children.push({ kind: "chain", name: child, rules: [...members.map(toEndpoint), ...s.endRules] });
  }
  return [{ kind: "chain", name: s.chain, rules: [...root, ...s.endRules] }, ...children];
};

/** End rules for the `*` endpoint (dispatch.go:189-230). */
export const starEndRules = (
  direction: "in" | "out",
  endpointPrefix: EndpointPrefix,
  starIface: string,
  endpoint: string,
  skipWorkloadPrefixes: readonly string[],
): Rule[] =>
  [
    ...skipWorkloadPrefixes.map((p) =>
      rule([match.outIface(`${p}+`)], action.return, {
        comments: ["Skip egress WHEP policy for traffic to local workload"],
        origin: { kind: "host-to-workload" },
      }),
    ),
    rule([], action.goto(endpointChainName(endpointPrefix, starIface)), {
      origin: { kind: "dispatch", endpoint, interface: "*" },
    }),
  ].filter((_, i, all) => direction === "out" || i === all.length - 1);
