// The behaviour matrix: node node-1; its plan has the named interfaces, eth8 (no endpoint; and eth9 with a
// `*` endpoint), a workload behind cali0000000001, peers at allocated documentation addresses.

import type { BehaviourCase } from "./case-kit.js";
import { HOST_CASES } from "./cases-host.js";
import { PATH_CASES } from "./cases-paths.js";

export type { BehaviourCase, Check } from "./case-kit.js";
export const CASES: readonly BehaviourCase[] = [...HOST_CASES, ...PATH_CASES];
