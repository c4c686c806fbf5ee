// nft named sets → IR IP sets, inverting Felix's declarations (felix/nftables/ipsets.go:926-943 setType):
// ipvN_addr (interval or not) → hash:net, ipvN_addr . inet_proto . inet_service → hash:ip,port with members
// `ip,proto:port` (members.go v4IPPortMember.String). Element order on read-back is not kept (reference §2.6
// item 3), so members are sorted. Other set types and maps are reported, not modelled.

import type { IpSet, IpVersion } from "../../rules/ir.js";
import { nftExprSchema } from "../../render/nftables/schema-expr.js";
import type { NftExpr } from "../../render/nftables/schema-expr.js";
import type { NftSet } from "../../render/nftables/schema.js";
import { ipsetNameOf } from "./names.js";
import { protocolNumber, symbol } from "./values.js";
import { compareStrings } from "../../util/compare.js";

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 6: "tcp", 17: "udp", 132: "sctp" };

/** An address element: plain address, prefix, or (not from Felix) a range kept as `a-b`. */
const addressMember = (e: NftExpr): string | undefined => {
  if (typeof e === "string") return e;
  if (typeof e !== "object" || e === null || Array.isArray(e)) return undefined;
  if ("prefix" in e) return `${String(e.prefix.addr)}/${e.prefix.len}`;
  if ("range" in e) return `${String(e.range[0])}-${String(e.range[1])}`;
  return undefined;
};

const ipPortMember = (e: NftExpr): string | undefined => {
  const parts =
    typeof e === "object" && e !== null && !Array.isArray(e) ? (e as { concat?: unknown }).concat : undefined;
  if (!Array.isArray(parts)) return undefined;
  const [ip, proto, port] = parts as NftExpr[];
  const p = proto === undefined ? undefined : protocolNumber(proto);
  const n = port === undefined ? undefined : symbol(port);
  if (typeof ip !== "string" || p === undefined || n === undefined) return undefined;
  return `${ip},${PROTOCOL_NAMES[p] ?? String(p)}:${n}`;
};

/** One nft set as an IR IP set, or undefined (with a warning) when the IR has no such set type. */
export const readSet = (s: NftSet, warn: (message: string) => void): IpSet | undefined => {
  const type = Array.isArray(s.type) ? s.type.join(" . ") : (s.type as string);
  const version: IpVersion | undefined = type.startsWith("ipv4_addr")
    ? 4
    : type.startsWith("ipv6_addr")
      ? 6
      : undefined;
  const kind =
    type === "ipv4_addr" || type === "ipv6_addr"
      ? "hash:net"
      : type === `ipv${version ?? 0}_addr . inet_proto . inet_service`
        ? "hash:ip,port"
        : undefined;
  if (version === undefined || kind === undefined) {
    warn(`set ${s.name} has type ${type}, which is not modelled`);
    return undefined;
  }
  const members: string[] = [];
  for (const raw of s.elem ?? []) {
    const e = nftExprSchema.safeParse(raw);
    const m = !e.success ? undefined : kind === "hash:net" ? addressMember(e.data) : ipPortMember(e.data);
    if (m === undefined) warn(`set ${s.name}: element not modelled: ${JSON.stringify(raw)}`);
    else members.push(m);
  }
  const name = ipsetNameOf(s.name);
  return {
    kind: "set",
    // Felix names sets cali4/cali6 + "0" + id (felix/ipsets/ipset_defs.go).
    id: /^cali[46]0/.test(name) ? name.slice(6) : name,
    name,
    type: kind,
    version,
    members: members.sort(compareStrings),
    description: `from nft set ${s.family} ${s.table} ${s.name}`,
  };
};
