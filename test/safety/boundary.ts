// Packets at the boundaries a ruleset draws: CIDR and set member edges and their neighbours, port range
// edges, on every interface of the universe plus names no rule mentions. Brute force needs these: random
// packets rarely land on a /32 or a single port.

import type { Ruleset } from "../../src/rules/ir.js";
import { addrSpace, addrText, pick } from "../../src/safety/flowspace/index.js";
import { cidrRange } from "../../src/safety/flowspace/sets.js";
import type { Packet } from "../../src/trace/index.js";

/**
 * Packets built from the values a ruleset's matches draw boundaries at (CIDR and set member edges and
 * their neighbours, port range edges), on every interface of the universe plus unknown names.
 */
export const boundaryPackets = (
  rs: Ruleset,
  ifaces: readonly string[],
  rnd: () => number,
  count: number,
): Packet[] => {
  const v = rs.version;
  const addrs = new Set<bigint>();
  const ports = new Set<number>([0, 65535]);
  const addNet = (text: string) => {
    const r = cidrRange(text.includes(",") ? text.slice(0, text.indexOf(",")) : text, v);
    if (r === undefined) return;
    for (const x of [r.lo - 1n, r.lo, r.hi, r.hi + 1n]) if (x >= 0n && x <= addrSpace(v).hi) addrs.add(x);
  };
  for (const s of rs.sets)
    for (const m of s.members) {
      addNet(m);
      const port = /:(\d+)$/.exec(m)?.[1];
      if (port !== undefined) ports.add(Number(port));
    }
  for (const t of rs.tables)
    for (const r of [
      ...t.chains.flatMap((c) => c.rules),
      ...t.hooks.flatMap((h) => [...h.inserted, ...h.appended]),
    ])
      for (const m of r.matches) {
        if (m.kind === "srcNet" || m.kind === "dstNet") addNet(m.cidr);
        if (m.kind === "srcPorts" || m.kind === "dstPorts")
          for (const p of m.ports)
            for (const x of [p.from - 1, p.from, p.to, p.to + 1]) if (x >= 0 && x <= 65535) ports.add(x);
      }
  const addrList = [...addrs];
  const portList = [...ports];
  const any = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const addr = () =>
    addrList.length > 0 && rnd() < 0.8 ? addrText(v, any(addrList)) : addrText(v, pick(addrSpace(v), rnd));
  const names = [...ifaces, "zz-if7", "eth42"];
  return Array.from({ length: count }, () => {
    const dir = any(["in", "out", "fwd"]);
    const proto = any([6, 17, 6, 17, v === 4 ? 1 : 58, 132, 47]);
    const ported = [6, 17, 132, 136].includes(proto);
    return {
      ...(dir !== "out" ? { in: any(names) } : {}),
      ...(dir !== "in" ? { out: any(names) } : {}),
      src: addr(),
      dst: addr(),
      proto,
      ...(ported ? { sport: any(portList), dport: any(portList) } : {}),
      ...(proto === (v === 4 ? 1 : 58) ? { icmpType: any([0, 8, 3, 128]), icmpCode: any([0, 1]) } : {}),
      state: "new" as const,
    };
  });
};
