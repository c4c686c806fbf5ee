// Loading a rendering into a throwaway network namespace for the benchmark. Every firewall command runs as
// `ip netns exec calisim-<hex> ...` in a namespace created here, checked not to be the machine's initial
// namespace, and deleted by its exact name afterwards (also when a step fails). Nothing here touches the
// initial namespace.

import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { toolPath } from "../../src/dataplane/runner.js";

const PREFIX = "calisim-";

// System tools only: under `npm run`, PATH starts with node_modules/.bin, where `nft` is @vercel/nft.
const env = (): Record<string, string> => ({ LC_ALL: "C", PATH: toolPath() });

export interface Loaded {
  readonly ms: number;
  readonly ok: boolean;
  readonly error?: string;
}

const whyNot = async (binaries: readonly string[]): Promise<string | undefined> => {
  if (process.getuid?.() !== 0) return "not running as root";
  for (const b of ["ip", ...binaries]) {
    const r = await execa("sh", ["-c", `command -v ${b}`], { reject: false, env: env() });
    if (r.exitCode !== 0) return `${b} is not installed`;
  }
  const probe = await execa("ip", ["netns", "list"], { reject: false });
  return probe.exitCode === 0 ? undefined : `ip netns unavailable: ${String(probe.stderr).trim()}`;
};

/** Why kernel loading cannot run here, or undefined when it can. */
export const kernelUnavailable = (binaries: readonly string[]): Promise<string | undefined> =>
  whyNot(binaries);

/** Refuses a namespace that is the one we run in, or (when we may look) PID 1's. */
const assertNotInitial = async (name: string): Promise<void> => {
  if (!name.startsWith(PREFIX) || !/^[a-z0-9-]+$/.test(name))
    throw new Error(`bug: ${name} is not a calisim namespace`);
  const ns = await stat(`/run/netns/${name}`);
  for (const other of ["/proc/self/ns/net", "/proc/1/ns/net"]) {
    const o = await stat(other).catch(() => undefined);
    if (o !== undefined && o.ino === ns.ino && o.dev === ns.dev)
      throw new Error(`refusing: ${name} is the namespace of ${other}`);
  }
};

/** Runs `fn` with a fresh namespace `calisim-<random hex>`, deleted by exact name afterwards. */
export const withNamespace = async <T>(fn: (ns: string) => Promise<T>): Promise<T> => {
  const name = `${PREFIX}${randomBytes(6).toString("hex")}`;
  await execa("ip", ["netns", "add", name]);
  try {
    await assertNotInitial(name);
    return await fn(name);
  } finally {
    const listed = await execa("ip", ["netns", "list"], { reject: false });
    if (
      String(listed.stdout)
        .split("\n")
        .some((l) => l.split(" ")[0] === name)
    )
      await execa("ip", ["netns", "delete", name], { reject: false });
  }
};

/** Runs a tool inside the namespace with `input` on stdin; wall time of the whole command. */
export const loadInto = async (
  ns: string,
  cmd: string,
  args: readonly string[],
  input: string,
): Promise<Loaded> => {
  await assertNotInitial(ns);
  const t0 = performance.now();
  const r = await execa("ip", ["netns", "exec", ns, cmd, ...args], {
    input,
    reject: false,
    env: env(),
  });
  const ms = performance.now() - t0;
  if (r.exitCode === 0) return { ms, ok: true };
  return {
    ms,
    ok: false,
    error: `${cmd} ${args.join(" ")}: exit ${r.exitCode}: ${String(r.stderr).trim().slice(0, 500)}`,
  };
};

/** The output of a read-only command inside the namespace (e.g. iptables-save). */
export const readFrom = async (ns: string, cmd: string, args: readonly string[]): Promise<string> => {
  await assertNotInitial(ns);
  const r = await execa("ip", ["netns", "exec", ns, cmd, ...args], { env: env() });
  return String(r.stdout);
};

/**
 * Like loadInto, with the input in a temporary file named as the last argument: `nft -j -f -` cannot
 * read a pipe (libnftables opens /dev/stdin by name, which fails on Node's socket-based stdio). Writing the
 * file is not timed.
 */
export const loadFileInto = async (
  ns: string,
  cmd: string,
  args: readonly string[],
  input: string,
): Promise<Loaded> => {
  const dir = await mkdtemp(join(tmpdir(), "calisim-bench-"));
  try {
    const file = join(dir, "input");
    await writeFile(file, input, "utf8");
    return await loadInto(ns, cmd, [...args, file], "");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
