// Targets (`-j <TARGET> <options>`) → IR actions. One entry per target; a target or option the IR cannot
// express becomes an `unknown` action (or a warning when only a side detail such as the ICMP reject type is lost).

import type { Action } from "../rules/ir.js";
import type { Opt } from "./tokens.js";
import { optsText } from "./tokens.js";
import { parseUint32, parseValueMask } from "./values.js";

export interface TargetContext {
  readonly warn: (message: string) => void;
}

type TargetReader = (opts: readonly Opt[], ctx: TargetContext) => Action | undefined;

const arg = (opts: readonly Opt[], name: string): string | undefined =>
  opts.find((o) => o.name === name && o.args.length === 1 && !o.negated)?.args[0];

const onlyKnown = (opts: readonly Opt[], known: readonly string[]): boolean =>
  opts.every((o) => known.includes(o.name) && !o.negated);

const flagOnly = (o: Opt): boolean => o.args.length === 0 && !o.negated;

const bare =
  (action: Action): TargetReader =>
  (opts) =>
    opts.length === 0 ? action : undefined;

/**
 * xt_MARK: `--set-xmark v/m` means mark = (mark & ~m) ^ v. When v ⊆ m the XOR only sets bits that were just
 * cleared, so it is the IR's setMark (or clearMark when v is 0); other values toggle bits and have no IR form.
 */
export const xmarkAction = (value: number, mask: number): Action | undefined => {
  if ((value & ~mask) >>> 0 !== 0) return undefined;
  return value === 0 ? { kind: "clearMark", mask } : { kind: "setMark", value, mask };
};

/** `--set-mark v/m` (what Felix and iptables-restore input write) is xmark v/(m|v): the IR's setMark exactly. */
const setMarkAction = (value: number, mask: number): Action =>
  value === 0 ? { kind: "clearMark", mask } : { kind: "setMark", value, mask: (mask | value) >>> 0 };

/** MARK target options (xt_MARK); `--xor-mark` toggles bits and has no IR form. */
const MARK_OPTIONS: Readonly<Record<string, (word: string) => Action | undefined>> = {
  "--set-xmark": (w) => {
    const vm = parseValueMask(w);
    return vm === undefined ? undefined : xmarkAction(vm.value, vm.mask);
  },
  "--set-mark": (w) => {
    const vm = parseValueMask(w);
    return vm === undefined ? undefined : setMarkAction(vm.value, vm.mask);
  },
  "--and-mark": (w) => {
    const n = parseUint32(w);
    return n === undefined ? undefined : { kind: "clearMark", mask: ~n >>> 0 };
  },
  "--or-mark": (w) => {
    const n = parseUint32(w);
    return n === undefined || n === 0 ? undefined : { kind: "setMark", value: n, mask: n };
  },
};

const markTarget: TargetReader = (opts) => {
  const [o, ...rest] = opts;
  const word = o?.args[0];
  if (o === undefined || word === undefined || rest.length > 0 || o.negated || o.args.length !== 1)
    return undefined;
  return MARK_OPTIONS[o.name]?.(word);
};

const LOG_LEVELS: Readonly<Record<string, number>> = {
  emerg: 0,
  alert: 1,
  crit: 2,
  error: 3,
  err: 3,
  warning: 4,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

const LOG_EXTRAS = [
  "--log-tcp-sequence",
  "--log-tcp-options",
  "--log-ip-options",
  "--log-uid",
  "--log-macdecode",
];

// Felix's LogAction writes `--log-prefix "<prefix>: "`; the IR keeps the prefix without that ": ".
const logTarget: TargetReader = (opts, ctx) => {
  if (!onlyKnown(opts, ["--log-prefix", "--log-level", ...LOG_EXTRAS])) return undefined;
  const levelText = arg(opts, "--log-level") ?? "4"; // xt_LOG default: warning
  const level = /^\d$/.test(levelText) ? Number(levelText) : LOG_LEVELS[levelText];
  if (level === undefined || level > 7) return undefined;
  const extras = opts.filter((o) => LOG_EXTRAS.includes(o.name));
  if (extras.length > 0) ctx.warn(`LOG options not modelled: ${optsText(extras)}`);
  const prefix = arg(opts, "--log-prefix") ?? "";
  return { kind: "log", prefix: prefix.endsWith(": ") ? prefix.slice(0, -2) : prefix, level };
};

// NflogAction: a size of -1 in the IR means "no --nflog-size / --nflog-range".
const nflogTarget: TargetReader = (opts, ctx) => {
  if (
    !onlyKnown(opts, [
      "--nflog-group",
      "--nflog-prefix",
      "--nflog-size",
      "--nflog-range",
      "--nflog-threshold",
    ])
  ) {
    return undefined;
  }
  const group = Number(arg(opts, "--nflog-group") ?? "0");
  const sizeText = arg(opts, "--nflog-size") ?? arg(opts, "--nflog-range");
  const size = sizeText === undefined ? -1 : Number(sizeText);
  if (!Number.isInteger(group) || !Number.isInteger(size)) return undefined;
  if (opts.some((o) => o.name === "--nflog-threshold")) ctx.warn("NFLOG --nflog-threshold not modelled");
  return { kind: "nflog", group, prefix: arg(opts, "--nflog-prefix") ?? "", size };
};

const DEFAULT_REJECT = ["icmp-port-unreachable", "icmp6-port-unreachable"];

const rejectTarget: TargetReader = (opts, ctx) => {
  if (!onlyKnown(opts, ["--reject-with"])) return undefined;
  const with_ = arg(opts, "--reject-with");
  if (with_ !== undefined && !DEFAULT_REJECT.includes(with_)) {
    ctx.warn(`REJECT --reject-with ${with_} is treated as a plain REJECT`);
  }
  return { kind: "reject" };
};

const withIgnored =
  (
    action: (opts: readonly Opt[]) => Action | undefined,
    ignorable: readonly string[],
    what: string,
  ): TargetReader =>
  (opts, ctx) => {
    const ignored = opts.filter((o) => ignorable.includes(o.name));
    if (ignored.length > 0) ctx.warn(`${what} options not modelled: ${optsText(ignored)}`);
    return action(opts.filter((o) => !ignorable.includes(o.name)));
  };

export const TARGETS: Readonly<Record<string, TargetReader>> = {
  ACCEPT: bare({ kind: "accept" }),
  DROP: bare({ kind: "drop" }),
  RETURN: bare({ kind: "return" }),
  REJECT: rejectTarget,
  LOG: logTarget,
  NFLOG: nflogTarget,
  NOTRACK: bare({ kind: "notrack" }),
  // `-j CT --notrack` is the modern spelling of NOTRACK; other CT options are unknown.
  CT: (opts) =>
    opts.length === 1 && opts[0]?.name === "--notrack" && flagOnly(opts[0]) ? { kind: "notrack" } : undefined,
  MARK: markTarget,
  DNAT: withIgnored(
    (opts) => {
      const to = arg(opts, "--to-destination");
      return to !== undefined && opts.length === 1 ? { kind: "dnat", to } : undefined;
    },
    ["--random", "--persistent"],
    "DNAT",
  ),
  MASQUERADE: withIgnored(
    (opts) => (opts.length === 0 ? { kind: "masquerade" } : undefined),
    ["--to-ports", "--random", "--random-fully"],
    "MASQUERADE",
  ),
};

/** Does this target read this option (for deciding which options after `-j X` are the target's)? */
export const isTarget = (name: string): boolean => TARGETS[name] !== undefined;

/** The action for `-j NAME opts`, or an unknown action (with a warning) when the IR cannot express it. */
export const readTarget = (name: string, opts: readonly Opt[], ctx: TargetContext): Action => {
  const action = TARGETS[name]?.(opts, ctx);
  if (action !== undefined) return action;
  const text = [`--jump ${name}`, optsText(opts)].filter((s) => s !== "").join(" ");
  ctx.warn(`unknown target: ${text}`);
  return { kind: "unknown", text };
};
