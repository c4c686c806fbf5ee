// FelixConfiguration: the fields calisim simulates. Enum-like fields are case-insensitive, as in
// the CRD patterns (^(?i)(Drop|Accept|Return)?$ ...). Failsafe entries are checked the way Felix
// reads them (felixconfigprocessor.go protoPortSliceToString, then param_types.go PortListParam).

import type { FailsafePort, FelixConfigSpec } from "../model.js";
import { error, warning, type Checked, type Finding } from "../findings.js";
import type { Path } from "../paths.js";
import { felixConfigurationSpecSchema, protoPortSchema } from "../schema/specs.js";
import { shapeDeep } from "../schema/shape.js";
import { parseCidr } from "./net.js";

const SPEC = ["spec"] as const;

const choose = <T extends string>(
  value: string | undefined,
  values: readonly T[],
  path: Path,
  findings: Finding[],
): T | undefined => {
  if (value === undefined || value === "") return undefined;
  const found = values.find((v) => v.toLowerCase() === value.toLowerCase());
  if (found === undefined) findings.push(error(path, { code: "invalid_value", received: value, values }));
  return found;
};

const failsafe = (list: readonly unknown[] | undefined, path: Path, findings: Finding[]) => {
  if (list === undefined) return undefined;
  const out: FailsafePort[] = [];
  list.forEach((raw, i) => {
    const here = [...path, i];
    const shaped = shapeDeep(protoPortSchema, raw, here);
    findings.push(...shaped.findings);
    const entry = shaped.value;
    if (entry === undefined) return;
    let protocol: FailsafePort["protocol"] = "tcp";
    if (entry.protocol === undefined)
      findings.push(warning([...here], { code: "failsafe_protocol_omitted" }));
    else {
      const lower = entry.protocol.toLowerCase();
      if (lower === "tcp" || lower === "udp") protocol = lower;
      else
        return void findings.push(
          error([...here, "protocol"], { code: "failsafe_protocol", value: entry.protocol }),
        );
    }
    let net: string | undefined;
    if (entry.net !== undefined && entry.net !== "") {
      const parsed = parseCidr(entry.net);
      if (!parsed.ok)
        return void findings.push(error([...here, "net"], { code: "invalid_cidr", value: entry.net }));
      net = parsed.value.network;
    }
    out.push({ protocol, port: entry.port, ...(net === undefined ? {} : { net }) });
  });
  return out;
};

const LOG_PREFIX = /^[a-zA-Z0-9%: /_-]*$/;

export const buildFelixConfigurationSpec = (raw: unknown): Checked<FelixConfigSpec | undefined> => {
  const shaped = shapeDeep(felixConfigurationSpecSchema, raw ?? {}, SPEC);
  const s = shaped.value;
  if (s === undefined) return { value: undefined, findings: shaped.findings };
  const findings: Finding[] = [...shaped.findings];
  const at = (field: string): Path => [...SPEC, field];
  const inbound = failsafe(s.failsafeInboundHostPorts, at("failsafeInboundHostPorts"), findings);
  const outbound = failsafe(s.failsafeOutboundHostPorts, at("failsafeOutboundHostPorts"), findings);
  const spec: FelixConfigSpec = {
    ...(inbound === undefined ? {} : { failsafeInboundHostPorts: inbound }),
    ...(outbound === undefined ? {} : { failsafeOutboundHostPorts: outbound }),
    defaultEndpointToHostAction: choose(
      s.defaultEndpointToHostAction,
      ["Drop", "Return", "Accept"],
      at("defaultEndpointToHostAction"),
      findings,
    ),
    iptablesFilterAllowAction: choose(
      s.iptablesFilterAllowAction,
      ["Accept", "Return"],
      at("iptablesFilterAllowAction"),
      findings,
    ),
    iptablesMangleAllowAction: choose(
      s.iptablesMangleAllowAction,
      ["Accept", "Return"],
      at("iptablesMangleAllowAction"),
      findings,
    ),
    iptablesFilterDenyAction: choose(
      s.iptablesFilterDenyAction,
      ["Drop", "Reject"],
      at("iptablesFilterDenyAction"),
      findings,
    ),
    chainInsertMode: choose(s.chainInsertMode, ["Insert", "Append"], at("chainInsertMode"), findings),
    ...(s.interfacePrefix === undefined ? {} : { interfacePrefix: s.interfacePrefix }),
    ...(s.logPrefix === undefined ? {} : { logPrefix: s.logPrefix }),
    ...(s.disableConntrackInvalidCheck === undefined
      ? {}
      : { disableConntrackInvalidCheck: s.disableConntrackInvalidCheck }),
    ...(s.iptablesMarkMask === undefined ? {} : { iptablesMarkMask: s.iptablesMarkMask }),
  };
  if (s.logPrefix !== undefined && !LOG_PREFIX.test(s.logPrefix)) {
    findings.push(
      error(at("logPrefix"), {
        code: "invalid_value",
        received: s.logPrefix,
        values: ["letters, digits, % : / _ - and space"],
      }),
    );
  }
  return { value: dropUndefined(spec), findings };
};

const dropUndefined = <T extends object>(obj: T): T =>
  Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
