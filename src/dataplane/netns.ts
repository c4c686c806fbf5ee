// Network namespaces calisim creates (named calisim-<random hex>) or is pointed at. Every firewall
// command runs through `ip netns exec NAME`; the machine's initial namespace is never touched.

import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { runOrThrow, type Runner } from "./runner.js";

export const NETNS_PREFIX = "calisim-";

export const randomName = (tag = ""): string =>
  `${NETNS_PREFIX}${tag === "" ? "" : `${tag}-`}${randomBytes(4).toString("hex")}`;

/** Refuses a namespace that is (a bind mount of) the initial one, e.g. `ip netns attach NAME 1`. */
export const assertNotInitialNetns = async (name: string): Promise<void> => {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`namespace name ${JSON.stringify(name)} is not valid`);
  let target;
  try {
    target = await stat(`/run/netns/${name}`);
  } catch {
    throw new Error(`network namespace ${name} does not exist (ip netns list shows the existing ones)`);
  }
  const init = await stat("/proc/1/ns/net");
  if (target.ino === init.ino && target.dev === init.dev)
    throw new Error(`refusing to touch ${name}: it is the machine's initial network namespace`);
};

export const createNetns = async (run: Runner, name: string): Promise<void> => {
  if (!name.startsWith(NETNS_PREFIX))
    throw new Error(`bug: calisim creates only ${NETNS_PREFIX}* namespaces`);
  await runOrThrow(run, "ip", ["netns", "add", name]);
  await runOrThrow(run, "ip", ["-n", name, "link", "set", "lo", "up"]);
};

/** Deletes by exact name; only calisim's own namespaces. Missing is fine (idempotent cleanup). */
export const deleteNetns = async (run: Runner, name: string): Promise<void> => {
  if (!name.startsWith(NETNS_PREFIX)) throw new Error(`bug: refusing to delete namespace ${name}`);
  const listed = await run("ip", ["netns", "list"]);
  const exists = listed.stdout.split("\n").some((l) => l.split(" ")[0] === name);
  if (exists) await runOrThrow(run, "ip", ["netns", "del", name]);
};

export const inNetns = (ns: string, file: string, args: readonly string[]): [string, string[]] => [
  "ip",
  ["netns", "exec", ns, file, ...args],
];
