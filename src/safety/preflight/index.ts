// Preflight: critical flows (built in, or from a YAML file) through every host endpoint of every node,
// checked exactly, failing when one is dropped or (against proposed resources) cut off.
//
//   const checks = preflight(cluster, { flows: BUILTIN_CRITICAL });
//   if (checks.ok) process.stdout.write(preflightText(checks.value, false));

export {
  preflight,
  preflightByNode,
  type FlowCheck,
  type FlowStatus,
  type PreflightOptions,
} from "./check.js";
export { BUILTIN_CRITICAL, parseCriticalFile, type CriticalFlow } from "./critical.js";
export {
  checkJson,
  flowText,
  preflightJson,
  preflightJsonWriter,
  preflightLines,
  preflightSummaryLines,
  preflightText,
  tallyOf,
  type PreflightTally,
} from "./format.js";
