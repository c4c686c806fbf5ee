// Loading and validating Calico v3 resources into the normalised model.

export type * from "./model.js";
export { DEFAULT_ALLOW_PROFILE, DEFAULT_TIER } from "./model.js";
export { loadCluster } from "./load.js";
export { loadResourceFiles } from "./files.js";
export { parseResources, type SourceFile } from "./parse.js";
export { defaultAllowProfile } from "./builtin.js";
export { defaultTypes } from "./checks/policy.js";
export { SUPPORTED_KINDS } from "./kinds.js";
