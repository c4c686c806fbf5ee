// Network namespaces calisim creates (named calisim-<random hex>) or is pointed at. Every firewall
// command runs through `ip netns exec NAME`; the machine's initial namespace is never touched.

import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOrThrow, type Runner } from "./runner.js";

export const NETNS_PREFIX = "calisim-";

/** A namespace that does not exist, has a bad name, or is the machine's own. */
export class NetnsError extends Error {
  override name = "NetnsError";
}

export const randomName = (tag = ""): string =>
  `${NETNS_PREFIX}${tag === "" ? "" : `${tag}-`}${randomBytes(4).toString("hex")}`;

/** Refuses a namespace that is (a bind mount of) the initial one, e.g. `ip netns attach NAME 1`. */
export const assertNotInitialNetns = async (name: string): Promise<void> => {
  if (!/^[A-Za-z0-9_.-]+$/.test(name))
    throw new NetnsError(`namespace name ${JSON.stringify(name)} is not valid`);
  let target;
  try {
    target = await stat(`/run/netns/${name}`);
  } catch {
    throw new NetnsError(`network namespace ${name} does not exist (ip netns list shows the existing ones)`);
  }
  // The initial namespace: pid 1's (not always readable: a sandboxed pid 1 denies it even to root), our
  // own (calisim runs in the machine's namespace), and init_net's fixed inode number
  // (PROC_NET_INIT_INO = 0xEFFFFFF9, include/linux/proc_ns.h) on the nsfs device.
  const refs = await Promise.all(
    ["/proc/1/ns/net", "/proc/self/ns/net"].map((p) => stat(p).catch(() => undefined)),
  );
  const nsfsDev = refs.find((r) => r !== undefined)?.dev;
  const same = refs.some((r) => r !== undefined && r.ino === target.ino && r.dev === target.dev);
  if (same || (target.ino === PROC_NET_INIT_INO && target.dev === nsfsDev))
    throw new NetnsError(`refusing to touch ${name}: it is the machine's initial network namespace`);
};

const PROC_NET_INIT_INO = 0xeffffff9;

// A ledger of the namespaces this machine's calisim processes created (file name = namespace, content =
// creator pid), written before `ip netns add`. A process killed outright (SIGKILL, a test runner's
// timeout) cannot clean up; the next run reaps the namespaces whose creator is gone (reapStaleNetns).
const LEDGER = join(tmpdir(), "calisim-netns");

export const createNetns = async (run: Runner, name: string): Promise<void> => {
  if (!name.startsWith(NETNS_PREFIX))
    throw new Error(`bug: calisim creates only ${NETNS_PREFIX}* namespaces`);
  await mkdir(LEDGER, { recursive: true });
  await writeFile(join(LEDGER, name), String(process.pid));
  await runOrThrow(run, "ip", ["netns", "add", name]);
  await runOrThrow(run, "ip", ["-n", name, "link", "set", "lo", "up"]);
};

/** Deletes by exact name; only calisim's own namespaces. Missing is fine (idempotent cleanup). */
export const deleteNetns = async (run: Runner, name: string): Promise<void> => {
  if (!name.startsWith(NETNS_PREFIX)) throw new Error(`bug: refusing to delete namespace ${name}`);
  const listed = await run("ip", ["netns", "list"]);
  const exists = listed.stdout.split("\n").some((l) => l.split(" ")[0] === name);
  if (exists) await runOrThrow(run, "ip", ["netns", "del", name]);
  await rm(join(LEDGER, name), { force: true });
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Deletes the namespaces in the ledger whose creator process is gone, after killing (by pid) what still
 * runs in them: the listeners that process started. Namespaces of live processes are left alone.
 */
export const reapStaleNetns = async (run: Runner): Promise<string[]> => {
  const names = await readdir(LEDGER).catch(() => [] as string[]);
  const reaped: string[] = [];
  for (const name of names.filter((n) => n.startsWith(NETNS_PREFIX) && /^[A-Za-z0-9_.-]+$/.test(n))) {
    const pid = Number(await readFile(join(LEDGER, name), "utf8").catch(() => "0"));
    if (pid > 0 && alive(pid)) continue;
    const pids = await run("ip", ["netns", "pids", name]);
    for (const p of pids.stdout
      .split("\n")
      .map(Number)
      .filter((n) => n > 0)) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await deleteNetns(run, name);
    reaped.push(name);
  }
  return reaped;
};

export const inNetns = (ns: string, file: string, args: readonly string[]): [string, string[]] => [
  "ip",
  ["netns", "exec", ns, file, ...args],
];
