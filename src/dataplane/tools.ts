// Finding the programs calisim drives: the system python3 for the probe agent (a pyenv or asdf shim on
// PATH costs hundreds of milliseconds per start), and whether a tool exists on the tool PATH.

import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { Backend } from "./apply.js";
import { toolPath } from "./runner.js";

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export const findPython = (): string =>
  ["/usr/bin/python3", "/usr/local/bin/python3"].find(executable) ?? "python3";

export const hasTool = (name: string): boolean =>
  toolPath()
    .split(":")
    .some((d) => executable(join(d, name)));

/** The tools each backend needs beyond ip, ipset, conntrack and python3. */
export const BACKEND_TOOLS: Readonly<Record<Backend, readonly string[]>> = {
  "iptables-nft": [
    "iptables-nft-restore",
    "ip6tables-nft-restore",
    "iptables-nft-save",
    "ip6tables-nft-save",
  ],
  "iptables-legacy": [
    "iptables-legacy-restore",
    "ip6tables-legacy-restore",
    "iptables-legacy-save",
    "ip6tables-legacy-save",
  ],
  nft: ["nft"],
};

/** Tools every conformance run needs. */
export const COMMON_TOOLS = ["ip", "ipset", "conntrack", "sysctl"] as const;

export const missingTools = (backends: readonly Backend[]): string[] =>
  [...new Set([...COMMON_TOOLS, ...backends.flatMap((b) => BACKEND_TOOLS[b])])].filter((t) => !hasTool(t));
