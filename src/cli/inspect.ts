// `calisim inspect`: which endpoint governs each interface and why, what applies to it, and the sets.

import type { Argv } from "yargs";
import {
  governorOf,
  inspectNode,
  type EndpointView,
  type InspectReport,
  type TierView,
} from "../calc/inspect.js";
import { CliError, writeOut } from "./common.js";
import { loadNode, nodeOptions, type NodeArgs } from "./node-options.js";

const tierLines = (label: string, tiers: readonly TierView[], indent: string): string[] =>
  tiers.length === 0
    ? [`${indent}${label}: (none)`]
    : [
        `${indent}${label}:`,
        ...tiers.map(
          (t) => `${indent}  tier ${t.tier}: ${t.policies.join(" → ")}  [end of tier: ${t.endOfTier}]`,
        ),
      ];

const endpointText = (e: EndpointView): string[] => [
  `endpoint ${e.endpoint} (interface ${e.interface}; ${e.why})`,
  `  expectedIPs: ${e.expectedIPs.join(", ") || "(none: this endpoint is in no selector ipset)"}`,
  `  profiles: ${e.profiles.join(", ") || "(none)"}`,
  ...tierLines("normal ingress", e.normal.ingress, "  "),
  ...tierLines("normal egress", e.normal.egress, "  "),
  ...tierLines("apply-on-forward ingress", e.forward.ingress, "  "),
  ...tierLines("apply-on-forward egress", e.forward.egress, "  "),
  ...tierLines("pre-DNAT ingress", e.preDnat, "  "),
  ...tierLines("untracked ingress", e.untracked.ingress, "  "),
  ...tierLines("untracked egress", e.untracked.egress, "  "),
  `  chains: ${e.chains.join(", ")}`,
];

export const inspectText = (
  r: InspectReport,
  filter: { iface?: string; endpoint?: string; policy?: string },
): string => {
  const eps = r.endpoints.filter(
    (e) =>
      (filter.endpoint === undefined || e.endpoint === filter.endpoint) &&
      (filter.iface === undefined || governorOf(r, filter.iface) === e.endpoint) &&
      (filter.policy === undefined ||
        [
          e.normal.ingress,
          e.normal.egress,
          e.forward.ingress,
          e.forward.egress,
          e.preDnat,
          e.untracked.ingress,
          e.untracked.egress,
        ].some((ts) => ts.some((t) => t.policies.includes(filter.policy!)))),
  );
  const lines = [
    `node ${r.node} (Calico ${r.calicoVersion})`,
    "",
    "interfaces:",
    ...r.interfaces
      .filter((i) => filter.iface === undefined || i.name === filter.iface)
      .map((i) => `  ${i.name} [${i.addresses.join(", ")}] → ${i.endpoint} (${i.why})`),
    ...(filter.iface !== undefined && !r.interfaces.some((i) => i.name === filter.iface)
      ? [
          `  ${filter.iface} → ${governorOf(r, filter.iface) ?? "(none: a workload interface, or no endpoint governs it)"}`,
        ]
      : []),
    ...(r.endpoints.some((e) => e.interface === "*")
      ? ['  any other non-workload interface → the "*" endpoint']
      : []),
    "",
    ...eps.flatMap((e) => [...endpointText(e), ""]),
    ...(r.unboundEndpoints.length > 0
      ? [
          "endpoints of this node that govern nothing:",
          ...r.unboundEndpoints.map((u) => `  ${u.endpoint}: ${u.why}`),
          "",
        ]
      : []),
    ...(filter.policy === undefined && r.policiesSelectingNothing.length > 0
      ? ["policies that select no host endpoint:", ...r.policiesSelectingNothing.map((p) => `  ${p}`), ""]
      : []),
    "ipsets:",
    ...r.ipsets.map((s) => `  ${s.name} (${s.type}) ${s.description}: ${s.members.join(" ") || "(empty)"}`),
    ...(r.warnings.length > 0 ? ["", "warnings:", ...r.warnings.map((w) => `  ${w}`)] : []),
  ];
  return lines.join("\n");
};

export const inspectCommand = {
  command: "inspect",
  describe:
    "Explain which endpoint governs each interface and which tiers, policies, profiles and sets apply",
  builder: (y: Argv) =>
    nodeOptions(y)
      .option("interface", { type: "string", describe: "only this interface" })
      .option("endpoint", { type: "string", describe: "only this host endpoint" })
      .option("policy", { type: "string", describe: "only endpoints this policy applies to" })
      .option("o", { alias: "output", choices: ["text", "json"], default: "text" })
      .example("$0 inspect -f fixtures/example-cluster --node node-1", "everything about node-1")
      .example(
        "$0 inspect -f fixtures/example-cluster --node node-3 --interface eth7",
        "who governs eth7 on node-3",
      ),
  handler: async (argv: NodeArgs & { interface?: string; endpoint?: string; policy?: string; o: string }) => {
    const { model, ruleset } = await loadNode(argv);
    const report = inspectNode(model, [ruleset(4), ruleset(6)]);
    if (argv.endpoint !== undefined && !report.endpoints.some((e) => e.endpoint === argv.endpoint))
      throw new CliError(
        `--endpoint ${argv.endpoint}: not an active host endpoint on node ${argv.node} (accepted: ${report.endpoints.map((e) => e.endpoint).join(", ")})`,
      );
    if (argv.o === "json") writeOut(JSON.stringify(report, null, 2));
    else
      writeOut(
        inspectText(report, {
          ...(argv.interface === undefined ? {} : { iface: argv.interface }),
          ...(argv.endpoint === undefined ? {} : { endpoint: argv.endpoint }),
          ...(argv.policy === undefined ? {} : { policy: argv.policy }),
        }),
      );
  },
};
