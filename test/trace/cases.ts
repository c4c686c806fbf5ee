// One table of trace cases (name, cluster, node, version, packet, expected verdict and decider), each stated per
// address family so the same case runs for IPv4 and IPv6.

import { ENDPOINTS_CASES } from "./cases-endpoints.js";
import { PATHS_CASES } from "./cases-paths.js";
import { POLICY_CASES } from "./cases-policy.js";
import type { TraceCase } from "./case-kit.js";

export { rulesetFor, V4, V6, type Expect, type Fam, type TraceCase } from "./case-kit.js";

export const CASES: readonly TraceCase[] = [...ENDPOINTS_CASES, ...POLICY_CASES, ...PATHS_CASES];
