// The v3.14 host-endpoint upgrade runbook as files: label the affected "*" endpoints
// `host-endpoint-upgrade=` and apply `allow-all-upgrade`, a GlobalNetworkPolicy that logs and allows
// everything for endpoints with that label. It must be the *first* policy those endpoints meet (Calico's
// upgrade guide: traffic drops after the upgrade unless a global policy selecting them allows it first),
// so it goes into the earliest tier that has policy for them, ordered before every such policy there.

import { groupByTier, policiesForEndpoint, tierInfos } from "../../calc/policies.js";
import { DEFAULT_TIER, type Cluster, type Policy } from "../../resources/model.js";
import type { StarEndpoint } from "./star-endpoints.js";
import type { UpgradeReport } from "./check.js";

export const UPGRADE_LABEL = "host-endpoint-upgrade";
export const UPGRADE_POLICY = "allow-all-upgrade";
export const POLICY_FILE = "allow-all-upgrade.yaml";
export const LABEL_SCRIPT = "label-hostendpoints.sh";
export const PATCH_DIR = "label-patches";

export interface MigrationPolicy {
  readonly name: string;
  readonly tier: string;
  readonly order: number;
  readonly applyOnForward: boolean;
  /** Why this tier and order. */
  readonly why: string;
}

export interface MigrationFile {
  /** Relative to the migration directory. */
  readonly path: string;
  readonly content: string;
}

/** Policies that act on the endpoints after the upgrade (pre-DNAT has its own chain; DoNotTrack is ignored). */
const competing = (cluster: Cluster, eps: readonly StarEndpoint[]): Policy[] => {
  const seen = new Map<string, Policy>();
  for (const e of eps)
    for (const p of policiesForEndpoint(cluster, e.endpoint).selectedBy)
      if (!p.spec.preDNAT && !p.spec.doNotTrack) seen.set(`${p.kind}/${p.metadata.name}`, p);
  return [...seen.values()];
};

export const migrationPolicy = (cluster: Cluster, eps: readonly StarEndpoint[]): MigrationPolicy => {
  const policies = competing(cluster, eps);
  const first = groupByTier(policies, tierInfos(cluster))[0];
  const tier = first?.tier ?? DEFAULT_TIER;
  const orders = (first?.policies ?? []).flatMap((p) => (p.spec.order === undefined ? [] : [p.spec.order]));
  const min = orders.length === 0 ? undefined : Math.min(...orders);
  const order = min === undefined || min >= 1 ? 0 : min - 1;
  // Felix sorts policies in a tier by order, unordered ones last; 0 (or below the lowest) comes first.
  const forward = policies.filter((p) => p.spec.applyOnForward).map((p) => p.metadata.name);
  const why =
    first === undefined
      ? "no other policy selects these endpoints"
      : `tier ${tier} is the first tier with policy for these endpoints (${first.policies.map((p) => p.metadata.name).join(", ")}); order ${order} sorts before all of them`;
  return {
    // Policies of a non-default tier carry the tier's name as a prefix (like security.blocklist).
    name: tier === DEFAULT_TIER ? UPGRADE_POLICY : `${tier}.${UPGRADE_POLICY}`,
    tier,
    order,
    // applyOnForward policies police forwarded traffic too; allow it first there as well.
    applyOnForward: forward.length > 0,
    why:
      forward.length === 0
        ? why
        : `${why}; applyOnForward because ${forward.join(", ")} police forwarded traffic`,
  };
};

export const policyYaml = (p: MigrationPolicy, from: string, to: string): string =>
  [
    `# Calico ${from} → ${to} upgrade: "*" host endpoints take normal policy and drop by default from v3.14.`,
    `# This policy keeps what they allowed before, logging it (review syslog), for endpoints labelled`,
    `# ${UPGRADE_LABEL}. Placement: ${p.why}.`,
    "apiVersion: projectcalico.org/v3",
    "kind: GlobalNetworkPolicy",
    "metadata:",
    `  name: ${p.name}`,
    "spec:",
    ...(p.tier === DEFAULT_TIER ? [] : [`  tier: ${p.tier}`]),
    `  order: ${p.order}`,
    `  selector: has(${UPGRADE_LABEL})`,
    ...(p.applyOnForward ? ["  applyOnForward: true"] : []),
    "  types:",
    "    - Ingress",
    "    - Egress",
    "  ingress:",
    "    - action: Log",
    "    - action: Allow",
    "  egress:",
    "    - action: Log",
    "    - action: Allow",
    "",
  ].join("\n");

export const labelPatchYaml = (e: StarEndpoint): string =>
  [
    `# Label patch for HostEndpoint ${e.name} (node ${e.node}, interfaceName "*"), declared in ${e.source.file}.`,
    `#   kubectl patch hostendpoints.projectcalico.org ${e.name} --type merge --patch-file ${PATCH_DIR}/${e.name}.yaml`,
    "metadata:",
    `  name: ${e.name}`,
    "  labels:",
    `    ${UPGRADE_LABEL}: ""`,
    "",
  ].join("\n");

const shQuote = (s: string): string => (/^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`);

export const labelScript = (eps: readonly StarEndpoint[]): string =>
  [
    "#!/bin/sh",
    '# Step 1 of the host endpoint upgrade runbook: label each affected "*" host endpoint so that',
    `# ${UPGRADE_POLICY} selects it. On a live cluster, list them with: calicoctl get hep -owide | grep '*'`,
    "set -eu",
    ...eps.map((e) => `calicoctl label hostendpoint ${shQuote(e.name)} ${UPGRADE_LABEL}=`),
    "",
    "# The same edit on the resource files calisim read (keeps comments and order):",
    ...eps.map(
      (e) =>
        `#   calisim label hostendpoint ${shQuote(e.name)} ${UPGRADE_LABEL}= -f ${shQuote(e.source.file)}`,
    ),
    "",
  ].join("\n");

/** What the runbook needs of an upgrade report. */
export type MigrationInput = Pick<UpgradeReport, "from" | "to" | "affected">;

const readme = (
  r: MigrationInput,
  p: MigrationPolicy,
  eps: readonly StarEndpoint[],
  logPrefix: string,
): string =>
  [
    `# Host endpoint upgrade runbook: Calico ${r.from} → ${r.to}`,
    "",
    `Affected "*" host endpoints: ${eps.map((e) => `${e.name} (node ${e.node})`).join(", ") || "none"}.`,
    "",
    `1. Label them: \`sh ${LABEL_SCRIPT}\` (or apply the merge patches in \`${PATCH_DIR}/\`).`,
    `2. Apply the policy before upgrading: \`calicoctl apply -f ${POLICY_FILE}\` (${p.name}, tier ${p.tier}, order ${p.order}).`,
    `3. Upgrade Calico to ${r.to}.`,
    `4. Review what the policy logged: \`grep ${logPrefix} /var/log/syslog\` (or \`journalctl -k | grep ${logPrefix}\`),`,
    "   and write policies that allow the traffic you need.",
    `5. Then remove the policy and the labels: \`calicoctl delete globalnetworkpolicy ${p.name}\`,`,
    `   \`calicoctl label hostendpoint NAME ${UPGRADE_LABEL} --remove\`.`,
    "",
    "Check offline that nothing changes with the migration applied:",
    "",
    `    calisim upgrade-check -f CLUSTER... --from ${r.from} --to ${r.to} --apply-migration THIS_DIR`,
    "",
  ].join("\n");

/** Every file of the migration directory, for the affected endpoints of a report. */
export const migrationFiles = (
  cluster: Cluster,
  r: MigrationInput,
  logPrefix = "calico-packet",
): MigrationFile[] => {
  const eps = r.affected;
  const p = migrationPolicy(cluster, eps);
  return [
    { path: POLICY_FILE, content: policyYaml(p, r.from, r.to) },
    { path: LABEL_SCRIPT, content: labelScript(eps) },
    ...eps.map((e) => ({ path: `${PATCH_DIR}/${e.name}.yaml`, content: labelPatchYaml(e) })),
    { path: "README.md", content: readme(r, p, eps, logPrefix) },
  ];
};
