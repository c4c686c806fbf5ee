// A v3 policy rule lowered to the shape Felix's rule renderer consumes (felix/calc/rule_scanner.go
// ruleToParsedRule + rule_convert.go): nets split into positive/negated lists, numeric ports apart
// from named ports, and selectors replaced by IP set ids.

import type { PolicyRule, PortSpec } from "../resources/model.js";
import type { PortRange } from "../rules/ir.js";
import { namedPortProtocol, protocolRef, type ProtocolRef } from "./protocols.js";
import { canonicalSelector, combinedRuleSelector } from "./selectors.js";
import { namedPortSetId, selectorSetId } from "./ipset-ids.js";
import type { EntityRule } from "../resources/model.js";

export type SetRequest =
  | {
      readonly kind: "selector";
      readonly id: string;
      readonly canonical: string;
      /** The rule side the selector came from, to decide membership. */
      readonly side: EntityRule;
      readonly negatedSide: boolean;
    }
  | {
      readonly kind: "namedPort";
      readonly id: string;
      readonly canonical: string;
      readonly side: EntityRule | undefined;
      readonly protocol: "tcp" | "udp" | "sctp" | "any";
      readonly portName: string;
    };

export interface FelixRule {
  readonly action: "allow" | "deny" | "pass" | "log";
  readonly ipVersion?: 4 | 6;
  readonly protocol?: ProtocolRef;
  readonly notProtocol?: ProtocolRef;
  readonly srcNets: readonly string[];
  readonly notSrcNets: readonly string[];
  readonly dstNets: readonly string[];
  readonly notDstNets: readonly string[];
  readonly srcPorts: readonly PortRange[];
  readonly notSrcPorts: readonly PortRange[];
  readonly dstPorts: readonly PortRange[];
  readonly notDstPorts: readonly PortRange[];
  readonly srcSetIds: readonly string[];
  readonly notSrcSetIds: readonly string[];
  readonly dstSetIds: readonly string[];
  readonly notDstSetIds: readonly string[];
  readonly srcNamedPortSetIds: readonly string[];
  readonly notSrcNamedPortSetIds: readonly string[];
  readonly dstNamedPortSetIds: readonly string[];
  readonly notDstNamedPortSetIds: readonly string[];
  readonly icmp?: { readonly type: number; readonly code?: number };
  readonly notIcmp?: { readonly type: number; readonly code?: number };
  readonly annotations: Readonly<Record<string, string>>;
}

const numeric = (ports: readonly PortSpec[]): PortRange[] => {
  const out: PortRange[] = [];
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (p.kind === "range") out.push({ from: p.from, to: p.to });
  }
  return out;
};
const named = (ports: readonly PortSpec[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (p.kind === "named") out.push(p.name);
  }
  return out;
};

const inferredVersion = (v: 4 | 6 | undefined, p: ProtocolRef | undefined): 4 | 6 | undefined =>
  v ?? (p?.name === "icmp" ? 4 : p?.name === "icmpv6" ? 6 : undefined);

const ACTIONS = { Allow: "allow", Deny: "deny", Pass: "pass", Log: "log" } as const;

const converted = new WeakMap<PolicyRule, { rule: FelixRule; sets: SetRequest[] }>();

/**
 * Converts one rule and reports the IP sets it needs. Memoised per rule object (every node that has the
 * policy converts the same rules); the result is shared and must not be modified.
 */
export const convertRule = (rule: PolicyRule): { rule: FelixRule; sets: SetRequest[] } => {
  let c = converted.get(rule);
  if (c === undefined) {
    c = convertUncached(rule);
    converted.set(rule, c);
  }
  return c;
};

const convertUncached = (rule: PolicyRule): { rule: FelixRule; sets: SetRequest[] } => {
  const sets: SetRequest[] = [];
  const protocol = rule.protocol === undefined ? undefined : protocolRef(rule.protocol);
  const npProto = namedPortProtocol(protocol);

  const side = (e: EntityRule) => {
    const positive = combinedRuleSelector(e);
    const numericPorts = numeric(e.ports);
    const namedPorts = named(e.ports);
    const notNamed = named(e.notPorts);
    const npSets = (names: string[]): string[] =>
      names.map((portName) => {
        // The named-port set folds in the side's positive selector, or all() (rule_scanner.go:488-505).
        const canonical = canonicalSelector(positive ?? "all()");
        const id = namedPortSetId(canonical, npProto, portName);
        sets.push({ kind: "namedPort", id, canonical, side: e, protocol: npProto, portName });
        return id;
      });
    const selSets = (text: string | undefined, negated: boolean): string[] => {
      if (text === undefined) return [];
      const canonical = canonicalSelector(text);
      const id = selectorSetId(canonical);
      sets.push({ kind: "selector", id, canonical, side: e, negatedSide: negated });
      return [id];
    };
    // With only named ports on a side, the selector is already in the named-port set (rule_scanner.go:409-420).
    const setIds = numericPorts.length > 0 || namedPorts.length === 0 ? selSets(positive, false) : [];
    return {
      nets: e.nets,
      notNets: e.notNets,
      ports: numericPorts,
      notPorts: numeric(e.notPorts),
      setIds,
      notSetIds: selSets(e.notSelector, true),
      namedSetIds: npSets(namedPorts),
      notNamedSetIds: npSets(notNamed),
    };
  };

  const src = side(rule.source);
  const dst = side(rule.destination);
  const icmp = (s: { type?: number; code?: number } | undefined) =>
    s?.type === undefined
      ? undefined
      : s.code === undefined
        ? { type: s.type }
        : { type: s.type, code: s.code };
  const notProtocol = rule.notProtocol === undefined ? undefined : protocolRef(rule.notProtocol);
  // Built without `...(x === undefined ? {} : { x })` spreads, which are slow in V8 11 when properties follow.
  const converted: { -readonly [K in keyof FelixRule]: FelixRule[K] } = {
    action: ACTIONS[rule.action],
    srcNets: src.nets,
    notSrcNets: src.notNets,
    dstNets: dst.nets,
    notDstNets: dst.notNets,
    srcPorts: src.ports,
    notSrcPorts: src.notPorts,
    dstPorts: dst.ports,
    notDstPorts: dst.notPorts,
    srcSetIds: src.setIds,
    notSrcSetIds: src.notSetIds,
    dstSetIds: dst.setIds,
    notDstSetIds: dst.notSetIds,
    srcNamedPortSetIds: src.namedSetIds,
    notSrcNamedPortSetIds: src.notNamedSetIds,
    dstNamedPortSetIds: dst.namedSetIds,
    notDstNamedPortSetIds: dst.notNamedSetIds,
    annotations: rule.annotations,
  };
  // Felix infers the version from an ICMP protocol name (rule_convert.go ipVersionToProtoIPVersion).
  const ipVersion = inferredVersion(rule.ipVersion, protocol);
  if (ipVersion !== undefined) converted.ipVersion = ipVersion;
  if (protocol !== undefined) converted.protocol = protocol;
  if (notProtocol !== undefined) converted.notProtocol = notProtocol;
  const ic = icmp(rule.icmp);
  if (ic !== undefined) converted.icmp = ic;
  const notIc = icmp(rule.notICMP);
  if (notIc !== undefined) converted.notIcmp = notIc;
  return { rule: converted, sets };
};
