// Throwaway network namespaces for kernel tests. iptables, ipset and nft are only ever run inside a namespace
// this helper created (name "calisim-<hex>"), never in the initial namespace; the namespace is deleted by its
// exact name when the test ends.

import { randomBytes } from "node:crypto";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { ExecutionContext } from "ava";
import { execa } from "execa";
import type { Result as ExecaResult } from "execa";

const PREFIX = "calisim-";
const SBIN = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

/** Absolute path of an executable on PATH (plus the sbin directories), or undefined. */
export const findBinary = (name: string): string | undefined => {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), ...SBIN].filter((d) => d !== "");
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
};

const whyNot = async (binaries: readonly string[]): Promise<string | undefined> => {
  if (process.getuid?.() !== 0) return "not running as root";
  const missing = ["ip", ...binaries].filter((b) => findBinary(b) === undefined);
  if (missing.length > 0) return `missing ${missing.join(", ")}`;
  // `ip netns list` only reads /run/netns; it touches no firewall state.
  const probe = await execa("ip", ["netns", "list"], { reject: false });
  return probe.exitCode === 0 ? undefined : `ip netns unavailable: ${String(probe.stderr).trim()}`;
};

/**
 * True when kernel tests can run (root, `ip netns`, every binary given). Otherwise: in CI (CI=true) the test
 * fails with the reason; elsewhere it logs the reason, passes, and returns false so the caller skips its body.
 */
export const requireRoot = async (
  t: ExecutionContext,
  binaries: readonly string[] = [],
): Promise<boolean> => {
  const reason = await whyNot(binaries);
  if (reason === undefined) return true;
  if (process.env["CI"] === "true") {
    t.fail(`kernel test cannot run in CI: ${reason}`);
  } else {
    t.log(`skipped: ${reason}`);
    t.pass();
  }
  return false;
};

const deleteNetns = async (name: string): Promise<void> => {
  if (!name.startsWith(PREFIX)) throw new Error(`bug: refusing to delete namespace ${name}`);
  const listed = await execa("ip", ["netns", "list"], { reject: false });
  const exists = String(listed.stdout)
    .split("\n")
    .some((l) => l.split(" ")[0] === name);
  if (exists) await execa("ip", ["netns", "delete", name]);
};

/** Run `fn` with a fresh namespace "calisim-<random hex>", deleted afterwards (and on teardown) by exact name. */
export const withNetns = async <T>(t: ExecutionContext, fn: (name: string) => Promise<T>): Promise<T> => {
  const name = `${PREFIX}${randomBytes(6).toString("hex")}`;
  await execa("ip", ["netns", "add", name]);
  t.teardown(() => deleteNetns(name));
  try {
    return await fn(name);
  } finally {
    await deleteNetns(name);
  }
};

/** Run a command inside a namespace made by withNetns (`ip netns exec`); rejects on a non-zero exit. */
export const inNetns = async (
  name: string,
  cmd: string,
  args: readonly string[] = [],
  input?: string,
): Promise<ExecaResult> => {
  if (!name.startsWith(PREFIX)) throw new Error(`bug: ${name} is not a calisim namespace`);
  return execa("ip", ["netns", "exec", name, cmd, ...args], input === undefined ? {} : { input });
};
