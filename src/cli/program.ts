// The calisim command line (started by main.ts): yargs wiring only; each command lives in its own module.

import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { CliError } from "./common.js";

// Each command's module, in the order --help lists them. Only the module of the command being run is
// loaded: the others bring renderers, tracers and the dataplane (on Node 20, `get hep` 0.65 → 0.55 s,
// `validate` 0.64 → 0.59 s). With no command, an unknown one or options first, all are loaded, so that
// yargs can list them and suggest the nearest.
const COMMANDS: Readonly<Record<string, () => Promise<unknown>>> = {
  validate: async () => (await import("./validate.js")).validateCommand,
  get: async () => (await import("./get.js")).getCommand,
  render: async () => (await import("./render.js")).renderCommand,
  "render-all": async () => (await import("./render-all.js")).renderAllCommand,
  inspect: async () => (await import("./inspect.js")).inspectCommand,
  trace: async () => (await import("./trace.js")).traceCommand,
  apply: async () => (await import("./apply.js")).applyCommand,
  conformance: async () => (await import("./conformance.js")).conformanceCommand,
  "upgrade-check": async () => (await import("./upgrade-check.js")).upgradeCheckCommand,
  diff: async () => (await import("./diff.js")).diffCommand,
  preflight: async () => (await import("./preflight.js")).preflightCommand,
  label: async () => (await import("./label.js")).labelCommand,
};

const main = async (): Promise<void> => {
  const args = hideBin(process.argv);
  const named = args[0] !== undefined && Object.hasOwn(COMMANDS, args[0]) ? COMMANDS[args[0]] : undefined;
  const commands = await Promise.all(
    (named === undefined ? Object.values(COMMANDS) : [named]).map((load) => load()),
  );
  let cli = yargs(args)
    .scriptName("calisim")
    .usage(
      "$0 <command> [options]\n\nSimulate the Linux dataplane Calico's Felix programs for host endpoints.",
    );
  for (const command of commands) cli = cli.command(command as never);
  await cli
    .demandCommand(1, "name a command (see --help)")
    .strict()
    .recommendCommands()
    .help()
    .alias("h", "help")
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err !== undefined && err !== null) throw err;
      process.stderr.write(`error: ${msg}\n(see calisim --help)\n`);
      process.exit(2);
    })
    .parseAsync();
};

main().catch((e: unknown) => {
  if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exitCode = e.exitCode;
    return;
  }
  process.stderr.write(`calisim: internal error (please report it): ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 70;
});
