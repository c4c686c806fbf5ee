// Small builders shared by the nft match and action renderers: the three spellings of a fragment, Go's %#x, and
// the libnftables JSON shapes we emit (reference §1.5, §2.3).

import type { NftExpr, NftMatchOp, NftPayloadProtocol, NftRatePer, NftStatement } from "./schema-expr.js";

/** One rule fragment in its three spellings. */
export interface NftFragment {
  /** Felix's text: what generictables.RuleHashes hashes. */
  readonly felix: string;
  /** Text `nft -f` accepts with the same meaning as `expr`. */
  readonly text: string;
  readonly expr: readonly NftStatement[];
}

/** A fragment whose loadable text is Felix's text. */
export const same = (felix: string, expr: readonly NftStatement[]): NftFragment => ({
  felix,
  text: felix,
  expr,
});

/** Go's `%#x` for a uint32: `0x10000`, and `0x0` for zero. */
export const goHex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

export const nftMatch = (left: NftExpr, right: NftExpr, op: NftMatchOp = "=="): NftStatement => ({
  match: { op, left, right },
});

export const meta = <K extends "iifname" | "oifname" | "l4proto" | "mark">(key: K) =>
  ({ meta: { key } }) as const;
export const payload = (protocol: NftPayloadProtocol, field: string) =>
  ({ payload: { protocol, field } }) as const;

/** A CIDR as an nft value: an address when it covers one host, else a prefix (a "a/b" string would be a DNS name). */
export const addressExpr = (cidr: string): NftExpr => {
  // Most are plain addresses (set members by the ten thousand): no split.
  if (!cidr.includes("/")) return cidr;
  const [addr, len] = cidr.split("/");
  const full = cidr.includes(":") ? 128 : 32;
  if (addr === undefined || len === undefined || Number(len) === full) return addr ?? cidr;
  return { prefix: { addr, len: Number(len) } };
};

const RATE_UNITS: readonly NftRatePer[] = ["second", "minute", "hour", "day"];

/** `10/min`, `10/second` → rate and unit (libxt_limit takes any prefix of the unit, nft its full name). */
export const parseRate = (rate: string): { readonly rate: number; readonly per: NftRatePer } => {
  const [n, unit] = rate.split("/");
  const per = RATE_UNITS.find((u) => unit !== undefined && unit !== "" && u.startsWith(unit));
  if (n === undefined || !/^\d+$/.test(n) || per === undefined) throw new Error(`bug: bad rate ${rate}`);
  return { rate: Number(n), per };
};
