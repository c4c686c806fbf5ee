// The action statements of a rule (as `nft -j list` prints them) → the IR action, keyed by statement name.
// Mark changes come back in the kernel's (mask, xor) form (reference §2.6 item 6); `{"reject":null}` comes back
// with nft's default ICMP port-unreachable filled in (§2.6 item 7).

import type { Action } from "../../rules/ir.js";
import type { NftStatement } from "../../render/nftables/schema-expr.js";
import { LOG_LEVELS, markPair } from "./values.js";

type ActionReader = (body: never) => Action | undefined;

const verdictTarget = (body: { target: string }): string => body.target;

/** (mark & and) ^ xor → the IR's set/clear mark, when no bit is toggled (xor inside the cleared bits). */
const mangle = (body: { key: Record<string, { key: string }>; value: never }): Action | undefined => {
  if (body.key["meta"]?.key !== "mark") return undefined;
  const pair = markPair(body.value);
  if (pair === undefined || (pair.xor & pair.and) !== 0) return undefined;
  const mask = ~pair.and >>> 0;
  return pair.xor === 0 ? { kind: "clearMark", mask } : { kind: "setMark", value: pair.xor, mask };
};

/** With a group the log goes to NFLOG; without, to the kernel log (Felix's LOG appends ": " to the prefix). */
const log = (body: {
  prefix?: string;
  level?: string;
  group?: number;
  snaplen?: number;
}): Action | undefined => {
  const prefix = body.prefix ?? "";
  if (body.group !== undefined) return { kind: "nflog", group: body.group, prefix, size: body.snaplen ?? -1 };
  const level = LOG_LEVELS[body.level ?? "warn"];
  return level === undefined ? undefined : { kind: "log", prefix: prefix.replace(/: $/, ""), level };
};

/** Plain `reject` reads back as ICMP (ICMPv6, ICMPx) port-unreachable; other kinds are not the IR's reject. */
const reject = (body: null | { type: string; expr?: string | number }): Action | undefined =>
  body === null ||
  (body.type !== "tcp reset" && (body.expr === undefined || body.expr === "port-unreachable"))
    ? { kind: "reject" }
    : undefined;

const dnat = (body: { addr?: unknown; port?: unknown }): Action | undefined => {
  if (typeof body.addr !== "string") return undefined;
  const host = body.addr.includes(":") && body.port !== undefined ? `[${body.addr}]` : body.addr;
  return { kind: "dnat", to: body.port === undefined ? body.addr : `${host}:${String(body.port)}` };
};

/** Statement name → its IR action (undefined: no IR form, read as an unknown action). */
export const ACTION_READERS: Readonly<Record<string, ActionReader>> = {
  accept: () => ({ kind: "accept" }),
  drop: () => ({ kind: "drop" }),
  return: () => ({ kind: "return" }),
  // Felix writes `continue` for a rule with neither match nor action (renderer.go:83-88).
  continue: () => ({ kind: "none" }),
  jump: (b: { target: string }) => ({ kind: "jump", target: verdictTarget(b) }),
  goto: (b: { target: string }) => ({ kind: "goto", target: verdictTarget(b) }),
  mangle,
  log,
  notrack: () => ({ kind: "notrack" }),
  reject,
  dnat,
  masquerade: (b: null | { port?: unknown }) => (b === null ? { kind: "masquerade" } : undefined),
} as Record<string, ActionReader>;

/** Names of statements that act on a packet (the rest are matches, counters or unknown). */
export const isActionStatement = (st: NftStatement): boolean =>
  Object.keys(st).some((k) => k in ACTION_READERS || k === "vmap");

/** The IR action of one action statement, or undefined. */
export const readAction = (st: NftStatement): Action | undefined => {
  const [key, body] = Object.entries(st)[0] ?? [];
  const reader = key === undefined ? undefined : ACTION_READERS[key];
  return reader === undefined ? undefined : reader(body as never);
};
