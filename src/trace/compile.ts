// A Ruleset compiled once for tracing: chains indexed by name, jump targets resolved to chain objects, each
// rule's matches turned into one predicate (CIDRs parsed, port lists into sets), IP sets into lookup
// structures, and kernel chains flattened to inserted + others + appended with their policy. Compiled
// forms are cached per Ruleset object, so trace() and traceBatch() share them.

import type {
  ActionHandlers,
  HookChain,
  IpVersion,
  Match,
  MatchHandlers,
  Rule,
  Ruleset,
  TableName,
} from "../rules/ir.js";
import { onAction } from "../rules/ir.js";
import { actionHandlers } from "./action.js";
import { compileMatches, matchCompiler } from "./match.js";
import { ruleText } from "./rule-text.js";
import { compileSet, type CompiledSet } from "./sets.js";
import { addrKey, isLoopback, parseAddr, type Addr } from "./addr.js";
import type { Walker } from "./hook-walk.js";
import { CT_BIT, type Act, type Test, type WalkState } from "./state.js";
import type { HookName, Packet, TraceOptions } from "./types.js";
import { walkPacket } from "./walk.js";

export interface MarkWrite {
  readonly mask: number;
  readonly value: number;
}

export interface CompiledRule {
  readonly index: number;
  readonly rule: Rule;
  readonly text: string;
  readonly test: Test;
  readonly act: Act;
  /** Bits a positive `-m mark --mark v/m` requires set (v & m); used to find who set them. */
  readonly markBits: number;
  /** The mark bits the action writes (`mask`) and to what (`value`), so the walker knows who set each bit. */
  readonly markWrite?: MarkWrite;
  /** The jump / goto target, resolved in the rule's table (null: no such chain). */
  readonly target?: CompiledChain | null;
}

export interface CompiledChain {
  readonly name: string;
  readonly rules: readonly CompiledRule[];
  readonly kernel: boolean;
  readonly policy: "ACCEPT" | "DROP";
  /** A per-endpoint chain (cali-fh-, cali-th-, cali-fhfw-, cali-thfw-): Calico policing an interface. */
  readonly endpoint: boolean;
}

export interface CompiledTable {
  readonly name: TableName;
  readonly hooks: ReadonlyMap<HookName, CompiledChain>;
  readonly chains: ReadonlyMap<string, CompiledChain>;
}

export interface CompiledRuleset {
  readonly source: Ruleset;
  readonly version: IpVersion;
  readonly tables: ReadonlyMap<TableName, CompiledTable>;
}

const ENDPOINT_CHAIN = /^cali-(fh|th|fhfw|thfw)-/;

const positiveMarkBits = (matches: readonly Match[]): number =>
  matches.reduce(
    (bits, m) => (m.kind === "mark" && !m.negated ? (bits | (m.value & m.mask)) >>> 0 : bits),
    0,
  );

type Effect = { readonly write?: MarkWrite; readonly target?: string };
const plain = (): Effect => ({});
/** xt_MARK --set-mark v/m writes the bits of m|v; Felix's "clear" is --set-mark 0/m. */
const effects: ActionHandlers<Effect> = {
  setMark: (a) => ({ write: { mask: (a.mask | a.value) >>> 0, value: a.value >>> 0 } }),
  clearMark: (a) => ({ write: { mask: a.mask >>> 0, value: 0 } }),
  jump: (a) => ({ target: a.target }),
  goto: (a) => ({ target: a.target }),
  accept: plain,
  drop: plain,
  reject: plain,
  return: plain,
  log: plain,
  nflog: plain,
  notrack: plain,
  dnat: plain,
  masquerade: plain,
  none: plain,
  unknown: plain,
};

type Shell = { -readonly [K in keyof CompiledChain]: CompiledChain[K] } & { source: readonly Rule[] };

const shell = (name: string, source: readonly Rule[], kernel: boolean, policy: "ACCEPT" | "DROP"): Shell => ({
  name,
  rules: [],
  kernel,
  policy,
  endpoint: !kernel && ENDPOINT_CHAIN.test(name),
  source,
});

const fill = (c: Shell, handlers: MatchHandlers<Test>, chains: ReadonlyMap<string, CompiledChain>): void => {
  c.rules = c.source.map((rule, index): CompiledRule => {
    const e = onAction(effects, rule.action);
    return {
      index,
      rule,
      text: ruleText(rule),
      test: compileMatches(rule.matches, handlers),
      act: onAction(actionHandlers, rule.action),
      markBits: positiveMarkBits(rule.matches),
      ...(e.write === undefined ? {} : { markWrite: e.write }),
      ...(e.target === undefined ? {} : { target: chains.get(e.target) ?? null }),
    };
  });
};

const hookRules = (h: HookChain): Rule[] => [...h.inserted, ...(h.others ?? []), ...h.appended];

const compileUncached = (rs: Ruleset): CompiledRuleset => {
  const sets = new Map<string, CompiledSet>(rs.sets.map((s) => [s.name, compileSet(s)]));
  const handlers = matchCompiler({ version: rs.version, sets });
  const tables = new Map<TableName, CompiledTable>();
  for (const t of rs.tables) {
    const chains = new Map<string, Shell>();
    // iptables-restore rejects a duplicate chain; keep the first, as the IR builders never emit two.
    for (const c of t.chains)
      if (!chains.has(c.name)) chains.set(c.name, shell(c.name, c.rules, false, "ACCEPT"));
    const hooks = new Map<HookName, Shell>(
      t.hooks.map((h) => [h.name, shell(h.name, hookRules(h), true, h.policy ?? "ACCEPT")]),
    );
    for (const c of [...chains.values(), ...hooks.values()]) fill(c, handlers, chains);
    tables.set(t.name, { name: t.name, hooks, chains });
  }
  return { source: rs, version: rs.version, tables };
};

const cache = new WeakMap<Ruleset, CompiledRuleset>();

export const compileRuleset = (rs: Ruleset): CompiledRuleset => {
  let c = cache.get(rs);
  if (c === undefined) {
    c = compileUncached(rs);
    cache.set(rs, c);
  }
  return c;
};

// ---- verdict-only batch tracing ---------------------------------------------------------------------
//
// traceVerdicts() gives, for each packet, exactly trace()'s verdict ("accept" | "drop") without the path
// and the explanation, for batch work (what-if analysis, benchmarks). It walks the same compiled rules in
// the same order as walk.ts / hook-walk.ts, but per chain it only visits the rules that can matter for the
// packet's protocol, port (or ICMP type/code) and the hook's interfaces: rules whose static matches fail,
// rules whose action does nothing (LOG, NFLOG, no target, a jump to a missing chain or to a chain none of
// whose rules can match) and repeats of an identical terminal rule right after the first are skipped, as
// they cannot change the verdict. Those candidate lists are computed once per chain and key, lazily.
//
// Exactness conditions: the walk must not hit trace()'s loop guards (rule budget, stack depth), which is
// checked once per ruleset (an acyclic chain graph whose worst-case walk fits the budget); otherwise, or for
// more than 4,096 distinct interface names, the packet is traced with trace()'s own walker.

/** A rule as the verdict walker sees it. */
interface FastRule {
  readonly cr: CompiledRule;
  readonly test: Test;
  readonly act: Act;
  /** Static pre-check for a key; false: the rule cannot match in this hook walk. */
  readonly maybe: (k: KeyFields) => boolean;
  /** Jump target (push) or goto target, as a fast chain. */
  readonly target?: FastChain;
  readonly push: boolean;
  /** Does nothing when it matches (LOG, NFLOG, none, unknown target, jump/goto to a missing chain). */
  readonly noop: boolean;
  /** RETURN / ACCEPT / DROP / REJECT: control leaves the chain when it matches. */
  readonly terminal: boolean;
  sig?: string;
}

/** A rule in a candidate list for one key; `next` is the target chain's candidate list for the same key. */
interface Candidate {
  readonly test: Test;
  readonly act: Act;
  readonly next: readonly Candidate[] | undefined;
  readonly rule: FastRule;
}

interface FastChain {
  readonly chain: CompiledChain;
  rules: readonly FastRule[];
  /** Candidate lists by key id. */
  readonly memo: Map<number, readonly Candidate[]>;
  /** Key ids being computed (cycle guard). */
  readonly busy: Set<number>;
}

interface KeyFields {
  readonly proto: number;
  readonly dport: number | undefined;
  readonly icmpType: number | undefined;
  readonly icmpCode: number | undefined;
  readonly inIface: string;
  readonly outIface: string;
  readonly version: IpVersion;
}

const PORT_PROTOS: ReadonlySet<number> = new Set([6, 17, 132, 136]);

const ifaceMatches = (name: string, iface: string): boolean =>
  name.endsWith("+") ? iface.startsWith(name.slice(0, -1)) : iface === name;

/** False when `m` certainly fails for a packet with these key fields (mirrors match.ts). */
const staticMatch = (m: Match, k: KeyFields): boolean => {
  switch (m.kind) {
    case "protocol":
      if (m.protocol === 0) return !m.negated;
      return (k.proto === m.protocol) !== m.negated;
    case "dstPorts":
      if (!PORT_PROTOS.has(k.proto) || k.dport === undefined) return false;
      return m.ports.some((r) => k.dport! >= r.from && k.dport! <= r.to) !== m.negated;
    case "srcPorts":
      return PORT_PROTOS.has(k.proto);
    case "inIface":
      return ifaceMatches(m.name, k.inIface) !== m.negated;
    case "outIface":
      return ifaceMatches(m.name, k.outIface) !== m.negated;
    case "icmp": {
      const proto = m.version === 4 ? 1 : 58;
      if (k.version !== m.version || k.proto !== proto || k.icmpType === undefined) return false;
      const hit = k.icmpType === m.type && (m.code === undefined || k.icmpCode === m.code);
      return hit !== m.negated;
    }
    default:
      return true;
  }
};

const STATIC_KINDS: ReadonlySet<string> = new Set([
  "protocol",
  "dstPorts",
  "srcPorts",
  "inIface",
  "outIface",
  "icmp",
]);

const NOOP_ACTIONS: ReadonlySet<string> = new Set(["log", "nflog", "none", "unknown"]);
const TERMINAL_ACTIONS: ReadonlySet<string> = new Set(["return", "accept", "drop", "reject"]);

const ruleSig = (r: FastRule): string => {
  if (r.sig === undefined) r.sig = JSON.stringify([r.cr.rule.matches, r.cr.rule.action]);
  return r.sig;
};

interface FastRuleset {
  readonly compiled: CompiledRuleset;
  readonly tables: ReadonlyMap<
    TableName,
    { readonly table: CompiledTable; readonly hooks: ReadonlyMap<HookName, FastChain> }
  >;
  /** The walk provably stays within trace()'s loop guards. */
  readonly exact: boolean;
}

const fastCache = new WeakMap<CompiledRuleset, FastRuleset>();

/** Worst-case rule evaluations per hook walk and jump depth, if the chain graph is acyclic. */
const walkBounds = (c: CompiledRuleset): { evaluations: number; depth: number } | undefined => {
  const cost = new Map<CompiledChain, { evals: number; depth: number }>();
  const busy = new Set<CompiledChain>();
  const LIMIT = 1e12;
  const visit = (ch: CompiledChain): { evals: number; depth: number } | undefined => {
    const hit = cost.get(ch);
    if (hit !== undefined) return hit;
    if (busy.has(ch)) return undefined;
    busy.add(ch);
    // Every loop turn counts against trace()'s budget, the end of the chain included.
    let evals = ch.rules.length + 1;
    let depth = 0;
    for (const r of ch.rules)
      if (r.target !== undefined && r.target !== null) {
        const t = visit(r.target);
        if (t === undefined) return undefined;
        evals = Math.min(LIMIT, evals + t.evals);
        depth = Math.max(depth, t.depth + 1);
      }
    busy.delete(ch);
    const out = { evals, depth };
    cost.set(ch, out);
    return out;
  };
  let evaluations = 0;
  let depth = 0;
  for (const t of c.tables.values())
    for (const h of t.hooks.values()) {
      const b = visit(h);
      if (b === undefined) return undefined;
      evaluations = Math.min(LIMIT, evaluations + b.evals);
      depth = Math.max(depth, b.depth);
    }
  return { evaluations, depth };
};

const toFast = (c: CompiledRuleset): FastRuleset => {
  let f = fastCache.get(c);
  if (f !== undefined) return f;
  const chains = new Map<CompiledChain, FastChain>();
  const fastChain = (ch: CompiledChain): FastChain => {
    let fc = chains.get(ch);
    if (fc === undefined) {
      fc = { chain: ch, rules: [], memo: new Map(), busy: new Set() };
      chains.set(ch, fc);
      fc.rules = ch.rules.map((cr): FastRule => {
        const a = cr.rule.action;
        const statics = cr.rule.matches.filter((m) => STATIC_KINDS.has(m.kind));
        const target = cr.target === undefined || cr.target === null ? undefined : fastChain(cr.target);
        const jumpy = a.kind === "jump" || a.kind === "goto";
        return {
          cr,
          test: cr.test,
          act: cr.act,
          maybe: statics.length === 0 ? () => true : (k) => statics.every((m) => staticMatch(m, k)),
          ...(target === undefined ? {} : { target }),
          push: a.kind === "jump",
          noop: NOOP_ACTIONS.has(a.kind) || (jumpy && target === undefined),
          terminal: TERMINAL_ACTIONS.has(a.kind),
        };
      });
    }
    return fc;
  };
  const tables = new Map<TableName, { table: CompiledTable; hooks: Map<HookName, FastChain> }>();
  for (const [name, t] of c.tables) {
    const hooks = new Map<HookName, FastChain>();
    for (const [h, ch] of t.hooks) hooks.set(h, fastChain(ch));
    tables.set(name, { table: t, hooks });
  }
  const bounds = walkBounds(c);
  // Per packet trace() allows BUDGET evaluations over all hooks (at most 8 hook walks) and MAX_STACK frames.
  const exact = bounds !== undefined && bounds.evaluations * 8 < 1_000_000 && bounds.depth < 1024;
  f = { compiled: c, tables, exact };
  fastCache.set(c, f);
  return f;
};

/** The rules of `fc` that can matter for a hook walk with these key fields (see above). */
const candidates = (fc: FastChain, key: number, k: KeyFields): readonly Candidate[] => {
  const hit = fc.memo.get(key);
  if (hit !== undefined) return hit;
  // Only reached for cyclic rulesets, which are never walked here (toFast checks): give up on the fast walk.
  if (fc.busy.has(key)) throw new SlowPath();
  fc.busy.add(key);
  const out: Candidate[] = [];
  for (const r of fc.rules) {
    if (r.noop || !r.maybe(k)) continue;
    const next = r.target === undefined ? undefined : candidates(r.target, key, k);
    if (r.push && next !== undefined && next.length === 0) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && r.terminal && prev.rule.terminal && ruleSig(prev.rule) === ruleSig(r)) continue;
    out.push({ test: r.test, act: r.act, next, rule: r });
  }
  fc.busy.delete(key);
  fc.memo.set(key, out);
  return out;
};

const ifaceIds = new Map<string, number>();
const IFACE_LIMIT = 4096;
const ifaceId = (name: string): number => {
  let id = ifaceIds.get(name);
  if (id === undefined) {
    id = ifaceIds.size;
    if (id >= IFACE_LIMIT) return -1;
    ifaceIds.set(name, id);
  }
  return id;
};

/** Small integer ids for keys (Map lookups on small integers are cheaper than on large numbers). */
const keyIds = new Map<number, number>();
const KEY_LIMIT = 1 << 20;

/** The id of the key fields of the walk state; -1 when it cannot be formed. */
const keyIdOf = (s: WalkState): number => {
  const key = keyOf(s);
  if (key < 0) return -1;
  let id = keyIds.get(key);
  if (id === undefined) {
    id = keyIds.size;
    if (id >= KEY_LIMIT) return -1;
    keyIds.set(key, id);
  }
  return id;
};

/** The key fields as one number: interface ids, protocol, and the port or ICMP type/code. */
const keyOf = (s: WalkState): number => {
  const inId = ifaceId(s.inIface);
  const outId = ifaceId(s.outIface);
  if (inId < 0 || outId < 0) return -1;
  let slot = 0;
  if (PORT_PROTOS.has(s.proto)) slot = s.dport === undefined ? 65536 : s.dport;
  else if (s.proto === 1 || s.proto === 58)
    slot =
      s.icmpType === undefined
        ? 65536
        : 65537 + s.icmpType * 257 + (s.icmpCode === undefined ? 256 : s.icmpCode);
  // slot < 2^18 (ICMP: 65537 + 255 * 257 + 256); the whole key stays below 2^53.
  return ((inId * IFACE_LIMIT + outId) * 256 + s.proto) * 262144 + slot;
};

// Return frames of the current hook walk (one walk at a time; reused to avoid allocation).
const frameLists: (readonly Candidate[])[] = [];
const frameNext: number[] = [];
const frameKernel: boolean[] = [];

/** One table's hook, as hook-walk.ts walks it, over candidate lists only. */
const fastHook = (f: FastRuleset, table: TableName, hook: HookName, s: WalkState): "accept" | "drop" => {
  const t = f.tables.get(table);
  const kernel = t?.hooks.get(hook);
  if (t === undefined || kernel === undefined) return "accept";
  s.table = table;
  s.hook = hook;
  const key = keyIdOf(s);
  if (key < 0) throw new SlowPath();
  const k: KeyFields = s;
  const policy = kernel.chain.policy === "ACCEPT" ? "accept" : "drop";
  let list = candidates(kernel, key, k);
  let isKernel = true;
  let i = 0;
  let depth = 0;
  for (;;) {
    const r = list[i];
    if (r === undefined) {
      // End of a kernel chain: its policy; end of a user chain: implicit RETURN.
      if (isKernel || depth === 0) return policy;
      depth--;
      list = frameLists[depth]!;
      i = frameNext[depth]!;
      isKernel = frameKernel[depth]!;
      continue;
    }
    if (!r.test(s)) {
      i++;
      continue;
    }
    const ctl = r.act(s);
    switch (ctl.k) {
      case "next":
        i++;
        break;
      case "accept":
        return "accept";
      case "drop":
        return "drop";
      case "return":
        if (isKernel || depth === 0) return policy;
        depth--;
        list = frameLists[depth]!;
        i = frameNext[depth]!;
        isKernel = frameKernel[depth]!;
        break;
      case "call": {
        const next = r.next;
        if (next === undefined) {
          i++;
          break;
        }
        if (ctl.push) {
          frameLists[depth] = list;
          frameNext[depth] = i + 1;
          frameKernel[depth] = isKernel;
          depth++;
        }
        list = next;
        isKernel = false;
        i = 0;
        break;
      }
    }
  }
};

class SlowPath extends Error {}

const CT_OF_STATE = {
  new: CT_BIT.NEW,
  established: CT_BIT.ESTABLISHED,
  related: CT_BIT.RELATED,
  invalid: CT_BIT.INVALID,
};

type Verdict = "accept" | "drop";

/** walk.ts walkPacket over candidate lists; `s` is initialised for the packet. */
const fastPacket = (f: FastRuleset, p: Packet, s: WalkState): Verdict => {
  s.ctBits = CT_BIT.INVALID;
  const tables = (hook: HookName, a: TableName, b?: TableName): Verdict =>
    fastHook(f, a, hook, s) === "drop" || (b !== undefined && fastHook(f, b, hook, s) === "drop")
      ? "drop"
      : "accept";
  const devices = (hook: HookName): void => {
    s.hook = hook;
    s.inIface = hook === "OUTPUT" || hook === "POSTROUTING" ? "" : (p.in ?? "");
    s.outIface = hook === "PREROUTING" || hook === "INPUT" ? "" : (p.out ?? "");
  };
  const conntrack = (): void => {
    if (s.ctBits !== CT_BIT.UNTRACKED) s.ctBits = CT_OF_STATE[p.state];
  };
  const dnat = (hook: HookName): Verdict => {
    if (f.tables.has("nat") && (s.ctBits & CT_BIT.NEW) !== 0 && fastHook(f, "nat", hook, s) === "drop")
      return "drop";
    if (p.dnatTo === undefined) return "accept";
    s.hook = hook;
    if ((s.ctBits & (CT_BIT.UNTRACKED | CT_BIT.INVALID)) !== 0) return "accept";
    s.dst = parseAddr(p.dnatTo.ip)!;
    if (p.dnatTo.port !== undefined) s.dport = p.dnatTo.port;
    s.ctBits |= CT_BIT.DNAT;
    return "accept";
  };
  const postrouting = (): Verdict => {
    if (tables("POSTROUTING", "mangle") === "drop") return "drop";
    return (s.ctBits & CT_BIT.NEW) !== 0 ? tables("POSTROUTING", "nat") : "accept";
  };
  if (p.in !== undefined) {
    devices("PREROUTING");
    if (tables("PREROUTING", "raw") === "drop") return "drop";
    conntrack();
    if (tables("PREROUTING", "mangle") === "drop") return "drop";
    if (dnat("PREROUTING") === "drop") return "drop";
    const hook = p.out === undefined ? "INPUT" : "FORWARD";
    devices(hook);
    if (tables(hook, "mangle", "filter") === "drop") return "drop";
    if (p.out === undefined) return "accept";
    devices("POSTROUTING");
    return postrouting();
  }
  devices("OUTPUT");
  if (tables("OUTPUT", "raw") === "drop") return "drop";
  conntrack();
  if (tables("OUTPUT", "mangle") === "drop") return "drop";
  if (dnat("OUTPUT") === "drop") return "drop";
  devices("OUTPUT");
  if (tables("OUTPUT", "filter") === "drop") return "drop";
  devices("POSTROUTING");
  return postrouting();
};

const validPort = (p: number | undefined): boolean =>
  p === undefined || (Number.isInteger(p) && p >= 0 && p <= 65535);

/**
 * trace()'s verdict for each packet — the same packet checks, family choice, hooks, tables and rules — without
 * paths or explanations. Compiles the ruleset once (shared with trace() and traceBatch()) and, per chain,
 * only visits rules that can matter for the packet (see above), so it is much faster than traceBatch().
 */
export const traceVerdicts = (
  ruleset: Ruleset | readonly Ruleset[],
  packets: readonly Packet[],
  opts: Pick<TraceOptions, "localAddresses"> = {},
): Verdict[] => {
  const list: readonly Ruleset[] = "kind" in ruleset ? [ruleset as Ruleset] : (ruleset as readonly Ruleset[]);
  const compiled = list.map(compileRuleset);
  const fast = compiled.map(toFast);
  let local: Set<string> | undefined;
  if (opts.localAddresses !== undefined) {
    local = new Set();
    for (const a of opts.localAddresses) {
      const p = parseAddr(a);
      if (p !== undefined) local.add(addrKey(p));
    }
  }
  const addrs = new Map<string, Addr | null>();
  const addr = (text: string): Addr | undefined => {
    let a = addrs.get(text);
    if (a === undefined) {
      a = parseAddr(text) ?? null;
      addrs.set(text, a);
    }
    return a ?? undefined;
  };
  let delivered = false;
  let generated = false;
  const isLocal = (a: Addr, dir: "src" | "dst"): boolean => {
    if (isLoopback(a)) return true;
    if (local !== undefined) return local.has(addrKey(a));
    return dir === "dst" ? delivered : generated;
  };
  const note = (): void => {};

  const one = (p: Packet): Verdict => {
    // trace.ts checkPacket: an invalid packet is dropped.
    if (p.in === undefined && p.out === undefined) return "drop";
    const src = addr(p.src);
    const dst = addr(p.dst);
    if (src === undefined || dst === undefined || src.v !== dst.v) return "drop";
    if (!Number.isInteger(p.proto) || p.proto < 0 || p.proto > 255) return "drop";
    if (!validPort(p.sport) || !validPort(p.dport) || !validPort(p.dnatTo?.port)) return "drop";
    if (p.dnatTo !== undefined && addr(p.dnatTo.ip)?.v !== src.v) return "drop";
    const k = compiled.findIndex((r) => r.version === src.v);
    // No ruleset of the packet's family: the kernel chain policies (ACCEPT) decide.
    if (k < 0) return "accept";
    const c = compiled[k]!;
    delivered = p.out === undefined;
    generated = p.in === undefined;
    const state: WalkState = {
      version: c.version,
      src,
      dst,
      proto: p.proto,
      sport: p.sport,
      dport: p.dport,
      icmpType: p.icmpType,
      icmpCode: p.icmpCode,
      inIface: "",
      outIface: "",
      hook: generated ? "OUTPUT" : "PREROUTING",
      table: "raw",
      mark: (p.mark ?? 0) >>> 0,
      ctBits: CT_BIT.INVALID,
      isLocal,
      note,
    };
    const f = fast[k]!;
    if (f.exact) {
      try {
        return fastPacket(f, p, state);
      } catch (e) {
        if (!(e instanceof SlowPath)) throw e;
      }
    }
    return slowVerdict(c, p, { ...state, dst, dport: p.dport, mark: (p.mark ?? 0) >>> 0 });
  };
  return packets.map(one);
};

/** trace()'s own walker, for rulesets (or packets) the fast walk cannot promise to handle exactly. */
const slowVerdict = (c: CompiledRuleset, p: Packet, state: WalkState): Verdict => {
  const w: Walker = {
    state: {
      ...state,
      ctBits: CT_BIT.INVALID,
      inIface: "",
      outIface: "",
      table: "raw",
      hook: p.in === undefined ? "OUTPUT" : "PREROUTING",
    },
    path: [],
    traversals: [],
    verbose: false,
    setters: new Array<number | undefined>(32),
    budget: 1_000_000,
  };
  return walkPacket(w, c, p);
};
