// Empties a calisim namespace's firewall between backends: legacy tables restored empty (flushing every
// chain and deleting user chains), every nftables table deleted (iptables-nft's tables are nftables
// tables), every IP set destroyed, conntrack flushed so no flow from an earlier run is ESTABLISHED.
// Only ever inside a namespace that is not the initial one.

import { assertNotInitialNetns, inNetns } from "./netns.js";
import { runOrThrow, type Runner } from "./runner.js";
import { hasTool } from "./tools.js";

const EMPTY_TABLES = "*raw\nCOMMIT\n*mangle\nCOMMIT\n*nat\nCOMMIT\n*filter\nCOMMIT\n";

export const resetFirewall = async (run: Runner, ns: string): Promise<void> => {
  await assertNotInitialNetns(ns);
  const exec = async (file: string, args: readonly string[], input?: string): Promise<void> => {
    const [f, a] = inNetns(ns, file, args);
    await runOrThrow(run, f, a, {
      ...(input === undefined ? {} : { input }),
      what: `${file} ${args.join(" ")} (in ${ns})`,
    });
  };
  // A tool that is not installed cannot have left anything behind.
  for (const bin of ["iptables-legacy-restore", "ip6tables-legacy-restore"])
    if (hasTool(bin)) await exec(bin, [], EMPTY_TABLES);
  if (hasTool("nft")) await exec("nft", ["flush", "ruleset"]);
  // nftables releases the set references of deleted rules asynchronously (objects are freed after an RCU
  // grace period), so right after the flush `ipset destroy` may still see the sets in use: retry briefly.
  for (let attempt = 0; ; attempt++) {
    const [f, a] = inNetns(ns, "ipset", ["destroy"]);
    const r = await run(f, a);
    if (r.exitCode === 0) break;
    if (attempt >= 40 || !/in use/.test(r.stderr)) await exec("ipset", ["destroy"]);
    await new Promise((res) => setTimeout(res, 50));
  }
  for (const family of ["ipv4", "ipv6"]) {
    // conntrack -F exits 1 when the table was already empty on some versions; the flush still happened.
    const [f, a] = inNetns(ns, "conntrack", ["-F", "-f", family]);
    await run(f, a);
  }
};
