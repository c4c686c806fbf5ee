// One policy or profile rule: shape, then Calico's rule checks (validateRule, validateEntityRule and
// the CEL rules on Rule, ICMPFields and EntityRule), then the normalised model rule.

import type { EntityRule, IcmpSpec, PolicyRule, PortSpec, ProtocolSpec, SourcePos } from "../model.js";
import { error, type Checked, type Finding } from "../findings.js";
import type { Path } from "../paths.js";
import { ruleSchema, type EntityRuleShape, type RuleShape } from "../schema/rule.js";
import { shapeDeep } from "../schema/shape.js";
import { checkAnnotations } from "./metadata-fields.js";
import { parseCidr } from "./net.js";
import { parsePort } from "./ports.js";
import { isIcmp, parseProtocol, supportsPorts } from "./protocol.js";
import { checkSelector } from "./selector.js";

export type PositionOf = (path: Path) => SourcePos | undefined;

interface NetScan {
  readonly field: Path;
  readonly versions: ReadonlySet<4 | 6>;
}

interface BuiltEntity {
  readonly entity: EntityRule;
  readonly nets: readonly NetScan[];
  readonly ports: readonly { readonly field: Path; readonly parsed: readonly PortSpec[] }[];
  readonly findings: readonly Finding[];
}

const buildNets = (
  list: readonly string[] | undefined,
  field: Path,
  negated: boolean,
  findings: Finding[],
) => {
  const out: string[] = [];
  const versions = new Set<4 | 6>();
  (list ?? []).forEach((text, i) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) return void findings.push(error([...field, i], { code: "invalid_cidr", value: text }));
    if (!parsed.value.masked) {
      findings.push(
        error([...field, i], { code: "cidr_not_masked", value: text, network: parsed.value.network }),
      );
      return;
    }
    versions.add(parsed.value.version);
    const catchAll = parsed.value.version === 4 ? text === "0.0.0.0/0" : parsed.value.prefix === 0;
    if (negated && catchAll) findings.push(error([...field, i], { code: "negated_catch_all", value: text }));
    out.push(parsed.value.text);
  });
  return { nets: out, scan: { field, versions } };
};

const buildPorts = (list: readonly (string | number)[] | undefined, field: Path, findings: Finding[]) => {
  const out: PortSpec[] = [];
  (list ?? []).forEach((value, i) => {
    const parsed = parsePort(value);
    if (parsed.ok) out.push(parsed.value);
    else findings.push(error([...field, i], parsed.error));
  });
  return out;
};

const buildEntity = (e: EntityRuleShape | undefined, path: Path): BuiltEntity => {
  const findings: Finding[] = [];
  const src = e ?? {};
  const nets = buildNets(src.nets, [...path, "nets"], false, findings);
  const notNets = buildNets(src.notNets, [...path, "notNets"], true, findings);
  const ports = buildPorts(src.ports, [...path, "ports"], findings);
  const notPorts = buildPorts(src.notPorts, [...path, "notPorts"], findings);
  findings.push(
    ...checkSelector(src.selector, [...path, "selector"], "plain"),
    ...checkSelector(src.notSelector, [...path, "notSelector"], "any"),
    ...checkSelector(src.namespaceSelector, [...path, "namespaceSelector"], "namespace"),
    ...checkSelector(src.serviceAccounts?.selector, [...path, "serviceAccounts", "selector"], "any"),
  );
  if (src.services !== undefined)
    findings.push(error([...path, "services"], { code: "unsupported", feature: "services" }));
  const sa = src.serviceAccounts;
  const entity: EntityRule = {
    nets: nets.nets,
    notNets: notNets.nets,
    ...(src.selector === undefined ? {} : { selector: src.selector }),
    ...(src.notSelector === undefined ? {} : { notSelector: src.notSelector }),
    ...(src.namespaceSelector === undefined ? {} : { namespaceSelector: src.namespaceSelector }),
    ports,
    notPorts,
    ...(sa === undefined
      ? {}
      : {
          serviceAccounts: {
            names: sa.names ?? [],
            ...(sa.selector === undefined ? {} : { selector: sa.selector }),
          },
        }),
  };
  return {
    entity,
    nets: [nets.scan, notNets.scan],
    ports: [
      { field: [...path, "ports"], parsed: ports },
      { field: [...path, "notPorts"], parsed: notPorts },
    ],
    findings,
  };
};

/** validateRule's scanNets: IP versions must agree with each other and with ipVersion. */
const scanNets = (scans: readonly NetScan[], ipVersion: number | undefined): Finding[] => {
  const findings: Finding[] = [];
  let seen4 = false;
  let seen6 = false;
  for (const { field, versions } of scans) {
    const v4 = versions.has(4);
    const v6 = versions.has(6);
    if (ipVersion !== undefined && ((v4 && ipVersion !== 4) || (v6 && ipVersion !== 6))) {
      findings.push(error(field, { code: "ip_version_mismatch", ipVersion }));
    }
    if ((v4 && seen6) || (v6 && seen4) || (v4 && v6))
      findings.push(error(field, { code: "mixed_ip_versions" }));
    seen4 ||= v4;
    seen6 ||= v6;
  }
  return findings;
};

const checkIcmp = (icmp: IcmpSpec | undefined, path: Path): Finding[] =>
  icmp !== undefined && icmp.code !== undefined && icmp.type === undefined
    ? [error([...path, "code"], { code: "icmp_code_without_type" })]
    : [];

const parseProto = (
  value: string | number | undefined,
  path: Path,
  findings: Finding[],
): ProtocolSpec | undefined => {
  if (value === undefined) return undefined;
  const parsed = parseProtocol(value);
  if (parsed.ok) return parsed.value;
  findings.push(error(path, parsed.error));
  return undefined;
};

const ruleChecks = (
  r: RuleShape,
  path: Path,
  protocol: ProtocolSpec | undefined,
  notProtocol: ProtocolSpec | undefined,
) => {
  const findings: Finding[] = [
    ...checkIcmp(r.icmp, [...path, "icmp"]),
    ...checkIcmp(r.notICMP, [...path, "notICMP"]),
  ];
  const icmpProtocol =
    r.protocol === undefined ? false : protocol === undefined || isIcmp(protocol) !== undefined;
  if (r.icmp !== undefined && !icmpProtocol)
    findings.push(error([...path, "icmp"], { code: "icmp_needs_protocol" }));
  for (const [field, p] of [
    ["protocol", protocol],
    ["notProtocol", notProtocol],
  ] as const) {
    const needs = p === undefined ? undefined : isIcmp(p);
    if (needs !== undefined && r.ipVersion !== undefined && r.ipVersion !== needs) {
      findings.push(
        error([...path, field], {
          code: "icmp_ip_version",
          protocol: needs === 4 ? "ICMP" : "ICMPv6",
          needs,
        }),
      );
    }
  }
  if (r.http !== undefined) findings.push(error([...path, "http"], { code: "unsupported", feature: "http" }));
  return findings;
};

/** Ports need a protocol that has them; with no protocol only named ports are allowed. */
const portChecks = (
  entities: readonly BuiltEntity[],
  protocolGiven: boolean,
  protocol: ProtocolSpec | undefined,
) =>
  entities.flatMap((e) =>
    e.ports.flatMap(({ field, parsed }): Finding[] => {
      if (!protocolGiven) {
        return parsed.some((p) => p.kind === "range") ? [error(field, { code: "ports_need_protocol" })] : [];
      }
      if (protocol === undefined || supportsPorts(protocol) || parsed.length === 0) return [];
      return [error(field, { code: "protocol_has_no_ports", protocol })];
    }),
  );

export const buildRule = (raw: unknown, path: Path, posOf: PositionOf): Checked<PolicyRule | undefined> => {
  const shaped = shapeDeep(ruleSchema, raw, path);
  const r = shaped.value;
  if (r === undefined) return { value: undefined, findings: shaped.findings };
  const findings: Finding[] = [...shaped.findings];
  const hasAction = typeof raw === "object" && raw !== null && "action" in raw;
  if (!hasAction) findings.push(error([...path, "action"], { code: "missing_field" }));
  const protocol = parseProto(r.protocol, [...path, "protocol"], findings);
  const notProtocol = parseProto(r.notProtocol, [...path, "notProtocol"], findings);
  const source = buildEntity(r.source, [...path, "source"]);
  const destination = buildEntity(r.destination, [...path, "destination"]);
  findings.push(
    ...ruleChecks(r, path, protocol, notProtocol),
    ...source.findings,
    ...destination.findings,
    ...portChecks([source, destination], r.protocol !== undefined, protocol),
    ...scanNets([...source.nets, ...destination.nets], r.ipVersion),
  );
  const annotations = r.metadata?.annotations ?? {};
  findings.push(...checkAnnotations(annotations, [...path, "metadata", "annotations"]));
  const pos = posOf(path);
  if (r.action === undefined) return { value: undefined, findings };
  const rule: PolicyRule = {
    action: r.action,
    ...(protocol === undefined ? {} : { protocol }),
    ...(notProtocol === undefined ? {} : { notProtocol }),
    ...(r.icmp === undefined ? {} : { icmp: r.icmp }),
    ...(r.notICMP === undefined ? {} : { notICMP: r.notICMP }),
    ...(r.ipVersion === undefined ? {} : { ipVersion: r.ipVersion }),
    source: source.entity,
    destination: destination.entity,
    annotations,
    ...(pos === undefined ? {} : { pos }),
  };
  return { value: rule, findings };
};

/** A list of rules, each shaped and checked on its own. */
export const buildRules = (
  raw: readonly unknown[] | undefined,
  path: Path,
  posOf: PositionOf,
): Checked<readonly PolicyRule[]> => {
  const rules: PolicyRule[] = [];
  const findings: Finding[] = [];
  (raw ?? []).forEach((item, i) => {
    const built = buildRule(item, [...path, i], posOf);
    findings.push(...built.findings);
    if (built.value !== undefined) rules.push(built.value);
  });
  return { value: rules, findings };
};
