// A packet's path through netfilter, hook by hook and table by table in priority order
// (include/uapi/linux/netfilter_ipv4.h NF_IP_PRI_*): raw (-300), conntrack (-200), mangle (-150),
// nat DNAT (-100), filter (0), nat SNAT (100). Received packets take PREROUTING, then the routing decision
// sends them to INPUT (local delivery) or FORWARD and POSTROUTING; locally generated ones take OUTPUT and
// POSTROUTING. Tables the ruleset does not have are skipped.

import type { TableName } from "../rules/ir.js";
import { parseAddr } from "./addr.js";
import type { CompiledRuleset } from "./compile.js";
import { walkHook, type Walker } from "./hook-walk.js";
import { CT_BIT } from "./state.js";
import type { HookName, Packet } from "./types.js";

const CT_OF_STATE = {
  new: CT_BIT.NEW,
  established: CT_BIT.ESTABLISHED,
  related: CT_BIT.RELATED,
  invalid: CT_BIT.INVALID,
};

const event = (w: Walker, kind: "conntrack" | "nat", text: string): void => {
  // Resuming a known walk: its events before the checkpoint are recorded already.
  if (w.resume !== undefined) return;
  const s = w.state;
  w.path.push({ kind: "event", event: kind, hook: s.hook, text, markAfter: s.mark, depth: 0 });
};

/** nf_conntrack_in: finds (or creates) the flow, unless raw attached the untracked template. */
const conntrack = (w: Walker, p: Packet): void => {
  const s = w.state;
  if (s.ctBits === CT_BIT.UNTRACKED) {
    event(w, "conntrack", "conntrack skipped: the packet is UNTRACKED (NOTRACK in raw)");
    return;
  }
  s.ctBits = CT_OF_STATE[p.state];
  event(w, "conntrack", `conntrack: ${p.state.toUpperCase()}`);
};

/**
 * The DNAT point. The nat table is consulted only for a flow's first packet (nf_nat_inet_fn, IP_CT_NEW);
 * later packets get the flow's stored mapping, so `dnatTo` applies to established packets too. Untracked
 * and invalid packets have no conntrack entry and are never NATed.
 */
const dnat = (w: Walker, c: CompiledRuleset, hook: HookName, p: Packet): "accept" | "drop" => {
  const s = w.state;
  const nat = c.tables.get("nat");
  if (nat !== undefined && (s.ctBits & CT_BIT.NEW) !== 0 && walkHook(w, nat, hook) === "drop") return "drop";
  if (p.dnatTo === undefined) return "accept";
  s.hook = hook;
  if ((s.ctBits & (CT_BIT.UNTRACKED | CT_BIT.INVALID)) !== 0) {
    s.note(
      "warning",
      `dnatTo ignored: ${s.ctBits === CT_BIT.UNTRACKED ? "untracked" : "invalid"} packets are never NATed`,
    );
    return "accept";
  }
  const to = parseAddr(p.dnatTo.ip)!;
  s.dst = to;
  if (p.dnatTo.port !== undefined) s.dport = p.dnatTo.port;
  s.ctBits |= CT_BIT.DNAT;
  event(
    w,
    "nat",
    `DNAT to ${p.dnatTo.ip}${p.dnatTo.port === undefined ? "" : ` port ${p.dnatTo.port}`} (conntrack status DNAT)`,
  );
  return "accept";
};

const tables = (
  w: Walker,
  c: CompiledRuleset,
  hook: HookName,
  names: readonly TableName[],
): "accept" | "drop" => {
  for (const n of names) {
    const t = c.tables.get(n);
    if (t !== undefined && walkHook(w, t, hook) === "drop") return "drop";
  }
  return "accept";
};

/** Where the kernel passes a device: `-i` sees "" in OUTPUT/POSTROUTING, `-o` sees "" in PREROUTING/INPUT. */
const devices = (w: Walker, hook: HookName, p: Packet): void => {
  const s = w.state;
  s.hook = hook;
  s.inIface = hook === "OUTPUT" || hook === "POSTROUTING" ? "" : (p.in ?? "");
  s.outIface = hook === "PREROUTING" || hook === "INPUT" ? "" : (p.out ?? "");
};

/** Walks every hook the packet meets; the verdict is "drop" as soon as one table drops it. */
export const walkPacket = (w: Walker, c: CompiledRuleset, p: Packet): "accept" | "drop" => {
  const s = w.state;
  // Before nf_conntrack_in the skb has no ct: xt_conntrack reports INVALID (conntrack_mt).
  s.ctBits = CT_BIT.INVALID;
  const steps: (() => "accept" | "drop")[] =
    p.in !== undefined
      ? [
          () => (devices(w, "PREROUTING", p), tables(w, c, "PREROUTING", ["raw"])),
          () => (conntrack(w, p), tables(w, c, "PREROUTING", ["mangle"])),
          () => dnat(w, c, "PREROUTING", p),
          () => {
            const hook = p.out === undefined ? "INPUT" : "FORWARD";
            devices(w, hook, p);
            return tables(w, c, hook, ["mangle", "filter"]);
          },
          () => (p.out === undefined ? "accept" : (devices(w, "POSTROUTING", p), postrouting(w, c))),
        ]
      : [
          () => (devices(w, "OUTPUT", p), tables(w, c, "OUTPUT", ["raw"])),
          () => (conntrack(w, p), tables(w, c, "OUTPUT", ["mangle"])),
          () => dnat(w, c, "OUTPUT", p),
          () => (devices(w, "OUTPUT", p), tables(w, c, "OUTPUT", ["filter"])),
          () => (devices(w, "POSTROUTING", p), postrouting(w, c)),
        ];
  for (const step of steps) if (step() === "drop") return "drop";
  return "accept";
};

/** mangle, then nat (SNAT; again only for a flow's first packet). */
const postrouting = (w: Walker, c: CompiledRuleset): "accept" | "drop" => {
  if (tables(w, c, "POSTROUTING", ["mangle"]) === "drop") return "drop";
  return (w.state.ctBits & CT_BIT.NEW) !== 0 ? tables(w, c, "POSTROUTING", ["nat"]) : "accept";
};
