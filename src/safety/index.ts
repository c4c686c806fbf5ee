// Safety analyses over the rules calisim simulates: the exact flow space of a node (which packets a
// ruleset accepts, which change verdict between two), the v3.14 host endpoint upgrade check and its
// migration, rule/flow diffs between two sets of resources, preflight checks of critical flows, and
// label editing of resource files.
//
//   const c = compareNode("node-3", { cluster, calicoVersion: v313 }, { cluster, calicoVersion: v329 });
//   if (c.ok) process.stdout.write(changedLines(c.value).join("\n"));

export * as flowspace from "./flowspace/index.js";
export {
  compareNode,
  modelOf,
  policedNodes,
  withoutFailsafe,
  type NodeComparison,
  type Side,
} from "./node-flows.js";
export { changedLines, comparisonJson, regionJson, regionLines } from "./report.js";
export { diffNode, diffRulesets, type NodeDiff, type RulesDiff } from "./diff/index.js";
export { diffJson, diffText } from "./diff/format.js";
export * from "./upgrade/index.js";
export * from "./preflight/index.js";
export * from "./label/index.js";
