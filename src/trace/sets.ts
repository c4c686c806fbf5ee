// IP sets compiled for lookups: hash:net as one hash per prefix length (the kernel's hash:net also probes
// each stored prefix length, net/netfilter/ipset/ip_set_hash_gen.h), hash:ip,port as a set of ip|proto|port.

import type { Lookup } from "../util/lazy-lookup.js";
import type { IpSet, IpVersion } from "../rules/ir.js";
import { foldedKey } from "../util/bigint-key.js";
import { keptIn } from "../util/memo.js";
import { addrKey, parseAddr, parsePrefix, type Addr } from "./addr.js";

export interface CompiledSet {
  readonly name: string;
  readonly type: IpSet["type"];
  readonly version: IpVersion;
  /** Members the tracer could not read; reported (once per trace) when the set is consulted. */
  readonly problems: readonly string[];
  readonly hasNet: (a: Addr) => boolean;
  readonly hasIpPort: (a: Addr, proto: number, port: number) => boolean;
}

/** IP sets by name, as rules look them up. */
export type SetLookup = Lookup<CompiledSet>;

/** Protocol names ipset accepts in hash:ip,port members (ipset(8) "proto:port"; no proto means tcp). */
const IPSET_PROTOS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, sctp: 132, udplite: 136 };

const ipPortKey = (a: Addr, proto: number, port: number): string => `${addrKey(a)}|${proto}|${port}`;

const v4Numbers = new WeakMap<Addr, number>();

/**
 * An IPv4 address as a plain number (0 .. 2^32-1), memoised per address object: prefix tests on numbers
 * avoid allocating a BigInt per test. Only for `a.v === 4`.
 */
export const v4Number = (a: Addr): number => {
  let n = v4Numbers.get(a);
  if (n === undefined) {
    n = Number(a.n);
    v4Numbers.set(a, n);
  }
  return n;
};

/** `n >> shift` for a 32-bit address number and a shift of 0..32, as the BigInt `a.n >> shift` would give. */
export const v4Shift = (n: number, shift: number): number => (shift >= 32 ? 0 : n >>> shift);

/** A hash:ip,port member "ip,proto:port" ("ip,port" is tcp) of the set's family; undefined if it is not one. */
export const parseIpPortMember = (
  m: string,
  version: IpVersion,
): { ip: Addr; proto: number; port: number } | undefined => {
  const comma = m.indexOf(",");
  const ip = comma < 0 ? undefined : parseAddr(m.slice(0, comma));
  const rest = comma < 0 ? "" : m.slice(comma + 1);
  const colon = rest.indexOf(":");
  const protoName = colon < 0 ? "tcp" : rest.slice(0, colon).toLowerCase();
  const portText = colon < 0 ? rest : rest.slice(colon + 1);
  const proto = IPSET_PROTOS[protoName];
  if (ip === undefined || ip.v !== version || proto === undefined || !/^\d{1,5}$/.test(portText))
    return undefined;
  return { ip, proto, port: Number(portText) };
};

// By set object: IR sets are never modified, and a node's rulesets share most of them (IPv4 and IPv6 with
// and without failsafe ports, before and after a change), whose members would otherwise be compiled again.
const compiledSets = new WeakMap<IpSet, CompiledSet>();

export const compileSet = (set: IpSet): CompiledSet => keptIn(compiledSets, set, compileUncached);

const compileUncached = (set: IpSet): CompiledSet => {
  const problems: string[] = [];
  const byLen = new Map<number, { shift: bigint; keys: Set<bigint> }>();
  const ipPorts = new Set<string>();
  for (const m of set.members) {
    if (set.type === "hash:net") {
      const p = parsePrefix(m);
      if (p === undefined || p.v !== set.version) {
        problems.push(
          `member "${m}" of ipset ${set.name} is not an IPv${set.version} address or CIDR; ignored`,
        );
        continue;
      }
      const slot = byLen.get(p.len) ?? { shift: p.shift, keys: new Set<bigint>() };
      slot.keys.add(foldedKey(p.key));
      byLen.set(p.len, slot);
      continue;
    }
    const member = parseIpPortMember(m, set.version);
    if (member === undefined) {
      problems.push(
        `member "${m}" of ipset ${set.name} is not "ip,proto:port" with tcp/udp/sctp/udplite; ignored`,
      );
      continue;
    }
    ipPorts.add(ipPortKey(member.ip, member.proto, member.port));
  }
  const slots = [...byLen.values()];
  // IPv4 sets also keep their keys as numbers (same keys, no BigInt per lookup; folding leaves a key
  // below 2^64 as it is).
  const slots4 =
    set.version === 4
      ? slots.map((s) => ({ shift: Number(s.shift), keys: new Set([...s.keys].map((k) => Number(k))) }))
      : [];
  const hasNet =
    set.version === 4
      ? (a: Addr): boolean => {
          if (a.v !== 4) return false;
          const n = v4Number(a);
          for (let i = 0; i < slots4.length; i++) {
            const s = slots4[i]!;
            if (s.keys.has(v4Shift(n, s.shift))) return true;
          }
          return false;
        }
      : (a: Addr): boolean => a.v === set.version && slots.some((s) => s.keys.has(foldedKey(a.n >> s.shift)));
  return {
    name: set.name,
    type: set.type,
    version: set.version,
    problems,
    hasNet,
    hasIpPort: (a, proto, port) => ipPorts.has(ipPortKey(a, proto, port)),
  };
};
