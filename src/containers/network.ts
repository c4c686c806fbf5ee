// The network that joins node containers: a user-defined Docker bridge network whose bridge device has no
// address, with nodes that drop Docker's addresses and routes. Why this and not the alternatives:
//
// - Traffic really crosses between nodes: each container's eth0 is one end of a veth pair whose other end
//   sits on the bridge, so a packet leaves node B's netfilter OUTPUT/POSTROUTING and enters node A's
//   PREROUTING/INPUT, exactly the hooks Felix programs for host endpoints.
// - Nodes use the resources' own addresses (expectedIPs, documentation ranges), not Docker's IPAM ones:
//   each node replaces eth0's addresses with them and gets one host route plus one permanent neighbour
//   entry per peer address, and no default route. That is also why the network is not `Internal`:
//   Docker's isolation rules for internal networks drop bridged packets whose source or destination lies
//   outside the network's IPAM subnet (seen with br_netfilter), and a bridge takes only one IPv4 subnet.
// - Isolated from everything else: `com.docker.network.bridge.inhibit_ipv4` leaves the machine's bridge
//   device without an address (the host is not reachable at layer 3, and is no gateway), masquerading is
//   off, and the nodes have no route but to each other; nothing is published.
// - It needs no access to the containers' namespaces from the machine running the tests, so it works with
//   a remote daemon or Docker Desktop, which veth pairs made with `ip link ... netns <pid>` would not.
//   `withNetworkMode("none")` would isolate each node completely, but then nothing crosses.
// - Aliases are never used: with a network mode, testcontainers' `withNetworkAliases` also attaches the
//   container to the default bridge.

import { randomInt } from "node:crypto";
import { SUITE_LABELS, randomName, removeNetworkByName, runtimeClient } from "./docker.js";

export interface NodeNetwork {
  /** calisim-<random hex>; pass to GenericContainer.withNetworkMode. */
  readonly name: string;
  /** The IPv4 subnet Docker's IPAM insists on (a /28 of a documentation range); nodes drop its addresses. */
  readonly subnet: string;
  /** Removes the network by exact name (idempotent). */
  remove(): Promise<void>;
}

/** Documentation ranges (RFC 5737) cut into /28s; Docker refuses subnets that overlap another network's. */
const DOC_RANGES = ["192.0.2", "198.51.100", "203.0.113"] as const;
const randomDocSubnet = (): string => `${DOC_RANGES[randomInt(DOC_RANGES.length)]}.${randomInt(16) * 16}/28`;

export const createNodeNetwork = async (): Promise<NodeNetwork> => {
  const client = await runtimeClient();
  let lastError: unknown;
  for (let attempt = 0; attempt < 24; attempt++) {
    const name = randomName();
    const subnet = randomDocSubnet();
    try {
      await client.network.create({
        Name: name,
        Driver: "bridge",
        Internal: false,
        CheckDuplicate: true,
        EnableIPv6: false,
        Labels: { ...SUITE_LABELS },
        Options: {
          "com.docker.network.bridge.inhibit_ipv4": "true",
          "com.docker.network.bridge.enable_ip_masquerade": "false",
        },
        IPAM: { Driver: "default", Config: [{ Subnet: subnet }] },
      });
      return { name, subnet, remove: () => removeNetworkByName(name) };
    } catch (e) {
      lastError = e;
      // Another test file (or another user) holds this subnet; try another.
      if (!/overlap|already (exists|in use)/i.test(e instanceof Error ? e.message : String(e))) {
        await removeNetworkByName(name);
        throw e;
      }
    }
  }
  throw new Error(`could not create a node network: ${String(lastError)}`);
};
