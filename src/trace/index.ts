// The packet tracer: walks a packet through a node's rule IR (raw, mangle, nat, filter in the kernel's hook
// and priority order, with jump/goto/RETURN, marks, conntrack state, NOTRACK and DNAT) and explains the
// verdict the way a Calico engineer would — which policy rule, failsafe port, default drop or unpoliced path
// decided, with every evaluated rule and its provenance. Works on IR built from resources or parsed dumps.
//
//   const rs = buildRuleset(resolveNode(cluster, { node: "node-1" }), { version: 4 });
//   const r = trace(rs, { in: "eth0", src: "198.51.100.7", dst: "192.0.2.10", proto: 6, dport: 22, state: "new" });
//   process.stdout.write(formatTrace(r, { color: false }));

export { trace, traceAlong, traceBatch, type KnownWalk, type Walk } from "./trace.js";
export { formatTrace, packetText, type FormatOptions } from "./format.js";
export { compileRuleset, type CompiledRuleset } from "./compile.js";
export { ruleText } from "./rule-text.js";
export { neutralStep } from "./neutral.js";
export type {
  DecidedBy,
  DecidedByKind,
  EventStep,
  HookName,
  Packet,
  PacketState,
  RuleStep,
  Step,
  TraceOptions,
  TraceResult,
} from "./types.js";
