// Where a rule came from, in words: `GlobalNetworkPolicy allow-web rule 0 (ingress, tier default)`.

import type { Origin } from "../rules/ir.js";
import type { SourcePos } from "../resources/model.js";

export type OriginHandlers<R> = { readonly [K in Origin["kind"]]: (o: Extract<Origin, { kind: K }>) => R };
export const onOrigin = <R>(handlers: OriginHandlers<R>, o: Origin): R =>
  (handlers[o.kind] as (x: Origin) => R)(o);

/** Felix's internal name for the `*` endpoint's interface (endpoint_mgr.go:1738). */
export const STAR_INTERFACE = "any-interface-at-all";

export const ifaceLabel = (iface: string): string => (iface === STAR_INTERFACE ? 'interfaceName "*"' : iface);

export const sourceText = (s: SourcePos | undefined): string =>
  s === undefined ? "" : `${s.file}:${s.line}:${s.col}`;

const qualified = (name: string, namespace: string | undefined): string =>
  namespace === undefined ? name : `${namespace}/${name}`;

const labels: OriginHandlers<string> = {
  policy: (o) =>
    `${o.policyKind} ${qualified(o.name, o.namespace)}${o.ruleIndex === undefined ? "" : ` rule ${o.ruleIndex}`} (${o.direction}, tier ${o.tier})`,
  profile: (o) =>
    `Profile ${o.name}${o.ruleIndex === undefined ? "" : ` rule ${o.ruleIndex}`} (${o.direction})`,
  failsafe: (o) => `failsafe ${o.direction} ${o.entry}`,
  endpoint: (o) => {
    const what = [
      o.role,
      ...(o.tier === undefined ? [] : [`tier ${o.tier}`]),
      ...(o.policy === undefined ? [] : [`policy ${o.policy}`]),
      ...(o.profile === undefined ? [] : [`profile ${o.profile}`]),
    ].join(", ");
    return `host endpoint ${o.endpoint} (${ifaceLabel(o.interface)}): ${what}`;
  },
  dispatch: (o) =>
    o.endpoint === undefined
      ? "host endpoint dispatch"
      : `dispatch to host endpoint ${o.endpoint} (${o.interface === "*" ? 'interfaceName "*"' : (o.interface ?? "?")})`,
  "host-to-workload": () => "host to local workload (not policed)",
  "workload-to-host": () => "workload to host (cali-wl-to-host)",
  static: (o) => `Felix: ${o.what}`,
};

const nowhere = (): SourcePos | undefined => undefined;
const sources: OriginHandlers<SourcePos | undefined> = {
  policy: (o) => o.source,
  profile: (o) => o.source,
  failsafe: nowhere,
  endpoint: nowhere,
  dispatch: nowhere,
  "host-to-workload": nowhere,
  "workload-to-host": nowhere,
  static: nowhere,
};

export const originSource = (o: Origin): SourcePos | undefined => onOrigin(sources, o);

/** The origin as one line, with its source position when known. */
export const originText = (o: Origin): string => {
  const pos = sourceText(onOrigin(sources, o));
  return pos === "" ? onOrigin(labels, o) : `${onOrigin(labels, o)} ${pos}`;
};

export const originLabel = (o: Origin): string => onOrigin(labels, o);
