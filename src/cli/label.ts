// `calisim label hostendpoint NAME KEY=[VALUE] -f FILE`: calicoctl label, on resource files. Edits the
// file in place keeping comments and order; refuses when the endpoint is not found, and (like calicoctl)
// changes an existing label only with --overwrite. `KEY-` removes a label.

import { writeFile } from "node:fs/promises";
import type { Argv } from "yargs";
import { loadResourceFiles } from "../resources/index.js";
import { labelFileText, type LabelResult } from "../safety/label/edit.js";
import { parseLabelArg } from "../safety/label/validate.js";
import { CliError, printIssues, filesOption } from "./common.js";

interface LabelArgs {
  kind: string;
  name: string;
  label: string;
  f: string[];
  overwrite: boolean;
}

const KINDS: Readonly<Record<string, string>> = {
  hostendpoint: "HostEndpoint",
  hostendpoints: "HostEndpoint",
  hep: "HostEndpoint",
  heps: "HostEndpoint",
};

export const labelCommand = {
  command: "label <kind> <name> <label>",
  describe: "Set (KEY=VALUE, KEY=) or remove (KEY-) a label of a host endpoint in resource files, in place",
  builder: (y: Argv) =>
    y
      .positional("kind", { type: "string", describe: "hostendpoint (hep)" })
      .positional("name", { type: "string", describe: "the resource's name" })
      .positional("label", { type: "string", describe: "KEY=VALUE, KEY= (empty value) or KEY- (remove)" })
      .option(
        "f",
        filesOption(
          "resource file or directory to edit (repeatable; the resource must be in exactly one file)",
        ),
      )
      .option("overwrite", {
        type: "boolean",
        default: false,
        describe: "change a label that already has a value",
      })
      .example(
        "$0 label hostendpoint node-3-all host-endpoint-upgrade= -f hosts.yaml",
        "the v3.14 upgrade runbook's label",
      )
      .example("$0 label hep node-3-all role- -f hosts.yaml", "remove a label"),
  handler: async (argv: LabelArgs) => {
    const kind = KINDS[argv.kind.toLowerCase()];
    if (kind === undefined)
      throw new CliError(
        `cannot label kind ${JSON.stringify(argv.kind)} (accepted: ${Object.keys(KINDS).join(", ")})`,
        2,
      );
    const label = parseLabelArg(argv.label);
    if (!label.ok) throw new CliError(label.error, 2);
    const { files, issues } = await loadResourceFiles(argv.f);
    printIssues(issues);
    if (issues.some((i) => i.severity === "error")) throw new CliError("cannot read the files to edit");
    const req = { kind, name: argv.name, label: label.value, overwrite: argv.overwrite };
    const edits: { path: string; result: LabelResult }[] = [];
    const misses: string[] = [];
    for (const f of files) {
      const r = labelFileText(f.path, f.text, req);
      if (r.ok) edits.push({ path: f.path, result: r.value });
      else if (r.error.includes(`: no ${kind} named `)) misses.push(r.error);
      else throw new CliError(r.error);
    }
    if (edits.length === 0)
      throw new CliError(
        files.length === 1
          ? misses[0]!
          : `no ${kind} named ${argv.name} in ${files.map((f) => f.path).join(", ") || "the given paths"}`,
      );
    if (edits.length > 1)
      throw new CliError(
        `${kind} ${argv.name} is declared in several files: ${edits.map((e) => e.path).join(", ")}; pass the one to edit`,
      );
    const { path, result } = edits[0]!;
    if (result.change !== "unchanged") await writeFile(path, result.text);
    if (result.reprinted)
      process.stderr.write(`note: ${path} was re-printed; formatting outside the label may have changed\n`);
    process.stderr.write(`${kind} ${argv.name} in ${path}: label ${label.value.key} ${result.change}\n`);
  },
};
