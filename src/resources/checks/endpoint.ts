// HostEndpoint spec (api/pkg/apis/projectcalico/v3/hostendpoint.go, its CEL rules, and
// validateEndpointPort).

import type { EndpointPort, HostEndpoint } from "../model.js";
import { error, warning, type Checked, type Finding } from "../findings.js";
import { endpointPortSchema, hostEndpointSpecSchema } from "../schema/specs.js";
import { shapeDeep } from "../schema/shape.js";
import { isValidInterfaceName, isValidName, portNameProblems } from "./names.js";
import { parseIp } from "./net.js";
import { parseEndpointProtocol } from "./protocol.js";

type HepSpec = HostEndpoint["spec"];
const SPEC = ["spec"] as const;

const buildPorts = (ports: readonly unknown[]): Checked<EndpointPort[]> => {
  const out: EndpointPort[] = [];
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  ports.forEach((raw, i) => {
    const path = [...SPEC, "ports", i];
    const shaped = shapeDeep(endpointPortSchema, raw, path);
    findings.push(...shaped.findings);
    const p = shaped.value;
    if (p === undefined) return;
    const problems = portNameProblems(p.name);
    if (p.name === "") findings.push(error([...path, "name"], { code: "empty_value" }));
    else if (problems.length > 0) {
      findings.push(
        error([...path, "name"], { code: "invalid_port_name", name: p.name, reason: problems.join("; ") }),
      );
    }
    const protocol = parseEndpointProtocol(p.protocol);
    if (!protocol.ok) return void findings.push(error([...path, "protocol"], protocol.error));
    const key = `${p.name}/${protocol.value}`;
    const first = seen.get(key);
    if (first !== undefined) {
      findings.push(
        warning([...path, "name"], { code: "duplicate_port", name: p.name, protocol: protocol.value, first }),
      );
    } else seen.set(key, i);
    out.push({ name: p.name, port: p.port, protocol: protocol.value });
  });
  return { value: out, findings };
};

export const buildHostEndpointSpec = (raw: unknown): Checked<HepSpec | undefined> => {
  const shaped = shapeDeep(hostEndpointSpecSchema, raw ?? {}, SPEC);
  const s = shaped.value;
  if (s === undefined) return { value: undefined, findings: shaped.findings };
  const findings: Finding[] = [...shaped.findings];
  const node = s.node ?? "";
  if (node === "")
    findings.push(error([...SPEC, "node"], { code: s.node === undefined ? "missing_field" : "empty_value" }));
  else if (!isValidName(node, "subdomain")) {
    findings.push(error([...SPEC, "node"], { code: "invalid_name", name: node, rule: "subdomain" }));
  }
  const interfaceName = s.interfaceName ?? "";
  if (interfaceName !== "" && !isValidInterfaceName(interfaceName)) {
    findings.push(
      error([...SPEC, "interfaceName"], { code: "invalid_interface_name", value: interfaceName }),
    );
  }
  const expectedIPs: string[] = [];
  (s.expectedIPs ?? []).forEach((ip, i) => {
    const parsed = parseIp(ip);
    if (parsed.ok) expectedIPs.push(parsed.value.text);
    else findings.push(error([...SPEC, "expectedIPs", i], { code: "invalid_ip", value: ip }));
  });
  if (interfaceName === "" && (s.expectedIPs ?? []).length === 0) {
    findings.push(error(SPEC, { code: "hep_needs_interface_or_ip" }));
  }
  const profiles = s.profiles ?? [];
  profiles.forEach((p, i) => {
    if (!isValidName(p, "subdomain")) {
      findings.push(error([...SPEC, "profiles", i], { code: "invalid_name", name: p, rule: "subdomain" }));
    }
  });
  const ports = buildPorts(s.ports ?? []);
  findings.push(...ports.findings);
  return {
    value: { node, interfaceName, expectedIPs, profiles: [...profiles], ports: ports.value },
    findings,
  };
};
