// Every golden rendering is loaded for real: ipset restore, then iptables-restore --test and a real
// restore in a throwaway namespace, with iptables-nft and iptables-legacy, IPv4 and IPv6; what
// iptables-save reports back must mean what we rendered.

import test from "ava";
import { readFileSync } from "node:fs";
import { goldenCases } from "../helpers/golden.js";
import { loadAndCompare } from "../helpers/kernel-compare.js";

for (const c of goldenCases())
  for (const v of c.ipVersions)
    for (const backend of ["nft", "legacy"] as const) {
      const suffix = v === 4 ? "" : "6";
      test(`golden loads in the kernel: ${c.name}, IPv${v}, ${backend}`, (t) =>
        loadAndCompare(t, {
          version: v,
          backend,
          iptablesText: readFileSync(`${c.dir}iptables${suffix}.txt`, "utf8"),
          ipsetText: readFileSync(`${c.dir}ipset${suffix}.txt`, "utf8"),
        }));
    }
