// The resource kinds calisim loads; anything else is skipped with a warning.

export const SUPPORTED_KINDS = [
  "HostEndpoint",
  "GlobalNetworkPolicy",
  "NetworkPolicy",
  "Profile",
  "Tier",
  "GlobalNetworkSet",
  "FelixConfiguration",
  "Node",
] as const;
