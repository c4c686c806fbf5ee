// Runs the calisim CLI from source (through tsx) and captures what a user would see.

import { execa } from "execa";
import { fileURLToPath } from "node:url";

/** The executable, from source. */
export const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const calisim = async (...args: string[]): Promise<CliRun> => {
  const r = await execa(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: ROOT,
    reject: false,
    env: { NO_COLOR: "1" },
  });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
};
