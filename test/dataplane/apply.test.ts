// applyRulesets with a fake Runner (no kernel): what runs, in which order, with which input, and what a
// failure undoes. Also the error text: the tool's message and the offending input line.

import test from "ava";
import { applyRulesets, rollbackText } from "../../src/dataplane/apply.js";
import { runOrThrow, SysError, type RunResult, type Runner } from "../../src/dataplane/runner.js";
import { resolveNode } from "../../src/calc/resolve.js";
import { buildRuleset } from "../../src/rules/node-ruleset.js";
import { cluster, gnp, hep, ruleOf } from "../helpers/model.js";

interface Call {
  readonly argv: readonly string[];
  readonly input?: string;
}

/** Records every call; `answer` decides each result from the argv (after `ip netns exec NS`). */
const fakeRunner = (answer: (cmd: readonly string[], input?: string) => Partial<RunResult> = () => ({})) => {
  const calls: Call[] = [];
  const run: Runner = async (file, args, opts = {}) => {
    const argv = [file, ...args];
    calls.push({ argv, ...(opts.input === undefined ? {} : { input: opts.input }) });
    const cmd = argv[0] === "ip" && argv[1] === "netns" && argv[2] === "exec" ? argv.slice(4) : argv;
    return { exitCode: 0, stdout: "", stderr: "", ...answer(cmd, opts.input) };
  };
  return { run, calls, cmds: () => calls.map((c) => c.argv.slice(4).join(" ")) };
};

const NS = "calisim-0000beef";
const noCheck = async (): Promise<void> => undefined;

// An endpoint whose policy needs a selector set, so the iptables path has IP sets to create.
const rulesets = () => {
  const c = cluster(
    hep("e", { interfaceName: "eth0", expectedIPs: ["192.0.2.10"] }, { role: "web" }),
    hep("db", { node: "node-2", expectedIPs: ["198.51.100.20"] }, { role: "db" }),
    gnp("p", { ingress: [ruleOf({ source: { selector: 'role == "db"' } })] }),
  );
  const model = resolveNode(c, { node: "node-1", interfaces: [{ name: "eth0", addresses: ["192.0.2.10"] }] });
  return [buildRuleset(model, { version: 4 }), buildRuleset(model, { version: 6 })];
};

test("iptables backend: ipset restore, then per family a save (snapshot) and a restore", async (t) => {
  const f = fakeRunner();
  await applyRulesets(f.run, {
    netns: NS,
    backend: "iptables-legacy",
    rulesets: rulesets(),
    assertNetns: noCheck,
  });
  t.deepEqual(f.cmds(), [
    "ipset save",
    "ipset restore",
    "iptables-legacy-save",
    "iptables-legacy-restore",
    "ip6tables-legacy-save",
    "ip6tables-legacy-restore",
  ]);
  t.true(
    f.calls.every((c) => c.argv.slice(0, 4).join(" ") === `ip netns exec ${NS}`),
    "everything inside the namespace",
  );
  const sets = f.calls[1]!.input!;
  t.regex(sets, /^create cali40s:\S+ hash:net family inet maxelem \d+ -exist$/m);
  t.regex(sets, /^flush cali40s:/m);
  t.regex(sets, /^add cali40s:\S+ 198\.51\.100\.20$/m);
  t.regex(f.calls[3]!.input!, /^\*filter$/m);
});

test("nft backend: both families in one nft -f batch (one kernel transaction)", async (t) => {
  const f = fakeRunner();
  await applyRulesets(f.run, {
    netns: NS,
    backend: "nft",
    rulesets: rulesets(),
    renderNft: (rs) => `table ip${rs.version === 6 ? "6" : ""} calico`,
    assertNetns: noCheck,
  });
  t.deepEqual(f.cmds(), ["nft -f -"]);
  t.is(f.calls[0]!.input, "table ip calico\ntable ip6 calico");
});

test("a failed restore undoes everything: both families' tables and the sets it created or changed", async (t) => {
  const before =
    "create cali40dscp-src-net hash:net family inet maxelem 1048576\nadd cali40dscp-src-net 192.0.2.99\n";
  const snapshot4 = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n";
  let v6restores = 0;
  const f = fakeRunner((cmd) => {
    if (cmd.join(" ") === "ipset save") return { stdout: before };
    if (cmd[0] === "iptables-nft-save") return { stdout: snapshot4 };
    // The first IPv6 restore fails; the undo's restore succeeds.
    if (cmd[0] === "ip6tables-nft-restore" && v6restores++ === 0)
      return { exitCode: 2, stderr: "ip6tables-nft-restore: line 3 failed" };
    return {};
  });
  const err = await t.throwsAsync(
    applyRulesets(f.run, { netns: NS, backend: "iptables-nft", rulesets: rulesets(), assertNetns: noCheck }),
  );
  t.true(err instanceof SysError);
  t.regex(err!.message, /ip6tables-nft-restore .*line 3 failed\n {2}offending line 3: /);
  const after = f.cmds().slice(f.cmds().indexOf("ip6tables-nft-restore") + 1);
  // v6 back to its (empty) snapshot, v4 back to its snapshot, then the sets.
  t.deepEqual(after.slice(0, 2), ["ip6tables-nft-restore", "iptables-nft-restore"]);
  const undo6 = f.calls.at(-after.length)!.input!;
  t.regex(undo6, /^\*raw\nCOMMIT\n\*mangle\nCOMMIT\n\*filter\nCOMMIT\n$/);
  t.regex(f.calls.at(-after.length + 1)!.input!, /-A INPUT -j ACCEPT/);
  const setUndo = after.slice(2);
  t.true(
    setUndo.some((c) => /^ipset destroy cali40s:/.test(c)),
    "a set it created is destroyed",
  );
  t.false(setUndo.includes("ipset destroy cali40dscp-src-net"), "a set that existed is kept…");
  const refill = f.calls.find((c) => c.input?.startsWith("flush cali40dscp-src-net"));
  t.is(
    refill?.input,
    "flush cali40dscp-src-net\nadd cali40dscp-src-net 192.0.2.99\n",
    "…with its old members",
  );
});

test("the namespace check runs first: nothing runs for a refused namespace", async (t) => {
  const f = fakeRunner();
  await t.throwsAsync(
    applyRulesets(f.run, {
      netns: NS,
      backend: "iptables-nft",
      rulesets: rulesets(),
      assertNetns: async () => {
        throw new Error("refusing to touch it");
      },
    }),
    { message: /refusing/ },
  );
  t.deepEqual(f.calls, []);
});

test("rollbackText: saved tables as they were, tables that did not exist emptied", (t) => {
  const saved = "# Generated\n*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j X\nCOMMIT\n# Completed\n";
  t.is(
    rollbackText(saved, ["raw", "mangle"]),
    "*raw\nCOMMIT\n*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j X\nCOMMIT\n",
  );
});

test("errors name the offending line: restore line numbers, ip -b, and legacy's COMMIT with its table", async (t) => {
  const fail =
    (stderr: string): Runner =>
    async () => ({ exitCode: 1, stdout: "", stderr });
  const input = "*raw\nCOMMIT\n*filter\n-A X -j Y\nCOMMIT\n";
  const e1 = await t.throwsAsync(runOrThrow(fail("iptables-restore: line 4 failed"), "x", [], { input }));
  t.regex(e1!.message, /offending line 4: -A X -j Y/);
  const e2 = await t.throwsAsync(
    runOrThrow(fail("Error: bad\nCommand failed -:2"), "ip", ["-b", "-"], { input: "a\nb\n" }),
  );
  t.regex(e2!.message, /offending line 2: b/);
  const e3 = await t.throwsAsync(runOrThrow(fail("iptables-restore: line 5 failed"), "x", [], { input }));
  t.regex(e3!.message, /offending line 5: COMMIT \(the kernel refused a rule of table filter/);
});
