// IR actions → what they do to the packet and where control goes next, one handler per action kind.

import type { ActionHandlers } from "../rules/ir.js";
import { parseAddr } from "./addr.js";
import { CT_BIT, type Act, type Control } from "./state.js";

const NEXT: Control = { k: "next" };
const ACCEPT: Control = { k: "accept" };
const DROP: Control = { k: "drop" };
const RETURN: Control = { k: "return" };

/** "ip", "ip:port", "[v6]:port" as in --to-destination. */
export const parseDnat = (to: string): { ip: string; port?: number } => {
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(to);
  if (v6 !== null) return { ip: v6[1]!, ...(v6[2] === undefined ? {} : { port: Number(v6[2]) }) };
  const v4 = /^([^:]+):(\d+)$/.exec(to);
  return v4 === null ? { ip: to } : { ip: v4[1]!, port: Number(v4[2]) };
};

export const actionHandlers: ActionHandlers<Act> = {
  accept: () => () => ACCEPT,
  // REJECT is a DROP plus an ICMP error / RST back to the sender: the packet itself goes no further.
  drop: () => () => DROP,
  reject: () => () => DROP,
  return: () => () => RETURN,
  jump: (a) => {
    const c: Control = { k: "call", chain: a.target, push: true };
    return () => c;
  },
  goto: (a) => {
    const c: Control = { k: "call", chain: a.target, push: false };
    return () => c;
  },
  // xt_MARK: --set-mark v/m zeroes the mask bits and ORs the value in.
  setMark: (a) => (s) => {
    s.mark = ((s.mark & ~a.mask) | a.value) >>> 0;
    return NEXT;
  },
  clearMark: (a) => (s) => {
    s.mark = (s.mark & ~a.mask) >>> 0;
    return NEXT;
  },
  log: () => () => NEXT,
  nflog: () => () => NEXT,
  none: () => () => NEXT,
  // The CT --notrack target (NOTRACK) attaches the untracked template and continues (XT_CONTINUE).
  notrack: () => (s) => {
    if (s.table !== "raw") {
      s.note(
        "warning",
        `NOTRACK in the ${s.table} table has no effect (conntrack already ran; only raw may use it)`,
      );
      return NEXT;
    }
    s.ctBits = CT_BIT.UNTRACKED;
    return NEXT;
  },
  // NAT targets are terminal for the nat table (they return NF_ACCEPT) and only valid there.
  dnat: (a) => {
    const to = parseDnat(a.to);
    return (s) => {
      const ip = parseAddr(to.ip);
      if (s.table !== "nat" || ip === undefined || ip.v !== s.version) {
        s.note(
          "warning",
          `DNAT --to-destination ${a.to} ignored (only valid in nat with an IPv${s.version} address)`,
        );
        return NEXT;
      }
      s.dst = ip;
      if (to.port !== undefined) s.dport = to.port;
      s.ctBits |= CT_BIT.DNAT;
      return ACCEPT;
    };
  },
  masquerade: () => (s) => {
    if (s.table !== "nat") {
      s.note("warning", "MASQUERADE outside the nat table ignored");
      return NEXT;
    }
    s.ctBits |= CT_BIT.SNAT;
    return ACCEPT;
  },
  unknown: (a) => (s) => {
    s.note("warning", `unknown target "${a.text}": assumed to let the packet continue`);
    return NEXT;
  },
};
