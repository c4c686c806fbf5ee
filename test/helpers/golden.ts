// Golden-file cases: test/golden/render/<case>/{input.yaml, case.json?, iptables.txt, ipset.txt, ...}.
// UPDATE_GOLDEN=1 rewrites the expected files instead of comparing.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ExecutionContext } from "ava";
import { parseIpAddrJson, type HostInterface } from "../../src/calc/interfaces.js";
import { parseCalicoVersion, type CalicoVersion } from "../../src/calc/versions.js";

export const GOLDEN_ROOT = fileURLToPath(new URL("../golden/render/", import.meta.url));

export interface GoldenCase {
  readonly name: string;
  readonly dir: string;
  readonly node: string;
  readonly calicoVersion?: CalicoVersion;
  readonly interfaces?: HostInterface[];
  readonly ipVersions: readonly (4 | 6)[];
}

export const goldenCases = (): GoldenCase[] =>
  readdirSync(GOLDEN_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = `${GOLDEN_ROOT}${name}/`;
      const meta = existsSync(`${dir}case.json`)
        ? (JSON.parse(readFileSync(`${dir}case.json`, "utf8")) as {
            node?: string;
            calicoVersion?: string;
            interfaces?: string;
            ipVersions?: (4 | 6)[];
          })
        : {};
      const ifaces =
        meta.interfaces === undefined
          ? undefined
          : parseIpAddrJson(readFileSync(`${dir}${meta.interfaces}`, "utf8"));
      if (ifaces !== undefined && "error" in ifaces) throw new Error(`${name}: ${ifaces.error}`);
      const version = meta.calicoVersion === undefined ? undefined : parseCalicoVersion(meta.calicoVersion);
      return {
        name,
        dir,
        node: meta.node ?? "node-1",
        ...(version === undefined ? {} : { calicoVersion: version }),
        ...(ifaces === undefined ? {} : { interfaces: ifaces.interfaces }),
        ipVersions: meta.ipVersions ?? [4],
      };
    });

/** Compares `actual` with the golden file, or rewrites it under UPDATE_GOLDEN=1. */
export const checkGolden = (t: ExecutionContext, file: string, actual: string): void => {
  if (process.env.UPDATE_GOLDEN === "1") {
    writeFileSync(file, actual);
    t.pass(`updated ${file}`);
    return;
  }
  if (!existsSync(file)) {
    t.fail(`missing golden file ${file}: run UPDATE_GOLDEN=1 npm test to create it, then review the diff`);
    return;
  }
  t.is(
    actual,
    readFileSync(file, "utf8"),
    `golden mismatch in ${file} (UPDATE_GOLDEN=1 regenerates; review the diff)`,
  );
};
