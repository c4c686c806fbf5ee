// The one seam through which calisim runs programs. Tests inject a fake; the real one wraps execa.

import { execa } from "execa";

export interface RunResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (
  file: string,
  args: readonly string[],
  opts?: { readonly input?: string },
) => Promise<RunResult>;

export const execaRunner: Runner = async (file, args, opts = {}) => {
  const r = await execa(file, [...args], {
    reject: false,
    ...(opts.input === undefined ? { stdin: "ignore" as const } : { input: opts.input }),
    env: { LC_ALL: "C" },
  });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
};

/** A failed tool run, with the command, its output and (for restore tools) the offending input line. */
export class SysError extends Error {
  constructor(
    message: string,
    readonly command: readonly string[],
    readonly result: RunResult,
  ) {
    super(message);
    this.name = "SysError";
  }
}

export const runOrThrow = async (
  run: Runner,
  file: string,
  args: readonly string[],
  opts: { readonly input?: string; readonly what?: string } = {},
): Promise<RunResult> => {
  const r = await run(file, args, opts.input === undefined ? {} : { input: opts.input });
  if (r.exitCode !== 0) {
    const out = `${r.stderr}${r.stdout}`.trim();
    const line = /line:?\s*(\d+)/i.exec(out);
    const offending =
      line !== null && opts.input !== undefined ? opts.input.split("\n")[Number(line[1]) - 1] : undefined;
    throw new SysError(
      `${opts.what ?? [file, ...args].join(" ")} failed (exit ${r.exitCode}): ${out}${offending === undefined ? "" : `\n  offending line ${line![1]}: ${offending}`}`,
      [file, ...args],
      r,
    );
  }
  return r;
};
