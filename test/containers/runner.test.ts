// containerRunner and the node container itself: argv and stdin reach the program intact, exit codes and
// streams come back apart, the node is isolated (no route but to its peers), and everything is named
// calisim-<hex>, labelled for the suite, and gone by exact name after stop().

import { createHash, randomBytes } from "node:crypto";
import test from "ava";
import {
  ContainerCluster,
  SUITE_LABEL,
  dockerStatus,
  parseSaveCounters,
  runtimeClient,
} from "../../src/containers/index.js";
import { createNetns, deleteNetns, inNetns, randomName } from "../../src/dataplane/netns.js";
import { runOrThrow, SysError } from "../../src/dataplane/runner.js";
import { docker, requireDocker } from "./helpers.js";

let cc: ContainerCluster | undefined;

test.before(async () => {
  if (!(await docker()).ok) return;
  cc = await ContainerCluster.start({
    nodes: [{ name: "node-x", addresses: ["198.51.100.7", "2001:db8::7"] }],
  });
});

test.after.always(async () => {
  await cc?.stop();
});

test("argv reaches the program verbatim; exit code, stdout and stderr come back apart", async (t) => {
  if (!(await requireDocker(t))) return;
  const run = cc!.node("node-x").run;
  const args = ["a b", "'q'", '"dq"', "$HOME", "*", "; echo no", ""];
  const r = await run("printf", ["%s|", ...args]);
  t.deepEqual(r, { exitCode: 0, stdout: `${args.join("|")}|`, stderr: "" });
  const e = await run("sh", ["-c", "echo out; echo err >&2; exit 3"]);
  t.deepEqual(e, { exitCode: 3, stdout: "out\n", stderr: "err\n" });
});

test("stdin: small inputs inline, large ones as a file, both intact", async (t) => {
  if (!(await requireDocker(t))) return;
  const run = cc!.node("node-x").run;
  const small = "line 1\nline 'two' $x\n";
  t.is((await run("cat", [], { input: small })).stdout, small);
  const large = randomBytes(150 * 1024).toString("hex"); // 300 KiB: above the argv limit
  const sha = createHash("sha256").update(large).digest("hex");
  const r = await run("sha256sum", [], { input: large });
  t.is(r.exitCode, 0);
  t.is(r.stdout.split(" ")[0], sha);
  t.is(
    (await run("sh", ["-c", "ls /tmp | grep -c calisim-stdin || true"])).stdout.trim(),
    "0",
    "file removed",
  );
  const rc = await run("sh", ["-c", "cat >/dev/null; exit 5"], { input: large });
  t.is(rc.exitCode, 5);
});

test("a missing program exits 126/127 like a shell; runOrThrow names the failing restore line", async (t) => {
  if (!(await requireDocker(t))) return;
  const run = cc!.node("node-x").run;
  const r = await run("calisim-no-such-program", []);
  t.true(r.exitCode === 126 || r.exitCode === 127, `exit ${r.exitCode}: ${r.stderr}`);
  const bad = "*filter\n-A INPUT -j ACCEPT\n-A INPUT --no-such-option\nCOMMIT\n";
  const err = await t.throwsAsync(runOrThrow(run, "iptables-nft-restore", ["--test"], { input: bad }));
  t.true(err instanceof SysError);
  t.regex(err!.message, /offending line 3: -A INPUT --no-such-option/);
});

test("the existing Runner-based helpers work unchanged through containerRunner", async (t) => {
  if (!(await requireDocker(t))) return;
  const run = cc!.node("node-x").run;
  const ns = randomName("nested");
  await createNetns(run, ns); // a namespace inside the container: needs SYS_ADMIN there
  try {
    const [f, a] = inNetns(ns, "ip", ["-br", "link"]);
    t.regex((await runOrThrow(run, f, a)).stdout, /^lo\s+UNKNOWN/);
  } finally {
    await deleteNetns(run, ns);
  }
  t.false((await run("ip", ["netns", "list"])).stdout.includes(ns));
});

test("the node is isolated: only its own addresses, no default route, nothing else reachable", async (t) => {
  if (!(await requireDocker(t))) return;
  const node = cc!.node("node-x");
  const addrs = (await node.interfaces()).find((i) => i.name === "eth0")!.addresses;
  t.deepEqual(addrs.filter((a) => !a.startsWith("fe80:")).sort(), ["198.51.100.7", "2001:db8::7"]);
  t.is((await node.sh("ip -4 route show; ip -6 route show default")).stdout.trim(), "");
  const out = await node.connect("192.0.2.1", 80, { timeoutSec: 1 });
  t.false(out.connected);
  t.regex(out.detail, /unreachable/i);
});

test("names, labels and removal by exact name", async (t) => {
  if (!(await requireDocker(t))) return;
  const tmp = await ContainerCluster.start({ nodes: [{ name: "node-y", addresses: ["203.0.113.9"] }] });
  const node = tmp.node("node-y");
  const docker = (await runtimeClient()).container.dockerode;
  let stopped = false;
  try {
    t.regex(node.containerName, /^calisim-[0-9a-f]{12}$/);
    t.regex(tmp.network.name, /^calisim-[0-9a-f]{12}$/);
    const info = await docker.getContainer(node.containerName).inspect();
    t.is(info.Config.Labels[SUITE_LABEL], "containers");
    t.deepEqual(Object.keys(info.NetworkSettings.Networks), [tmp.network.name], "only on its own network");
    t.deepEqual(info.HostConfig.CapAdd?.slice().sort(), ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"]);
    t.false(info.HostConfig.Privileged);
    await tmp.stop();
    stopped = true;
    await tmp.stop(); // idempotent
    const gone = await docker
      .getContainer(node.containerName)
      .inspect()
      .then(
        () => false,
        (e: { statusCode?: number }) => e.statusCode === 404,
      );
    t.true(gone, "container removed");
    const netGone = await docker
      .getNetwork(tmp.network.name)
      .inspect()
      .then(
        () => false,
        (e: { statusCode?: number }) => e.statusCode === 404,
      );
    t.true(netGone, "network removed");
  } finally {
    if (!stopped) await tmp.stop();
  }
});

test("dockerStatus explains a missing image", async (t) => {
  if (!(await requireDocker(t))) return;
  const s = await dockerStatus("calisim-node:no-such-tag");
  t.false(s.ok);
  if (!s.ok) t.regex(s.reason, /calisim-node:no-such-tag is missing.*container-image\.sh/);
});

test("parseSaveCounters groups iptables-save -c rules by table and chain", (t) => {
  const rules = parseSaveCounters(
    "*filter\n:INPUT ACCEPT [0:0]\n[3:180] -A INPUT -j cali-INPUT\n[0:0] -A cali-INPUT -m mark --mark 0x10000/0x10000 -j ACCEPT\n[1:60] -A cali-INPUT -j DROP\nCOMMIT\n",
  );
  t.deepEqual(
    rules.get("filter cali-INPUT")!.map((r) => [r.index, r.packets, r.text]),
    [
      [0, 0, "-A cali-INPUT -m mark --mark 0x10000/0x10000 -j ACCEPT"],
      [1, 1, "-A cali-INPUT -j DROP"],
    ],
  );
  t.is(rules.get("filter INPUT")![0]!.bytes, 180);
});
