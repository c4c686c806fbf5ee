// calisim's library API: load Calico resources, resolve a node, lower to the rule IR, render it for
// the kernel (iptables and ipsets, nftables), trace packets through it (or through a node's dumps),
// and re-render it after one policy changes, with the delta to apply.
//
//   const { cluster } = await loadCluster(["fixtures/example-cluster"]);
//   const ruleset = buildRuleset(resolveNode(cluster, { node: "node-1" }), { version: 4 });
//   console.log(renderIptables(ruleset));
//   console.log(trace(ruleset, { in: "eth0", src: "198.51.100.7", dst: "192.0.2.10", proto: 6, dport: 22 }).verdict);
//
// test/index.test.ts goes through this module only.

export type * from "./resources/model.js";
export { loadCluster, parseResources, loadResourceFiles } from "./resources/index.js";
export type { Issue, Severity } from "./util/issue.js";
export { formatIssue, hasErrors } from "./util/issue.js";
export type { Result } from "./util/result.js";

export type { Selector, SelectorError } from "./selector/index.js";
export { parseSelector, matchesSelector, printSelector } from "./selector/index.js";

export type { NodeModel, ResolvedEndpoint, ResolveOptions } from "./calc/resolve.js";
export { resolveNode } from "./calc/resolve.js";
export type { HostInterface } from "./calc/interfaces.js";
export { parseIpAddrJson } from "./calc/interfaces.js";
export type { CalicoVersion, VersionFacts } from "./calc/versions.js";
export {
  parseCalicoVersion,
  VERSION_FACTS,
  MODELLED_VERSIONS,
  DEFAULT_CALICO_VERSION,
} from "./calc/versions.js";
export type { EffectiveConfig } from "./calc/config.js";
export { effectiveConfig } from "./calc/config.js";
export type { InspectReport } from "./calc/inspect.js";
export { inspectNode } from "./calc/inspect.js";

export type * from "./rules/ir.js";
export { buildRuleset } from "./rules/node-ruleset.js";
export { renderIptables } from "./render/iptables/index.js";
export { renderIpsets } from "./render/ipset/index.js";
export {
  MIN_WORKER_HEAP_MB,
  nodesOf,
  renderEveryNode,
  renderNodeFiles,
  type NodeFormat,
  type NodeSummary,
  type RenderEveryNodeOptions,
} from "./render/every-node/index.js";

export {
  renderNftJson,
  renderNftJsonText,
  renderNft,
  formatNftJson,
  type RenderNftOptions,
} from "./render/nftables/index.js";
export type * from "./render/nftables/schema.js";

export {
  trace,
  traceBatch,
  formatTrace,
  packetText,
  compileRuleset,
  type CompiledRuleset,
  type DecidedBy,
  type DecidedByKind,
  type FormatOptions,
  type HookName,
  type Packet,
  type PacketState,
  type Step,
  type TraceOptions,
  type TraceResult,
} from "./trace/index.js";
export { traceVerdicts } from "./trace/verdicts.js";

export { parseIptablesSave, parseIpsetSave, dumpToRuleset, type DumpToRulesetOptions } from "./dump/index.js";

export {
  rerenderPolicyChange,
  withPolicyChange,
  diffRulesets,
  iptablesDelta,
  ipsetDelta,
  type ChainChange,
  type DeltaOptions,
  type IptablesBackend,
  type NodeRendering,
  type PolicyChange,
  type PolicyId,
  type PolicyRerender,
  type RestoreDelta,
} from "./calc/incremental.js";

export {
  generateCluster,
  clusterFiles,
  writeCluster,
  type GenOptions,
  type GeneratedCluster,
} from "./gen/index.js";
