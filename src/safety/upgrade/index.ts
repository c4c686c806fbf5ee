// The v3.14 host endpoint upgrade: which "*" endpoints exist and what selects them, the exact flows each
// node's verdicts change between two Calico versions, and the runbook's migration files.
//
//   const r = upgradeCheck(cluster, { from: { major: 3, minor: 13 }, to: { major: 3, minor: 29 } });
//   if (r.ok) for (const f of migrationFiles(cluster, r.value)) writeFileSync(join(dir, f.path), f.content);

export { applyLabelPatches, parseLabelPatch, type LabelPatch } from "./apply.js";
export {
  affectedStar,
  upgradeByNode,
  upgradeCheck,
  upgradeFrame,
  type NodeUpgrade,
  type UpgradeFrame,
  type UpgradeOptions,
  type UpgradeReport,
} from "./check.js";
export {
  upgradeHeadLines,
  upgradeJson,
  upgradeJsonWriter,
  upgradeNodeLines,
  upgradeResultLines,
  upgradeText,
} from "./format.js";
export {
  migrationFiles,
  migrationPolicy,
  UPGRADE_LABEL,
  UPGRADE_POLICY,
  type MigrationFile,
  type MigrationInput,
  type MigrationPolicy,
} from "./migration.js";
export { starEndpoints, type StarEndpoint } from "./star-endpoints.js";
