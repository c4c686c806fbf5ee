// `calisim apply` and `calisim conformance` through the real command line, in throwaway namespaces.

import test from "ava";
import { calisim } from "../cli/run.js";
import { inNetns, withNetns } from "../helpers/netns.js";
import { kernelReady } from "./kit.js";

const saved = async (ns: string): Promise<string> => {
  const out: string[] = [];
  for (const save of ["iptables-legacy-save", "ip6tables-legacy-save"])
    out.push(String((await inNetns(ns, save)).stdout).replace(/^#.*$/gm, ""));
  out.push(String((await inNetns(ns, "ipset", ["save"])).stdout));
  return out.join("");
};

test.serial(
  "apply: loads into a namespace, binds endpoints to its interfaces; a failed apply leaves it as it was",
  async (t) => {
    if (!(await kernelReady(t))) return;
    await withNetns(t, async (ns) => {
      await inNetns(ns, "ip", ["link", "add", "eth0", "type", "veth", "peer", "name", "eth9"]);
      await inNetns(ns, "ip", ["addr", "add", "192.0.2.10/32", "dev", "eth0"]);
      const ok = await calisim(
        "apply",
        "-f",
        "fixtures/example-cluster",
        "--node",
        "node-1",
        "--netns",
        ns,
        "--backend",
        "iptables-legacy",
      );
      t.is(ok.exitCode, 0, ok.stderr);
      t.regex(
        ok.stdout,
        /applied node node-1 to namespace calisim-\w+ with iptables-legacy: \d+ rules, \d+ IP sets.*node-1-eth0 → eth0/,
      );
      const before = await saved(ns);
      t.regex(before, /-A cali-from-host-endpoint -i eth0 .*-g cali-fh-eth0/);
      // This rendering's IPv6 filter table is refused by the kernel (an ICMP type match on protocol icmp).
      const bad = await calisim(
        "apply",
        "-f",
        "test/golden/render/tiers-pass-log/input.yaml",
        "--node",
        "node-1",
        "--netns",
        ns,
        "--backend",
        "iptables-legacy",
      );
      if (bad.exitCode === 0) {
        t.log("tiers-pass-log loads now: the failure path was not exercised");
        return;
      }
      t.is(bad.exitCode, 1);
      t.regex(
        bad.stderr,
        /ip6tables-legacy-restore .*failed[\s\S]*offending line \d+: COMMIT \(the kernel refused a rule of table filter/,
      );
      t.is(await saved(ns), before, "nothing half-applied");
    });
  },
);

test.serial("apply: refuses a namespace that does not exist, and bad usage", async (t) => {
  if (!(await kernelReady(t))) return;
  const r = await calisim(
    "apply",
    "-f",
    "fixtures/example-cluster",
    "--node",
    "node-1",
    "--netns",
    "calisim-doesnotexist0",
  );
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /network namespace calisim-doesnotexist0 does not exist/);
  const usage = await calisim("apply", "-f", "fixtures/example-cluster", "--node", "node-1");
  t.is(usage.exitCode, 2);
  t.regex(usage.stderr, /netns/);
});

test.serial("conformance: -o json gives results and mismatches; exit 0 when the kernel agrees", async (t) => {
  if (!(await kernelReady(t))) return;
  const r = await calisim(
    "conformance",
    "-f",
    "test/golden/render/named-default-drop/input.yaml",
    "--node",
    "node-1",
    "--backend",
    "iptables-nft",
    "-o",
    "json",
  );
  t.is(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(0, 4000)}`);
  const json = JSON.parse(r.stdout) as {
    results: { backend: string; probe: string; expected: string; observed: string; ok: boolean }[];
    mismatches: number;
  };
  t.is(json.mismatches, 0);
  t.true(json.results.length > 50);
  t.true(json.results.every((x) => x.backend === "iptables-nft" && x.ok && x.expected === x.observed));
  t.true(
    json.results.some((x) => x.expected === "drop") && json.results.some((x) => x.expected === "accept"),
  );
});
