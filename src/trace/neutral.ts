// Rule steps whose outcome changes nothing. Flow-space analysis lets a box's packets differ on them (a
// Log rule on a port does not split a region), and a walk resumed from another packet's takes them as
// they come (traceAlong).

import type { RuleStep } from "./types.js";

/**
 * Whether it makes no difference to the walk or to its explanation that this rule matched or not:
 * - its action goes on to the next rule and writes no packet state (action.ts: LOG, NFLOG and a rule
 *   with no target only return NEXT), so the packet meets the same rules, with the same mark and
 *   conntrack state, either way;
 * - and it is not from a chain whose matched rules the explanation or the warnings read: endpoint and
 *   dispatch chains (explain-util's endpointBefore and stepsOfChain, trace's endpointsOnPath) and the
 *   workload-to-host chain (explain-drop). A policy's or profile's Log rule is neutral.
 * The notes a neutral rule's matches make (a rate limit assumed) may differ too: they are warnings and
 * assumptions, not the outcome.
 */
export const neutralStep = (s: RuleStep): boolean => {
  if (s.action !== "log" && s.action !== "nflog" && s.action !== "none") return false;
  const o = s.origin?.kind;
  return o !== "endpoint" && o !== "dispatch" && o !== "workload-to-host";
};
