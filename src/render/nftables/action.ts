// IR Action → Felix's nft action text (felix/nftables/actions.go at 87c15906f2), the loadable text and the
// libnftables JSON statements. jump/goto targets are cut to nft's name limit and namespaced by the rule's layer
// (actions.go:174-213, table_layer.go:64-77). Mark arithmetic follows actions.go:339-366.

import { onAction } from "../../rules/ir.js";
import type { Action, ActionHandlers, TableName } from "../../rules/ir.js";
import { isSharedKind, renderedOnce } from "../../rules/build.js";
import { nftChainName } from "./layout.js";
import { keptInBounded } from "../../util/memo.js";
import { goHex, meta, same } from "./expr.js";
import type { NftFragment } from "./expr.js";
import type { NftExpr, NftStatement } from "./schema-expr.js";

export interface NftActionContext {
  /** The layer (iptables table) of the rule's chain, which prefixes jump and goto targets. */
  readonly layer: TableName;
}

const mark = meta("mark");
const setMark = (value: NftExpr): NftStatement => ({ mangle: { key: mark, value } });
const not32 = (n: number): number => ~n >>> 0;

/** `dnat to 192.0.2.1`, `dnat to 192.0.2.1:80`, `dnat to [2001:db8::1]:80` as nft's dnat statement. */
const dnatExpr = (to: string): NftStatement => {
  const v6 = /^\[(.+)\]:(\d+)$/.exec(to);
  const v4 = /^([^:]+):(\d+)$/.exec(to);
  const [addr, port] = v6 !== null ? [v6[1], v6[2]] : v4 !== null ? [v4[1], v4[2]] : [to, undefined];
  return { dnat: { addr: addr ?? to, ...(port === undefined ? {} : { port: Number(port) }) } };
};

export const nftActionHandlers = (ctx: NftActionContext): ActionHandlers<NftFragment> => ({
  accept: () => same("accept", [{ accept: null }]),
  drop: () => same("drop", [{ drop: null }]),
  // RejectAction with no `With`: nft's default is ICMP port-unreachable (icmpv6 in ip6 tables).
  reject: () => same("reject", [{ reject: null }]),
  return: () => same("return", [{ return: null }]),
  jump: (a) => {
    const target = nftChainName(ctx.layer, a.target);
    return same(`jump ${target}`, [{ jump: { target } }]);
  },
  goto: (a) => {
    const target = nftChainName(ctx.layer, a.target);
    return same(`goto ${target}`, [{ goto: { target } }]);
  },
  // SetMarkAction (`mark or M`) when the IR sets exactly the masked bits, else SetMaskedMarkAction
  // (`mark & ~mask ^ value`; policy.go:481 uses it for match blocks, with value 0 too).
  setMark: (a) =>
    a.value >>> 0 === a.mask >>> 0
      ? same(`meta mark set mark or ${goHex(a.value)}`, [setMark({ "|": [mark, a.value >>> 0] })])
      : same(`meta mark set mark & ${goHex(not32(a.mask))} ^ ${goHex(a.value)}`, [
          setMark({ "^": [{ "&": [mark, not32(a.mask)] }, a.value >>> 0] }),
        ]),
  // ClearMarkAction: `mark & ~M`.
  clearMark: (a) =>
    same(`meta mark set mark & ${goHex(not32(a.mask))}`, [setMark({ "&": [mark, not32(a.mask)] })]),
  // LogAction: Felix appends ": " and always logs at level info in nft mode (the IR's level is iptables').
  log: (a) =>
    same(`log prefix "${a.prefix}: " level info`, [{ log: { prefix: `${a.prefix}: `, level: "info" } }]),
  // NflogAction: size 0 means 80; a negative size leaves snaplen out (actions.go:436-446).
  nflog: (a) => {
    if (a.size < 0)
      return same(`log prefix "${a.prefix}" group ${a.group}`, [
        { log: { prefix: a.prefix, group: a.group } },
      ]);
    const snaplen = a.size === 0 ? 80 : a.size;
    return same(`log prefix "${a.prefix}" snaplen ${snaplen} group ${a.group}`, [
      { log: { prefix: a.prefix, group: a.group, snaplen } },
    ]);
  },
  notrack: () => same("notrack", [{ notrack: null }]),
  dnat: (a) => same(`dnat to ${a.to}`, [dnatExpr(a.to)]),
  masquerade: () => same("masquerade", [{ masquerade: null }]),
  // No action: Felix renders only the match and no counter (renderer.go:62-90).
  none: () => same("", []),
  unknown: (a) => {
    throw new Error(`cannot render an unknown action as nft: ${a.text}`);
  },
});

/** One IR action as nft fragments (empty for `none`). */
export const actionFragment = (a: Action, ctx: NftActionContext): NftFragment => {
  const l = layerFor(ctx.layer);
  if (a.kind !== "jump" && a.kind !== "goto") return renderedOnce(l.fragments, a, l.render);
  // A jump is made for each rule, but its fragment is the same for every jump to that chain (a policy's
  // chain is jumped to from each endpoint chain): kept by target, so that it is one object (and its texts,
  // kept by the renderers, are made once).
  return keptInBounded(a.kind === "jump" ? l.jumps : l.gotos, a.target, 100_000, () => l.render(a));
};

/** Whether actionFragment gives one object for every action equal to `a`. */
export const actionFragmentKept = (a: Action): boolean =>
  a.kind === "jump" || a.kind === "goto" || isSharedKind(a.kind);

// Handlers are built once per layer, not once per rule; most actions are one object per value (rules/build.ts),
// rendered once per layer.
interface Layer {
  readonly render: (a: Action) => NftFragment;
  readonly fragments: WeakMap<Action, NftFragment>;
  readonly jumps: Map<string, NftFragment>;
  readonly gotos: Map<string, NftFragment>;
}
const byLayer = new Map<TableName, Layer>();
const layerFor = (layer: TableName): Layer => {
  let l = byLayer.get(layer);
  if (l === undefined) {
    const handlers = nftActionHandlers({ layer });
    l = {
      render: (a) => onAction(handlers, a),
      fragments: new WeakMap(),
      jumps: new Map(),
      gotos: new Map(),
    };
    byLayer.set(layer, l);
  }
  return l;
};
