// The libnftables JSON expressions and statements we emit, and the ones `nft -j list` prints back for them
// (man libnftables-json, nft 1.0.6; checked against the reference examples and their read-backs). Each TypeScript
// type has a zod schema typed against it, so the schema cannot drift from the type, and tests validate what the
// real tool prints with the schema. Objects are strict: nft silently ignores unknown or misspelt keys (reference
// §3 pitfall 11), so a typo must fail here rather than load as something else.

import { z } from "zod";

/** Payload protocols we match on. `th` is "any transport header" (TCP, UDP, SCTP share the port offsets). */
export type NftPayloadProtocol =
  "ip" | "ip6" | "tcp" | "udp" | "udplite" | "sctp" | "dccp" | "th" | "icmp" | "icmpv6";
export type NftMetaKey = "iifname" | "oifname" | "iif" | "oif" | "l4proto" | "nfproto" | "protocol" | "mark";
export type NftCtKey = "state" | "status" | "mark";
export type NftFibResult = "oif" | "oifname" | "type";
export type NftFibFlag = "saddr" | "daddr" | "mark" | "iif" | "oif";
/** `!` is "bit(s) clear", printed by nft for `(x & flag) == 0` (reference §2.6 item 8). */
export type NftMatchOp = "==" | "!=" | "<" | ">" | "<=" | ">=" | "in" | "!";

export type NftVerdict =
  | { readonly accept: null }
  | { readonly drop: null }
  | { readonly return: null }
  | { readonly continue: null }
  | { readonly jump: { readonly target: string } }
  | { readonly goto: { readonly target: string } };

/**
 * An expression. Strings are literals, `@name` set references or `name*` interface wildcards; numbers are
 * integers (marks, ports, protocol numbers); an array is a flag list (`ct state in [...]`).
 */
export type NftExpr =
  | string
  | number
  | boolean
  | readonly NftExpr[]
  | { readonly payload: { readonly protocol: NftPayloadProtocol; readonly field: string } }
  | { readonly meta: { readonly key: NftMetaKey } }
  | { readonly ct: { readonly key: NftCtKey } }
  | { readonly fib: { readonly result: NftFibResult; readonly flags: readonly NftFibFlag[] } }
  /** A numeric `addr` appears on read-back for contiguous mark masks (`meta mark != 0x0/12`). */
  | { readonly prefix: { readonly addr: string | number; readonly len: number } }
  | { readonly range: readonly [NftExpr, NftExpr] }
  | { readonly set: readonly NftExpr[] | NftExpr }
  | { readonly concat: readonly NftExpr[] }
  | { readonly "&": readonly [NftExpr, NftExpr] }
  | { readonly "|": readonly [NftExpr, NftExpr] }
  | { readonly "^": readonly [NftExpr, NftExpr] }
  | NftVerdict;

export type NftLogLevel = "emerg" | "alert" | "crit" | "err" | "warn" | "notice" | "info" | "debug" | "audit";
export type NftRatePer = "second" | "minute" | "hour" | "day" | "week";

export interface NftMatch {
  readonly op: NftMatchOp;
  readonly left: NftExpr;
  readonly right: NftExpr;
}

export interface NftLog {
  readonly prefix?: string;
  readonly level?: NftLogLevel;
  readonly group?: number;
  readonly snaplen?: number;
  readonly "queue-threshold"?: number;
}

export interface NftLimit {
  readonly rate: number;
  readonly per: NftRatePer;
  readonly burst?: number;
  readonly inv?: boolean;
  readonly rate_unit?: "packets" | "bytes";
  readonly burst_unit?: "packets" | "bytes";
}

/** `{"reject":null}` reads back with its default filled in: `{"type":"icmp","expr":"port-unreachable"}`. */
export interface NftReject {
  readonly type: "tcp reset" | "icmp" | "icmpv6" | "icmpx";
  readonly expr?: string | number;
}

export interface NftNat {
  readonly addr?: NftExpr;
  readonly port?: NftExpr;
  readonly family?: "ip" | "ip6";
}

export type NftStatement =
  | NftVerdict
  | { readonly match: NftMatch }
  /** `null` in what we emit; nft prints the packet and byte counts back. */
  | { readonly counter: null | { readonly packets: number; readonly bytes: number } }
  | {
      readonly mangle: {
        readonly key: { readonly meta: { readonly key: "mark" } } | { readonly ct: { readonly key: "mark" } };
        readonly value: NftExpr;
      };
    }
  | { readonly log: NftLog }
  | { readonly notrack: null }
  | { readonly limit: NftLimit }
  | { readonly reject: null | NftReject }
  | { readonly vmap: { readonly key: NftExpr; readonly data: NftExpr } }
  | { readonly dnat: NftNat }
  | { readonly masquerade: null | { readonly port?: NftExpr } };

const s = z.strictObject;
const oneOf = <T extends string>(values: readonly [T, ...T[]]) => z.enum(values);

export const nftVerdictSchema: z.ZodType<NftVerdict> = z.union([
  s({ accept: z.null() }),
  s({ drop: z.null() }),
  s({ return: z.null() }),
  s({ continue: z.null() }),
  s({ jump: s({ target: z.string() }) }),
  s({ goto: s({ target: z.string() }) }),
]);

const payloadProtocol = oneOf(["ip", "ip6", "tcp", "udp", "udplite", "sctp", "dccp", "th", "icmp", "icmpv6"]);
const metaKey = oneOf(["iifname", "oifname", "iif", "oif", "l4proto", "nfproto", "protocol", "mark"]);
const fibFlag = oneOf(["saddr", "daddr", "mark", "iif", "oif"]);

export const nftExprSchema: z.ZodType<NftExpr> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(nftExprSchema),
    s({ payload: s({ protocol: payloadProtocol, field: z.string() }) }),
    s({ meta: s({ key: metaKey }) }),
    s({ ct: s({ key: oneOf(["state", "status", "mark"]) }) }),
    s({ fib: s({ result: oneOf(["oif", "oifname", "type"]), flags: z.array(fibFlag) }) }),
    s({ prefix: s({ addr: z.union([z.string(), z.number()]), len: z.number().int() }) }),
    s({ range: z.tuple([nftExprSchema, nftExprSchema]) }),
    s({ set: z.union([z.array(nftExprSchema), nftExprSchema]) }),
    s({ concat: z.array(nftExprSchema) }),
    s({ "&": z.tuple([nftExprSchema, nftExprSchema]) }),
    s({ "|": z.tuple([nftExprSchema, nftExprSchema]) }),
    s({ "^": z.tuple([nftExprSchema, nftExprSchema]) }),
    nftVerdictSchema,
  ]),
);

const markKey = z.union([
  s({ meta: s({ key: z.literal("mark") }) }),
  s({ ct: s({ key: z.literal("mark") }) }),
]);

const logSchema: z.ZodType<NftLog> = s({
  prefix: z.string().optional(),
  level: oneOf(["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit"]).optional(),
  group: z.number().int().optional(),
  snaplen: z.number().int().optional(),
  "queue-threshold": z.number().int().optional(),
});

const limitSchema: z.ZodType<NftLimit> = s({
  rate: z.number(),
  per: oneOf(["second", "minute", "hour", "day", "week"]),
  burst: z.number().int().optional(),
  inv: z.boolean().optional(),
  rate_unit: oneOf(["packets", "bytes"]).optional(),
  burst_unit: oneOf(["packets", "bytes"]).optional(),
});

const natSchema: z.ZodType<NftNat> = s({
  addr: nftExprSchema.optional(),
  port: nftExprSchema.optional(),
  family: oneOf(["ip", "ip6"]).optional(),
});

export const nftStatementSchema: z.ZodType<NftStatement> = z.union([
  nftVerdictSchema,
  s({
    match: s({
      op: oneOf(["==", "!=", "<", ">", "<=", ">=", "in", "!"]),
      left: nftExprSchema,
      right: nftExprSchema,
    }),
  }),
  s({ counter: z.union([z.null(), s({ packets: z.number().int(), bytes: z.number().int() })]) }),
  s({ mangle: s({ key: markKey, value: nftExprSchema }) }),
  s({ log: logSchema }),
  s({ notrack: z.null() }),
  s({ limit: limitSchema }),
  s({
    reject: z.union([
      z.null(),
      s({
        type: oneOf(["tcp reset", "icmp", "icmpv6", "icmpx"]),
        expr: z.union([z.string(), z.number()]).optional(),
      }),
    ]),
  }),
  s({ vmap: s({ key: nftExprSchema, data: nftExprSchema }) }),
  s({ dnat: natSchema }),
  s({ masquerade: z.union([z.null(), s({ port: nftExprSchema.optional() })]) }),
]);
