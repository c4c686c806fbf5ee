// The command line as a user meets it: exit codes, where output goes, and the shape of what it prints.

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { calisim } from "./run.js";

const EXAMPLE = "fixtures/example-cluster";

test("validate: a clean cluster exits 0 and reports on stderr only", async (t) => {
  const r = await calisim("validate", "-f", EXAMPLE);
  t.is(r.exitCode, 0);
  t.is(r.stdout, "");
  t.regex(r.stderr, /^ok: 5 host endpoints, 8 policies, 2 profiles, 1 tier, 1 network set; 0 warnings/m);
});

test("validate: every problem with file:line:col, exit 1", async (t) => {
  const r = await calisim("validate", "-f", "fixtures/invalid/bad-action.yaml");
  t.is(r.exitCode, 1);
  t.regex(
    r.stderr,
    /error: fixtures\/invalid\/bad-action.yaml:9:15 GlobalNetworkPolicy\/bad-action spec.ingress\[0\].action: invalid value "Accept" \(accepted: Allow \| Deny \| Log \| Pass\)/,
  );
  t.regex(r.stderr, /did you mean "Allow"\?/);
});

test("validate: a missing path is an error naming it", async (t) => {
  const r = await calisim("validate", "-f", "fixtures/no-such-dir");
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /no-such-dir/);
});

test("get hep -o wide: calicoctl's columns, and the runbook's grep '*' finds the all-interfaces endpoints", async (t) => {
  const r = await calisim("get", "hep", "-o", "wide", "-f", EXAMPLE);
  t.is(r.exitCode, 0);
  const lines = r.stdout.trimEnd().split("\n");
  t.deepEqual(lines[0]!.split(/\s+/), ["NAME", "NODE", "INTERFACE", "IPS", "PROFILES"]);
  t.deepEqual(
    lines.filter((l) => l.includes("*")).map((l) => l.split(/\s+/)[0]),
    ["node-2-auto", "node-3-all"],
  );
});

test("get hep -o yaml round-trips through validate's loader shape", async (t) => {
  const r = await calisim("get", "hep", "node-1-eth0", "-o", "yaml", "-f", EXAMPLE);
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /kind: HostEndpoint/);
  t.regex(r.stdout, /interfaceName: eth0/);
});

test("render: iptables-restore text on stdout, warnings on stderr", async (t) => {
  const r = await calisim("render", "-f", EXAMPLE, "--node", "node-3");
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /^\*raw\n/);
  t.regex(r.stdout, /:cali-fh-any-interface-at-all - -/);
  t.notRegex(r.stdout, /warning/);
  t.regex(
    r.stderr,
    /warning: DoNotTrack policy is not supported for a HEP with `interfaceName: \*`; ignoring it: GlobalNetworkPolicy bastion-untracked/,
  );
});

test("render: ipset, nft and nft-json formats, and the IR as JSON", async (t) => {
  for (const [format, pattern] of [
    ["ipset", /^create cali40/m],
    ["nft", /^add table ip calico$/m],
    ["nft-json", /"nftables"/],
  ] as const) {
    const r = await calisim("render", "-f", EXAMPLE, "--node", "node-1", "--format", format);
    t.is(r.exitCode, 0, format);
    t.regex(r.stdout, pattern, format);
  }
  const json = await calisim("render", "-f", EXAMPLE, "--node", "node-1", "-o", "json");
  const ir = JSON.parse(json.stdout) as { kind: string; tables: { name: string }[] };
  t.is(ir.kind, "ruleset");
  t.deepEqual(
    ir.tables.map((x) => x.name),
    ["raw", "mangle", "filter"],
  );
});

test("render: an unknown node names the ones that exist", async (t) => {
  const r = await calisim("render", "-f", EXAMPLE, "--node", "node-9");
  t.is(r.exitCode, 1);
  t.regex(r.stderr, /--node "node-9": .*accepted: node-1, node-2, node-3/);
});

test("render: a bad --calico-version is a usage error", async (t) => {
  const r = await calisim("render", "-f", EXAMPLE, "--node", "node-1", "--calico-version", "three");
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /--calico-version "three" is not a version/);
});

test("render-all: every node's files are what render prints, sizes per node, warnings on stderr", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "calisim-render-all-"));
  try {
    const r = await calisim("render-all", "-f", EXAMPLE, "--out-dir", dir, "--jobs", "2", "-o", "json");
    t.is(r.exitCode, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { node: string; rules: { v4: number } }[];
    t.deepEqual(
      rows.map((x) => x.node),
      ["node-1", "node-2", "node-3"],
    );
    t.regex(r.stderr, /warning: node-3: DoNotTrack policy is not supported/);
    for (const node of ["node-1", "node-3"]) {
      const v4 = await calisim("render", "-f", EXAMPLE, "--node", node);
      // execa strips the final newline that `render` prints.
      t.is(await readFile(join(dir, `${node}.iptables`), "utf8"), `${v4.stdout}\n`, node);
      const v6 = await calisim("render", "-f", EXAMPLE, "--node", node, "--ip-version", "6");
      t.is(await readFile(join(dir, `${node}.ip6tables`), "utf8"), `${v6.stdout}\n`, node);
    }
    const nftDir = join(dir, "nft");
    const nft = await calisim("render-all", "-f", EXAMPLE, "--format", "nft-json", "--out-dir", nftDir);
    t.is(nft.exitCode, 0, nft.stderr);
    t.regex(nft.stdout, /^node\s+v4 rules\s+v6 rules\s+chains\s+sets\s+nft json bytes\n/);
    for (const [version, family] of [
      ["4", "ip"],
      ["6", "ip6"],
    ] as const) {
      const one = await calisim(
        "render",
        "-f",
        EXAMPLE,
        "--node",
        "node-3",
        "--format",
        "nft-json",
        "--ip-version",
        version,
      );
      t.is(await readFile(join(nftDir, `node-3.${family}.nft.json`), "utf8"), `${one.stdout}\n`, family);
    }
    t.deepEqual(
      (await readdir(nftDir)).filter((f) => f.startsWith("node-1.")).sort(),
      ["node-1.ip.nft.json", "node-1.ip6.nft.json"],
      "no iptables files when only nft-json is asked for",
    );
    const table = await calisim("render-all", "-f", EXAMPLE, "--node", "node-2");
    t.regex(table.stdout, /^node\s+v4 rules\s+v6 rules\s+chains\s+sets/);
    t.regex(table.stdout, /\nnode-2\s+\d+/);
    const bounded = await calisim("render-all", "-f", EXAMPLE, "--worker-heap", "128", "-o", "json");
    t.is(bounded.exitCode, 0, bounded.stderr);
    t.deepEqual(JSON.parse(bounded.stdout), rows, "workers only, with a heap limit: the same summaries");
    const badHeap = await calisim("render-all", "-f", EXAMPLE, "--worker-heap", "10");
    t.is(badHeap.exitCode, 2);
    t.regex(badHeap.stderr, /--worker-heap 10: expected a whole number of MB, 64 or more/);
    const bad = await calisim("render-all", "-f", EXAMPLE, "--jobs", "0");
    t.is(bad.exitCode, 2);
    t.regex(bad.stderr, /--jobs 0: expected a whole number of threads, 1 or more/);
    const unknown = await calisim("render-all", "-f", EXAMPLE, "--node", "nope");
    t.is(unknown.exitCode, 1);
    t.regex(unknown.stderr, /no host endpoint or Node resource names this node/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("inspect: who governs each interface and why", async (t) => {
  const r = await calisim("inspect", "-f", EXAMPLE, "--node", "node-3", "--interface", "eth7");
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /endpoint node-3-all \(interface \*; interfaceName "\*"/);
  t.regex(r.stdout, /tier default: bastion-ssh/);
});

test("trace -o json: the documented shape, and the README's dropped packet", async (t) => {
  const r = await calisim(
    "trace",
    "-f",
    EXAMPLE,
    "--node",
    "node-1",
    "--in",
    "eth0",
    "--src",
    "203.0.113.5",
    "--dst",
    "192.0.2.10",
    "--proto",
    "tcp",
    "--dport",
    "8080",
    "-o",
    "json",
  );
  t.is(r.exitCode, 0);
  const out = JSON.parse(r.stdout) as {
    verdict: string;
    decidedBy: { kind: string; name?: string };
    warnings: unknown[];
    path: { table: string; chain: string; ruleIndex: number; rule: string; action: string }[];
  };
  t.is(out.verdict, "drop");
  t.is(out.decidedBy.kind, "default-drop");
  t.true(Array.isArray(out.warnings));
  t.true(out.path.some((s) => s.chain === "cali-fh-eth0" && s.action === "drop"));
});

test("trace: failsafe SSH is accepted even on a deny-by-default endpoint", async (t) => {
  const r = await calisim(
    "trace",
    "-f",
    EXAMPLE,
    "--node",
    "node-3",
    "--in",
    "eth5",
    "--src",
    "198.51.100.9",
    "--dst",
    "192.0.2.30",
    "--dport",
    "22",
    "-o",
    "json",
  );
  t.is((JSON.parse(r.stdout) as { decidedBy: { kind: string } }).decidedBy.kind, "failsafe");
});

test("trace: bad packet options are usage errors naming the option", async (t) => {
  const r = await calisim(
    "trace",
    "-f",
    EXAMPLE,
    "--node",
    "node-1",
    "--src",
    "192.0.2.300",
    "--dst",
    "192.0.2.10",
    "--dport",
    "1",
  );
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /--src "192.0.2.300" is not an IP address/);
});

const COMMANDS = [
  "validate",
  "get",
  "render",
  "render-all",
  "inspect",
  "trace",
  "apply",
  "conformance",
  "upgrade-check",
  "diff",
  "preflight",
  "label",
];

// program.ts loads only the named command's module; these are the cases that need them all.
test("--help lists every command; a misspelt one gets the nearest; none is a usage error", async (t) => {
  const help = await calisim("--help");
  t.is(help.exitCode, 0);
  t.deepEqual(
    [...help.stdout.matchAll(/^ {2}calisim ([a-z-]+)/gm)].map((m) => m[1]),
    COMMANDS,
  );
  const misspelt = await calisim("rendr", "-f", "fixtures/example-cluster");
  t.is(misspelt.exitCode, 2);
  t.regex(misspelt.stderr, /Did you mean render\?/);
  const none = await calisim();
  t.is(none.exitCode, 2);
  t.regex(none.stderr, /name a command/);
});

test("--help on every command shows examples", async (t) => {
  for (const cmd of COMMANDS) {
    const r = await calisim(cmd, "--help");
    t.is(r.exitCode, 0, cmd);
    t.regex(r.stdout, /Examples:/, cmd);
  }
});
