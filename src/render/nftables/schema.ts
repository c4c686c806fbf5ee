// The libnftables JSON documents we emit (`nft -j -f`) and what `nft -j list ruleset` prints back: tables, chains,
// rules, named sets and maps, as TypeScript types with zod schemas typed against them (man libnftables-json,
// nft 1.0.6; reference §2.1-2.5). What nft adds on read-back (handles, counter values, metainfo) is optional here.

import { z } from "zod";
import type { NftExpr, NftStatement } from "./schema-expr.js";
import { nftExprSchema, nftStatementSchema } from "./schema-expr.js";

export type NftFamily = "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev";
export type NftChainType = "filter" | "nat" | "route";
export type NftHook = "prerouting" | "input" | "forward" | "output" | "postrouting" | "ingress" | "egress";
/** Set key types Felix uses (felix/nftables/ipsets.go setType, maps.go). */
export type NftKeyType = "ipv4_addr" | "ipv6_addr" | "inet_proto" | "inet_service" | "ifname" | "mark";
export type NftSetFlag = "constant" | "interval" | "timeout" | "dynamic";

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
  readonly handle?: number;
}

export interface NftChainRef {
  readonly family: NftFamily;
  readonly table: string;
  readonly name: string;
  readonly handle?: number;
}

/**
 * A base chain. `prio` must be a number: a string priority, or a missing type/hook/prio, makes nft 1.0.6 create
 * a regular chain without any error (reference §3 pitfall 2).
 */
export interface NftBaseChain extends NftChainRef {
  readonly type: NftChainType;
  readonly hook: NftHook;
  readonly prio: number;
  readonly policy?: "accept" | "drop";
}

export type NftChain = NftChainRef | NftBaseChain;

export interface NftRule {
  readonly family: NftFamily;
  readonly table: string;
  readonly chain: string;
  /** Absent on read-back for a rule without statements. */
  readonly expr?: readonly NftStatement[];
  readonly comment?: string;
  readonly handle?: number;
  readonly index?: number;
}

export interface NftSet {
  readonly family: NftFamily;
  readonly table: string;
  readonly name: string;
  readonly handle?: number;
  /** A concatenated type is an array, e.g. ["ipv4_addr", "inet_proto", "inet_service"]. */
  readonly type: NftKeyType | readonly NftKeyType[];
  readonly flags?: readonly NftSetFlag[];
  readonly elem?: readonly NftExpr[];
}

export interface NftMap extends Omit<NftSet, "elem"> {
  readonly map: "verdict" | NftKeyType;
  readonly elem?: readonly (readonly [NftExpr, NftExpr])[];
}

export interface NftElement {
  readonly family: NftFamily;
  readonly table: string;
  readonly name: string;
  readonly elem: readonly NftExpr[];
}

export type NftObject =
  | { readonly table: NftTable }
  | { readonly chain: NftChain }
  | { readonly rule: NftRule }
  | { readonly set: NftSet }
  | { readonly map: NftMap }
  | { readonly element: NftElement };

export interface NftMetainfo {
  readonly version?: string;
  readonly release_name?: string;
  readonly json_schema_version: number;
}

export type NftCommand =
  | { readonly add: NftObject }
  | { readonly create: NftObject }
  | { readonly insert: { readonly rule: NftRule } }
  | { readonly replace: { readonly rule: NftRule } }
  | { readonly delete: NftObject }
  | {
      readonly flush:
        | { readonly table: NftTable }
        | { readonly chain: NftChainRef }
        | { readonly set: Omit<NftSet, "type"> }
        | { readonly ruleset: null };
    }
  | { readonly metainfo: NftMetainfo };

/** A batch for `nft -j -f`: one atomic transaction (reference §2.1). */
export interface NftDocument {
  readonly nftables: readonly NftCommand[];
}

/** `nft -j list ruleset` / `list table`: bare objects (which nft also accepts as input, meaning "add"). */
export interface NftListOutput {
  readonly nftables: readonly ({ readonly metainfo: NftMetainfo } | NftObject)[];
}

const s = z.strictObject;
const family = z.enum(["ip", "ip6", "inet", "arp", "bridge", "netdev"]);
const handle = z.number().int().optional();
const keyType = z.enum(["ipv4_addr", "ipv6_addr", "inet_proto", "inet_service", "ifname", "mark"]);

export const nftTableSchema: z.ZodType<NftTable> = s({ family, name: z.string(), handle });

const chainRefShape = { family, table: z.string(), name: z.string(), handle };
export const nftChainRefSchema: z.ZodType<NftChainRef> = s(chainRefShape);
export const nftBaseChainSchema: z.ZodType<NftBaseChain> = s({
  ...chainRefShape,
  type: z.enum(["filter", "nat", "route"]),
  hook: z.enum(["prerouting", "input", "forward", "output", "postrouting", "ingress", "egress"]),
  prio: z.number().int(),
  policy: z.enum(["accept", "drop"]).optional(),
});
export const nftChainSchema: z.ZodType<NftChain> = z.union([nftChainRefSchema, nftBaseChainSchema]);

export const nftRuleSchema: z.ZodType<NftRule> = s({
  family,
  table: z.string(),
  chain: z.string(),
  expr: z.array(nftStatementSchema).optional(),
  comment: z.string().optional(),
  handle,
  index: z.number().int().optional(),
});

const setShape = {
  family,
  table: z.string(),
  name: z.string(),
  handle,
  type: z.union([keyType, z.array(keyType)]),
  flags: z.array(z.enum(["constant", "interval", "timeout", "dynamic"])).optional(),
};
export const nftSetSchema: z.ZodType<NftSet> = s({ ...setShape, elem: z.array(nftExprSchema).optional() });
export const nftMapSchema: z.ZodType<NftMap> = s({
  ...setShape,
  map: z.union([z.literal("verdict"), keyType]),
  elem: z.array(z.tuple([nftExprSchema, nftExprSchema])).optional(),
});
export const nftElementSchema: z.ZodType<NftElement> = s({
  family,
  table: z.string(),
  name: z.string(),
  elem: z.array(nftExprSchema),
});

export const nftObjectSchema: z.ZodType<NftObject> = z.union([
  s({ table: nftTableSchema }),
  s({ chain: nftChainSchema }),
  s({ rule: nftRuleSchema }),
  s({ set: nftSetSchema }),
  s({ map: nftMapSchema }),
  s({ element: nftElementSchema }),
]);

export const nftMetainfoSchema: z.ZodType<NftMetainfo> = s({
  version: z.string().optional(),
  release_name: z.string().optional(),
  json_schema_version: z.number().int(),
});

const { type: _type, ...setRefShape } = setShape;

export const nftCommandSchema: z.ZodType<NftCommand> = z.union([
  s({ add: nftObjectSchema }),
  s({ create: nftObjectSchema }),
  s({ insert: s({ rule: nftRuleSchema }) }),
  s({ replace: s({ rule: nftRuleSchema }) }),
  s({ delete: nftObjectSchema }),
  s({
    flush: z.union([
      s({ table: nftTableSchema }),
      s({ chain: nftChainRefSchema }),
      s({ set: s(setRefShape) }),
      s({ ruleset: z.null() }),
    ]),
  }),
  s({ metainfo: nftMetainfoSchema }),
]);

/** Our own documents: strict, so a misspelt key fails here instead of being ignored by nft. */
export const nftDocumentSchema: z.ZodType<NftDocument> = s({ nftables: z.array(nftCommandSchema) });

export const nftListOutputSchema: z.ZodType<NftListOutput> = s({
  nftables: z.array(z.union([s({ metainfo: nftMetainfoSchema }), nftObjectSchema])),
});

/** Only the envelope of a listing: other software's tables may hold expressions we do not model (e.g. `xt`). */
export const nftListEnvelopeSchema = s({
  nftables: z.array(z.record(z.string(), z.unknown())),
});
