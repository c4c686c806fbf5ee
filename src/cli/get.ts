// `calisim get hostendpoints`: list host endpoints like `calicoctl get hep [-o wide]`, so the v3.14
// upgrade runbook's `grep '*'` works on our output too.

import type { Argv } from "yargs";
import { stringify } from "yaml";
import type { HostEndpoint } from "../resources/model.js";
import { CliError, loadOrFail, writeOut, filesOption } from "./common.js";
import { compareStrings } from "../util/compare.js";

const KINDS = ["hostendpoints", "hostendpoint", "hep", "heps"];

/** calicoctl prints with a tabwriter: columns padded to the widest cell plus 3 spaces. */
export const tabulate = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join(""))
    .join("\n");
};

export const hostEndpointTable = (eps: readonly HostEndpoint[], wide: boolean): string => {
  const header = wide ? ["NAME", "NODE", "INTERFACE", "IPS", "PROFILES"] : ["NAME", "NODE"];
  const rows = [...eps]
    .sort((a, b) => compareStrings(a.metadata.name, b.metadata.name))
    .map((e) =>
      wide
        ? [
            e.metadata.name,
            e.spec.node,
            e.spec.interfaceName,
            e.spec.expectedIPs.join(","),
            e.spec.profiles.join(","),
          ]
        : [e.metadata.name, e.spec.node],
    );
  return tabulate([header, ...rows]);
};

const toV3 = (e: HostEndpoint) => ({
  apiVersion: "projectcalico.org/v3",
  kind: "HostEndpoint",
  metadata: {
    name: e.metadata.name,
    ...(Object.keys(e.metadata.labels).length > 0 ? { labels: e.metadata.labels } : {}),
  },
  spec: {
    node: e.spec.node,
    ...(e.spec.interfaceName === "" ? {} : { interfaceName: e.spec.interfaceName }),
    ...(e.spec.expectedIPs.length > 0 ? { expectedIPs: e.spec.expectedIPs } : {}),
    ...(e.spec.profiles.length > 0 ? { profiles: e.spec.profiles } : {}),
    ...(e.spec.ports.length > 0 ? { ports: e.spec.ports } : {}),
  },
});

export const getCommand = {
  command: "get <kind> [name]",
  describe: "List resources like calicoctl get (host endpoints: hostendpoints | hep)",
  builder: (y: Argv) =>
    y
      .positional("kind", { type: "string", describe: "hostendpoints | hep" })
      .positional("name", { type: "string", describe: "only this resource" })
      .option("f", filesOption())
      .option("o", {
        alias: "output",
        choices: ["ps", "wide", "yaml", "json"],
        default: "ps",
        describe: "output format",
      })
      .option("node", { type: "string", describe: "only endpoints of this node" })
      .example("$0 get hep -o wide -f fixtures/example-cluster", "NAME NODE INTERFACE IPS PROFILES")
      .example(
        "$0 get hep -o wide -f fixtures/example-cluster | grep '*'",
        "the all-interfaces endpoints (v3.14 upgrade runbook)",
      ),
  handler: async (argv: { kind: string; name?: string; f: string[]; o: string; node?: string }) => {
    if (!KINDS.includes(argv.kind.toLowerCase()))
      throw new CliError(`unsupported kind ${JSON.stringify(argv.kind)} (accepted: ${KINDS.join(", ")})`, 2);
    const { cluster } = await loadOrFail(argv.f);
    const eps = cluster.hostEndpoints.filter(
      (e) =>
        (argv.name === undefined || e.metadata.name === argv.name) &&
        (argv.node === undefined || e.spec.node === argv.node),
    );
    if (argv.name !== undefined && eps.length === 0)
      throw new CliError(`host endpoint ${JSON.stringify(argv.name)} not found`);
    const items = eps.map(toV3);
    if (argv.o === "json")
      writeOut(
        JSON.stringify(
          items.length === 1 && argv.name
            ? items[0]
            : { kind: "HostEndpointList", apiVersion: "projectcalico.org/v3", items },
          null,
          2,
        ),
      );
    else if (argv.o === "yaml")
      writeOut(
        stringify(
          items.length === 1 && argv.name
            ? items[0]
            : { apiVersion: "projectcalico.org/v3", kind: "HostEndpointList", items },
        ),
      );
    else writeOut(hostEndpointTable(eps, argv.o === "wide"));
  },
};
