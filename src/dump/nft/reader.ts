// The shape every nft match reader shares, and accessors for the JSON expressions `nft -j list` prints.

import type { IpVersion, Match } from "../../rules/ir.js";
import type { NftExpr, NftMatch } from "../../render/nftables/schema-expr.js";

/** An ICMP code match waiting to be joined with the type match before it. */
export interface IcmpCodePart {
  readonly kind: "icmpCode";
  readonly version: IpVersion;
  readonly code: number;
  readonly negated: boolean;
}
export type MatchPart = Match | IcmpCodePart;

export interface MatchRead {
  readonly parts: readonly MatchPart[];
  /** Protocol number the match implies (its payload header), for the dropped `meta l4proto` match. */
  readonly implies?: number;
}

/** One kind of match statement → IR parts, or undefined when it has no IR form. */
export type Reader = (m: NftMatch) => MatchRead | undefined;

/** Payload protocols that imply an L4 protocol, with its number (nft adds that dependency itself). */
export const IMPLIED: Readonly<Record<string, number>> = {
  tcp: 6,
  udp: 17,
  sctp: 132,
  udplite: 136,
  dccp: 33,
  icmp: 1,
  icmpv6: 58,
};

/** The expression as a plain object (not a literal or a list). */
export const obj = (e: NftExpr): Record<string, unknown> | undefined =>
  typeof e === "object" && e !== null && !Array.isArray(e) ? (e as Record<string, unknown>) : undefined;
export const payloadOf = (e: NftExpr): { protocol: string; field: string } | undefined =>
  obj(e)?.["payload"] as { protocol: string; field: string } | undefined;
export const metaKey = (e: NftExpr): string | undefined =>
  (obj(e)?.["meta"] as { key: string } | undefined)?.key;

/** `==` → not negated, `!=` → negated, anything else has no IR form. */
export const negation = (op: string): boolean | undefined =>
  op === "==" ? false : op === "!=" ? true : undefined;
export const read = (parts: MatchPart[], implies?: number): MatchRead =>
  implies === undefined ? { parts } : { parts, implies };
