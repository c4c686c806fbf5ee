// The four safety commands through the real command line: output, files written and exit codes
// (0 nothing dropped, 3 flows dropped / critical flow cut, 1 bad input).

import test from "ava";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { calisim } from "../cli/run.js";

const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const r = await calisim(...args);
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

const tmp = () => mkdtemp(join(tmpdir(), "calisim-cli-"));

test.serial(
  "upgrade-check: exit 3, --write-migration, then exit 0 with --apply-migration; exit 1 on bad input",
  async (t) => {
    const dir = await tmp();
    try {
      const first = await run(["upgrade-check", "-f", "fixtures/upgrade", "--write-migration", dir]);
      t.is(first.code, 3, first.stderr);
      t.regex(first.stdout, /result: flows would be dropped on node-a, node-b/);
      t.deepEqual((await readdir(dir)).sort(), [
        "README.md",
        "allow-all-upgrade.yaml",
        "label-hostendpoints.sh",
        "label-patches",
      ]);
      const again = await run([
        "upgrade-check",
        "-f",
        "fixtures/upgrade",
        "--apply-migration",
        dir,
        "-o",
        "json",
      ]);
      t.is(again.code, 0, again.stderr);
      const json = JSON.parse(again.stdout) as { drops: boolean; nodes: { changedRegions: number }[] };
      t.false(json.drops);
      t.true(json.nodes.every((n) => n.changedRegions === 0));
      const bad = await run(["upgrade-check", "-f", "fixtures/invalid/bad-action.yaml"]);
      t.is(bad.code, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test.serial(
  'upgrade-check --node: only that node\'s "*" endpoints are listed, the others counted',
  async (t) => {
    const text = await run(["upgrade-check", "-f", "fixtures/upgrade", "--node", "node-a"]);
    t.is(text.code, 3, text.stderr);
    t.regex(
      text.stdout,
      /"\*" host endpoints \(interfaceName "\*"\) of the nodes checked:\n {2}node-a\/node-a-all /,
    );
    t.notRegex(text.stdout, /node-b-all/);
    t.regex(text.stdout, /\(1 more on nodes not checked: without --node every node is checked and listed\)/);
    const json = await run(["upgrade-check", "-f", "fixtures/upgrade", "--node", "node-c", "-o", "json"]);
    t.is(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { starEndpoints: unknown[]; starEndpointsOnOtherNodes: number };
    t.deepEqual(r.starEndpoints, []);
    t.is(r.starEndpointsOnOtherNodes, 2);
  },
);

test.serial("label: edits the file in place; refuses an unknown endpoint with exit 1", async (t) => {
  const dir = await tmp();
  try {
    await cp("fixtures/upgrade/hostendpoints.yaml", join(dir, "heps.yaml"));
    const ok = await run([
      "label",
      "hostendpoint",
      "node-a-all",
      "host-endpoint-upgrade=",
      "-f",
      join(dir, "heps.yaml"),
    ]);
    t.is(ok.code, 0, ok.stderr);
    t.regex(ok.stderr, /label host-endpoint-upgrade added/);
    t.regex(await readFile(join(dir, "heps.yaml"), "utf8"), /role: worker\n {8}host-endpoint-upgrade: ""\n/);
    const missing = await run(["label", "hep", "nope", "a=b", "-f", join(dir, "heps.yaml")]);
    t.is(missing.code, 1);
    t.regex(missing.stderr, /heps\.yaml: no HostEndpoint named nope/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.serial(
  "diff: no verdict changes against itself; preflight: the Log-only trap fails with exit 3",
  async (t) => {
    const same = await run(["diff", "-f", "fixtures/upgrade", "--against", "fixtures/upgrade", "--flows"]);
    t.is(same.code, 0, same.stderr);
    t.regex(same.stdout, /node node-a\n {2}flows: no verdict changes/);
    const dir = await tmp();
    try {
      await writeFile(
        join(dir, "trap.yaml"),
        [
          "apiVersion: projectcalico.org/v3",
          "kind: HostEndpoint",
          "metadata:",
          "  name: node-2-auto",
          "  labels: {projectcalico.org/created-by: calico-kube-controllers}",
          'spec: {node: node-2, interfaceName: "*", profiles: [projectcalico-default-allow]}',
          "---",
          "apiVersion: projectcalico.org/v3",
          "kind: GlobalNetworkPolicy",
          "metadata: {name: log-everything}",
          "spec:",
          '  selector: projectcalico.org/created-by == "calico-kube-controllers"',
          "  ingress: [{action: Log}]",
          "  egress: [{action: Log}]",
          "",
        ].join("\n"),
      );
      const p = await run(["preflight", "-f", dir]);
      t.is(p.code, 3, p.stderr);
      t.regex(p.stdout, /FAIL kubelet/);
      t.regex(p.stdout, /\n\nresult: \d+ of \d+ critical flow checks fail$/);
      // The JSON report is written node by node; it is still one document.
      const j = await run(["preflight", "-f", dir, "-o", "json"]);
      t.is(j.code, 3, j.stderr);
      const report = JSON.parse(j.stdout) as {
        pass: boolean;
        checks: { flow: { name: string }; fail: boolean }[];
      };
      t.false(report.pass);
      t.true(report.checks.some((c) => c.flow.name === "kubelet" && c.fail));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test("--jobs: two threads give the same report and exit code; 0 threads is a usage error", async (t) => {
  const example = ["-f", "fixtures/example-cluster"];
  for (const args of [
    ["preflight", ...example, "-o", "json"],
    ["upgrade-check", "-f", "fixtures/upgrade"],
    ["diff", ...example, "--against", "fixtures/upgrade", "--flows", "--node", "node-1", "--node", "node-a"],
  ]) {
    const one = await run([...args, "--jobs", "1"]);
    t.true(one.stdout.length > 0, one.stderr);
    const two = await run([...args, "--jobs", "2"]);
    t.is(two.stdout, one.stdout, args[0]);
    t.is(two.code, one.code, args[0]);
    const bad = await run([...args, "--jobs", "0"]);
    t.is(bad.code, 2, args[0]);
    t.regex(bad.stderr, /--jobs 0: expected a whole number of threads, 1 or more/);
  }
});
