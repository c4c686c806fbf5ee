// The calisim command line (started by main.ts): yargs wiring only; each command lives in its own module.

import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { applyCommand } from "./apply.js";
import { CliError } from "./common.js";
import { conformanceCommand } from "./conformance.js";
import { getCommand } from "./get.js";
import { inspectCommand } from "./inspect.js";
import { renderCommand } from "./render.js";
import { renderAllCommand } from "./render-all.js";
import { traceCommand } from "./trace.js";
import { upgradeCheckCommand } from "./upgrade-check.js";
import { diffCommand } from "./diff.js";
import { preflightCommand } from "./preflight.js";
import { labelCommand } from "./label.js";
import { validateCommand } from "./validate.js";

const main = async (): Promise<void> => {
  await yargs(hideBin(process.argv))
    .scriptName("calisim")
    .usage(
      "$0 <command> [options]\n\nSimulate the Linux dataplane Calico's Felix programs for host endpoints.",
    )
    .command(validateCommand as never)
    .command(getCommand as never)
    .command(renderCommand as never)
    .command(renderAllCommand as never)
    .command(inspectCommand as never)
    .command(traceCommand as never)
    .command(applyCommand as never)
    .command(conformanceCommand as never)
    .command(upgradeCheckCommand as never)
    .command(diffCommand as never)
    .command(preflightCommand as never)
    .command(labelCommand as never)
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
