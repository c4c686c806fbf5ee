// The one seam through which calisim runs programs. Tests inject a fake; the real one wraps execa, loaded on
// first use: importing execa takes about 0.15 s, which commands that run no program (render, trace, validate,
// ...) should not pay at start-up. The real Spawner is in spawner.ts.

import type { execa as Execa } from "execa";

let execaModule: Promise<{ readonly execa: typeof Execa }> | undefined;
const loadExeca = (): Promise<{ readonly execa: typeof Execa }> => (execaModule ??= import("execa"));

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

// System tool directories first, and never node_modules/.bin: under npm, npx or ava, PATH starts with it,
// and there `nft` is @vercel/nft's file tracer (an ava dependency), not nftables. The child's PATH is also
// what `ip netns exec` uses to find the tool it runs.
const SYSTEM_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
export const toolPath = (path = process.env["PATH"] ?? ""): string =>
  [
    ...new Set([
      ...SYSTEM_DIRS,
      ...path.split(":").filter((d) => d !== "" && !/node_modules[/\\]\.bin/.test(d)),
    ]),
  ].join(":");

export const toolEnv = (): Record<string, string> => ({ LC_ALL: "C", PATH: toolPath() });

export const execaRunner: Runner = async (file, args, opts = {}) => {
  const { execa } = await loadExeca();
  const r = await execa(file, [...args], {
    reject: false,
    ...(opts.input === undefined ? { stdin: "ignore" as const } : { input: opts.input }),
    env: toolEnv(),
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
    // iptables-restore: "line 5"; ip -b: "Command failed -:5"; nft -f -: "/dev/stdin:5:1-3: Error".
    const line = /line:?\s*(\d+)|(?:^|\s)-:(\d+)|stdin:(\d+)/im.exec(out);
    const lineNo = line === null ? undefined : (line[1] ?? line[2] ?? line[3]);
    const lines = opts.input?.split("\n") ?? [];
    const offending = lineNo === undefined ? undefined : lines[Number(lineNo) - 1];
    // iptables-legacy-restore reports a rule the kernel refuses only at its table's COMMIT.
    const table =
      offending?.trim() === "COMMIT"
        ? lines
            .slice(0, Number(lineNo) - 1)
            .reverse()
            .find((l) => l.startsWith("*"))
        : undefined;
    throw new SysError(
      `${opts.what ?? [file, ...args].join(" ")} failed (exit ${r.exitCode}): ${out}${offending === undefined ? "" : `\n  offending line ${lineNo}: ${offending}${table === undefined ? "" : ` (the kernel refused a rule of table ${table.slice(1)}; legacy restore reports only the COMMIT)`}`}`,
      [file, ...args],
      r,
    );
  }
  return r;
};

/** A long-running process (a listener inside a namespace), started through the injectable Spawner. */
export interface Background {
  readonly pid: number | undefined;
  /** The first line the process writes to stdout (its "ready" signal); rejects if it exits first. */
  readonly firstLine: Promise<string>;
  /** Closes its stdin, sends SIGTERM to its pid (SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

export type Spawner = (file: string, args: readonly string[]) => Background;
