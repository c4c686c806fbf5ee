// IR Action → the iptables target fragment Felix writes (felix/iptables/actions.go at 87c15906f2).

import { onAction } from "../../rules/ir.js";
import type { Action, ActionHandlers } from "../../rules/ir.js";
import { renderedOnce } from "../../rules/build.js";
import { hex } from "./match.js";

export interface ActionTextOptions {
  /**
   * NFLOG size flag: Felix writes `--nflog-size` when the kernel/iptables support it (environment.Features
   * NFLogSize) and the older `--nflog-range` otherwise. Default true.
   */
  readonly nflogSize?: boolean;
}

/** NflogAction.ToFragment: size 0 means the default 80; a negative size leaves the flag out. */
const nflogText = (a: Extract<Action, { kind: "nflog" }>, opts: ActionTextOptions): string => {
  const head = `--jump NFLOG --nflog-group ${a.group} --nflog-prefix ${a.prefix}`;
  if (a.size < 0) return head;
  const size = a.size === 0 ? 80 : a.size;
  return `${head} ${opts.nflogSize === false ? "--nflog-range" : "--nflog-size"} ${size}`;
};

export const iptablesActionHandlers = (opts: ActionTextOptions = {}): ActionHandlers<string> => ({
  accept: () => "--jump ACCEPT",
  drop: () => "--jump DROP",
  reject: () => "--jump REJECT",
  return: () => "--jump RETURN",
  jump: (a) => `--jump ${a.target}`,
  goto: (a) => `--goto ${a.target}`,
  // SetMarkAction / SetMaskedMarkAction: `%#x/%#x`, so a zero value prints as 0x0.
  setMark: (a) => `--jump MARK --set-mark ${hex(a.value)}/${hex(a.mask)}`,
  // ClearMarkAction: a literal 0.
  clearMark: (a) => `--jump MARK --set-mark 0/${hex(a.mask)}`,
  // LogAction: Felix appends ": " to the prefix and always logs at level 5 (notice).
  log: (a) => `--jump LOG --log-prefix "${a.prefix}: " --log-level ${a.level}`,
  nflog: (a) => nflogText(a, opts),
  notrack: () => "--jump NOTRACK",
  dnat: (a) => `--jump DNAT --to-destination ${a.to}`,
  masquerade: () => "--jump MASQUERADE",
  // A rule with no action: Felix renders nothing for it (e.g. the comment-only rule of an empty profile).
  none: () => "",
  unknown: (a) => a.text,
});

// Built once per flag value: rendering calls this for every rule.
const withSize = iptablesActionHandlers({ nflogSize: true });
const withRange = iptablesActionHandlers({ nflogSize: false });

// Like matches, most actions are one object per value (rules/build.ts): each is spelled once per flag value.
const spelled = { size: new WeakMap<Action, string>(), range: new WeakMap<Action, string>() };
const spellWithSize = (a: Action): string => onAction(withSize, a);
const spellWithRange = (a: Action): string => onAction(withRange, a);

/** One action as Felix's fragment text ("" for `none`). */
export const actionFragment = (a: Action, opts?: ActionTextOptions): string =>
  opts?.nflogSize === false
    ? renderedOnce(spelled.range, a, spellWithRange)
    : renderedOnce(spelled.size, a, spellWithSize);
