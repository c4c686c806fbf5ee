// Loads a node's rendering into a network namespace atomically: IP sets first, then one restore per
// IP family. iptables-restore replaces each table it names in one kernel transaction; if it fails,
// the sets this call created are destroyed again, so nothing is left half-applied.

import { renderIpsetLines } from "../render/ipset/index.js";
import { renderIptables } from "../render/iptables/index.js";
import type { Ruleset } from "../rules/ir.js";
import { assertNotInitialNetns, inNetns } from "./netns.js";
import { runOrThrow, type Runner } from "./runner.js";
import { parseIpAddrJson, type HostInterface } from "../calc/interfaces.js";

export const BACKENDS = ["iptables-nft", "iptables-legacy", "nft"] as const;
export type Backend = (typeof BACKENDS)[number];

const restoreBinary = (backend: Exclude<Backend, "nft">, version: 4 | 6): string =>
  `${version === 4 ? "iptables" : "ip6tables"}-${backend === "iptables-nft" ? "nft" : "legacy"}-restore`;

/** ipset-restore text that creates or refreshes every set (idempotent on re-apply). */
export const ipsetApplyText = (rulesets: readonly Ruleset[]): string =>
  rulesets
    .flatMap((rs) =>
      rs.sets.flatMap((s) => {
        const [create, ...adds] = renderIpsetLines(s);
        return [`${create} -exist`, `flush ${s.name}`, ...adds];
      }),
    )
    .join("\n") + "\n";

export interface ApplyOptions {
  readonly netns: string;
  readonly backend: Backend;
  readonly rulesets: readonly Ruleset[];
  /** nft text renderer, injected so this module does not depend on the nft backend's availability. */
  readonly renderNft?: (rs: Ruleset) => string;
}

const listSets = async (run: Runner, ns: string): Promise<Set<string>> => {
  const [f, a] = inNetns(ns, "ipset", ["list", "-n"]);
  const r = await runOrThrow(run, f, a);
  return new Set(r.stdout.split("\n").filter((l) => l !== ""));
};

export const applyRulesets = async (run: Runner, opts: ApplyOptions): Promise<void> => {
  await assertNotInitialNetns(opts.netns);
  if (opts.backend === "nft") {
    if (opts.renderNft === undefined) throw new Error("bug: nft backend needs renderNft");
    const text = opts.rulesets.map(opts.renderNft).join("\n");
    const [f, a] = inNetns(opts.netns, "nft", ["-f", "-"]);
    await runOrThrow(run, f, a, { input: text, what: `nft -f (in ${opts.netns})` });
    return;
  }
  const before = await listSets(run, opts.netns);
  const setText = ipsetApplyText(opts.rulesets);
  const created = opts.rulesets.flatMap((rs) => rs.sets.map((s) => s.name)).filter((n) => !before.has(n));
  try {
    if (setText.trim() !== "") {
      const [f, a] = inNetns(opts.netns, "ipset", ["restore"]);
      await runOrThrow(run, f, a, { input: setText, what: `ipset restore (in ${opts.netns})` });
    }
    for (const rs of opts.rulesets) {
      const bin = restoreBinary(opts.backend, rs.version);
      const [f, a] = inNetns(opts.netns, bin, []);
      await runOrThrow(run, f, a, { input: renderIptables(rs), what: `${bin} (in ${opts.netns})` });
    }
  } catch (e) {
    for (const name of created) {
      const [f, a] = inNetns(opts.netns, "ipset", ["destroy", name]);
      await run(f, a);
    }
    throw e;
  }
};

/** The namespace's interfaces and addresses, as `ip -j addr` reports them. */
export const readNetnsInterfaces = async (run: Runner, ns: string): Promise<HostInterface[]> => {
  await assertNotInitialNetns(ns);
  const r = await runOrThrow(run, "ip", ["-n", ns, "-j", "addr"]);
  const parsed = parseIpAddrJson(r.stdout);
  if ("error" in parsed) throw new Error(`ip -n ${ns} -j addr: ${parsed.error}`);
  return parsed.interfaces;
};
