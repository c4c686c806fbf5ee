// Match modules (`-m <name> <options>`) → IR matches. One entry per module; an option a module does not model
// becomes an `unknown` match carrying its text, never dropped.

import type { CtState, Match } from "../rules/ir.js";
import { icmpTypeCode } from "./protocols.js";
import type { Opt } from "./tokens.js";
import { optsText } from "./tokens.js";
import { parsePortList, parsePortRange, parseValueMask } from "./values.js";

/** A comment (kept apart from matches) or a match; undefined when the option is not understood. */
export type Piece = { readonly comment: string } | Match;

export interface ModuleSpec {
  /** Per-option readers. */
  readonly opts: Readonly<Record<string, (o: Opt) => Piece | undefined>>;
  /** Options the module has but the IR does not model: claimed (so they are reported under this module). */
  readonly unmodelled?: readonly string[];
  /** For modules whose options only mean something together: all options at once. */
  readonly whole?: (opts: readonly Opt[]) => Piece[] | undefined;
}

const arg = (o: Opt, i = 0): string | undefined => (o.args.length === i + 1 ? o.args[i] : undefined);

const CT_STATES: ReadonlySet<string> = new Set<CtState>([
  "NEW",
  "ESTABLISHED",
  "RELATED",
  "INVALID",
  "UNTRACKED",
  "DNAT",
  "SNAT",
]);

const ctState = (o: Opt): Match | undefined => {
  const states = arg(o)?.split(",");
  if (states === undefined || !states.every((s) => CT_STATES.has(s))) return undefined;
  return { kind: "ctState", states: states as CtState[], negated: o.negated };
};

const ports =
  (kind: "srcPorts" | "dstPorts", list: boolean) =>
  (o: Opt): Match | undefined => {
    const a = arg(o);
    const one = a === undefined || list ? undefined : parsePortRange(a);
    const parsed =
      a === undefined ? undefined : list ? parsePortList(a) : one === undefined ? undefined : [one];
    return parsed === undefined ? undefined : ({ kind, ports: parsed, negated: o.negated } as Match);
  };

const l4 = (...unmodelled: string[]): ModuleSpec => ({
  unmodelled,
  opts: {
    "--dport": ports("dstPorts", false),
    "--destination-port": ports("dstPorts", false),
    "--sport": ports("srcPorts", false),
    "--source-port": ports("srcPorts", false),
  },
});

const icmp =
  (version: 4 | 6) =>
  (o: Opt): Match | undefined => {
    const a = arg(o);
    const tc = a === undefined ? undefined : icmpTypeCode(a, version);
    return tc === undefined ? undefined : { kind: "icmp", version, ...tc, negated: o.negated };
  };

const setMatch = (o: Opt): Match | undefined => {
  const [name, flags] = o.args;
  const dirs = flags?.split(",");
  if (o.args.length !== 2 || name === undefined || dirs === undefined) return undefined;
  if (!dirs.every((d) => d === "src" || d === "dst")) return undefined;
  return { kind: "set", set: name, dirs: dirs as ("src" | "dst")[], negated: o.negated };
};

const addrType =
  (dir: "src" | "dst") =>
  (o: Opt): Match | undefined =>
    arg(o) === "LOCAL" ? { kind: "addrType", dir, type: "LOCAL", negated: o.negated } : undefined;

const flag = (o: Opt): boolean => o.args.length === 0 && !o.negated;

export const MODULES: Readonly<Record<string, ModuleSpec>> = {
  comment: {
    opts: {
      "--comment": (o) => {
        const c = arg(o);
        return c === undefined || o.negated ? undefined : { comment: c };
      },
    },
  },
  mark: {
    opts: {
      "--mark": (o) => {
        const vm = parseValueMask(arg(o) ?? "");
        return vm === undefined ? undefined : { kind: "mark", ...vm, negated: o.negated };
      },
    },
  },
  conntrack: {
    opts: { "--ctstate": ctState },
    unmodelled: [
      "--ctproto",
      "--ctorigsrc",
      "--ctorigdst",
      "--ctreplsrc",
      "--ctrepldst",
      "--ctorigsrcport",
      "--ctorigdstport",
      "--ctreplsrcport",
      "--ctrepldstport",
      "--ctstatus",
      "--ctexpire",
      "--ctdir",
    ],
  },
  state: { opts: { "--state": ctState } },
  multiport: {
    unmodelled: ["--ports"],
    opts: {
      "--dports": ports("dstPorts", true),
      "--destination-ports": ports("dstPorts", true),
      "--sports": ports("srcPorts", true),
      "--source-ports": ports("srcPorts", true),
    },
  },
  tcp: l4("--tcp-flags", "--syn", "--tcp-option"),
  udp: l4(),
  sctp: l4("--chunk-types"),
  dccp: l4("--dccp-types", "--dccp-option"),
  icmp: { opts: { "--icmp-type": icmp(4) } },
  icmp6: { opts: { "--icmpv6-type": icmp(6) } },
  set: {
    opts: { "--match-set": setMatch },
    unmodelled: [
      "--return-nomatch",
      "--update-counters",
      "--update-subcounters",
      "--packets-eq",
      "--packets-lt",
      "--packets-gt",
      "--bytes-eq",
      "--bytes-lt",
      "--bytes-gt",
    ],
  },
  addrtype: {
    // --limit-iface-in/out narrows the type lookup to one interface; the IR cannot say that.
    opts: {
      "--src-type": addrType("src"),
      "--dst-type": addrType("dst"),
      "--limit-iface-in": () => undefined,
      "--limit-iface-out": () => undefined,
    },
    whole: (opts) => {
      if (opts.some((o) => o.name.startsWith("--limit-iface"))) return undefined;
      const matches = opts.map((o) => (o.name === "--src-type" ? addrType("src") : addrType("dst"))(o));
      return matches.every((m): m is Match => m !== undefined) ? matches : undefined;
    },
  },
  rpfilter: {
    // Felix only writes `--invert --validmark` (RPFCheckFailed); --loose / --accept-local change the check.
    opts: {
      "--invert": () => undefined,
      "--validmark": () => undefined,
      "--loose": () => undefined,
      "--accept-local": () => undefined,
    },
    whole: (opts) => {
      const names = opts.map((o) => o.name).sort();
      return opts.every(flag) && names.join(" ") === "--invert --validmark"
        ? [{ kind: "rpfilterFailed" }]
        : undefined;
    },
  },
  limit: {
    opts: { "--limit": () => undefined, "--limit-burst": () => undefined },
    whole: (opts) => {
      const rate = opts.find((o) => o.name === "--limit");
      const burst = opts.find((o) => o.name === "--limit-burst");
      const extra = opts.filter((o) => o !== rate && o !== burst);
      const rateText = rate === undefined ? "3/hour" : arg(rate); // libxt_limit default
      const burstN = burst === undefined ? undefined : Number(arg(burst));
      if (rateText === undefined || extra.length > 0 || opts.some((o) => o.negated)) return undefined;
      if (burstN !== undefined && !Number.isInteger(burstN)) return undefined;
      return [{ kind: "limit", rate: rateText, ...(burstN === undefined ? {} : { burst: burstN }) }];
    },
  },
};

/** The module that `-p <proto>` loads implicitly, so `-p udp --dport 53` works without `-m udp`. */
export const IMPLICIT_MODULE: Readonly<Record<number, string>> = {
  1: "icmp",
  6: "tcp",
  17: "udp",
  33: "dccp",
  58: "icmp6",
  132: "sctp",
};

/** Does this module (known to the parser) take this option? */
export const moduleAccepts = (module: string, option: string): boolean => {
  const spec = MODULES[module];
  return spec !== undefined && (spec.opts[option] !== undefined || (spec.unmodelled ?? []).includes(option));
};

/** An unknown match for a module and some of its options. */
export const unknownMatch = (module: string, opts: readonly Opt[], assume: boolean): Match => ({
  kind: "unknown",
  text: [`-m ${module}`, optsText(opts)].filter((s) => s !== "").join(" "),
  assume,
});

/**
 * The pieces of one `-m` block. Options a known module cannot read become one unknown match (listing just those
 * options); a module that only makes sense whole (rpfilter, limit, addrtype) is unknown as a whole.
 */
export const readModule = (module: string, opts: readonly Opt[], assume: boolean): Piece[] => {
  const spec = MODULES[module];
  if (spec === undefined) return [unknownMatch(module, opts, assume)];
  if (spec.whole !== undefined) return spec.whole(opts) ?? [unknownMatch(module, opts, assume)];
  const pieces: Piece[] = [];
  const leftovers: Opt[] = [];
  for (const o of opts) {
    const piece = spec.opts[o.name]?.(o);
    if (piece === undefined) leftovers.push(o);
    else pieces.push(piece);
  }
  return leftovers.length === 0 ? pieces : [...pieces, unknownMatch(module, leftovers, assume)];
};
