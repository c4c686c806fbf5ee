// An IP set member as ipaddr.js alone makes it (network address; a host CIDR as a plain IP): the oracle
// for calc's canonicalNet and for the brute-force IP set membership of test/bench/index.test.ts.

import ipaddr from "ipaddr.js";

export const canonicalOracle = (cidr: string): string | undefined => {
  try {
    if (!cidr.includes("/")) return ipaddr.parse(cidr).toString();
    const [addr, len] = ipaddr.parseCIDR(cidr);
    if (len === (addr.kind() === "ipv4" ? 32 : 128)) return addr.toString();
    const net =
      addr.kind() === "ipv4"
        ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
        : ipaddr.IPv6.networkAddressFromCIDR(cidr);
    return `${net.toString()}/${len}`;
  } catch {
    return undefined;
  }
};
