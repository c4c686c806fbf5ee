// Loads a node's rendering into a network namespace with nothing left half-applied. nft backend: both
// families in one `nft -f` batch, which the kernel commits as one transaction. iptables backends: IP sets
// first, then one restore per IP family (each replaces the tables it names in one kernel transaction);
// if a step fails, the families already restored get their saved tables back and the IP sets their old
// members, and the sets this call created are destroyed.

import { parseIpsetSave } from "../dump/index.js";
import { renderIpsetLines } from "../render/ipset/index.js";
import { renderIptables } from "../render/iptables/index.js";
import type { IpVersion, Ruleset } from "../rules/ir.js";
import { assertNotInitialNetns, inNetns } from "./netns.js";
import { runOrThrow, type Runner } from "./runner.js";
import { parseIpAddrJson, type HostInterface } from "../calc/interfaces.js";

export const BACKENDS = ["iptables-nft", "iptables-legacy", "nft"] as const;
export type Backend = (typeof BACKENDS)[number];

const tool = (backend: Exclude<Backend, "nft">, version: IpVersion, what: "restore" | "save"): string =>
  `${version === 4 ? "iptables" : "ip6tables"}-${backend === "iptables-nft" ? "nft" : "legacy"}-${what}`;

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
  /** Test seam for the namespace check (default assertNotInitialNetns, which reads /run/netns). */
  readonly assertNetns?: (name: string) => Promise<void>;
}

/**
 * What to restore to undo a restore of `tables`: each table as `save` printed it before, or empty when it
 * did not exist (an empty table: no rules, ACCEPT policies, like none).
 */
export const rollbackText = (saved: string, tables: readonly string[]): string => {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of saved.split("\n")) {
    if (line.startsWith("*")) sections.set(line.slice(1).trim(), (current = [line]));
    else if (current !== undefined) {
      current.push(line);
      if (line.trim() === "COMMIT") current = undefined;
    }
  }
  return tables.map((t) => (sections.get(t) ?? [`*${t}`, "COMMIT"]).join("\n")).join("\n") + "\n";
};

const tablesOf = (restoreText: string): string[] =>
  restoreText
    .split("\n")
    .filter((l) => l.startsWith("*"))
    .map((l) => l.slice(1).trim());

const retryInUse = async (
  run: Runner,
  file: string,
  args: readonly string[],
  input?: string,
): Promise<void> => {
  // nftables (iptables-nft) drops a deleted rule's set reference after an RCU grace period.
  for (let attempt = 0; attempt < 40; attempt++) {
    const r = await run(file, args, input === undefined ? {} : { input });
    if (r.exitCode === 0 || !/in use/.test(r.stderr)) return;
    await new Promise((res) => setTimeout(res, 50));
  }
};

export const applyRulesets = async (run: Runner, opts: ApplyOptions): Promise<void> => {
  const ns = opts.netns;
  await (opts.assertNetns ?? assertNotInitialNetns)(ns);
  if (opts.backend === "nft") {
    if (opts.renderNft === undefined) throw new Error("bug: nft backend needs renderNft");
    const text = opts.rulesets.map(opts.renderNft).join("\n");
    const [f, a] = inNetns(ns, "nft", ["-f", "-"]);
    await runOrThrow(run, f, a, { input: text, what: `nft -f (in ${ns})` });
    return;
  }
  const backend = opts.backend;
  const [sf, sa] = inNetns(ns, "ipset", ["save"]);
  const saved = parseIpsetSave((await runOrThrow(run, sf, sa)).stdout);
  const before = new Map((saved.ok ? saved.value : []).map((s) => [s.name, s.members]));
  const touched = opts.rulesets.flatMap((rs) => rs.sets.map((s) => s.name));
  const undo: (() => Promise<void>)[] = [];
  try {
    const setText = ipsetApplyText(opts.rulesets);
    if (setText.trim() !== "") {
      const [f, a] = inNetns(ns, "ipset", ["restore"]);
      undo.push(async () => {
        for (const name of touched) {
          const old = before.get(name);
          const [uf, ua] =
            old === undefined ? inNetns(ns, "ipset", ["destroy", name]) : inNetns(ns, "ipset", ["restore"]);
          const input =
            old === undefined
              ? undefined
              : [`flush ${name}`, ...old.map((m) => `add ${name} ${m}`), ""].join("\n");
          await retryInUse(run, uf, ua, input);
        }
      });
      await runOrThrow(run, f, a, { input: setText, what: `ipset restore (in ${ns})` });
    }
    for (const rs of opts.rulesets) {
      const text = renderIptables(rs);
      const [vf, va] = inNetns(ns, tool(backend, rs.version, "save"), []);
      const snapshot = (await runOrThrow(run, vf, va)).stdout;
      const bin = tool(backend, rs.version, "restore");
      const [f, a] = inNetns(ns, bin, []);
      // Undo this family too if its restore fails: iptables-legacy-restore commits table by table, so the
      // tables before the failing COMMIT are already in the kernel.
      undo.push(async () => void (await run(f, a, { input: rollbackText(snapshot, tablesOf(text)) })));
      await runOrThrow(run, f, a, { input: text, what: `${bin} (in ${ns})` });
    }
  } catch (e) {
    for (const step of undo.reverse()) await step();
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
