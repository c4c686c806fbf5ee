// Shared setup of the container conformance suite: Docker/image availability (fail in CI, skip elsewhere),
// fixtures, and assertions on probe outcomes.

import { fileURLToPath } from "node:url";
import type { ExecutionContext } from "ava";
import { loadCluster } from "../../src/resources/index.js";
import type { Cluster } from "../../src/resources/model.js";
import { hasErrors, formatIssue } from "../../src/util/issue.js";
import {
  dockerStatus,
  formatOutcome,
  prepareTestcontainersEnv,
  type ContainerCluster,
  type DockerStatus,
  type ProbeOutcome,
  type ProbeSpec,
} from "../../src/containers/index.js";

// testcontainers needs these without a registry; set here too, in case a test touches testcontainers
// before the library does.
prepareTestcontainersEnv();

let status: Promise<DockerStatus> | undefined;
export const docker = (): Promise<DockerStatus> => (status ??= dockerStatus());

/**
 * True when Docker and the node image are there. Otherwise: in CI (CI=true) the test fails with the
 * reason; elsewhere it logs the reason and passes, and the caller skips its body.
 */
export const requireDocker = async (t: ExecutionContext): Promise<boolean> => {
  const s = await docker();
  if (s.ok) return true;
  if (process.env["CI"] === "true") t.fail(`container suite cannot run in CI: ${s.reason}`);
  else {
    t.log(`skipped: ${s.reason}`);
    t.pass();
  }
  return false;
};

const fixturesDir = fileURLToPath(new URL("./fixtures/", import.meta.url));

export const loadFixture = async (name: string): Promise<Cluster> => {
  const { cluster, issues } = await loadCluster([`${fixturesDir}${name}`]);
  if (hasErrors(issues)) throw new Error(issues.map(formatIssue).join("\n"));
  return cluster;
};

/** Runs the probe, logs its outcome, and asserts it conforms (kernel = tracer = expected). */
export const probe = async (
  t: ExecutionContext,
  cc: ContainerCluster,
  p: ProbeSpec,
): Promise<ProbeOutcome> => {
  const o = await cc.probe(p);
  t.log(formatOutcome(o));
  t.deepEqual(o.problems, [], `${p.from} -> ${p.to}:${p.dport}`);
  if (p.expect !== undefined) t.is(o.kernel, p.expect);
  t.is(o.kernel, o.predicted);
  return o;
};

/** The node's IP set members (ipset save), by set name. */
export const kernelSets = async (cc: ContainerCluster, node: string): Promise<Map<string, string[]>> => {
  const r = await cc.node(node).run("ipset", ["save"]);
  const sets = new Map<string, string[]>();
  for (const line of r.stdout.split("\n")) {
    const [verb, name, member] = line.split(" ");
    if (verb === "create" && name !== undefined) sets.set(name, []);
    if (verb === "add" && name !== undefined && member !== undefined) sets.get(name)?.push(member);
  }
  return sets;
};
