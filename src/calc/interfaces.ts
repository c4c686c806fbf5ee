// Host interfaces and their addresses, as `ip -j addr` prints them, or assumed from the resources.

import ipaddr from "ipaddr.js";

export interface HostInterface {
  readonly name: string;
  /** Canonical address strings (ipaddr.js toString()), both families. */
  readonly addresses: readonly string[];
}

export const canonicalIp = (text: string): string | undefined => {
  try {
    return ipaddr.parse(text).toString();
  } catch {
    return undefined;
  }
};

interface IpAddrJsonEntry {
  readonly ifname?: unknown;
  readonly addr_info?: readonly { readonly local?: unknown }[];
}

/** Parses the JSON printed by `ip -j addr`. Returns an error message on malformed input. */
export const parseIpAddrJson = (text: string): { interfaces: HostInterface[] } | { error: string } => {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message} (expected the output of "ip -j addr")` };
  }
  if (!Array.isArray(data)) return { error: 'expected a JSON array, as printed by "ip -j addr"' };
  const interfaces: HostInterface[] = [];
  for (const [i, raw] of (data as IpAddrJsonEntry[]).entries()) {
    if (typeof raw?.ifname !== "string")
      return { error: `entry ${i} has no "ifname" string (expected the output of "ip -j addr")` };
    const addresses = (raw.addr_info ?? [])
      .map((a) => (typeof a.local === "string" ? canonicalIp(a.local) : undefined))
      .filter((a): a is string => a !== undefined);
    interfaces.push({ name: raw.ifname, addresses });
  }
  return { interfaces };
};
